//! `[failover.NAME]`: a DNS failover record from an instance or a load
//! balancer to a sorry site.

use super::{Alb, Body, Field, Handle, Instance, Ref, Sorry, Sp, Table, WordOr, Zone, here, int};
use crate::kind::{Kind, slot};

/// The body of a `[failover.NAME]` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failover {
    /// The record name.
    pub(crate) record: Option<Sp<String>>,
    /// The zone.
    pub(crate) zone: Option<Sp<Ref>>,
    /// An instance or a load balancer.
    pub(crate) primary: Option<Sp<Ref>>,
    /// How the primary's health is judged: `"instance"` or a probe.
    pub(crate) health: Option<Sp<WordOr<Probe>>>,
    /// The sorry site.
    pub(crate) secondary: Option<Sp<Ref>>,
    /// TTL of the primary record.
    pub(crate) ttl: Option<Sp<i64>>,
}

/// `health = { http = "/path", port = N }` or `{ https = "/path", port = N }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Probe {
    /// HTTP request path.
    pub(crate) http: Option<Sp<String>>,
    /// HTTPS request path.
    pub(crate) https: Option<Sp<String>>,
    /// Port.
    pub(crate) port: Option<Sp<i64>>,
}

impl Table for Probe {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("http", Field::Text(&mut self.http)),
            ("https", Field::Text(&mut self.https)),
            ("port", Field::Int(&mut self.port)),
        ]
    }
}

impl Table for Failover {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("record", Field::Text(&mut self.record)),
            ("zone", Field::Ref(&mut self.zone, &slot::FAILOVER_ZONE)),
            (
                "primary",
                Field::Ref(&mut self.primary, &slot::FAILOVER_PRIMARY),
            ),
            ("health", Field::WordOrTable(&mut self.health)),
            (
                "secondary",
                Field::Ref(&mut self.secondary, &slot::FAILOVER_SECONDARY),
            ),
            ("ttl", Field::Int(&mut self.ttl)),
        ]
    }
}

impl Body for Failover {
    const KIND: Kind = Kind::Failover;
}

impl Failover {
    /// The failover `record` in `zone`, answered by `primary` (`&instance`
    /// or `&alb`, see [`PrimaryRef`]) while it is healthy and by the sorry
    /// site `secondary` otherwise.
    ///
    /// Handles are typed, so only an instance or an ALB can stand for the
    /// primary: passing a zone, the sorry site or a fleet does not compile
    /// (error E0277; `tests/ui` holds the samples).
    ///
    /// An ALB in front of an instance, failing over to a sorry site whose
    /// certificate an edge stack creates:
    ///
    /// ```rust
    /// use topoform::builder::{Alb, Failover, Instance, Sorry, Topology, Zone};
    ///
    /// let mut topo = Topology::new("shop", "ap-northeast-1");
    /// let zone = topo.zone("public", Zone::new("Z1SHOPWEBZONE1", "example.shop"));
    /// let web = topo.instance(
    ///     "web",
    ///     Instance::new(
    ///         "ami-0d52744d6551d851e",
    ///         "t3.small",
    ///         ["subnet-0a11111111111111a"],
    ///         ["sg-0123456789abcdef0"],
    ///     ),
    /// );
    /// let front = topo.alb(
    ///     "front",
    ///     Alb::new(
    ///         "arn:aws:acm:ap-northeast-1:123456789012:certificate/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
    ///         &web,
    ///         ["subnet-0a11111111111111a", "subnet-0c22222222222222c"],
    ///     )
    ///     .port(8080),
    /// );
    /// let sorry = topo.sorry("maintenance", Sorry::new_certificate());
    /// topo.failover("www", Failover::new("www.example.shop", &zone, &front, &sorry));
    /// let output = topo.compile(&topoform::FilesIn(".".into())).into_result().unwrap();
    /// // The primary record is an alias of the load balancer.
    /// assert!(output["shop.template.json"].contains("dualstack.${FrontLoadBalancer.DNSName}"));
    /// ```
    #[track_caller]
    pub fn new(
        record: impl Into<String>,
        zone: &Handle<Zone>,
        primary: impl Into<PrimaryRef>,
        secondary: &Handle<Sorry>,
    ) -> Self {
        Failover {
            record: Some(here(record)),
            zone: Some(zone.to_ref()),
            primary: Some(super::at_caller(primary.into().0)),
            health: None,
            secondary: Some(secondary.to_ref()),
            ttl: None,
        }
    }

    /// `health`: how the primary's health is judged (default
    /// [`Health::Instance`]).
    #[must_use]
    #[track_caller]
    pub fn health(mut self, health: Health) -> Self {
        let (https, path, port) = match health {
            Health::Instance => {
                self.health = Some(Sp::here(WordOr::Word("instance".into())));
                return self;
            }
            Health::Http { path, port } => (false, path, port),
            Health::Https { path, port } => (true, path, port),
        };
        let path = Some(here(path));
        let probe = Probe {
            http: if https { None } else { path.clone() },
            https: if https { path } else { None },
            port: port.map(int),
        };
        self.health = Some(Sp::here(WordOr::Table(probe)));
        self
    }

    /// `ttl`: the TTL of the primary record in seconds (default 60).
    #[must_use]
    #[track_caller]
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.ttl = Some(int(seconds));
        self
    }
}

/// A failover's `primary`: an instance or an ALB.
///
/// [`Failover::new`] takes `impl Into<PrimaryRef>`, so pass `&instance` or
/// `&alb`; no other handle converts into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryRef(Sp<Ref>);

impl From<&Handle<Instance>> for PrimaryRef {
    fn from(handle: &Handle<Instance>) -> Self {
        PrimaryRef(handle.to_ref())
    }
}

impl From<&Handle<Alb>> for PrimaryRef {
    fn from(handle: &Handle<Alb>) -> Self {
        PrimaryRef(handle.to_ref())
    }
}

/// `health` of a failover, for the builder: how Route 53 judges the primary.
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
