//! Validation: spec → model, or every problem at once.
//!
//! One function per check, each pushing [`Diagnostic`]s with the span of the
//! offending value and carrying on, so a single run reports all problems. The
//! result is a complete [`Model`] only when no error was found: after this
//! stage nothing can fail because of user input.
//!
//! Values that end up in generated shell scripts (names, record names, tag
//! keys) are held to strict grammars here; the templates quote them as well.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{
    self, Ami, Certificate, DnsRegistration, Eip, Health, Hours, Instance, IpKind, Ipv4Net, Model,
    Name, OwnedPrimary, Page, Primary, PrimaryValue, ProbeAddress,
};
use crate::naming::{Owner, Part, Prefix, Registry};
use crate::source::Span;
use crate::spec::{self, Block, Sp, Topology};
use crate::tz;

mod ops;

/// Reads the files a topology names (`setup`, `page`), relative to the
/// topology file. The library never touches the file system itself: the CLI
/// passes a reader rooted at the topology's directory, tests pass an
/// in-memory one.
pub trait Files {
    /// The UTF-8 text of `path`, or a one-line reason why it cannot be read.
    fn read(&self, path: &str) -> Result<String, String>;
}

/// [`Files`] read from a directory (the topology file's own, for the CLI).
#[derive(Clone, Debug)]
pub struct FilesIn(pub std::path::PathBuf);

impl Files for FilesIn {
    fn read(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(self.0.join(path)).map_err(|e| e.to_string())
    }
}

/// Regions this version knows (commercial partition).
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Status codes CloudFront accepts as a custom error response code.
const CLOUDFRONT_STATUSES: &[i64] = &[200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// The heredoc delimiter that embeds a `setup` script in user-data.
pub(crate) const SETUP_DELIMITER: &str = "TOPOFORM_SETUP_EOF";

/// Validates a spec. Returns the model only when there is no error.
pub fn validate(topo: &Topology, files: &dyn Files) -> (Option<Model>, Vec<Diagnostic>) {
    let mut v = Validator {
        diags: Vec::new(),
        files,
    };
    let model = v.topology(topo);
    let failed = v.diags.iter().any(Diagnostic::is_error);
    (if failed { None } else { model }, v.diags)
}

struct Validator<'f> {
    diags: Vec<Diagnostic>,
    files: &'f dyn Files,
}

/// A block resolved enough to be referred to.
struct Known<'a, T> {
    block: &'a Block<T>,
}

