//! The TOML front end: `*.topo.toml` text → [`crate::spec::Topology`].
//!
//! It walks toml's spanned document tree by hand rather than through
//! `#[derive(Deserialize)]`, because serde stops at the first unknown key or
//! wrong type, and we report every one of them in a single run. This module
//! checks shape only (keys and TOML types); what the values mean is
//! `validate`'s job.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::spec::{
    Alb, Backup, Block, CopyTo, Dns, ElasticIp, Failover, Fleet, Health, Hours, Instance, Sorry,
    Sp, SpList, Stack, Task, Topology, Zone,
};

const KINDS: &[&str] = &[
    "stack", "zone", "instance", "failover", "sorry", "alb", "fleet", "backup", "task",
];

/// Parses TOML text into a spec, collecting every shape problem.
pub fn parse(text: &str) -> (Topology, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().map(Span::new).unwrap_or_default();
            let msg = e.message().trim().trim_end_matches('.').to_string();
            diags.push(
                Diagnostic::error(Code::TomlSyntax, span, format!("invalid TOML: {msg}"))
                    .help("see https://toml.io for the syntax"),
            );
        }
        return (Topology::default(), diags);
    }
    let mut topo = Topology::default();
    let mut cx = Cx { diags: &mut diags };
    for (key, value) in doc.get_ref() {
        let kind = key.get_ref().as_ref();
        let key_span = span(key);
        match kind {
            "stack" => {
                if let Some(t) = cx.table(value, "[stack]") {
                    topo.stack = Some(Sp::new(cx.stack(t), key_span));
                }
            }
            "zone" => cx.blocks(value, "zone", &mut topo.zones, Cx::zone),
            "instance" => cx.blocks(value, "instance", &mut topo.instances, Cx::instance),
            "failover" => cx.blocks(value, "failover", &mut topo.failovers, Cx::failover),
            "sorry" => cx.blocks(value, "sorry", &mut topo.sorries, Cx::sorry),
            "alb" => cx.blocks(value, "alb", &mut topo.albs, Cx::alb),
            "fleet" => cx.blocks(value, "fleet", &mut topo.fleets, Cx::fleet),
            "backup" => cx.blocks(value, "backup", &mut topo.backups, Cx::backup),
            "task" => cx.blocks(value, "task", &mut topo.tasks, Cx::task),
            other => {
                let mut d = Diagnostic::error(
                    Code::UnknownKind,
                    key_span,
                    format!("unknown block kind `{other}`"),
                )
                .label("not a block kind");
                d = match did_you_mean(other, KINDS.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `[{s}]`?")),
                    None => d.help(format!("block kinds are: {}", KINDS.join(", "))),
                };
                cx.diags.push(d);
            }
        }
    }
    (topo, diags)
}

fn span<T>(s: &Spanned<T>) -> Span {
    Span::new(s.span())
}

struct Cx<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

/// The keys of one TOML table, checked against the keys a block accepts.
struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
}

