//! The typed Rust builder front end: Rust code → [`spec::Topology`].
//!
//! It is the TOML front end's twin for Rust infrastructure repositories that
//! vendor the crate. Both front ends produce the same [`spec::Topology`] and
//! share every later stage, so a topology built here compiles to output
//! byte-identical to the same topology written in TOML, by construction
//! (`tests/dsl_parity.rs` checks every fixture against its `examples/` twin).
//!
//! Like the TOML front end, this module only records what the user wrote:
//! every optional key stays `None` unless its setter is called, and values
//! are checked by `validate`, not here. What types can say, they do: a
//! reference to another block is a typed handle ([`ZoneRef`],
//! [`InstanceRef`], [`SorryRef`], [`AlbRef`], [`FleetRef`]) returned when the
//! block is added, so a zone cannot be passed where an instance is expected;
//! where the language accepts two kinds, the parameter takes
//! `impl Into<`[`PrimaryRef`]`>` (an instance or an ALB) or
//! `impl Into<`[`TargetRef`]`>` (an instance or a fleet), which only those
//! handles convert into. Ports, TTLs and sizes are unsigned integers;
//! enumerated words, and the word `"new"` of a sorry certificate, are enums
//! or constructors. Values carry no source span (`Sp::bare`), so diagnostics
//! point at nothing.
//!
//! Blocks are added with `&mut self` methods on [`Topology`], which return
//! the block's handle; block bodies are by-value builders.
//!
//! ```rust
//! use topoform::front::dsl::{Failover, Hours, Instance, Sorry, Topology, Zone};
//!
//! let mut topo = Topology::new("redash", "ap-northeast-1");
//! let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
//! let redash = topo.instance(
//!     "redash",
//!     Instance::new("ami-0064e711cbc7a825e", "t3.small")
//!         .subnet("subnet-0b99e52d17314979d")
//!         .security_group("sg-04b4e7642a8fc6efe")
//!         .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
//! );
//! let closed = topo.sorry(
//!     "closed",
//!     Sorry::new("arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f")
//!         .title("Closed for today")
//!         .allow("203.0.113.10/32"),
//! );
//! topo.failover(
//!     "redash",
//!     Failover::new("redash.example.com", &public, &redash, &closed),
//! );
//! assert_eq!(redash.to_string(), "instance.redash");
//!
//! // Nothing to read: this topology names no `setup` or `page` file.
//! let compilation = topo.compile(&topoform::FilesIn(".".into()));
//! let output = compilation.output.expect("a valid topology");
//! assert!(output.contains_key("redash.template.json"));
//! ```

use std::fmt;

use crate::spec::{self, Block, Sp, SpList};
use crate::{Compilation, Files};

fn bare(value: impl Into<String>) -> Sp<String> {
    Sp::bare(value.into())
}

/// Appends `value` to an optional list, creating the list on first use.
fn push(list: &mut Option<SpList>, value: impl Into<String>) {
    list.get_or_insert_with(|| Sp::bare(Vec::new()))
        .value
        .push(bare(value));
}

/// Appends every value to an optional list, creating the list even when
/// there is none (as TOML's `key = []` does).
fn extend<S: Into<String>>(list: &mut Option<SpList>, values: impl IntoIterator<Item = S>) {
    let list = &mut list.get_or_insert_with(|| Sp::bare(Vec::new())).value;
    list.extend(values.into_iter().map(bare));
}

/// A handle as the reference string, `"kind.name"`, that TOML would hold.
fn reference(handle: &impl fmt::Display) -> Sp<String> {
    bare(handle.to_string())
}

fn block<T>(name: &str, body: T) -> Block<T> {
    Block {
        name: bare(name),
        span: crate::source::Span::default(),
        body,
    }
}

macro_rules! handle {
    ($(#[$doc:meta])* $ty:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// Only [`Topology`] makes one, when the block is added. It renders
        /// (`Display`) as the reference string the TOML file would hold.
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $ty {
            name: String,
        }

        impl $ty {
            /// The block's name, as given to [`Topology`].
            pub fn name(&self) -> &str {
                &self.name
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($kind, ".{}"), self.name)
            }
        }
    };
}