impl Validator<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn required<'a, T>(
        &mut self,
        value: Option<&'a Sp<T>>,
        key: &str,
        what: &str,
        at: Span,
    ) -> Option<&'a Sp<T>> {
        if value.is_none() {
            self.err(
                Diagnostic::error(Code::MissingKey, at, format!("{what} has no `{key}`"))
                    .label(format!("`{key}` is required here")),
            );
        }
        value
    }

    fn topology(&mut self, topo: &Topology) -> Option<Model> {
        let stack = self.stack(topo.stack.as_ref());
        let mut registry = Registry::default();
        self.names("zone", &topo.zones, &[], &mut registry);
        self.names("instance", &topo.instances, Part::INSTANCE, &mut registry);
        self.names("failover", &topo.failovers, Part::FAILOVER, &mut registry);
        self.names("sorry", &topo.sorries, Part::SORRY, &mut registry);
        self.names("alb", &topo.albs, Part::ALB, &mut registry);
        self.names("fleet", &topo.fleets, Part::FLEET, &mut registry);
        self.names("backup", &topo.backups, Part::BACKUP, &mut registry);
        self.names("task", &topo.tasks, Part::TASK, &mut registry);
        if stack.as_ref().is_some_and(|s| s.notify.is_some()) {
            self.fixed_ids(
                &mut registry,
                topo.stack.as_ref().map_or(Span::default(), |s| s.span),
            );
        }

        let zones: BTreeMap<Name, model::Zone> = topo
            .zones
            .iter()
            .filter_map(|b| Some((Name(b.name.value.clone()), self.zone(b)?)))
            .collect();
        let refs = Refs {
            zones: topo.zones.iter().map(|b| Known { block: b }).collect(),
            instances: topo.instances.iter().map(|b| Known { block: b }).collect(),
            sorries: topo.sorries.iter().map(|b| Known { block: b }).collect(),
            albs: topo.albs.iter().map(|b| Known { block: b }).collect(),
            fleets: topo.fleets.iter().map(|b| Known { block: b }).collect(),
        };
        let mut instances: BTreeMap<Name, Instance> = BTreeMap::new();
        for b in &topo.instances {
            if let Some(i) = self.instance(b, &refs, &zones) {
                instances.insert(i.name.clone(), i);
            }
        }
        let mut albs: BTreeMap<Name, model::Alb> = BTreeMap::new();
        for b in &topo.albs {
            if let Some(a) = self.alb(b, &refs, stack.as_ref()) {
                albs.insert(a.name.clone(), a);
            }
        }
        for a in albs.values() {
            if let Some(i) = instances.get_mut(&a.target) {
                i.albs.push(a.name.clone());
            }
        }
        let mut fleets = BTreeMap::new();
        for b in &topo.fleets {
            if let Some(f) = self.fleet(b, &refs, &zones, &mut registry, stack.as_ref()) {
                fleets.insert(f.name.clone(), f);
            }
        }
        let mut backups = BTreeMap::new();
        for b in &topo.backups {
            if let Some(x) = self.backup(b, &refs, stack.as_ref()) {
                backups.insert(x.name.clone(), x);
            }
        }
        let mut tasks = BTreeMap::new();
        for b in &topo.tasks {
            if let Some(x) = self.task(b, &refs, stack.as_ref()) {
                tasks.insert(x.name.clone(), x);
            }
        }
        let mut failovers = BTreeMap::new();
        for b in &topo.failovers {
            if let Some(f) = self.failover(b, &refs, &zones, &instances, &albs) {
                failovers.insert(f.name.clone(), f);
            }
        }
        self.records_are_unique(topo, &zones);
        let mut sorries = BTreeMap::new();
        for b in &topo.sorries {
            if let Some(s) = self.sorry(b, &failovers, stack.as_ref()) {
                sorries.insert(s.name.clone(), s);
            }
        }
        // The owning side of failover relations: an instance learns which
        // records it must maintain itself and which metrics it must collect.
        for f in failovers.values() {
            let Primary::Instance {
                name,
                value,
                health,
            } = &f.primary
            else {
                continue;
            };
            if let Some(inst) = instances.get_mut(name) {
                if matches!(health, Health::Instance) {
                    inst.collects_metrics = true;
                }
                if matches!(value, PrimaryValue::OwnedByInstance) {
                    inst.owned_primary = Some(OwnedPrimary {
                        failover: f.name.clone(),
                        zone_id: f.zone_id.clone(),
                        record: f.record.clone(),
                        set_identifier: format!("{}-primary", f.name.as_str()),
                        ttl: f.ttl,
                    });
                }
            }
        }
        Some(Model {
            stack: stack?,
            zones,
            instances,
            failovers,
            sorries,
            albs,
            fleets,
            backups,
            tasks,
            origins: model::Origins {
                stack: topo.stack.as_ref().map_or(Span::default(), |s| s.span),
                ids: registry,
            },
        })
    }

    fn stack(&mut self, stack: Option<&Sp<spec::Stack>>) -> Option<model::Stack> {
        let Some(stack) = stack else {
            self.err(
                Diagnostic::error(
                    Code::MissingKey,
                    Span::default(),
                    "the topology has no [stack] block",
                )
                .label("expected `[stack]` with `name` and `region`")
                .help("add `[stack]` with `name = \"…\"` and `region = \"…\"`"),
            );
            return None;
        };
        let (at, s) = (stack.span, &stack.value);
        let name = self
            .required(s.name.as_ref(), "name", "[stack]", at)
            .cloned();
        let region = self
            .required(s.region.as_ref(), "region", "[stack]", at)
            .cloned();
        let mut ok = name.is_some() && region.is_some();
        if let Some(n) = &name {
            let valid = n.value.len() <= 128
                && n.value.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                ok = false;
                self.err(
                    Diagnostic::error(
                        Code::InvalidName,
                        n.span,
                        format!("invalid stack name `{}`", n.value),
                    )
                    .label("not a CloudFormation stack name")
                    .help(
                        "stack names match [A-Za-z][A-Za-z0-9-]* and have at most 128 characters",
                    ),
                );
            }
        }
        if let Some(r) = &region {
            ok &= self.region(r);
        }
        if let Some(d) = &s.description {
            if d.value.len() > 1024 {
                ok = false;
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        d.span,
                        "the stack description is longer than 1024 bytes",
                    )
                    .label(format!("{} bytes", d.value.len()))
                    .help("CloudFormation limits Description to 1024 bytes"),
                );
            }
        }
        let notify = match &s.notify {
            Some(n) => {
                let email = self.email(n);
                ok &= email.is_some();
                email
            }
            None => None,
        };
        let mut tags = BTreeMap::new();
        for (k, val) in &s.tags {
            ok &= self.tag(k, val);
            tags.insert(k.value.clone(), val.value.clone());
        }
        if !ok {
            return None;
        }
        Some(model::Stack {
            name: name?.value,
            region: region?.value,
            description: s.description.as_ref().map(|d| d.value.clone()),
            tags,
            notify,
        })
    }

    fn region(&mut self, r: &Sp<String>) -> bool {
        if REGIONS.contains(&r.value.as_str()) {
            return true;
        }
        let mut d = Diagnostic::error(
            Code::InvalidRegion,
            r.span,
            format!("unknown region `{}`", r.value),
        )
        .label("not an AWS region");
        d = match did_you_mean(&r.value, REGIONS.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("write a region code such as `ap-northeast-1`"),
        };
        self.err(d);
        false
    }

    /// Stack tags propagate to instances, whose tags are read from IMDS, so
    /// keys must fit IMDS's stricter key grammar as well as CloudFormation's.
    fn tag(&mut self, k: &Sp<String>, v: &Sp<String>) -> bool {
        let key_ok = (1..=128).contains(&k.value.len())
            && k.value != "."
            && k.value != ".."
            && k.value != "_index"
            && k.value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-=._:@".contains(&b));
        if !key_ok {
            self.err(
                Diagnostic::error(Code::InvalidValue, k.span, format!("invalid tag key `{}`", k.value))
                    .label("not usable as an instance tag")
                    .help("tag keys have 1-128 of A-Z a-z 0-9 + - = . _ : @ (instance metadata allows no spaces or `/`)"),
            );
            return false;
        }
        if k.value.to_ascii_lowercase().starts_with("aws:") {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    k.span,
                    format!("tag key `{}` uses the reserved `aws:` prefix", k.value),
                )
                .label("reserved by AWS")
                .help("choose a key without the `aws:` prefix"),
            );
            return false;
        }
        let value_ok = v.value.chars().count() <= 256
            && v.value
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c));
        if !value_ok {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    v.span,
                    format!("invalid value for tag `{}`", k.value),
                )
                .label("not a valid tag value")
                .help("tag values have at most 256 letters, digits, spaces and _ . : / = + - @"),
            );
            return false;
        }
        true
    }

    fn names<T>(
        &mut self,
        kind: &str,
        blocks: &[Block<T>],
        parts: &[Part],
        registry: &mut Registry,
    ) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for b in blocks {
            let name = &b.name;
            if !is_block_name(&name.value) {
                self.err(
                    Diagnostic::error(
                        Code::InvalidName,
                        name.span,
                        format!("invalid {kind} name `{}`", name.value),
                    )
                    .label("not a valid block name")
                    .help("names match [a-z][a-z0-9-]* and have at most 32 characters"),
                );
                continue;
            }
            if let Some(first) = seen.insert(&name.value, name.span) {
                self.err(
                    Diagnostic::error(
                        Code::InvalidName,
                        name.span,
                        format!("duplicate {kind} name `{}`", name.value),
                    )
                    .label("second definition")
                    .also(first, "first defined here")
                    .help("names are unique within a kind"),
                );
                continue;
            }
            let Some(prefix) = Prefix::of(&name.value) else {
                continue;
            };
            let owner = Owner {
                block: format!("{kind}.{}", name.value),
                span: name.span,
            };
            if let Some(c) = registry.register(&prefix, parts, &owner) {
                self.err(
                    Diagnostic::error(
                        Code::LogicalIdCollision,
                        c.second.span,
                        format!("`{}` and `{}` both derive the logical ID `{}`", c.first.block, c.second.block, c.id),
                    )
                    .label("derives a logical ID that is already taken")
                    .also(c.first.span, "first derived here")
                    .help("rename one of them: names that differ only in punctuation derive the same ID"),
                );
            }
        }
    }

    fn zone(&mut self, b: &Block<spec::Zone>) -> Option<model::Zone> {
        let what = format!("[zone.{}]", b.name.value);
        let id = self.required(b.body.id.as_ref(), "id", &what, b.span);
        let domain = self.required(b.body.domain.as_ref(), "domain", &what, b.span);
        let (id, domain) = (id?, domain?);
        let id_ok = self.hosted_zone_id(id);
        let domain_ok = self.dns_name_of(domain, 1).is_some();
        if !(id_ok && domain_ok) {
            return None;
        }
        Some(model::Zone {
            id: id.value.clone(),
            domain: normalize_dns(&domain.value),
            private: b.body.private.as_ref().is_some_and(|p| p.value),
        })
    }

    fn hosted_zone_id(&mut self, id: &Sp<String>) -> bool {
        let ok = id.value.len() <= 32
            && id.value.starts_with('Z')
            && id
                .value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !ok {
            self.err(
                Diagnostic::error(
                    Code::InvalidId,
                    id.span,
                    format!("invalid hosted zone id `{}`", id.value),
                )
                .label("not a Route 53 hosted zone id")
                .help("hosted zone ids look like `Z2BEP1Z1Q3YA66` (without `/hostedzone/`)"),
            );
        }
        ok
    }

    /// Checks a DNS name; returns it normalized (lower case, no trailing dot).
    /// A record name: two or more labels.
    fn dns_name(&mut self, name: &Sp<String>) -> Option<String> {
        self.dns_name_of(name, 2)
    }

    /// A DNS name of at least `min_labels` labels (a private zone may be a
    /// single label, like `local`).
    fn dns_name_of(&mut self, name: &Sp<String>, min_labels: usize) -> Option<String> {
        let n = normalize_dns(&name.value);
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let ok = n.len() <= 253 && n.split('.').count() >= min_labels && n.split('.').all(label_ok);
        if ok {
            Some(n)
        } else {
            self.err(
                Diagnostic::error(Code::InvalidDnsName, name.span, format!("invalid DNS name `{}`", name.value))
                    .label("not a host name")
                    .help("use dot-separated labels of letters, digits and hyphens, e.g. `app.example.com`"),
            );
            None
        }
    }

    fn aws_id(&mut self, id: &Sp<String>, prefix: &str, what: &str) -> bool {
        let hex = id.value.strip_prefix(prefix).unwrap_or("");
        let ok = (hex.len() == 8 || hex.len() == 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            self.err(
                Diagnostic::error(
                    Code::InvalidId,
                    id.span,
                    format!("invalid {what} `{}`", id.value),
                )
                .label(format!("not {} {what}", article(what)))
                .help(format!(
                    "{what}s look like `{prefix}0123456789abcdef0` (8 or 17 hex digits)"
                )),
            );
        }
        ok
    }

    fn id_list(
        &mut self,
        list: &spec::SpList,
        prefix: &str,
        what: &str,
        key: &str,
        at: Span,
    ) -> Option<Vec<String>> {
        if list.value.is_empty() {
            self.err(
                Diagnostic::error(Code::InvalidValue, list.span, format!("`{key}` is empty"))
                    .label(format!("at least one {what} is needed"))
                    .also(at, "in this block"),
            );
            return None;
        }
        let mut ok = true;
        let mut seen = BTreeSet::new();
        for id in &list.value {
            ok &= self.aws_id(id, prefix, what);
            if !seen.insert(&id.value) {
                ok = false;
                self.listed_twice(
                    Code::InvalidValue,
                    id.span,
                    &format!("{what} `{}`", id.value),
                );
            }
        }
        ok.then(|| list.value.iter().map(|s| s.value.clone()).collect())
    }

    /// `thing` appears twice in a list.
    fn listed_twice(&mut self, code: Code, span: Span, thing: &str) {
        self.err(
            Diagnostic::error(code, span, format!("{thing} is listed twice")).label("duplicate"),
        );
    }

    fn reference<'a, T>(
        &mut self,
        r: &Sp<String>,
        kind: &str,
        known: &'a [Known<'a, T>],
        all_kinds: &[&str],
    ) -> Option<&'a Block<T>> {
        let Some((k, name)) = r.value.split_once('.') else {
            self.err(
                Diagnostic::error(
                    Code::InvalidReference,
                    r.span,
                    format!("`{}` is not a reference", r.value),
                )
                .label(format!("expected `\"{kind}.NAME\"`"))
                .help(format!("refer to a block as \"{kind}.NAME\"")),
            );
            return None;
        };
        if k != kind {
            let d = if all_kinds.contains(&k) {
                Diagnostic::error(
                    Code::WrongReferenceKind,
                    r.span,
                    format!(
                        "`{}` refers to {} {k}, but {} {kind} is needed here",
                        r.value,
                        article(k),
                        article(kind)
                    ),
                )
                .label(format!("expected {} {kind}", article(kind)))
            } else {
                Diagnostic::error(
                    Code::InvalidReference,
                    r.span,
                    format!("`{k}` is not a block kind"),
                )
                .label(format!("expected `{kind}.NAME`"))
            };
            self.err(d.help(format!(
                "refer to {} {kind} as \"{kind}.NAME\"",
                article(kind)
            )));
            return None;
        }
        if let Some(found) = known.iter().find(|b| b.block.name.value == name) {
            return Some(found.block);
        }
        let mut d = Diagnostic::error(
            Code::DanglingReference,
            r.span,
            format!("there is no [{kind}.{name}]"),
        )
        .label("refers to a block that does not exist");
        d = match did_you_mean(name, known.iter().map(|b| b.block.name.value.as_str())) {
            Some(s) => d.help(format!("did you mean \"{kind}.{s}\"?")),
            None if known.is_empty() => d.help(format!("define it with `[{kind}.{name}]`")),
            None => d.help(format!(
                "the {kind} blocks are: {}",
                known
                    .iter()
                    .map(|b| b.block.name.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        self.err(d);
        None
    }

    fn instance(
        &mut self,
        b: &Block<spec::Instance>,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
    ) -> Option<Instance> {
        let what = format!("[instance.{}]", b.name.value);
        let i = &b.body;
        let launch = self.launch(
            [&i.ami, &i.instance_type],
            [&i.subnets, &i.security_groups],
            &what,
            b.span,
        );
        let eip = match &i.elastic_ip {
            None => Some(Eip::New),
            Some(e) => self.elastic_ip(e),
        };
        let hours = i.hours.as_ref().map(|h| self.hours(h, &what));
        let dns = i.dns.as_ref().map(|d| self.dns(d, &what, refs, zones));
        let volume_gb = i.volume_gb.as_ref().map(|v| self.volume(v));
        let root_device = i.root_device.as_ref().map(|r| self.root_device(r));
        let setup = i.setup.as_ref().map(|s| self.setup(s));
        Some(Instance {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            ami: launch.ami?,
            instance_type: launch.instance_type?,
            subnets: launch.subnets?,
            security_groups: launch.security_groups?,
            eip: eip?,
            hours: hours.map_or(Some(None), |h| h.map(Some))?,
            dns: dns.map_or(Some(None), |d| d.map(Some))?,
            owned_primary: None,
            collects_metrics: false,
            albs: Vec::new(),
            volume_gb: volume_gb.map_or(Some(None), |v| v.map(Some))?,
            root_device: root_device.map_or(Some("/dev/xvda".to_string()), |r| r)?,
            setup: setup.map_or(Some(None), |s| s.map(Some))?,
        })
    }

    /// What an instance and a fleet both launch from: `ami`, `type`,
    /// `subnets` and `security_groups`, each required and checked (every
    /// problem is reported, whichever keys are missing).
    fn launch(
        &mut self,
        [ami, ty]: [&Option<Sp<String>>; 2],
        [subnets, sgs]: [&Option<spec::SpList>; 2],
        what: &str,
        at: Span,
    ) -> Launch {
        let ami = self.required(ami.as_ref(), "ami", what, at);
        let ty = self.required(ty.as_ref(), "type", what, at);
        let subnets = self.required(subnets.as_ref(), "subnets", what, at);
        let sgs = self.required(sgs.as_ref(), "security_groups", what, at);
        Launch {
            ami: ami.and_then(|a| self.ami(a)),
            instance_type: ty.and_then(|t| self.instance_type(t)),
            subnets: subnets.and_then(|s| self.id_list(s, "subnet-", "subnet id", "subnets", at)),
            security_groups: sgs
                .and_then(|s| self.id_list(s, "sg-", "security group id", "security_groups", at)),
        }
    }

    fn ami(&mut self, a: &Sp<String>) -> Option<Ami> {
        if let Some(path) = a.value.strip_prefix("ssm:") {
            let ok = path.starts_with('/')
                && path.len() <= 2048
                && path[1..].split('/').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                });
            if ok {
                return Some(Ami::Ssm(path.to_string()));
            }
            self.err(
                Diagnostic::error(Code::InvalidId, a.span, format!("invalid SSM parameter path `{path}`"))
                    .label("not an SSM parameter path")
                    .help("write e.g. `ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`"),
            );
            return None;
        }
        self.aws_id(a, "ami-", "AMI id")
            .then(|| Ami::Id(a.value.clone()))
    }

    fn instance_type(&mut self, t: &Sp<String>) -> Option<String> {
        let ok = t.value.split_once('.').is_some_and(|(family, size)| {
            family.starts_with(|c: char| c.is_ascii_lowercase())
                && family
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !size.is_empty()
                && size
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        if ok {
            Some(t.value.clone())
        } else {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    t.span,
                    format!("invalid instance type `{}`", t.value),
                )
                .label("not an EC2 instance type")
                .help("write a type such as `t3.small`"),
            );
            None
        }
    }

    fn ipv4(&mut self, s: &Sp<String>) -> Option<Ipv4Addr> {
        let parsed = s.value.parse::<Ipv4Addr>().ok();
        if parsed.is_none() {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    s.span,
                    format!("`{}` is not an IPv4 address", s.value),
                )
                .label("expected an address like 198.51.100.7"),
            );
        }
        parsed
    }

    fn elastic_ip(&mut self, e: &Sp<spec::ElasticIp>) -> Option<Eip> {
        match &e.value {
            spec::ElasticIp::Word(w) if w == "new" => Some(Eip::New),
            spec::ElasticIp::Word(w) if w == "none" => Some(Eip::None),
            spec::ElasticIp::Word(w) if w.starts_with("eipalloc-") => {
                let id = Sp::new(w.clone(), e.span);
                self.aws_id(&id, "eipalloc-", "allocation id")
                    .then(|| Eip::Existing {
                        allocation: w.clone(),
                        address: None,
                    })
            }
            spec::ElasticIp::Word(w) => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        e.span,
                        format!("invalid elastic_ip `{w}`"),
                    )
                    .label("expected \"new\", \"none\" or \"eipalloc-…\"")
                    .help("or write `{ allocation = \"eipalloc-…\", address = \"198.51.100.7\" }`"),
                );
                None
            }
            spec::ElasticIp::Existing {
                allocation,
                address,
            } => {
                let alloc =
                    self.required(allocation.as_ref(), "allocation", "`elastic_ip`", e.span)?;
                let alloc_ok = self.aws_id(alloc, "eipalloc-", "allocation id");
                let address = match address {
                    Some(a) => Some(self.ipv4(a)?),
                    None => None,
                };
                alloc_ok.then(|| Eip::Existing {
                    allocation: alloc.value.clone(),
                    address,
                })
            }
        }
    }

    fn hours(&mut self, h: &Sp<spec::Hours>, what: &str) -> Option<Hours> {
        let what = format!("`hours` in {what}");
        let v = &h.value;
        let days = self
            .required(v.days.as_ref(), "days", &what, h.span)
            .and_then(|d| self.days(d));
        let start = self
            .required(v.start.as_ref(), "start", &what, h.span)
            .and_then(|t| self.time(t));
        let stop = self
            .required(v.stop.as_ref(), "stop", &what, h.span)
            .and_then(|t| self.time(t));
        let tz = self
            .required(v.timezone.as_ref(), "timezone", &what, h.span)
            .and_then(|t| self.timezone(t));
        let (days, start, stop, timezone) = (days?, start?, stop?, tz?);
        if start == stop {
            let at = v.stop.as_ref().map_or(h.span, |s| s.span);
            self.err(
                Diagnostic::error(
                    Code::InvalidTime,
                    at,
                    "`start` and `stop` are the same time",
                )
                .label("same as `start`")
                .help("the instance would be started and stopped at once"),
            );
            return None;
        }
        Some(Hours {
            days,
            start,
            stop,
            timezone,
        })
    }

    /// `MON-FRI`, `SAT,SUN`, `MON,WED-FRI` → the cron day-of-week field.
    fn days(&mut self, d: &Sp<String>) -> Option<Vec<(u8, u8)>> {
        const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        let day = |s: &str| {
            DAYS.iter()
                .position(|d| d.eq_ignore_ascii_case(s.trim()))
                .and_then(|i| u8::try_from(i).ok())
        };
        let mut fields = Vec::new();
        for item in d.value.split(',') {
            let field = match item.split_once('-') {
                Some((a, b)) => match (day(a), day(b)) {
                    (Some(a), Some(b)) if a < b => Some((a, b)),
                    _ => None,
                },
                None => day(item).map(|a| (a, a)),
            };
            if let Some(f) = field {
                fields.push(f);
            } else {
                self.err(
                    Diagnostic::error(Code::InvalidDays, d.span, format!("invalid days `{}`", d.value))
                        .label(format!("`{}` is not a day or an ascending range of days", item.trim()))
                        .help("write days as MON TUE WED THU FRI SAT SUN, ranges as `MON-FRI` (SUN first), lists as `SAT,SUN`"),
                );
                return None;
            }
        }
        Some(fields)
    }

    fn time(&mut self, t: &Sp<String>) -> Option<(u8, u8)> {
        let parsed = t.value.split_once(':').and_then(|(h, m)| {
            let two = |s: &str| {
                (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<u8>().ok())
                    .flatten()
            };
            let (h, m) = (two(h)?, two(m)?);
            (h < 24 && m < 60).then_some((h, m))
        });
        if parsed.is_none() {
            self.err(
                Diagnostic::error(
                    Code::InvalidTime,
                    t.span,
                    format!("invalid time `{}`", t.value),
                )
                .label("expected HH:MM")
                .help("write a 24-hour time such as `09:00` or `19:30`"),
            );
        }
        parsed
    }

    fn timezone(&mut self, t: &Sp<String>) -> Option<String> {
        if tz::is_known(&t.value) {
            return Some(t.value.clone());
        }
        let mut d = Diagnostic::error(
            Code::InvalidTimezone,
            t.span,
            format!("unknown time zone `{}`", t.value),
        )
        .label("not an IANA time zone");
        d = match did_you_mean(&t.value, tz::ZONES.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("write an IANA name such as `Asia/Tokyo` or `UTC`"),
        };
        self.err(d);
        None
    }

    fn dns(
        &mut self,
        d: &Sp<spec::Dns>,
        what: &str,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
    ) -> Option<DnsRegistration> {
        let what = format!("`dns` in {what}");
        let v = &d.value;
        let zone = self.required(v.zone.as_ref(), "zone", &what, d.span);
        let record = self.required(v.record.as_ref(), "record", &what, d.span);
        let zone = zone.and_then(|z| self.reference(z, "zone", &refs.zones, KINDS));
        let record_sp = record;
        let record = record.and_then(|r| self.dns_name(r));
        let ip = match &v.ip {
            None => Some(IpKind::Public),
            Some(ip) if ip.value == "public" => Some(IpKind::Public),
            Some(ip) if ip.value == "private" => Some(IpKind::Private),
            Some(ip) => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        ip.span,
                        format!("invalid ip `{}`", ip.value),
                    )
                    .label("expected \"public\" or \"private\""),
                );
                None
            }
        };
        let zone = zones.get(&Name(zone?.name.value.clone()))?;
        let record = record?;
        if !self.inside_zone(&record, zone, record_sp?.span) {
            return None;
        }
        Some(DnsRegistration {
            zone_id: zone.id.clone(),
            record,
            ip: ip?,
        })
    }

    fn inside_zone(&mut self, record: &str, zone: &model::Zone, at: Span) -> bool {
        let ok = record == zone.domain || record.ends_with(&format!(".{}", zone.domain));
        if !ok {
            self.err(
                Diagnostic::error(
                    Code::RecordOutsideZone,
                    at,
                    format!("`{record}` is not inside the zone `{}`", zone.domain),
                )
                .label(format!("not under {}", zone.domain))
                .help(format!(
                    "use a name ending in `.{}`, or another zone",
                    zone.domain
                )),
            );
        }
        ok
    }

    fn volume(&mut self, v: &Sp<i64>) -> Option<u32> {
        // gp3 volumes are 1 GiB to 16 TiB.
        match u32::try_from(v.value) {
            Ok(n) if (1..=16384).contains(&n) => Some(n),
            _ => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        v.span,
                        format!("volume_gb {} is out of range", v.value),
                    )
                    .label("gp3 volumes are 1 to 16384 GiB"),
                );
                None
            }
        }
    }

    fn root_device(&mut self, r: &Sp<String>) -> Option<String> {
        let ok = r.value.strip_prefix("/dev/").is_some_and(|d| {
            !d.is_empty()
                && d.len() <= 32
                && d.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if ok {
            Some(r.value.clone())
        } else {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    r.span,
                    format!("invalid root_device `{}`", r.value),
                )
                .label("expected a device name like /dev/xvda or /dev/sda1"),
            );
            None
        }
    }

    /// Reads the setup script. It is embedded in user-data as a quoted
    /// heredoc, so it must not contain the delimiter line or a NUL byte.
    fn setup(&mut self, s: &Sp<String>) -> Option<String> {
        let text = self.read_file(s)?;
        if text.contains('\0') || text.lines().any(|l| l.trim_end() == SETUP_DELIMITER) {
            self.err(
                Diagnostic::error(
                    Code::UnsafeValue,
                    s.span,
                    format!("`{}` cannot be embedded in user-data", s.value),
                )
                .label(format!("contains a NUL byte or a `{SETUP_DELIMITER}` line"))
                .help("remove that line or byte from the setup script"),
            );
            return None;
        }
        Some(text)
    }

    fn read_file(&mut self, path: &Sp<String>) -> Option<String> {
        match self.files.read(&path.value) {
            Ok(text) => Some(text),
            Err(why) => {
                self.err(
                    Diagnostic::error(
                        Code::UnreadableFile,
                        path.span,
                        format!("cannot read `{}`", path.value),
                    )
                    .label(why)
                    .help("paths are relative to the topology file"),
                );
                None
            }
        }
    }

    fn failover(
        &mut self,
        b: &Block<spec::Failover>,
        refs: &Refs<'_>,
        zones: &BTreeMap<Name, model::Zone>,
        instances: &BTreeMap<Name, Instance>,
        albs: &BTreeMap<Name, model::Alb>,
    ) -> Option<model::Failover> {
        let what = format!("[failover.{}]", b.name.value);
        let f = &b.body;
        let record_sp = self.required(f.record.as_ref(), "record", &what, b.span);
        let zone = self.required(f.zone.as_ref(), "zone", &what, b.span);
        let primary = self.required(f.primary.as_ref(), "primary", &what, b.span);
        let secondary = self.required(f.secondary.as_ref(), "secondary", &what, b.span);
        let record = record_sp.and_then(|r| self.dns_name(r));
        let zone_block = zone.and_then(|z| self.reference(z, "zone", &refs.zones, KINDS));
        if let Some(p) = primary.filter(|p| p.value.starts_with("alb.")) {
            return self.alb_failover(b, p, refs, zones, albs);
        }
        let primary_block =
            primary.and_then(|p| self.reference(p, "instance", &refs.instances, KINDS));
        let secondary_block =
            secondary.and_then(|s| self.reference(s, "sorry", &refs.sorries, KINDS));
        let ttl = match &f.ttl {
            None => Some(60),
            Some(t) => match u32::try_from(t.value) {
                Ok(n) if i32::try_from(n).is_ok() => Some(n),
                _ => {
                    self.err(
                        Diagnostic::error(
                            Code::InvalidValue,
                            t.span,
                            format!("ttl {} is out of range", t.value),
                        )
                        .label("TTLs are 0 to 2147483647 seconds"),
                    );
                    None
                }
            },
        };
        let zone_model = zone_block.and_then(|z| zones.get(&Name(z.name.value.clone())));
        if let (Some(z), Some(zs)) = (zone_model, zone) {
            if z.private {
                self.err(
                    Diagnostic::error(
                        Code::PrivateZoneFailover,
                        zs.span,
                        format!("`{}` is a private hosted zone", zs.value),
                    )
                    .label("failover needs a public zone")
                    .help(
                        "the sorry site is served by CloudFront on the internet: use a public zone",
                    ),
                );
                return None;
            }
        }
        let (zone_model, record) = (zone_model?, record?);
        if !self.inside_zone(&record, zone_model, record_sp?.span) {
            return None;
        }
        let primary_block = primary_block?;
        // An instance that failed validation has had its errors reported.
        let eip = &instances.get(&Name(primary_block.name.value.clone()))?.eip;
        let health = self.health(f.health.as_ref(), eip, primary_block, &what, b.span)?;
        let primary_value = match eip {
            Eip::New => PrimaryValue::NewEip,
            Eip::Existing {
                address: Some(a), ..
            } => PrimaryValue::Known(*a),
            Eip::Existing { address: None, .. } => {
                let at = primary_block
                    .body
                    .elastic_ip
                    .as_ref()
                    .map_or(primary_block.span, |e| e.span);
                self.err(
                    Diagnostic::error(
                        Code::AddressRequired,
                        primary?.span,
                        format!("the PRIMARY record needs the address of [instance.{}]'s Elastic IP", primary_block.name.value),
                    )
                    .label("its address is unknown")
                    .also(at, "an existing allocation without `address`")
                    .help("write `elastic_ip = { allocation = \"eipalloc-…\", address = \"…\" }`: CloudFormation cannot look it up"),
                );
                return None;
            }
            Eip::None => PrimaryValue::OwnedByInstance,
        };
        Some(model::Failover {
            name: Name(b.name.value.clone()),
            prefix: Prefix::of(&b.name.value)?,
            record,
            zone_id: zone_model.id.clone(),
            primary: Primary::Instance {
                name: Name(primary_block.name.value.clone()),
                value: primary_value,
                health,
            },
            secondary: Name(secondary_block?.name.value.clone()),
            ttl: ttl?,
        })
    }

    fn health(
        &mut self,
        h: Option<&Sp<spec::Health>>,
        eip: &Eip,
        primary: &Block<spec::Instance>,
        what: &str,
        at: Span,
    ) -> Option<Health> {
        let Some(h) = h else {
            return Some(Health::Instance);
        };
        match &h.value {
            spec::Health::Word(w) if w == "instance" => Some(Health::Instance),
            spec::Health::Word(w) => {
                self.err(
                    Diagnostic::error(Code::InvalidValue, h.span, format!("invalid health `{w}`"))
                        .label("expected \"instance\" or a table")
                        .help("write \"instance\", `{ http = \"/health\", port = 80 }` or `{ https = \"/health\" }`"),
                );
                None
            }
            spec::Health::Probe { https, path, port } => {
                let path_ok = path.value.starts_with('/')
                    && path.value.len() <= 255
                    && path
                        .value
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
                if !path_ok {
                    self.err(
                        Diagnostic::error(
                            Code::InvalidValue,
                            path.span,
                            format!("invalid health check path `{}`", path.value),
                        )
                        .label("expected a URL path such as /health")
                        .help(
                            "paths start with `/` and have at most 255 printable ASCII characters",
                        ),
                    );
                }
                let port = match port {
                    None => Some(if *https { 443 } else { 80 }),
                    Some(p) => match u16::try_from(p.value) {
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
                    },
                };
                let address = match eip {
                    Eip::New => Some(ProbeAddress::NewEip),
                    Eip::Existing {
                        address: Some(a), ..
                    } => Some(ProbeAddress::Known(*a)),
                    Eip::Existing { address: None, .. } | Eip::None => {
                        self.err(
                            Diagnostic::error(
                                Code::AddressRequired,
                                h.span,
                                format!("the health check in {what} needs an address to probe"),
                            )
                            .label("probes the Elastic IP, whose address is unknown")
                            .also(
                                primary.body.elastic_ip.as_ref().map_or(at, |e| e.span),
                                "no known address here",
                            )
                            .help(
                                "give the Elastic IP's `address`, or use `health = \"instance\"`",
                            ),
                        );
                        None
                    }
                };
                if !path_ok {
                    return None;
                }
                Some(Health::Probe {
                    https: *https,
                    path: path.value.clone(),
                    port: port?,
                    address: address?,
                })
            }
        }
    }

    /// No two blocks may write the same record name in the same zone.
    fn records_are_unique(&mut self, topo: &Topology, zones: &BTreeMap<Name, model::Zone>) {
        let mut seen: BTreeMap<(String, String), Span> = BTreeMap::new();
        let claims = topo
            .failovers
            .iter()
            .filter_map(|b| Some((b.body.zone.as_ref()?, b.body.record.as_ref()?)))
            .chain(topo.instances.iter().filter_map(|b| {
                let d = &b.body.dns.as_ref()?.value;
                Some((d.zone.as_ref()?, d.record.as_ref()?))
            }));
        for (zone, record) in claims {
            let Some(zone) = zone
                .value
                .strip_prefix("zone.")
                .and_then(|z| zones.get(&Name(z.to_string())))
            else {
                continue;
            };
            let key = (zone.id.clone(), normalize_dns(&record.value));
            if let Some(first) = seen.insert(key, record.span) {
                self.err(
                    Diagnostic::error(
                        Code::DuplicateRecord,
                        record.span,
                        format!("`{}` is claimed twice", record.value),
                    )
                    .label("second claim")
                    .also(first, "first claimed here")
                    .help("one record name has one owner: a failover or an instance's `dns`"),
                );
            }
        }
    }

    fn sorry(
        &mut self,
        b: &Block<spec::Sorry>,
        failovers: &BTreeMap<Name, model::Failover>,
        stack: Option<&model::Stack>,
    ) -> Option<model::Sorry> {
        let what = format!("[sorry.{}]", b.name.value);
        // The CloudFront Function and OAC are named STACK-NAME, at most 64 characters.
        if let Some(stack) = stack {
            let len = stack.name.len() + 1 + b.name.value.len();
            if len > 64 {
                self.err(
                    Diagnostic::error(Code::InvalidName, b.name.span, format!("`{}-{}` is longer than 64 characters", stack.name, b.name.value))
                        .label("names the sorry site's CloudFront Function")
                        .help("CloudFront Function names have at most 64 characters: shorten the stack or sorry name"),
                );
                return None;
            }
        }
        let s = &b.body;
        let cert = self
            .required(s.certificate.as_ref(), "certificate", &what, b.span)
            .and_then(|c| {
                if c.value == "new" {
                    self.new_certificate(c, b, failovers)
                } else {
                    self.certificate(c, "us-east-1", "CloudFront")
                        .map(Certificate::Arn)
                }
            });
        let page = match (&s.page, &s.title, &s.message) {
            (Some(p), None, None) => self.read_file(p).map(Page::File),
            (Some(p), t, m) => {
                let other = t.as_ref().or(m.as_ref()).map_or(b.span, |x| x.span);
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        other,
                        format!("{what} has both `page` and the built-in page's text"),
                    )
                    .label("ignored when `page` is set")
                    .also(p.span, "the page file")
                    .help("remove `title`/`message`, or remove `page` to use the built-in page"),
                );
                None
            }
            (None, t, m) => Some(Page::Builtin {
                title: t
                    .as_ref()
                    .map_or_else(|| "Sorry".to_string(), |t| t.value.clone()),
                message: m.as_ref().map_or_else(
                    || {
                        "This service is not available right now. Please try again later."
                            .to_string()
                    },
                    |m| m.value.clone(),
                ),
            }),
        };
        let status = match &s.status {
            None => Some(503),
            Some(st) if CLOUDFRONT_STATUSES.contains(&st.value) => u16::try_from(st.value).ok(),
            Some(st) => {
                self.err(
                    Diagnostic::error(
                        Code::InvalidValue,
                        st.span,
                        format!("status {} is not allowed", st.value),
                    )
                    .label("CloudFront cannot answer with this status")
                    .help("use one of 200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504"),
                );
                None
            }
        };
        let mut allow = Vec::new();
        let mut allow_ok = true;
        if let Some(list) = &s.allow {
            for c in &list.value {
                match self.cidr(c) {
                    Some(net) => allow.push(net),
                    None => allow_ok = false,
                }
            }
            if list.value.is_empty() {
                allow_ok = false;
                self.err(
                    Diagnostic::error(Code::InvalidValue, list.span, "`allow` is empty")
                        .label("no viewer could see the page")
                        .help("list at least one CIDR, or remove `allow` to serve everyone"),
                );
            }
        }
        allow.sort();
        allow.dedup();
        let name = Name(b.name.value.clone());
        let mut aliases: Vec<String> = failovers
            .values()
            .filter(|f| f.secondary == name)
            .map(|f| f.record.clone())
            .collect();
        aliases.sort();
        if !allow_ok {
            return None;
        }
        Some(model::Sorry {
            prefix: Prefix::of(&b.name.value)?,
            name,
            certificate: cert?,
            page: page?,
            allow,
            status: status?,
            aliases,
            access_logs: s.access_logs.as_ref().is_some_and(|a| a.value),
        })
    }

    /// `certificate = "new"`: the edge stack validates one name per failover
    /// record that points at this site, each through that failover's zone.
    fn new_certificate(
        &mut self,
        c: &Sp<String>,
        b: &Block<spec::Sorry>,
        failovers: &BTreeMap<Name, model::Failover>,
    ) -> Option<Certificate> {
        let name = Name(b.name.value.clone());
        let mut validation: Vec<(String, String)> = failovers
            .values()
            .filter(|f| f.secondary == name)
            .map(|f| (f.record.clone(), f.zone_id.clone()))
            .collect();
        validation.sort();
        if validation.len() > 10 {
            self.err(
                Diagnostic::error(
                    Code::InvalidValue,
                    c.span,
                    format!(
                        "[sorry.{}]'s new certificate would need {} names",
                        b.name.value,
                        validation.len()
                    ),
                )
                .label("ACM certificates have at most 10 names by default")
                .help("split the failovers over two sorry sites, or use an existing certificate"),
            );
            return None;
        }
        if validation.is_empty() {
            self.err(
                Diagnostic::error(
                    Code::MissingKey,
                    c.span,
                    format!(
                        "[sorry.{}] has a new certificate but no name to put in it",
                        b.name.value
                    ),
                )
                .label("no failover points at this sorry site")
                .help(
                    "the certificate's names are the failover records whose secondary is this site",
                ),
            );
            return None;
        }
        Some(Certificate::New { validation })
    }

    /// An ACM certificate ARN in `region`; `user` says who requires that region.
    fn certificate(&mut self, c: &Sp<String>, region: &str, user: &str) -> Option<String> {
        let parts: Vec<&str> = c.value.split(':').collect();
        let well_formed = parts.len() == 6
            && parts[0] == "arn"
            && parts[1] == "aws"
            && parts[2] == "acm"
            && parts[4].len() == 12
            && parts[4].bytes().all(|b| b.is_ascii_digit())
            && parts[5].strip_prefix("certificate/").is_some_and(|id| {
                id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            });
        if !well_formed {
            self.err(
                Diagnostic::error(Code::InvalidId, c.span, "invalid ACM certificate ARN")
                    .label("not an ACM certificate ARN")
                    .help(format!(
                        "write `arn:aws:acm:{region}:ACCOUNT:certificate/ID`"
                    )),
            );
            return None;
        }
        if parts[3] != region {
            self.err(
                Diagnostic::error(
                    Code::CertificateRegion,
                    c.span,
                    format!("the certificate is in {}, not {region}", parts[3]),
                )
                .label(format!("{user} only uses certificates from {region}"))
                .help(format!("request or import the certificate in {region}")),
            );
            return None;
        }
        Some(c.value.clone())
    }

    fn cidr(&mut self, c: &Sp<String>) -> Option<Ipv4Net> {
        let parsed = c.value.split_once('/').and_then(|(a, bits)| {
            let addr: Ipv4Addr = a.parse().ok()?;
            let bits: u8 = bits
                .parse()
                .ok()
                .filter(|b| *b <= 32 && !bits.starts_with('+'))?;
            Some((addr, bits))
        });
        let Some((addr, bits)) = parsed else {
            self.err(
                Diagnostic::error(
                    Code::InvalidCidr,
                    c.span,
                    format!("invalid CIDR `{}`", c.value),
                )
                .label("expected an IPv4 CIDR like 203.0.113.0/24")
                .help("the allow-list is IPv4 only: the sorry site answers over IPv4"),
            );
            return None;
        };
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        if u32::from(addr) & !mask != 0 {
            let network = Ipv4Addr::from(u32::from(addr) & mask);
            self.err(
                Diagnostic::error(
                    Code::InvalidCidr,
                    c.span,
                    format!("`{}` has host bits set", c.value),
                )
                .label("not a network address")
                .help(format!("did you mean `{network}/{bits}`?")),
            );
            return None;
        }
        Some(Ipv4Net { addr, bits })
    }
}

