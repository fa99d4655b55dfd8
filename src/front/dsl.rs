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
//! [`InstanceRef`], [`SorryRef`]) returned when the block is added, so a zone
//! cannot be passed where an instance is expected; ports, TTLs and sizes are
//! unsigned integers; enumerated words are enums. Values carry no source
//! span (`Sp::bare`), so diagnostics point at nothing.
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

    /// The topology as written, for [`crate::compile_spec`].
    pub fn build(self) -> spec::Topology {
        self.spec
    }

    /// Validates and compiles the topology; `files` reads the files it names
    /// (`setup`, `page`).
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
        let list = &mut self.0.subnets;
        list.get_or_insert_with(|| Sp::bare(Vec::new()));
        for id in ids {
            push(list, id);
        }
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
        let list = &mut self.0.security_groups;
        list.get_or_insert_with(|| Sp::bare(Vec::new()));
        for id in ids {
            push(list, id);
        }
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
    /// The failover `record` in `zone`, answered by `primary` while it is
    /// healthy and by the sorry site `secondary` otherwise.
    ///
    /// Handles are typed, so a zone cannot stand for the primary:
    ///
    /// ```compile_fail
    /// use topoform::front::dsl::{Failover, Instance, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("demo", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    /// let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    /// let _ = Failover::new("www.example.com", &zone, &zone, &sorry);
    /// ```
    pub fn new(
        record: impl Into<String>,
        zone: &ZoneRef,
        primary: &InstanceRef,
        secondary: &SorryRef,
    ) -> Self {
        Failover(spec::Failover {
            record: Some(bare(record)),
            zone: Some(reference(zone)),
            primary: Some(reference(primary)),
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
    /// A sorry site served with `certificate`, an ACM certificate ARN in
    /// us-east-1.
    pub fn new(certificate: impl Into<String>) -> Self {
        Sorry(spec::Sorry {
            certificate: Some(bare(certificate)),
            ..spec::Sorry::default()
        })
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
}
