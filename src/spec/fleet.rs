//! `[fleet.NAME]`: one instance per client from a golden AMI.

use super::{Blank, Body, Field, Handle, Hours, Launch, Ref, Sp, SpList, Table, Zone, here, extend, push};
use crate::kind::{Kind, slot};

/// The body of a `[fleet.NAME]` block.
///
/// ```rust
/// use topoform::builder::{Clients, Fleet, FleetDns, Topology, Zone};
///
/// let mut topo = Topology::new("app-layer", "ap-northeast-1");
/// let local = topo.zone("local", Zone::new("Z0PRIVATELOCAL1", "local").private(true));
/// let app = topo.fleet(
///     "app",
///     Fleet::new(
///         "ami-0123456789abcdef0",
///         "t3.medium",
///         ["subnet-0aaaaaaaaaaaaaaaa"],
///         ["sg-0abcdefabcdefabcd"],
///         Clients::ids(["acme", "globex"]),
///     )
///     .dns(FleetDns::new(&local, "{client}.local"))
///     .parameter("DB_PASSWORD")
///     .bootstrap("/opt/app/bootstrap.sh"),
/// );
/// assert_eq!(app.to_string(), "fleet.app");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fleet {
    /// `ami`, `type`, `subnets`, `security_groups`.
    pub(crate) launch: Launch,
    /// Client ids.
    pub(crate) clients: Option<SpList>,
    /// File with one client id a line, relative to the topology file.
    pub(crate) clients_file: Option<Sp<String>>,
    /// Tag carrying the client id.
    pub(crate) tag: Option<Sp<String>>,
    /// Per-boot private record.
    pub(crate) dns: Option<Sp<FleetDns>>,
    /// Parameter names read from SSM.
    pub(crate) parameters: Option<SpList>,
    /// First-boot command.
    pub(crate) bootstrap: Option<Sp<String>>,
    /// Start/stop schedule.
    pub(crate) hours: Option<Sp<Hours>>,
}

impl Table for Fleet {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        let mut fields = self.launch.fields();
        fields.extend([
            ("clients", Field::List(&mut self.clients)),
            ("clients_file", Field::Text(&mut self.clients_file)),
            ("tag", Field::Text(&mut self.tag)),
            ("dns", Field::Table(&mut self.dns)),
            ("parameters", Field::List(&mut self.parameters)),
            ("bootstrap", Field::Text(&mut self.bootstrap)),
            ("hours", Field::Table(&mut self.hours)),
        ]);
        fields
    }
}

/// The clients of a fleet: `clients` or `clients_file`, one of which the
/// language requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clients(ClientList);

#[derive(Clone, Debug, PartialEq, Eq)]
enum ClientList {
    Ids(Vec<String>),
    File(String),
}

impl Clients {
    /// `clients`: the client ids (`[a-z0-9-]`, 1 to 32 characters).
    pub fn ids<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Self {
        Clients(ClientList::Ids(ids.into_iter().map(Into::into).collect()))
    }

    /// `clients_file`: the path of a file with one client id a line, read
    /// through the `Files` given to the compiler.
    pub fn file(path: impl Into<String>) -> Self {
        Clients(ClientList::File(path.into()))
    }
}

impl Body for Fleet {
    const KIND: Kind = Kind::Fleet;
}

impl Fleet {
    /// A fleet of instances from `ami` (`ami-…` or `ssm:/…`) of
    /// `instance_type`, in `subnets` (one or more; each client goes to one,
    /// chosen from its id) with `security_groups`, one instance per client
    /// of `clients`: the keys the language requires.
    #[track_caller]
    pub fn new<S: Into<String>, G: Into<String>>(
        ami: impl Into<String>,
        instance_type: impl Into<String>,
        subnets: impl IntoIterator<Item = S>,
        security_groups: impl IntoIterator<Item = G>,
        clients: Clients,
    ) -> Self {
        let mut fleet = Fleet {
            launch: Launch::new(ami, instance_type, subnets, security_groups),
            ..Fleet::blank()
        };
        match clients.0 {
            ClientList::Ids(ids) => extend(&mut fleet.clients, ids),
            ClientList::File(path) => fleet.clients_file = Some(here(path)),
        }
        fleet
    }

    /// `tag`: the tag that carries the client id (default `ClientId`).
    #[must_use]
    #[track_caller]
    pub fn tag(mut self, key: impl Into<String>) -> Self {
        self.tag = Some(here(key));
        self
    }

    /// `dns`: a private record that each instance registers at every boot.
    #[must_use]
    #[track_caller]
    pub fn dns(mut self, dns: FleetDns) -> Self {
        self.dns = Some(Sp::here(dns));
        self
    }

    /// Adds one of `parameters`, read at first boot from SSM
    /// `/NAME/{client}/PARAM` and exported to `bootstrap`. Call once per
    /// parameter.
    #[must_use]
    #[track_caller]
    pub fn parameter(mut self, name: impl Into<String>) -> Self {
        push(&mut self.parameters, name);
        self
    }

    /// Adds every name of `names` to `parameters`.
    #[must_use]
    #[track_caller]
    pub fn parameters<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.parameters, names);
        self
    }

    /// `bootstrap`: the command run at first boot.
    #[must_use]
    #[track_caller]
    pub fn bootstrap(mut self, command: impl Into<String>) -> Self {
        self.bootstrap = Some(here(command));
        self
    }

    /// `hours`: when the instances run.
    #[must_use]
    #[track_caller]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.hours = Some(Sp::here(hours));
        self
    }
}

/// `dns = { zone, record }` of a fleet: a private A record each instance
/// UPSERTs with its private IP at boot (`ip` is not accepted here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetDns {
    /// The zone.
    pub(crate) zone: Option<Sp<Ref>>,
    /// The record pattern, with `{client}`.
    pub(crate) record: Option<Sp<String>>,
}

impl FleetDns {
    /// The A record `record` in `zone`; `{client}` in `record` stands for
    /// the client id, e.g. `"{client}.local"`.
    #[track_caller]
    pub fn new(zone: &Handle<Zone>, record: impl Into<String>) -> Self {
        FleetDns {
            zone: Some(zone.to_ref()),
            record: Some(here(record)),
        }
    }
}

impl Table for FleetDns {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("zone", Field::Ref(&mut self.zone, &slot::FLEET_DNS_ZONE)),
            ("record", Field::Text(&mut self.record)),
        ]
    }
}
