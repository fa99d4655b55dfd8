//! What we will build: complete, defaults applied, references resolved.
//!
//! A `Model` exists only if `validate` found no error, so everything after
//! this point (synth, emit) cannot fail because of user input. Blocks are kept
//! in `BTreeMap`s keyed by name: output order depends on names only, never on
//! the order in which the TOML file lists them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::naming::Prefix;

/// A block name (`[a-z][a-z0-9-]*`, at most 32 characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Name(pub(crate) String);

impl Name {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated topology.
#[derive(Clone, Debug)]
pub struct Model {
    /// `[stack]`.
    pub stack: Stack,
    /// `[zone.*]`, by name.
    pub zones: BTreeMap<Name, Zone>,
    /// `[instance.*]`, by name.
    pub instances: BTreeMap<Name, Instance>,
    /// `[failover.*]`, by name.
    pub failovers: BTreeMap<Name, Failover>,
    /// `[sorry.*]`, by name.
    pub sorries: BTreeMap<Name, Sorry>,
}

/// The main stack.
#[derive(Clone, Debug)]
pub struct Stack {
    /// Stack name.
    pub name: String,
    /// Region of the main stack.
    pub region: String,
    /// Template description.
    pub description: Option<String>,
    /// Tags for every taggable resource, sorted by key.
    pub tags: BTreeMap<String, String>,
}

/// An existing hosted zone.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Hosted zone id.
    pub id: String,
    /// Domain, lower case, without the trailing dot.
    pub domain: String,
    /// Private hosted zone.
    pub private: bool,
}

/// The image an instance boots.
#[derive(Clone, Debug)]
pub enum Ami {
    /// A literal `ami-…`.
    Id(String),
    /// An SSM public parameter path, resolved at deploy time.
    Ssm(String),
}

/// The instance's Elastic IP.
#[derive(Clone, Debug)]
pub enum Eip {
    /// The template allocates one.
    New,
    /// An existing allocation, with its address when known.
    Existing {
        /// `eipalloc-…`.
        allocation: String,
        /// The public address, when given.
        address: Option<Ipv4Addr>,
    },
    /// No Elastic IP.
    None,
}

/// Business hours, turned into cron fields.
#[derive(Clone, Debug)]
pub struct Hours {
    /// Cron day-of-week field, e.g. `1-5`.
    pub days: String,
    /// Start (hour, minute).
    pub start: (u8, u8),
    /// Stop (hour, minute).
    pub stop: (u8, u8),
    /// IANA time zone.
    pub timezone: String,
}

/// Which of the instance's addresses a record gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpKind {
    /// The public IPv4 address (the Elastic IP once attached).
    Public,
    /// The private IPv4 address.
    Private,
}

impl IpKind {
    /// The word used in tags and in the TOML file.
    pub fn as_str(self) -> &'static str {
        match self {
            IpKind::Public => "public",
            IpKind::Private => "private",
        }
    }
}

/// A record that the instance itself UPSERTs at every boot.
#[derive(Clone, Debug)]
pub struct DnsRegistration {
    /// The zone's id.
    pub zone_id: String,
    /// Record name, lower case, no trailing dot.
    pub record: String,
    /// Which address.
    pub ip: IpKind,
}

/// A failover PRIMARY record that the instance UPSERTs at every boot, because
/// it has no Elastic IP whose address CloudFormation could write.
#[derive(Clone, Debug)]
pub struct OwnedPrimary {
    /// The failover block.
    pub failover: Name,
    /// The zone's id.
    pub zone_id: String,
    /// Record name.
    pub record: String,
    /// SetIdentifier of the PRIMARY record.
    pub set_identifier: String,
    /// TTL.
    pub ttl: u32,
}

/// One auto-healing instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// Image.
    pub ami: Ami,
    /// Instance type.
    pub instance_type: String,
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
    /// Elastic IP.
    pub eip: Eip,
    /// Business hours.
    pub hours: Option<Hours>,
    /// Per-boot DNS registration.
    pub dns: Option<DnsRegistration>,
    /// The failover PRIMARY record this instance owns (`elastic_ip = "none"`).
    pub owned_primary: Option<OwnedPrimary>,
    /// Whether a failover judges this instance by the group's in-service
    /// metric, so the group must collect it.
    pub collects_metrics: bool,
    /// Root volume size, GiB (`None`: the AMI's size).
    pub volume_gb: Option<u32>,
    /// Root device name.
    pub root_device: String,
    /// First-boot setup script text.
    pub setup: Option<String>,
}

/// How a failover judges its primary.
#[derive(Clone, Debug)]
pub enum Health {
    /// The group's `GroupInServiceInstances` metric, through a CloudWatch alarm.
    Instance,
    /// An HTTP(S) probe of the Elastic IP.
    Probe {
        /// HTTPS rather than HTTP.
        https: bool,
        /// Request path.
        path: String,
        /// Port.
        port: u16,
        /// The probed address.
        address: ProbeAddress,
    },
}

/// The address an HTTP(S) health check probes.
#[derive(Clone, Debug)]
pub enum ProbeAddress {
    /// The Elastic IP allocated by the template.
    NewEip,
    /// A known address.
    Known(Ipv4Addr),
}

/// The PRIMARY record's value.
#[derive(Clone, Debug)]
pub enum PrimaryValue {
    /// The Elastic IP allocated by the template.
    NewEip,
    /// A known address.
    Known(Ipv4Addr),
    /// The instance UPSERTs the record itself at every boot.
    OwnedByInstance,
}

/// DNS failover from an instance to a sorry site.
#[derive(Clone, Debug)]
pub struct Failover {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// Record name, lower case, no trailing dot.
    pub record: String,
    /// The zone's id.
    pub zone_id: String,
    /// The primary instance.
    pub primary: Name,
    /// The PRIMARY record's value.
    pub primary_value: PrimaryValue,
    /// Health judgement.
    pub health: Health,
    /// The sorry site.
    pub secondary: Name,
    /// TTL of the PRIMARY record.
    pub ttl: u32,
}

/// The sorry page's content.
#[derive(Clone, Debug)]
pub enum Page {
    /// A user-provided HTML file's text.
    File(String),
    /// The built-in page.
    Builtin {
        /// Title.
        title: String,
        /// Message.
        message: String,
    },
}

/// An IPv4 CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ipv4Net {
    /// Network address (host bits zero).
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub bits: u8,
}

/// The sorry site.
#[derive(Clone, Debug)]
pub struct Sorry {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// ACM certificate ARN (us-east-1).
    pub certificate: String,
    /// The page.
    pub page: Page,
    /// Viewer allow-list (empty: everyone).
    pub allow: Vec<Ipv4Net>,
    /// HTTP status of every response.
    pub status: u16,
    /// Every failover record that points here, sorted.
    pub aliases: Vec<String>,
}
