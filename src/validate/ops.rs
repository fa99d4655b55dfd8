//! Validation of the blocks beyond the core: `[alb]`, `[fleet]`, `[backup]`,
//! `[task]`, and `[stack] notify`. Same rules as the parent module: one
//! function per block, every problem reported with its span.

use std::collections::{BTreeMap, BTreeSet};

use super::{KINDS, Refs, Validator, article};
use crate::diag::{Code, Diagnostic};
use crate::model::{self, BackupKind, Client, CopyTo, Failover, Ipv4Net, Name, Primary, Target};
use crate::naming::{ALARM_SUBSCRIPTION, ALARM_TOPIC, Owner, Part, Prefix, Registry};
use crate::source::Span;
use crate::spec::{self, Block, Sp};

/// Hours between DLM backups that Data Lifecycle Manager accepts.
const DLM_INTERVALS: &[i64] = &[1, 2, 3, 4, 6, 8, 12, 24];

impl Validator<'_> {
    /// The stack-wide IDs of `notify` must not collide with a block's.
    pub(super) fn fixed_ids(&mut self, registry: &mut Registry, at: Span) {
        let owner = Owner {
            block: "stack.notify".into(),
            span: at,
        };
        for id in [ALARM_TOPIC, ALARM_SUBSCRIPTION] {
            if let Some(c) = registry.register_fixed(id, &owner) {
                self.err(
                    Diagnostic::error(
                        Code::LogicalIdCollision,
                        c.first.span,
                        format!(
                            "`{}` derives the logical ID `{}`, which `notify` uses",
                            c.first.block, c.id
                        ),
                    )
                    .label("derives a reserved logical ID")
                    .help("rename the block"),
                );
            }
        }
    }

    pub(super) fn email(&mut self, e: &Sp<String>) -> Option<String> {
        let ok = e.value.len() <= 254
            && e.value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
                    && domain.contains('.')
                    && domain.split('.').all(|l| {
                        !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
            });
        if ok {
            Some(e.value.clone())
        } else {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    e.span,
                    format!("`{}` is not an e-mail address", e.value),
                )
                .label("expected an address like ops@example.com"),
            );
            None
        }
    }

    fn path(&mut self, p: &Sp<String>, what: &str) -> Option<String> {
        let ok = p.value.starts_with('/')
            && p.value.len() <= 1024
            && p.value
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        if ok {
            Some(p.value.clone())
        } else {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    p.span,
                    format!("invalid {what} `{}`", p.value),
                )
                .label("expected a URL path such as /health"),
            );
            None
        }
    }

    fn port(&mut self, p: Option<&Sp<i64>>, default: u16) -> Option<u16> {
        let Some(p) = p else {
            return Some(default);
        };
        match u16::try_from(p.value) {
            Ok(n) if n > 0 => Some(n),
            _ => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        p.span,
                        format!("port {} is out of range", p.value),
                    )
                    .label("ports are 1 to 65535"),
                );
                None
            }
        }
    }

    fn cidrs(&mut self, list: Option<&spec::SpList>, default: &str) -> Option<Vec<Ipv4Net>> {
        let Some(list) = list else {
            return self.cidr(&Sp::bare(default.to_string())).map(|n| vec![n]);
        };
        if list.value.is_empty() {
            self.err(
                Diagnostic::error(Code::InvalidValue, list.span, "`allow` is empty")
                    .label("nobody could connect"),
            );
            return None;
        }
        let nets: Vec<Option<Ipv4Net>> = list.value.iter().map(|c| self.cidr(c)).collect();
        let mut nets: Vec<Ipv4Net> = nets.into_iter().collect::<Option<_>>()?;
        nets.sort();
        nets.dedup();
        Some(nets)
    }

    pub(super) fn alb(
        &mut self,
        b: &Block<spec::Alb>,
        refs: &Refs<'_>,
        stack: Option<&model::Stack>,
    ) -> Option<model::Alb> {
        let what = format!("[alb.{}]", b.name.value);
        let a = &b.body;
        let vpc = self.required(a.vpc.as_ref(), "vpc", &what, b.span);
        let subnets = self.required(a.subnets.as_ref(), "subnets", &what, b.span);
        let cert = self.required(a.certificate.as_ref(), "certificate", &what, b.span);
        let target = self.required(a.target.as_ref(), "target", &what, b.span);
        let vpc = vpc.filter(|v| self.aws_id(v, "vpc-", "VPC id"));
        let subnets =
            subnets.and_then(|s| self.id_list(s, "subnet-", "subnet id", "subnets", b.span));
        if let (Some(list), Some(ids)) = (a.subnets.as_ref(), subnets.as_ref()) {
            if ids.len() < 2 {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        list.span,
                        "a load balancer needs two or more subnets",
                    )
                    .label("one subnet")
                    .help("list subnets in at least two Availability Zones"),
                );
            }
        }
        let region = stack.map_or("us-east-1", |s| s.region.as_str());
        let cert = cert.and_then(|c| self.certificate(c, region, "the load balancer"));
        let target = target.and_then(|t| self.reference(t, "instance", &refs.instances, KINDS));
        let port = self.port(a.port.as_ref(), 80);
        let health_path = match &a.health_path {
            Some(p) => self.path(p, "health_path"),
            None => Some("/".to_string()),
        };
        let allow = self.cidrs(a.allow.as_ref(), "0.0.0.0/0");
        let subnets = subnets.filter(|s| s.len() >= 2);
        Some(model::Alb {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            vpc: vpc?.value.clone(),
            subnets: subnets?,
            certificate: cert?,
            target: Name(target?.name.value.clone()),
            port: port?,
            health_path: health_path?,
            allow: allow?,
        })
    }

    /// A failover whose primary is a load balancer: an alias judged by the
    /// load balancer's target health, so `health` and `ttl` do not apply.
    pub(super) fn alb_failover(
        &mut self,
        b: &Block<spec::Failover>,
        primary: &Sp<String>,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
        albs: &BTreeMap<Name, model::Alb>,
    ) -> Option<Failover> {
        let what = format!("[failover.{}]", b.name.value);
        let f = &b.body;
        let alb = self.reference(primary, "alb", &refs.albs, KINDS);
        let record_sp = self.required(f.record.as_ref(), "record", &what, b.span);
        let zone = self.required(f.zone.as_ref(), "zone", &what, b.span);
        let secondary = self.required(f.secondary.as_ref(), "secondary", &what, b.span);
        let record = record_sp.and_then(|r| self.dns_name(r));
        let zone_block = zone.and_then(|z| self.reference(z, "zone", &refs.zones, KINDS));
        let secondary = secondary.and_then(|s| self.reference(s, "sorry", &refs.sorries, KINDS));
        for (key, span) in [
            ("health", f.health.as_ref().map(|h| h.span)),
            ("ttl", f.ttl.as_ref().map(|t| t.span)),
        ] {
            if let Some(span) = span {
                self.err(
                    Diagnostic::error(Code::InvalidValue, span, format!("`{key}` does not apply to a load balancer primary"))
                        .label("an alias record, judged by the load balancer's target health")
                        .help(format!("remove `{key}`: set the target group's health_path in the [alb] block instead")),
                );
            }
        }
        if f.health.is_some() || f.ttl.is_some() {
            return None;
        }
        let zone_model = zone_block.and_then(|z| zones.get(&Name(z.name.value.clone())))?;
        if zone_model.private {
            let at = zone.map_or(b.span, |z| z.span);
            self.err(
                Diagnostic::error(
                    Code::PrivateZoneFailover,
                    at,
                    format!(
                        "`{}` is a private hosted zone",
                        zone.map_or("", |z| z.value.as_str())
                    ),
                )
                .label("failover needs a public zone")
                .help("the sorry site is served by CloudFront on the internet: use a public zone"),
            );
            return None;
        }
        let record = record?;
        if !self.inside_zone(&record, zone_model, record_sp?.span) {
            return None;
        }
        let alb = albs.get(&Name(alb?.name.value.clone()))?;
        Some(Failover {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            record,
            zone_id: zone_model.id.clone(),
            primary: Primary::Alb(alb.name.clone()),
            secondary: Name(secondary?.name.value.clone()),
            ttl: 60,
        })
    }

    pub(super) fn fleet(
        &mut self,
        b: &Block<spec::Fleet>,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
        registry: &mut Registry,
        stack: Option<&model::Stack>,
    ) -> Option<model::Fleet> {
        let what = format!("[fleet.{}]", b.name.value);
        let f = &b.body;
        let launch = self.launch(
            [&f.ami, &f.instance_type],
            [&f.subnets, &f.security_groups],
            &what,
            b.span,
        );
        let ids = self.clients(b, &what);
        let tag = match &f.tag {
            None => Some("ClientId".to_string()),
            Some(t) => self.tag_key(t, stack),
        };
        let dns = f
            .dns
            .as_ref()
            .map(|d| self.fleet_dns(d, &what, refs, zones));
        let parameters = self.parameters(f.parameters.as_ref());
        let bootstrap = f.bootstrap.as_ref().map(|c| self.command(c));
        let hours = f.hours.as_ref().map(|h| self.hours(h, &what));

        let ids = ids?;
        let subnets = launch.subnets?;
        let prefix = Prefix::of(&b.name.value)?;
        let (zone_id, pattern) = match dns {
            None => (None, None),
            Some(d) => {
                let (zone, pattern) = d?;
                (Some(zone), Some(pattern))
            }
        };
        let mut clients = Vec::new();
        let mut ok = true;
        for (n, (id, span)) in ids.iter().enumerate() {
            let Some(client_prefix) = Prefix::of(&format!("{}-{id}", b.name.value)) else {
                continue;
            };
            let owner = Owner {
                block: format!("fleet.{} client {id}", b.name.value),
                span: *span,
            };
            if let Some(c) = registry.register(&client_prefix, Part::CLIENT, &owner) {
                ok = false;
                self.err(
                    Diagnostic::error(
                        Code::LogicalIdCollision,
                        *span,
                        format!("`{}` and `{}` both derive the logical ID `{}`", c.first.block, c.second.block, c.id),
                    )
                    .label("derives a logical ID that is already taken")
                    .also(c.first.span, "first derived here")
                    .help("rename the client or the block: names that differ only in punctuation derive the same ID"),
                );
            }
            let record = pattern.as_ref().map(|p: &(String, Span, model::Zone)| {
                let name = p.0.replace("{client}", id);
                (self.dns_name(&Sp::new(name.clone(), p.1)), p)
            });
            let record = match record {
                None => None,
                Some((Some(name), p)) if self.inside_zone(&name, &p.2, p.1) => Some(name),
                Some(_) => {
                    ok = false;
                    None
                }
            };
            clients.push(Client {
                id: id.clone(),
                prefix: client_prefix,
                subnet: subnets[n % subnets.len()].clone(),
                record,
            });
        }
        if !ok {
            return None;
        }
        Some(model::Fleet {
            name: Name(b.name.value.clone()),
            prefix,
            ami: launch.ami?,
            instance_type: launch.instance_type?,
            subnets,
            security_groups: launch.security_groups?,
            clients,
            tag: tag?,
            dns_zone_id: zone_id,
            parameters: parameters?,
            bootstrap: bootstrap.map_or(Some(None), |c| c.map(Some))?,
            hours: hours.map_or(Some(None), |h| h.map(Some))?,
        })
    }

    /// The fleet's client ids, from `clients` or `clients_file`, with the
    /// span to blame for each (the list item, or the `clients_file` value).
    fn clients(&mut self, b: &Block<spec::Fleet>, what: &str) -> Option<Vec<(String, Span)>> {
        let f = &b.body;
        let ids: Vec<(String, Span)> = match (&f.clients, &f.clients_file) {
            (Some(list), None) => list
                .value
                .iter()
                .map(|c| (c.value.clone(), c.span))
                .collect(),
            (None, Some(file)) => {
                let text = self.read_file(file)?;
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(|l| (l.to_string(), file.span))
                    .collect()
            }
            (Some(_), Some(file)) => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        file.span,
                        format!("{what} has both `clients` and `clients_file`"),
                    )
                    .label("one list of clients only")
                    .help("keep `clients` or `clients_file`"),
                );
                return None;
            }
            (None, None) => {
                self.err(
                    Diagnostic::error(Code::MissingKey, b.span, format!("{what} has no clients"))
                        .label("`clients` or `clients_file` is required here"),
                );
                return None;
            }
        };
        let mut ok = !ids.is_empty();
        if ids.is_empty() {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    b.name.span,
                    format!("{what} has no clients"),
                )
                .label("the client list is empty"),
            );
        }
        let mut seen = BTreeSet::new();
        for (id, span) in &ids {
            let valid = !id.is_empty()
                && id.len() <= 32
                && id
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                && !id.starts_with('-');
            if !valid {
                ok = false;
                self.err(
                    Diagnostic::error(Code::InvalidName, *span, format!("invalid client id `{id}`"))
                        .label("not a client id")
                        .help("client ids match [a-z0-9-]+ (at most 32 characters, not starting with `-`)"),
                );
            } else if !seen.insert(id.clone()) {
                ok = false;
                self.listed_twice(Code::InvalidName, *span, &format!("client `{id}`"));
            }
        }
        ok.then_some(ids)
    }

    /// The tag that carries a fleet's client id: a valid instance tag key
    /// that no other tag on the instance uses.
    fn tag_key(&mut self, t: &Sp<String>, stack: Option<&model::Stack>) -> Option<String> {
        if !self.tag(t, &Sp::bare(String::new())) {
            return None;
        }
        let taken = t.value == "Name"
            || t.value.starts_with("topoform:")
            || stack.is_some_and(|s| s.tags.contains_key(&t.value));
        if taken {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    t.span,
                    format!("tag `{}` is already used on the instances", t.value),
                )
                .label("would overwrite another tag")
                .help("choose another key: `Name`, `topoform:*` and the stack's tags are taken"),
            );
            return None;
        }
        Some(t.value.clone())
    }

    /// `dns = { zone, record = "{client}.local" }`: the zone, and the record
    /// pattern with its span and zone.
    #[allow(clippy::type_complexity, reason = "a private helper's tuple")]
    fn fleet_dns(
        &mut self,
        d: &Sp<spec::Dns>,
        what: &str,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
    ) -> Option<(String, (String, Span, model::Zone))> {
        let what = format!("`dns` in {what}");
        let zone = self.required(d.value.zone.as_ref(), "zone", &what, d.span);
        let record = self.required(d.value.record.as_ref(), "record", &what, d.span);
        let zone = zone.and_then(|z| self.reference(z, "zone", &refs.zones, KINDS));
        let record = record?;
        if record.value.matches("{client}").count() != 1 {
            self.err(
                Diagnostic::error(
                    Code::InvalidDnsName,
                    record.span,
                    format!("`{}` does not name each client", record.value),
                )
                .label("expected `{client}` once")
                .help(
                    "write a pattern such as \"{client}.local\": each client gets its own record",
                ),
            );
            return None;
        }
        let zone = zones.get(&Name(zone?.name.value.clone()))?;
        Some((
            zone.id.clone(),
            (record.value.to_ascii_lowercase(), record.span, zone.clone()),
        ))
    }

    /// Parameter names become exported shell variables and SSM path parts.
    fn parameters(&mut self, list: Option<&spec::SpList>) -> Option<Vec<String>> {
        let Some(list) = list else {
            return Some(Vec::new());
        };
        let mut ok = true;
        let mut seen = BTreeSet::new();
        for p in &list.value {
            let valid = p.value.len() <= 64
                && p.value
                    .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && p.value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                ok = false;
                self.err(
                    Diagnostic::error(
                        Code::UnsafeValue,
                        p.span,
                        format!("parameter `{}` cannot be a shell variable", p.value),
                    )
                    .label("exported to the bootstrap command under this name")
                    .help("parameter names match [A-Za-z_][A-Za-z0-9_]* (at most 64 characters)"),
                );
            } else if !seen.insert(&p.value) {
                ok = false;
                self.listed_twice(
                    Code::InvalidValue,
                    p.span,
                    &format!("parameter `{}`", p.value),
                );
            }
        }
        ok.then(|| list.value.iter().map(|p| p.value.clone()).collect())
    }

    /// A command run by a script: words of a strict alphabet, no shell syntax.
    fn command(&mut self, c: &Sp<String>) -> Option<Vec<String>> {
        let words: Vec<String> = c.value.split_whitespace().map(str::to_string).collect();
        let ok = !words.is_empty()
            && c.value.len() <= 1024
            && words.iter().all(|w| {
                w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_./=:,@%+-".contains(&b))
            });
        if ok {
            Some(words)
        } else {
            self.err(
                Diagnostic::error(Code::UnsafeValue, c.span, format!("`{}` cannot be run safely", c.value))
                    .label("contains shell syntax or is empty")
                    .help("write a command and its arguments: words of letters, digits and _ . / = : , @ % + -"),
            );
            None
        }
    }

    /// `"instance.NAME"` or `"fleet.NAME"`.
    fn target(&mut self, t: &Sp<String>, refs: &Refs<'_>) -> Option<Target> {
        if t.value.starts_with("fleet.") {
            self.reference(t, "fleet", &refs.fleets, KINDS)
                .map(|b| Target::Fleet(Name(b.name.value.clone())))
        } else if t.value.starts_with("instance.") || !t.value.contains('.') {
            self.reference(t, "instance", &refs.instances, KINDS)
                .map(|b| Target::Instance(Name(b.name.value.clone())))
        } else {
            let kind = t.value.split('.').next().unwrap_or_default();
            self.err(
                Diagnostic::error(
                    Code::WrongReferenceKind,
                    t.span,
                    format!(
                        "`{}` refers to {} {kind}, but an instance or a fleet is needed here",
                        t.value,
                        article(kind)
                    ),
                )
                .label("expected an instance or a fleet")
                .help("write \"instance.NAME\" or \"fleet.NAME\""),
            );
            None
        }
    }

    pub(super) fn backup(
        &mut self,
        b: &Block<spec::Backup>,
        refs: &Refs<'_>,
        stack: Option<&model::Stack>,
    ) -> Option<model::Backup> {
        let what = format!("[backup.{}]", b.name.value);
        let x = &b.body;
        let target = self
            .required(x.target.as_ref(), "target", &what, b.span)
            .and_then(|t| self.target(t, refs));
        let kind = self
            .required(x.kind.as_ref(), "kind", &what, b.span)
            .and_then(|k| match k.value.as_str() {
                "ami" => Some(BackupKind::Ami),
                "snapshot" => Some(BackupKind::Snapshot),
                other => {
                    self.err(
                        Diagnostic::error(
                            Code::InvalidValue,
                            k.span,
                            format!("invalid kind `{other}`"),
                        )
                        .label("expected \"ami\" or \"snapshot\""),
                    );
                    None
                }
            });
        let at = self
            .required(x.at.as_ref(), "at", &what, b.span)
            .and_then(|t| self.time(t));
        let every = self
            .required(x.every.as_ref(), "every", &what, b.span)
            .and_then(|e| {
                if DLM_INTERVALS.contains(&e.value) {
                    u32::try_from(e.value).ok()
                } else {
                    self.err(
                        Diagnostic::error(
                            Code::InvalidValue,
                            e.span,
                            format!("every {} is not a backup interval", e.value),
                        )
                        .label(
                            "Data Lifecycle Manager runs every 1, 2, 3, 4, 6, 8, 12 or 24 hours",
                        ),
                    );
                    None
                }
            });
        let keep = self
            .required(x.keep.as_ref(), "keep", &what, b.span)
            .and_then(|k| self.generations(k));
        let copy_to = match &x.copy_to {
            None => Some(None),
            Some(c) => {
                let cwhat = format!("`copy_to` in {what}");
                let region = self.required(c.value.region.as_ref(), "region", &cwhat, c.span);
                let keep = self.required(c.value.keep.as_ref(), "keep", &cwhat, c.span);
                let region = region.filter(|r| self.region(r));
                let keep = keep.and_then(|k| self.generations(k));
                if let (Some(r), Some(s)) = (region, stack) {
                    if r.value == s.region {
                        self.err(
                            Diagnostic::error(
                                Code::InvalidRegion,
                                r.span,
                                format!("`copy_to` is the stack's own region, {}", s.region),
                            )
                            .label("copies go to another region")
                            .help("name another region, or remove `copy_to`"),
                        );
                        return None;
                    }
                }
                Some(Some(CopyTo {
                    region: region?.value.clone(),
                    keep: keep?,
                }))
            }
        };
        Some(model::Backup {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            target: target?,
            kind: kind?,
            at: at?,
            every: every?,
            keep: keep?,
            copy_to: copy_to?,
        })
    }

    fn generations(&mut self, k: &Sp<i64>) -> Option<u32> {
        match u32::try_from(k.value) {
            Ok(n) if (1..=1000).contains(&n) => Some(n),
            _ => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        k.span,
                        format!("keep {} is out of range", k.value),
                    )
                    .label("Data Lifecycle Manager keeps 1 to 1000 generations"),
                );
                None
            }
        }
    }

    pub(super) fn task(
        &mut self,
        b: &Block<spec::Task>,
        refs: &Refs<'_>,
        stack: Option<&model::Stack>,
    ) -> Option<model::Task> {
        let what = format!("[task.{}]", b.name.value);
        // The association is named STACK-NAME: State Manager allows 3 to 128 characters.
        if let Some(stack) = stack {
            if stack.name.len() + 1 + b.name.value.len() > 128 {
                self.err(
                    Diagnostic::error(
                        Code::InvalidName,
                        b.name.span,
                        format!(
                            "`{}-{}` is longer than 128 characters",
                            stack.name, b.name.value
                        ),
                    )
                    .label("names the State Manager association")
                    .help("shorten the stack or task name"),
                );
                return None;
            }
        }
        let x = &b.body;
        let target = self
            .required(x.target.as_ref(), "target", &what, b.span)
            .and_then(|t| self.target(t, refs));
        let schedule = self
            .required(x.schedule.as_ref(), "schedule", &what, b.span)
            .and_then(|s| self.schedule(s));
        let commands = self
            .required(x.commands.as_ref(), "commands", &what, b.span)
            .and_then(|c| {
                let ok = !c.value.is_empty() && c.value.iter().all(|cmd| !cmd.value.contains('\0'));
                if ok {
                    Some(c.value.iter().map(|cmd| cmd.value.clone()).collect())
                } else {
                    self.err(
                        Diagnostic::error(
                            Code::InvalidValue,
                            c.span,
                            "`commands` is empty or holds a NUL byte",
                        )
                        .label("expected one or more shell commands"),
                    );
                    None
                }
            });
        Some(model::Task {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            target: target?,
            schedule: schedule?,
            commands: commands?,
        })
    }

    /// State Manager schedules: `cron(` six fields `)` or `rate(N unit)`,
    /// with at least 30 minutes between runs.
    fn schedule(&mut self, s: &Sp<String>) -> Option<String> {
        let v = s.value.as_str();
        let ok = if let Some(body) = v.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            let fields: Vec<&str> = body.split(' ').collect();
            (5..=6).contains(&fields.len())
                && fields.iter().all(|f| {
                    !f.is_empty()
                        && f.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"*?,-/#L".contains(&b))
                })
        } else if let Some(body) = v.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            match body.split_once(' ') {
                Some((n, unit)) => n.parse::<u32>().is_ok_and(|n| match unit {
                    "minute" | "minutes" => n >= 30,
                    "hour" | "hours" | "day" | "days" => n >= 1,
                    _ => false,
                }),
                None => false,
            }
        } else {
            false
        };
        if ok {
            Some(v.to_string())
        } else {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    s.span,
                    format!("invalid schedule `{v}`"),
                )
                .label("not a State Manager schedule")
                .help(
                    "write `cron(0 3 ? * SUN *)` or `rate(1 day)` (rates of at least 30 minutes)",
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Files;
    use super::*;

    struct NoFiles;
    impl Files for NoFiles {
        fn read(&self, path: &str) -> Result<String, String> {
            Err(format!("no file {path}"))
        }
    }

    #[test]
    fn schedules() {
        let mut v = Validator {
            diags: Vec::new(),
            files: &NoFiles,
        };
        for ok in [
            "cron(0 3 ? * SUN *)",
            "rate(30 minutes)",
            "rate(1 day)",
            "cron(0/30 * * * ? *)",
        ] {
            assert!(v.schedule(&Sp::bare(ok.into())).is_some(), "{ok}");
        }
        for bad in [
            "rate(5 minutes)",
            "cron(0 3 * *)",
            "every day",
            "rate(1 week)",
            "cron($(x) * * * ? *)",
        ] {
            assert!(v.schedule(&Sp::bare(bad.into())).is_none(), "{bad}");
        }
    }

    #[test]
    fn commands_are_words() {
        let mut v = Validator {
            diags: Vec::new(),
            files: &NoFiles,
        };
        assert_eq!(
            v.command(&Sp::bare(
                "/home/hoge/scripts/bootstrap.sh --env=prod".into()
            )),
            Some(vec![
                "/home/hoge/scripts/bootstrap.sh".into(),
                "--env=prod".into()
            ])
        );
        for bad in ["a; rm -rf /", "$(reboot)", "a|b", "", "`x`"] {
            assert!(v.command(&Sp::bare(bad.into())).is_none(), "{bad}");
        }
    }
}