handle!(
    /// A handle on a `[zone.NAME]` block: renders as `"zone.NAME"`.
    ZoneRef,
    "zone"
);
handle!(
    /// A handle on an `[instance.NAME]` block: renders as `"instance.NAME"`.
    InstanceRef,
    "instance"
);
handle!(
    /// A handle on a `[sorry.NAME]` block: renders as `"sorry.NAME"`.
    SorryRef,
    "sorry"
);
handle!(
    /// A handle on a `[failover.NAME]` block: renders as `"failover.NAME"`.
    FailoverRef,
    "failover"
);
handle!(
    /// A handle on an `[alb.NAME]` block: renders as `"alb.NAME"`.
    AlbRef,
    "alb"
);
handle!(
    /// A handle on a `[fleet.NAME]` block: renders as `"fleet.NAME"`.
    FleetRef,
    "fleet"
);
handle!(
    /// A handle on a `[backup.NAME]` block: renders as `"backup.NAME"`.
    BackupRef,
    "backup"
);
handle!(
    /// A handle on a `[task.NAME]` block: renders as `"task.NAME"`.
    TaskRef,
    "task"
);

/// Implements `From<Handle>` and `From<&Handle>` for one variant of a
/// reference enum.
macro_rules! either_from {
    ($either:ident :: $variant:ident ($handle:ident)) => {
        impl From<$handle> for $either {
            fn from(handle: $handle) -> Self {
                $either::$variant(handle)
            }
        }

        impl From<&$handle> for $either {
            fn from(handle: &$handle) -> Self {
                $either::$variant(handle.clone())
            }
        }
    };
}

/// A failover's `primary`: an instance or an ALB.
///
/// [`Failover::new`] takes `impl Into<PrimaryRef>`, so pass `&instance` or
/// `&alb`; no other handle converts into it. It renders (`Display`) as the
/// reference string the TOML file would hold.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrimaryRef {
    /// `"instance.NAME"`: an A record of its Elastic IP (or of its public
    /// IP, registered at boot) with a health check.
    Instance(InstanceRef),
    /// `"alb.NAME"`: an alias A record to the load balancer.
    Alb(AlbRef),
}

either_from!(PrimaryRef::Instance(InstanceRef));
either_from!(PrimaryRef::Alb(AlbRef));

impl fmt::Display for PrimaryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrimaryRef::Instance(r) => r.fmt(f),
            PrimaryRef::Alb(r) => r.fmt(f),
        }
    }
}

/// The `target` of a backup or a task: an instance or a fleet.
///
/// [`Backup::new`] and [`Task::new`] take `impl Into<TargetRef>`, so pass
/// `&instance` or `&fleet`; no other handle converts into it. It renders
/// (`Display`) as the reference string the TOML file would hold.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetRef {
    /// `"instance.NAME"`: the instance of that group.
    Instance(InstanceRef),
    /// `"fleet.NAME"`: every client's instance.
    Fleet(FleetRef),
}

either_from!(TargetRef::Instance(InstanceRef));
either_from!(TargetRef::Fleet(FleetRef));

impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRef::Instance(r) => r.fmt(f),
            TargetRef::Fleet(r) => r.fmt(f),
        }
    }
}

/// A whole topology: `[stack]` plus the blocks added to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    spec: spec::Topology,
}