impl<'t, 'i> Fields<'t, 'i> {
    fn get(&self, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
}

impl Cx<'_> {
    fn wrong_type(&mut self, v: &Spanned<DeValue<'_>>, want: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                span(v),
                format!(
                    "{what} must be {want}, not {}",
                    article(v.get_ref().type_str())
                ),
            )
            .label(format!("expected {want}")),
        );
    }

    fn table<'t, 'i>(
        &mut self,
        v: &'t Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'t DeTable<'i>> {
        if let Some(t) = v.get_ref().as_table() {
            Some(t)
        } else {
            self.wrong_type(v, "a table", what);
            None
        }
    }

    /// Checks that `table` has only `allowed` keys; reports each other one.
    fn fields<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        what: &str,
        allowed: &[&str],
    ) -> Fields<'t, 'i> {
        for (k, _) in table {
            let key = k.get_ref().as_ref();
            if !allowed.contains(&key) {
                let mut d = Diagnostic::error(
                    Code::UnknownKey,
                    span(k),
                    format!("unknown key `{key}` in {what}"),
                )
                .label("unknown key");
                d = match did_you_mean(key, allowed.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("the keys of {what} are: {}", allowed.join(", "))),
                };
                self.diags.push(d);
            }
        }
        Fields { table }
    }

    fn string(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<Sp<String>> {
        let v = f.get(key)?;
        self.string_value(v, &format!("`{key}` in {what}"))
    }

    fn string_value(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<Sp<String>> {
        if let Some(s) = v.get_ref().as_str() {
            Some(Sp::new(s.to_string(), span(v)))
        } else {
            self.wrong_type(v, "a string", what);
            None
        }
    }

    fn int(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<Sp<i64>> {
        let v = f.get(key)?;
        let Some(i) = v.get_ref().as_integer() else {
            self.wrong_type(v, "an integer", &format!("`{key}` in {what}"));
            return None;
        };
        if let Ok(n) = i64::from_str_radix(i.as_str(), i.radix()) {
            Some(Sp::new(n, span(v)))
        } else {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    span(v),
                    format!("`{key}` in {what} is too large"),
                )
                .label("out of range"),
            );
            None
        }
    }

    fn boolean(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<Sp<bool>> {
        let v = f.get(key)?;
        if let Some(b) = v.get_ref().as_bool() {
            Some(Sp::new(b, span(v)))
        } else {
            self.wrong_type(v, "a boolean", &format!("`{key}` in {what}"));
            None
        }
    }

    fn strings(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<SpList> {
        let v = f.get(key)?;
        let what = format!("`{key}` in {what}");
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(v, "an array of strings", &what);
            return None;
        };
        let list = items
            .iter()
            .filter_map(|item| self.string_value(item, &format!("each item of {what}")))
            .collect();
        Some(Sp::new(list, span(v)))
    }

    fn inline<'t, 'i>(
        &mut self,
        f: &Fields<'t, 'i>,
        key: &str,
        what: &str,
    ) -> Option<(&'t DeTable<'i>, Span)> {
        let v = f.get(key)?;
        let t = self.table(v, &format!("`{key}` in {what}"))?;
        Some((t, span(v)))
    }

    fn blocks<T>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        kind: &str,
        out: &mut Vec<Block<T>>,
        body: fn(&mut Self, &DeTable<'_>, &str) -> T,
    ) {
        let Some(table) = self.table(value, &format!("`{kind}`")) else {
            return;
        };
        for (name, v) in table {
            let what = format!("[{kind}.{}]", name.get_ref().as_ref());
            let Some(t) = self.table(v, &what) else {
                continue;
            };
            out.push(Block {
                name: Sp::new(name.get_ref().as_ref().to_string(), span(name)),
                span: span(name),
                body: body(self, t, &what),
            });
        }
    }

    fn stack(&mut self, t: &DeTable<'_>) -> Stack {
        let what = "[stack]";
        let f = self.fields(
            t,
            what,
            &["name", "region", "description", "tags", "notify"],
        );
        let mut tags = Vec::new();
        if let Some((tt, _)) = self.inline(&f, "tags", what) {
            for (k, v) in tt {
                if let Some(value) =
                    self.string_value(v, &format!("tag `{}`", k.get_ref().as_ref()))
                {
                    tags.push((Sp::new(k.get_ref().as_ref().to_string(), span(k)), value));
                }
            }
        }
        Stack {
            name: self.string(&f, "name", what),
            region: self.string(&f, "region", what),
            description: self.string(&f, "description", what),
            tags,
            notify: self.string(&f, "notify", what),
        }
    }

    fn zone(&mut self, t: &DeTable<'_>, what: &str) -> Zone {
        let f = self.fields(t, what, &["id", "domain", "private"]);
        Zone {
            id: self.string(&f, "id", what),
            domain: self.string(&f, "domain", what),
            private: self.boolean(&f, "private", what),
        }
    }

    fn instance(&mut self, t: &DeTable<'_>, what: &str) -> Instance {
        let f = self.fields(
            t,
            what,
            &[
                "ami",
                "type",
                "subnets",
                "security_groups",
                "elastic_ip",
                "hours",
                "dns",
                "volume_gb",
                "root_device",
                "setup",
            ],
        );
        Instance {
            ami: self.string(&f, "ami", what),
            instance_type: self.string(&f, "type", what),
            subnets: self.strings(&f, "subnets", what),
            security_groups: self.strings(&f, "security_groups", what),
            elastic_ip: self.elastic_ip(&f, what),
            hours: self.hours(&f, what),
            dns: self.dns(&f, what, &["zone", "record", "ip"]),
            volume_gb: self.int(&f, "volume_gb", what),
            root_device: self.string(&f, "root_device", what),
            setup: self.string(&f, "setup", what),
        }
    }

    fn elastic_ip(&mut self, f: &Fields<'_, '_>, what: &str) -> Option<Sp<ElasticIp>> {
        let v = f.get("elastic_ip")?;
        if let Some(s) = v.get_ref().as_str() {
            return Some(Sp::new(ElasticIp::Word(s.to_string()), span(v)));
        }
        if let Some(t) = v.get_ref().as_table() {
            let what = format!("`elastic_ip` in {what}");
            let g = self.fields(t, &what, &["allocation", "address"]);
            return Some(Sp::new(
                ElasticIp::Existing {
                    allocation: self.string(&g, "allocation", &what),
                    address: self.string(&g, "address", &what),
                },
                span(v),
            ));
        }
        self.wrong_type(v, "a string or a table", &format!("`elastic_ip` in {what}"));
        None
    }

    fn hours(&mut self, f: &Fields<'_, '_>, what: &str) -> Option<Sp<Hours>> {
        let (t, sp) = self.inline(f, "hours", what)?;
        let what = format!("`hours` in {what}");
        let g = self.fields(t, &what, &["days", "start", "stop", "timezone"]);
        Some(Sp::new(
            Hours {
                days: self.string(&g, "days", &what),
                start: self.string(&g, "start", &what),
                stop: self.string(&g, "stop", &what),
                timezone: self.string(&g, "timezone", &what),
            },
            sp,
        ))
    }

    fn dns(&mut self, f: &Fields<'_, '_>, what: &str, keys: &[&str]) -> Option<Sp<Dns>> {
        let (t, sp) = self.inline(f, "dns", what)?;
        let what = format!("`dns` in {what}");
        let g = self.fields(t, &what, keys);
        Some(Sp::new(
            Dns {
                zone: self.string(&g, "zone", &what),
                record: self.string(&g, "record", &what),
                ip: self.string(&g, "ip", &what),
            },
            sp,
        ))
    }

    fn failover(&mut self, t: &DeTable<'_>, what: &str) -> Failover {
        let f = self.fields(
            t,
            what,
            &["record", "zone", "primary", "health", "secondary", "ttl"],
        );
        Failover {
            record: self.string(&f, "record", what),
            zone: self.string(&f, "zone", what),
            primary: self.string(&f, "primary", what),
            health: self.health(&f, what),
            secondary: self.string(&f, "secondary", what),
            ttl: self.int(&f, "ttl", what),
        }
    }

    fn health(&mut self, f: &Fields<'_, '_>, what: &str) -> Option<Sp<Health>> {
        let v = f.get("health")?;
        if let Some(s) = v.get_ref().as_str() {
            return Some(Sp::new(Health::Word(s.to_string()), span(v)));
        }
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, "a string or a table", &format!("`health` in {what}"));
            return None;
        };
        let what = format!("`health` in {what}");
        let g = self.fields(t, &what, &["http", "https", "port"]);
        let http = self.string(&g, "http", &what);
        let https = self.string(&g, "https", &what);
        let port = self.int(&g, "port", &what);
        let (is_https, path) = match (http, https) {
            (Some(p), None) => (false, p),
            (None, Some(p)) => (true, p),
            (Some(_), Some(p)) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        p.span,
                        format!("{what} has both `http` and `https`"),
                    )
                    .label("second protocol")
                    .help("a health check probes one protocol: keep `http` or `https`"),
                );
                return None;
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        span(v),
                        format!("{what} needs `http` or `https`"),
                    )
                    .label("no protocol")
                    .help("write `{ http = \"/health\", port = 80 }` or `{ https = \"/health\" }`"),
                );
                return None;
            }
        };
        Some(Sp::new(
            Health::Probe {
                https: is_https,
                path,
                port,
            },
            span(v),
        ))
    }

    fn sorry(&mut self, t: &DeTable<'_>, what: &str) -> Sorry {
        let f = self.fields(
            t,
            what,
            &[
                "certificate",
                "page",
                "title",
                "message",
                "allow",
                "status",
                "access_logs",
            ],
        );
        Sorry {
            certificate: self.string(&f, "certificate", what),
            page: self.string(&f, "page", what),
            title: self.string(&f, "title", what),
            message: self.string(&f, "message", what),
            allow: self.strings(&f, "allow", what),
            status: self.int(&f, "status", what),
            access_logs: self.boolean(&f, "access_logs", what),
        }
    }
}

