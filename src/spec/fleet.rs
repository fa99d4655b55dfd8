//! `[fleet.NAME]`: one instance per client from a golden AMI.

use super::{Body, Field, Handle, Hours, Launch, Ref, Sp, SpList, Table, Zone, bare, extend, push};
use crate::kind::{Kind, slot};

/// The body of a `[fleet.NAME]` block.
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fleet {
    /// `ami`, `type`, `subnets`, `security_groups`.
    pub launch: Launch,
    /// Client ids.
    pub clients: Option<SpList>,
    /// File with one client id a line, relative to the topology file.
    pub clients_file: Option<Sp<String>>,
    /// Tag carrying the client id.
    pub tag: Option<Sp<String>>,
    /// Per-boot private record.
    pub dns: Option<Sp<FleetDns>>,
    /// Parameter names read from SSM.
    pub parameters: Option<SpList>,
    /// First-boot command.
    pub bootstrap: Option<Sp<String>>,
    /// Start/stop schedule.
    pub hours: Option<Sp<Hours>>,
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

impl Body for Fleet {
    const KIND: Kind = Kind::Fleet;
}

impl Fleet {
    /// A fleet of instances from `ami` (`ami-…` or `ssm:/…`) of
    /// `instance_type`. Name its clients with [`Fleet::client`],
    /// [`Fleet::clients`] or [`Fleet::clients_file`].
    pub fn new(ami: impl Into<String>, instance_type: impl Into<String>) -> Self {
        Fleet {
            launch: Launch::new(ami, instance_type),
            ..Fleet::default()
        }
    }

    super::shared::launch_builder!();

    /// Adds one of `clients` (`[a-z0-9-]+`). Call once per client.
    #[must_use]
    pub fn client(mut self, id: impl Into<String>) -> Self {
        push(&mut self.clients, id);
        self
    }

    /// Adds every client of `ids` to `clients`.
    #[must_use]
    pub fn clients<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.clients, ids);
        self
    }

    /// `clients_file`: the path of a file with one client id a line, read
    /// through the `Files` given to the compiler (instead of `clients`).
    #[must_use]
    pub fn clients_file(mut self, path: impl Into<String>) -> Self {
        self.clients_file = Some(bare(path));
        self
    }

    /// `tag`: the tag that carries the client id (default `ClientId`).
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>) -> Self {
        self.tag = Some(bare(key));
        self
    }

    /// `dns`: a private record that each instance registers at every boot.
    #[must_use]
    pub fn dns(mut self, dns: FleetDns) -> Self {
        self.dns = Some(Sp::bare(dns));
        self
    }

    /// Adds one of `parameters`, read at first boot from SSM
    /// `/NAME/{client}/PARAM` and exported to `bootstrap`. Call once per
    /// parameter.
    #[must_use]
    pub fn parameter(mut self, name: impl Into<String>) -> Self {
        push(&mut self.parameters, name);
        self
    }

    /// Adds every name of `names` to `parameters`.
    #[must_use]
    pub fn parameters<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.parameters, names);
        self
    }

    /// `bootstrap`: the command run at first boot.
    #[must_use]
    pub fn bootstrap(mut self, command: impl Into<String>) -> Self {
        self.bootstrap = Some(bare(command));
        self
    }

    /// `hours`: when the instances run.
    #[must_use]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.hours = Some(Sp::bare(hours));
        self
    }
}

/// `dns = { zone, record }` of a fleet: a private A record each instance
/// UPSERTs with its private IP at boot (`ip` is not accepted here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetDns {
    /// The zone.
    pub zone: Option<Sp<Ref>>,
    /// The record pattern, with `{client}`.
    pub record: Option<Sp<String>>,
}

impl FleetDns {
    /// The A record `record` in `zone`; `{client}` in `record` stands for
    /// the client id, e.g. `"{client}.local"`.
    pub fn new(zone: &Handle<Zone>, record: impl Into<String>) -> Self {
        FleetDns {
            zone: Some(zone.to_ref()),
            record: Some(bare(record)),
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