impl Topology {
    /// A topology whose `[stack]` has `name` (the CloudFormation stack
    /// name) and `region` (the main stack's region).
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        Topology {
            spec: spec::Topology {
                stack: Some(Sp::bare(spec::Stack {
                    name: Some(bare(name)),
                    region: Some(bare(region)),
                    description: None,
                    tags: Vec::new(),
                    notify: None,
                })),
                ..spec::Topology::default()
            },
        }
    }

    fn stack(&mut self) -> &mut spec::Stack {
        &mut self
            .spec
            .stack
            .get_or_insert_with(|| Sp::bare(spec::Stack::default()))
            .value
    }

    /// `[stack] description`: the template Description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.stack().description = Some(bare(description));
        self
    }

    /// One of `[stack] tags`, applied to every taggable resource. Call once
    /// per tag.
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.stack().tags.push((bare(key), bare(value)));
        self
    }

    /// `[stack] notify`: an e-mail address that an SNS topic and
    /// subscription notify of every alarm.
    #[must_use]
    pub fn notify(mut self, email: impl Into<String>) -> Self {
        self.stack().notify = Some(bare(email));
        self
    }

    /// Adds `[zone.NAME]`, an existing hosted zone, and returns its handle.
    pub fn zone(&mut self, name: &str, zone: Zone) -> ZoneRef {
        self.spec.zones.push(block(name, zone.0));
        ZoneRef { name: name.into() }
    }

    /// Adds `[instance.NAME]`, an auto-healing instance, and returns its
    /// handle.
    pub fn instance(&mut self, name: &str, instance: Instance) -> InstanceRef {
        self.spec.instances.push(block(name, instance.0));
        InstanceRef { name: name.into() }
    }

    /// Adds `[sorry.NAME]`, a sorry site, and returns its handle.
    pub fn sorry(&mut self, name: &str, sorry: Sorry) -> SorryRef {
        self.spec.sorries.push(block(name, sorry.0));
        SorryRef { name: name.into() }
    }

    /// Adds `[failover.NAME]`, a DNS failover record, and returns its handle.
    pub fn failover(&mut self, name: &str, failover: Failover) -> FailoverRef {
        self.spec.failovers.push(block(name, failover.0));
        FailoverRef { name: name.into() }
    }

    /// Adds `[alb.NAME]`, an HTTPS load balancer in front of an instance, and
    /// returns its handle.
    pub fn alb(&mut self, name: &str, alb: Alb) -> AlbRef {
        self.spec.albs.push(block(name, alb.0));
        AlbRef { name: name.into() }
    }

    /// Adds `[fleet.NAME]`, one instance per client, and returns its handle.
    pub fn fleet(&mut self, name: &str, fleet: Fleet) -> FleetRef {
        self.spec.fleets.push(block(name, fleet.0));
        FleetRef { name: name.into() }
    }

    /// Adds `[backup.NAME]`, scheduled AMIs or snapshots, and returns its
    /// handle.
    pub fn backup(&mut self, name: &str, backup: Backup) -> BackupRef {
        self.spec.backups.push(block(name, backup.0));
        BackupRef { name: name.into() }
    }

    /// Adds `[task.NAME]`, scheduled shell commands, and returns its handle.
    pub fn task(&mut self, name: &str, task: Task) -> TaskRef {
        self.spec.tasks.push(block(name, task.0));
        TaskRef { name: name.into() }
    }

    /// The topology as written, for [`crate::compile_spec`].
    pub fn build(self) -> spec::Topology {
        self.spec
    }

    /// Validates and compiles the topology; `files` reads the files it names
    /// (`setup`, `page`, `clients_file`).
    pub fn compile(self, files: &dyn Files) -> Compilation {
        crate::compile_spec(&self.spec, files)
    }
}

impl From<Topology> for spec::Topology {
    fn from(topology: Topology) -> Self {
        topology.build()
    }
}

/// The body of a `[zone.NAME]` block: an existing Route 53 hosted zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone(spec::Zone);

impl Zone {
    /// The hosted zone `id` (`Z…`) and its `domain`.
    pub fn new(id: impl Into<String>, domain: impl Into<String>) -> Self {
        Zone(spec::Zone {
            id: Some(bare(id)),
            domain: Some(bare(domain)),
            private: None,
        })
    }

    /// `private`: whether it is a private hosted zone (default `false`).
    #[must_use]
    pub fn private(mut self, private: bool) -> Self {
        self.0.private = Some(Sp::bare(private));
        self
    }
}

/// The body of an `[instance.NAME]` block: one auto-healing instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance(spec::Instance);

impl Instance {
    /// An instance from `ami` (`ami-…`, or `ssm:/aws/service/…` for a
    /// public SSM parameter) of `instance_type` (`t3.small`, …).
    pub fn new(ami: impl Into<String>, instance_type: impl Into<String>) -> Self {
        Instance(spec::Instance {
            ami: Some(bare(ami)),
            instance_type: Some(bare(instance_type)),
            ..spec::Instance::default()
        })
    }