const KINDS: &[&str] = &[
    "zone", "instance", "failover", "sorry", "alb", "fleet", "backup", "task",
];

/// The checked launch settings of an instance or a fleet.
struct Launch {
    ami: Option<Ami>,
    instance_type: Option<String>,
    subnets: Option<Vec<String>>,
    security_groups: Option<Vec<String>>,
}

struct Refs<'a> {
    zones: Vec<Known<'a, spec::Zone>>,
    instances: Vec<Known<'a, spec::Instance>>,
    sorries: Vec<Known<'a, spec::Sorry>>,
    albs: Vec<Known<'a, spec::Alb>>,
    fleets: Vec<Known<'a, spec::Fleet>>,
}

fn is_block_name(n: &str) -> bool {
    n.len() <= 32
        && n.starts_with(|c: char| c.is_ascii_lowercase())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// "a" or "an", for messages built from a noun.
fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

fn normalize_dns(n: &str) -> String {
    n.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFiles;
    impl Files for NoFiles {
        fn read(&self, path: &str) -> Result<String, String> {
            Err(format!("no file {path}"))
        }
    }

    fn v() -> Validator<'static> {
        Validator {
            diags: Vec::new(),
            files: &NoFiles,
        }
    }

    fn sp(s: &str) -> Sp<String> {
        Sp::bare(s.to_string())
    }

    #[test]
    fn days_become_cron_day_of_week() {
        let mut v = v();
        let cron = |v: &mut Validator<'_>, d: &str| {
            let h = Hours {
                days: v.days(&sp(d)).unwrap(),
                start: (9, 0),
                stop: (18, 0),
                timezone: "UTC".into(),
            };
            (h.unix_days(), h.named_days())
        };
        assert_eq!(cron(&mut v, "MON-FRI"), ("1-5".into(), "MON-FRI".into()));
        assert_eq!(cron(&mut v, "sat,SUN"), ("6,0".into(), "SAT,SUN".into()));
        assert_eq!(cron(&mut v, "SUN-SAT"), ("0-6".into(), "SUN-SAT".into()));
        assert_eq!(
            cron(&mut v, "MON,WED-FRI"),
            ("1,3-5".into(), "MON,WED-FRI".into())
        );
        assert!(v.diags.is_empty());
        for bad in ["FRI-MON", "MON-MON", "MONDAY", "", "MON,,TUE"] {
            assert!(v.days(&sp(bad)).is_none(), "{bad}");
        }
        assert_eq!(v.diags.len(), 5);
    }

    #[test]
    fn times_are_strict_hh_mm() {
        let mut v = v();
        assert_eq!(v.time(&sp("00:00")), Some((0, 0)));
        assert_eq!(v.time(&sp("23:59")), Some((23, 59)));
        for bad in ["24:00", "9:00", "09:60", "0900", "09:00:00", "+9:00"] {
            assert!(v.time(&sp(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn cidrs_must_be_network_addresses() {
        let mut v = v();
        assert!(v.cidr(&sp("203.0.113.0/24")).is_some());
        assert!(v.cidr(&sp("0.0.0.0/0")).is_some());
        assert!(v.cidr(&sp("203.0.113.10/32")).is_some());
        for bad in [
            "203.0.113.10/24",
            "203.0.113.0/33",
            "203.0.113.0",
            "::/0",
            "203.0.113.0/+8",
        ] {
            assert!(v.cidr(&sp(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn dns_names_are_normalized_and_strict() {
        let mut v = v();
        assert_eq!(
            v.dns_name(&sp("Redash.Example.COM.")).as_deref(),
            Some("redash.example.com")
        );
        for bad in [
            "example",
            "-a.example.com",
            "a_b.example.com",
            "$(x).example.com",
            "a..b.com",
        ] {
            assert!(v.dns_name(&sp(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn certificates_must_be_in_us_east_1() {
        let mut v = v();
        let ok =
            "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";
        assert!(v.certificate(&sp(ok), "us-east-1", "CloudFront").is_some());
        assert!(
            v.certificate(
                &sp(&ok.replace("us-east-1", "eu-west-1")),
                "us-east-1",
                "CloudFront"
            )
            .is_none()
        );
        assert_eq!(v.diags.last().unwrap().code, Code::CertificateRegion);
    }
}