impl Cx<'_> {
    fn alb(&mut self, t: &DeTable<'_>, what: &str) -> Alb {
        let f = self.fields(
            t,
            what,
            &[
                "vpc",
                "subnets",
                "certificate",
                "target",
                "port",
                "health_path",
                "allow",
            ],
        );
        Alb {
            vpc: self.string(&f, "vpc", what),
            subnets: self.strings(&f, "subnets", what),
            certificate: self.string(&f, "certificate", what),
            target: self.string(&f, "target", what),
            port: self.int(&f, "port", what),
            health_path: self.string(&f, "health_path", what),
            allow: self.strings(&f, "allow", what),
        }
    }

    fn fleet(&mut self, t: &DeTable<'_>, what: &str) -> Fleet {
        let f = self.fields(
            t,
            what,
            &[
                "ami",
                "type",
                "subnets",
                "security_groups",
                "clients",
                "clients_file",
                "tag",
                "dns",
                "parameters",
                "bootstrap",
                "hours",
            ],
        );
        Fleet {
            ami: self.string(&f, "ami", what),
            instance_type: self.string(&f, "type", what),
            subnets: self.strings(&f, "subnets", what),
            security_groups: self.strings(&f, "security_groups", what),
            clients: self.strings(&f, "clients", what),
            clients_file: self.string(&f, "clients_file", what),
            tag: self.string(&f, "tag", what),
            dns: self.dns(&f, what, &["zone", "record"]),
            parameters: self.strings(&f, "parameters", what),
            bootstrap: self.string(&f, "bootstrap", what),
            hours: self.hours(&f, what),
        }
    }

    fn backup(&mut self, t: &DeTable<'_>, what: &str) -> Backup {
        let f = self.fields(
            t,
            what,
            &["target", "kind", "at", "every", "keep", "copy_to"],
        );
        let copy_to = self.inline(&f, "copy_to", what).map(|(t, sp)| {
            let what = format!("`copy_to` in {what}");
            let g = self.fields(t, &what, &["region", "keep"]);
            Sp::new(
                CopyTo {
                    region: self.string(&g, "region", &what),
                    keep: self.int(&g, "keep", &what),
                },
                sp,
            )
        });
        Backup {
            target: self.string(&f, "target", what),
            kind: self.string(&f, "kind", what),
            at: self.string(&f, "at", what),
            every: self.int(&f, "every", what),
            keep: self.int(&f, "keep", what),
            copy_to,
        }
    }

    fn task(&mut self, t: &DeTable<'_>, what: &str) -> Task {
        let f = self.fields(t, what, &["target", "schedule", "commands"]);
        Task {
            target: self.string(&f, "target", what),
            schedule: self.string(&f, "schedule", what),
            commands: self.strings(&f, "commands", what),
        }
    }
}

fn article(type_str: &str) -> String {
    let a = if type_str.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {type_str}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unknown_key_and_wrong_type_is_reported() {
        let (_, diags) = parse(
            "[stack]\nname = 1\nregoin = \"x\"\n[instance.web]\namii = \"a\"\nsubnets = \"s\"\n",
        );
        let mut codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                Code::UnknownKey,
                Code::UnknownKey,
                Code::WrongType,
                Code::WrongType
            ]
        );
    }
}