    /// Adds one of `subnets`. Call once per subnet.
    #[must_use]
    pub fn subnet(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.subnets, id);
        self
    }

    /// Adds every subnet of `ids` to `subnets`.
    #[must_use]
    pub fn subnets<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.subnets, ids);
        self
    }

    /// Adds one of `security_groups`. Call once per group.
    #[must_use]
    pub fn security_group(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.security_groups, id);
        self
    }

    /// Adds every group of `ids` to `security_groups`.
    #[must_use]
    pub fn security_groups<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.security_groups, ids);
        self
    }

    /// `elastic_ip` (default [`ElasticIp::New`]).
    #[must_use]
    pub fn elastic_ip(mut self, eip: ElasticIp) -> Self {
        self.0.elastic_ip = Some(Sp::bare(eip.into_spec()));
        self
    }

    /// `hours`: business hours, outside which the instance is stopped.
    #[must_use]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.0.hours = Some(Sp::bare(hours.0));
        self
    }

    /// `dns`: a record that the instance registers at every boot.
    #[must_use]
    pub fn dns(mut self, dns: Dns) -> Self {
        self.0.dns = Some(Sp::bare(dns.0));
        self
    }

    /// `volume_gb`: the root volume size in GiB.
    #[must_use]
    pub fn volume_gb(mut self, gib: u32) -> Self {
        self.0.volume_gb = Some(Sp::bare(i64::from(gib)));
        self
    }

    /// `root_device`: the AMI's root device name (default `/dev/xvda`).
    #[must_use]
    pub fn root_device(mut self, device: impl Into<String>) -> Self {
        self.0.root_device = Some(bare(device));
        self
    }

    /// `setup`: the path of an extra first-boot script, read through the
    /// [`Files`] given to [`Topology::compile`].
    #[must_use]
    pub fn setup(mut self, path: impl Into<String>) -> Self {
        self.0.setup = Some(bare(path));
        self
    }
}

/// `elastic_ip` of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElasticIp {
    /// `"new"`: the template allocates one.
    New,
    /// `"none"`: the instance keeps its launch-time public IP.
    None,
    /// `"eipalloc-…"`: an existing allocation, whose address is unknown.
    Existing(String),
    /// `{ allocation, address }`: an existing allocation and its address,
    /// needed by a failover primary or an HTTP(S) health check.
    WithAddress {
        /// The allocation id, `eipalloc-…`.
        allocation: String,
        /// Its public IPv4 address.
        address: String,
    },
}

impl ElasticIp {
    fn into_spec(self) -> spec::ElasticIp {
        match self {
            ElasticIp::New => spec::ElasticIp::Word("new".into()),
            ElasticIp::None => spec::ElasticIp::Word("none".into()),
            ElasticIp::Existing(allocation) => spec::ElasticIp::Word(allocation),
            ElasticIp::WithAddress {
                allocation,
                address,
            } => spec::ElasticIp::Existing {
                allocation: Some(bare(allocation)),
                address: Some(bare(address)),
            },
        }
    }
}

/// `hours` of an instance: when it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours(spec::Hours);

impl Hours {
    /// Runs on `days` (`MON-FRI`, `SAT,SUN`, …) from `start` to `stop`
    /// (`HH:MM`) in `timezone` (IANA, e.g. `Asia/Tokyo`).
    pub fn new(
        days: impl Into<String>,
        start: impl Into<String>,
        stop: impl Into<String>,
        timezone: impl Into<String>,
    ) -> Self {
        Hours(spec::Hours {
            days: Some(bare(days)),
            start: Some(bare(start)),
            stop: Some(bare(stop)),
            timezone: Some(bare(timezone)),
        })
    }
}

/// `dns` of an instance: an A record it UPSERTs with its own IP at boot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns(spec::Dns);

impl Dns {
    /// The A record `record` in `zone`.
    pub fn new(zone: &ZoneRef, record: impl Into<String>) -> Self {
        Dns(spec::Dns {
            zone: Some(reference(zone)),
            record: Some(bare(record)),
            ip: None,
        })
    }

    /// `ip`: which of the instance's addresses (default [`Ip::Public`]).
    #[must_use]
    pub fn ip(mut self, ip: Ip) -> Self {
        let word = match ip {
            Ip::Public => "public",
            Ip::Private => "private",
        };
        self.0.ip = Some(bare(word));
        self
    }
}

/// Which address of an instance a [`Dns`] record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    /// `"public"`: its public IPv4 address.
    Public,
    /// `"private"`: its private IPv4 address.
    Private,
}

/// The body of a `[failover.NAME]` block: a DNS failover record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failover(spec::Failover);

impl Failover {
    /// The failover `record` in `zone`, answered by `primary` (`&instance`
    /// or `&alb`, see [`PrimaryRef`]) while it is healthy and by the sorry
    /// site `secondary` otherwise.
    ///
    /// Handles are typed, so only an instance or an ALB can stand for the
    /// primary. Not a zone:
    ///
    /// ```compile_fail,E0277
    /// use topoform::front::dsl::{Failover, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("demo", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    /// let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    /// let _ = Failover::new("www.example.com", &zone, &zone, &sorry);
    /// ```
    ///
    /// nor the sorry site itself:
    ///
    /// ```compile_fail,E0277
    /// use topoform::front::dsl::{Failover, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("demo", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    /// let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    /// let _ = Failover::new("www.example.com", &zone, &sorry, &sorry);
    /// ```
    ///
    /// nor a fleet:
    ///
    /// ```compile_fail,E0277
    /// use topoform::front::dsl::{Failover, Fleet, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("demo", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    /// let fleet = topo.fleet("app", Fleet::new("ami-0123456789abcdef0", "t3.small"));
    /// let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    /// let _ = Failover::new("www.example.com", &zone, &fleet, &sorry);
    /// ```
    ///
    /// An ALB in front of an instance, failing over to a sorry site whose
    /// certificate an edge stack creates:
    ///
    /// ```rust
    /// use topoform::front::dsl::{Alb, Failover, Instance, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("shop", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z1SHOPWEBZONE1", "example.shop"));
    /// let web = topo.instance("web", Instance::new("ami-0d52744d6551d851e", "t3.small"));
    /// let front = topo.alb(
    ///     "front",
    ///     Alb::new("vpc-0a1b2c3d4e5f60718", "arn:aws:acm:ap-northeast-1:1:certificate/x", &web)
    ///         .subnets(["subnet-0a11111111111111a", "subnet-0c22222222222222c"])
    ///         .port(8080),
    /// );
    /// let sorry = topo.sorry("maintenance", Sorry::new_certificate());
    /// topo.failover("www", Failover::new("www.example.shop", &zone, &front, &sorry));
    /// let spec = topo.build();
    /// let primary = spec.failovers[0].body.primary.as_ref().map(|p| p.value.as_str());
    /// assert_eq!(primary, Some("alb.front"));
    /// ```
    pub fn new(
        record: impl Into<String>,
        zone: &ZoneRef,
        primary: impl Into<PrimaryRef>,
        secondary: &SorryRef,
    ) -> Self {
        Failover(spec::Failover {
            record: Some(bare(record)),
            zone: Some(reference(zone)),
            primary: Some(reference(&primary.into())),
            health: None,
            secondary: Some(reference(secondary)),
            ttl: None,
        })
    }

    /// `health`: how the primary's health is judged (default
    /// [`Health::Instance`]).
    #[must_use]
    pub fn health(mut self, health: Health) -> Self {
        let health = match health {
            Health::Instance => spec::Health::Word("instance".into()),
            Health::Http { path, port } => probe(false, path, port),
            Health::Https { path, port } => probe(true, path, port),
        };
        self.0.health = Some(Sp::bare(health));
        self
    }

    /// `ttl`: the TTL of the primary record in seconds (default 60).
    #[must_use]
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.0.ttl = Some(Sp::bare(i64::from(seconds)));
        self
    }
}

fn probe(https: bool, path: String, port: Option<u16>) -> spec::Health {
    spec::Health::Probe {
        https,
        path: Sp::bare(path),
        port: port.map(|p| Sp::bare(i64::from(p))),
    }
}

/// `health` of a failover: how Route 53 judges the primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// `"instance"`: the group has an instance in service.
    Instance,
    /// `{ http = path, port = … }`: an HTTP probe of the Elastic IP.
    Http {
        /// Request path, e.g. `/health`.
        path: String,
        /// Port (default 80).
        port: Option<u16>,
    },
    /// `{ https = path, port = … }`: an HTTPS probe of the Elastic IP.
    Https {
        /// Request path, e.g. `/health`.
        path: String,
        /// Port (default 443).
        port: Option<u16>,
    },
}

/// The body of a `[sorry.NAME]` block: the sorry site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sorry(spec::Sorry);

impl Sorry {
    /// A sorry site served with `certificate`, an existing ACM certificate
    /// ARN in us-east-1. To have one created, use [`Sorry::new_certificate`].
    pub fn new(certificate: impl Into<String>) -> Self {
        Sorry(spec::Sorry {
            certificate: Some(bare(certificate)),
            ..spec::Sorry::default()
        })
    }

    /// A sorry site whose certificate is created: `certificate = "new"`. An
    /// edge stack in us-east-1 requests one for the failover records that
    /// point here and validates it through their zone.
    pub fn new_certificate() -> Self {
        Sorry::new("new")
    }

    /// `page`: the path of the page's HTML, read through the [`Files`] given
    /// to [`Topology::compile`]; otherwise a built-in page is used.
    #[must_use]
    pub fn page(mut self, path: impl Into<String>) -> Self {
        self.0.page = Some(bare(path));
        self
    }

    /// `title` of the built-in page.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.0.title = Some(bare(title));
        self
    }

    /// `message` of the built-in page.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.0.message = Some(bare(message));
        self
    }

    /// Adds a CIDR to `allow`, the viewer IP allow-list. Call once per CIDR.
    #[must_use]
    pub fn allow(mut self, cidr: impl Into<String>) -> Self {
        push(&mut self.0.allow, cidr);
        self
    }

    /// `status`: the HTTP status of the sorry response (default 503).
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.0.status = Some(Sp::bare(i64::from(status)));
        self
    }

    /// `access_logs`: keep the bucket's and the distribution's access logs
    /// for 90 days in a log bucket (off by default).
    #[must_use]
    pub fn access_logs(mut self, on: bool) -> Self {
        self.0.access_logs = Some(Sp::bare(on));
        self
    }
}

/// The body of an `[alb.NAME]` block: an HTTPS load balancer in front of an
/// instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alb(spec::Alb);

impl Alb {
    /// A load balancer in `vpc` (`vpc-…`, the VPC of its subnets) serving
    /// HTTPS with `certificate`, an ACM certificate ARN in the stack's
    /// region, in front of the instance `target`. Add two or more subnets
    /// in distinct AZs with [`Alb::subnet`] or [`Alb::subnets`].
    pub fn new(
        vpc: impl Into<String>,
        certificate: impl Into<String>,
        target: &InstanceRef,
    ) -> Self {
        Alb(spec::Alb {
            vpc: Some(bare(vpc)),
            certificate: Some(bare(certificate)),
            target: Some(reference(target)),
            ..spec::Alb::default()
        })
    }

    /// Adds one of `subnets`. Call once per subnet.
    #[must_use]
    pub fn subnet(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.subnets, id);
        self
    }

    /// Adds every subnet of `ids` to `subnets`.
    #[must_use]
    pub fn subnets<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.subnets, ids);
        self
    }

    /// `port`: the instance port (default 80).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.0.port = Some(Sp::bare(i64::from(port)));
        self
    }

    /// `health_path`: the target group's health check path (default `/`).
    #[must_use]
    pub fn health_path(mut self, path: impl Into<String>) -> Self {
        self.0.health_path = Some(bare(path));
        self
    }

    /// Adds a CIDR to `allow`, who may reach port 443 (default
    /// `0.0.0.0/0`). Call once per CIDR.
    #[must_use]
    pub fn allow(mut self, cidr: impl Into<String>) -> Self {
        push(&mut self.0.allow, cidr);
        self
    }
}

/// The body of a `[fleet.NAME]` block: one instance per client from a
/// golden AMI.
///
/// ```rust
/// use topoform::front::dsl::{Fleet, FleetDns, Topology, Zone};
///
/// let mut topo = Topology::new("app-layer", "ap-northeast-1");
/// let local = topo.zone("local", Zone::new("Z0PRIVATELOCAL1", "local").private(true));
/// let app = topo.fleet(
///     "app",
///     Fleet::new("ami-0123456789abcdef0", "t3.medium")
///         .subnet("subnet-0aaaaaaaaaaaaaaaa")
///         .security_group("sg-0abcdefabcdefabcd")
///         .clients(["acme", "globex"])
///         .dns(FleetDns::new(&local, "{client}.local"))
///         .parameter("DB_PASSWORD")
///         .bootstrap("/opt/app/bootstrap.sh"),
/// );
/// assert_eq!(app.to_string(), "fleet.app");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fleet(spec::Fleet);

impl Fleet {
    /// A fleet of instances from `ami` (`ami-…` or `ssm:/…`) of
    /// `instance_type`. Name its clients with [`Fleet::client`],
    /// [`Fleet::clients`] or [`Fleet::clients_file`].
    pub fn new(ami: impl Into<String>, instance_type: impl Into<String>) -> Self {
        Fleet(spec::Fleet {
            ami: Some(bare(ami)),
            instance_type: Some(bare(instance_type)),
            ..spec::Fleet::default()
        })
    }

    /// Adds one of `subnets`. Call once per subnet.
    #[must_use]
    pub fn subnet(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.subnets, id);
        self
    }

    /// Adds every subnet of `ids` to `subnets`.
    #[must_use]
    pub fn subnets<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.subnets, ids);
        self
    }

    /// Adds one of `security_groups`. Call once per group.
    #[must_use]
    pub fn security_group(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.security_groups, id);
        self
    }

    /// Adds every group of `ids` to `security_groups`.
    #[must_use]
    pub fn security_groups<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.security_groups, ids);
        self
    }

    /// Adds one of `clients` (`[a-z0-9-]+`). Call once per client.
    #[must_use]
    pub fn client(mut self, id: impl Into<String>) -> Self {
        push(&mut self.0.clients, id);
        self
    }

    /// Adds every client of `ids` to `clients`.
    #[must_use]
    pub fn clients<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.clients, ids);
        self
    }

    /// `clients_file`: the path of a file with one client id a line, read
    /// through the [`Files`] given to [`Topology::compile`] (instead of
    /// `clients`).
    #[must_use]
    pub fn clients_file(mut self, path: impl Into<String>) -> Self {
        self.0.clients_file = Some(bare(path));
        self
    }

    /// `tag`: the tag that carries the client id (default `ClientId`).
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>) -> Self {
        self.0.tag = Some(bare(key));
        self
    }

    /// `dns`: a private record that each instance registers at every boot.
    #[must_use]
    pub fn dns(mut self, dns: FleetDns) -> Self {
        self.0.dns = Some(Sp::bare(dns.0));
        self
    }

    /// Adds one of `parameters`, read at first boot from SSM
    /// `/NAME/{client}/PARAM` and exported to `bootstrap`. Call once per
    /// parameter.
    #[must_use]
    pub fn parameter(mut self, name: impl Into<String>) -> Self {
        push(&mut self.0.parameters, name);
        self
    }

    /// Adds every name of `names` to `parameters`.
    #[must_use]
    pub fn parameters<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.parameters, names);
        self
    }

    /// `bootstrap`: the command run at first boot.
    #[must_use]
    pub fn bootstrap(mut self, command: impl Into<String>) -> Self {
        self.0.bootstrap = Some(bare(command));
        self
    }

    /// `hours`: when the instances run.
    #[must_use]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.0.hours = Some(Sp::bare(hours.0));
        self
    }
}

/// `dns` of a fleet: a private A record each instance UPSERTs with its
/// private IP at boot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetDns(spec::Dns);

impl FleetDns {
    /// The A record `record` in `zone`; `{client}` in `record` stands for
    /// the client id, e.g. `"{client}.local"`.
    pub fn new(zone: &ZoneRef, record: impl Into<String>) -> Self {
        FleetDns(spec::Dns {
            zone: Some(reference(zone)),
            record: Some(bare(record)),
            ip: None,
        })
    }
}

/// The body of a `[backup.NAME]` block: AMIs or snapshots taken on a
/// schedule by Data Lifecycle Manager.
///
/// ```rust
/// use topoform::front::dsl::{Backup, BackupKind, Instance, Task, Topology};
///
/// let mut topo = Topology::new("ops", "ap-northeast-1").notify("ops@example.com");
/// let web = topo.instance("web", Instance::new("ami-0a1b2c3d4e5f60718", "t3.small"));
/// topo.backup(
///     "web-images",
///     Backup::new(&web, BackupKind::Ami, "17:00", 24, 7).copy_to("ap-southeast-1", 3),
/// );
/// topo.task(
///     "vacuum",
///     Task::new(&web, "cron(0 3 ? * SUN *)").command("journalctl --vacuum-time=14d"),
/// );
/// ```
///
/// Only an instance or a fleet can be a target, not a zone:
///
/// ```compile_fail,E0277
/// use topoform::front::dsl::{Backup, BackupKind, Topology, Zone};
///
/// let mut topo = Topology::new("ops", "ap-northeast-1");
/// let zone = topo.zone("public", Zone::new("Z2OPSZONE00001", "example.net"));
/// let _ = Backup::new(&zone, BackupKind::Ami, "17:00", 24, 7);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backup(spec::Backup);

impl Backup {
    /// Backs `target` (`&instance` or `&fleet`, see [`TargetRef`]) up as
    /// `kind`, first at `at` (UTC `HH:MM`) then `every` hours (1, 2, 3, 4,
    /// 6, 8, 12 or 24), keeping `keep` generations.
    pub fn new(
        target: impl Into<TargetRef>,
        kind: BackupKind,
        at: impl Into<String>,
        every: u32,
        keep: u32,
    ) -> Self {
        let kind = match kind {
            BackupKind::Ami => "ami",
            BackupKind::Snapshot => "snapshot",
        };
        Backup(spec::Backup {
            target: Some(reference(&target.into())),
            kind: Some(bare(kind)),
            at: Some(bare(at)),
            every: Some(Sp::bare(i64::from(every))),
            keep: Some(Sp::bare(i64::from(keep))),
            copy_to: None,
        })
    }

    /// `copy_to`: copies each backup to `region`, keeping `keep`
    /// generations there.
    #[must_use]
    pub fn copy_to(mut self, region: impl Into<String>, keep: u32) -> Self {
        self.0.copy_to = Some(Sp::bare(spec::CopyTo {
            region: Some(bare(region)),
            keep: Some(Sp::bare(i64::from(keep))),
        }));
        self
    }
}

/// `kind` of a backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// `"ami"`: an AMI, deregistered with its snapshots when it expires.
    Ami,
    /// `"snapshot"`: snapshots of the volumes.
    Snapshot,
}

/// The body of a `[task.NAME]` block: shell commands that SSM State Manager
/// runs on a schedule.
///
/// Only an instance or a fleet can be a target, not a sorry site:
///
/// ```compile_fail,E0277
/// use topoform::front::dsl::{Sorry, Task, Topology};
///
/// let mut topo = Topology::new("ops", "ap-northeast-1");
/// let sorry = topo.sorry("down", Sorry::new_certificate());
/// let _ = Task::new(&sorry, "rate(1 day)").command("true");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task(spec::Task);

impl Task {
    /// Runs commands on `target` (`&instance` or `&fleet`, see
    /// [`TargetRef`]) on `schedule` (`cron(...)` or `rate(...)`). Add the
    /// commands with [`Task::command`] or [`Task::commands`].
    pub fn new(target: impl Into<TargetRef>, schedule: impl Into<String>) -> Self {
        Task(spec::Task {
            target: Some(reference(&target.into())),
            schedule: Some(bare(schedule)),
            commands: None,
        })
    }

    /// Adds one of `commands`. Call once per command.
    #[must_use]
    pub fn command(mut self, command: impl Into<String>) -> Self {
        push(&mut self.0.commands, command);
        self
    }

    /// Adds every command of `commands` to `commands`.
    #[must_use]
    pub fn commands<S: Into<String>>(mut self, commands: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.0.commands, commands);
        self
    }
}
