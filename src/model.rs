//! What we will build: complete, defaults applied, references resolved.
//!
//! A `Model` exists only if `validate` found no error, so everything after
//! this point (synth, emit) cannot fail because of user input. Blocks are kept
//! in `BTreeMap`s keyed by name: output order depends on names only, never on
//! the order in which the TOML file lists them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::kind::{Kind, for_each_block_kind};
use crate::naming::{Prefix, Registry};
use crate::source::Span;

/// The line that ends a `setup` script embedded in user-data as a quoted
/// heredoc: validation refuses a script that contains it.
pub const SETUP_DELIMITER: &str = "TOPOFORM_SETUP_EOF";

macro_rules! by_kind {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        impl Model {
            /// Whether the model holds the block `name` of `kind`.
            pub fn contains(&self, kind: Kind, name: &str) -> bool {
                let name = Name(name.to_string());
                match kind {
                    Kind::Stack => true,
                    $(Kind::$variant => self.$field.contains_key(&name),)*
                }
            }

            /// Leaves the block `name` of `kind` out of the model.
            pub(crate) fn remove(&mut self, kind: Kind, name: &str) {
                let name = Name(name.to_string());
                match kind {
                    Kind::Stack => {}
                    $(Kind::$variant => {
                        self.$field.remove(&name);
                    })*
                }
            }
        }
    };
}
for_each_block_kind!(by_kind);

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
#[derive(Debug, Default)]
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
    /// `[alb.*]`, by name.
    pub albs: BTreeMap<Name, Alb>,
    /// `[fleet.*]`, by name.
    pub fleets: BTreeMap<Name, Fleet>,
    /// `[backup.*]`, by name.
    pub backups: BTreeMap<Name, Backup>,
    /// `[task.*]`, by name.
    pub tasks: BTreeMap<Name, Task>,
    /// Where things were written, for the diagnostics of checks made on the
    /// rendered output (AWS quotas).
    pub origins: Origins,
}

/// Source positions kept past validation.
#[derive(Debug, Default)]
pub struct Origins {
    /// The `[stack]` header.
    pub stack: Span,
    /// Every logical ID a block derives, with that block.
    pub ids: Registry,
}

/// The main stack.
#[derive(Clone, Debug, Default)]
pub struct Stack {
    /// Stack name.
    pub name: String,
    /// Region of the main stack.
    pub region: String,
    /// Template description.
    pub description: Option<String>,
    /// Tags for every taggable resource, sorted by key.
    pub tags: BTreeMap<String, String>,
    /// E-mail address that every alarm notifies (through one SNS topic).
    pub notify: Option<String>,
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

/// Business hours.
#[derive(Clone, Debug)]
pub struct Hours {
    /// Day ranges, inclusive, 0 = Sunday … 6 = Saturday, e.g. `[(1, 5)]`.
    pub days: Vec<(u8, u8)>,
    /// Start (hour, minute).
    pub start: (u8, u8),
    /// Stop (hour, minute).
    pub stop: (u8, u8),
    /// IANA time zone.
    pub timezone: String,
}

/// The days of the week, Sunday first, as cron and the language name them.
pub const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Hours {
    /// The day-of-week field of a Unix cron expression (Auto Scaling), e.g. `1-5`.
    pub fn unix_days(&self) -> String {
        self.days_with(|d| d.to_string())
    }

    /// The day-of-week field with names (EventBridge), e.g. `MON-FRI`.
    pub fn named_days(&self) -> String {
        self.days_with(|d| DAY_NAMES[usize::from(d)].to_string())
    }

    fn days_with(&self, name: impl Fn(u8) -> String) -> String {
        let fields: Vec<String> = self
            .days
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    name(a)
                } else {
                    format!("{}-{}", name(a), name(b))
                }
            })
            .collect();
        fields.join(",")
    }
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
    /// The load balancers whose target group this instance's group joins.
    pub albs: Vec<Name>,
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

/// The primary side of a failover.
#[derive(Clone, Debug)]
pub enum Primary {
    /// An instance's address, judged by a Route 53 health check.
    Instance {
        /// The instance.
        name: Name,
        /// The PRIMARY record's value.
        value: PrimaryValue,
        /// Health judgement.
        health: Health,
    },
    /// An alias to a load balancer, judged by its target health.
    Alb(Name),
}

/// DNS failover from an instance or a load balancer to a sorry site.
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
    /// What the PRIMARY record points at.
    pub primary: Primary,
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

impl Ipv4Net {
    /// `0.0.0.0/0`.
    pub const ANYWHERE: Ipv4Net = Ipv4Net {
        addr: Ipv4Addr::UNSPECIFIED,
        bits: 0,
    };

    /// The network mask, e.g. `0xffffff00` for a /24.
    pub fn mask(self) -> u32 {
        u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0)
    }
}

/// A sorry site's certificate.
#[derive(Clone, Debug)]
pub enum Certificate {
    /// An existing ACM certificate in us-east-1.
    Arn(String),
    /// Created and DNS-validated by the us-east-1 edge stack, for every alias.
    New {
        /// Hosted zone id per alias, for DNS validation, sorted by alias.
        validation: Vec<(String, String)>,
    },
}

/// The sorry site.
#[derive(Clone, Debug)]
pub struct Sorry {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// The distribution's certificate.
    pub certificate: Certificate,
    /// The page.
    pub page: Page,
    /// Viewer allow-list (empty: everyone).
    pub allow: Vec<Ipv4Net>,
    /// HTTP status of every response.
    pub status: u16,
    /// Every failover record that points here, sorted.
    pub aliases: Vec<String>,
    /// Keep S3 and CloudFront access logs (90 days) in a log bucket.
    pub access_logs: bool,
}

/// An internet-facing HTTPS load balancer in front of an instance.
#[derive(Clone, Debug)]
pub struct Alb {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// The VPC of the subnets (the target group and security groups need it).
    pub vpc: String,
    /// Two or more subnets in distinct AZs.
    pub subnets: Vec<String>,
    /// ACM certificate ARN in the stack's region.
    pub certificate: String,
    /// The instance whose group registers into the target group.
    pub target: Name,
    /// Instance port.
    pub port: u16,
    /// Target group health check path.
    pub health_path: String,
    /// CIDRs allowed to reach 443 (and 80, which redirects).
    pub allow: Vec<Ipv4Net>,
}

/// One client of a fleet.
#[derive(Clone, Debug)]
pub struct Client {
    /// Client id (`[a-z0-9-]+`).
    pub id: String,
    /// Logical ID prefix of the client's resources (fleet + client).
    pub prefix: Prefix,
    /// The subnet this client's instance runs in (round-robin over the fleet's).
    pub subnet: String,
    /// The client's private record, `{client}` substituted.
    pub record: Option<String>,
}

/// One instance per client from a golden AMI.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix of the shared resources.
    pub prefix: Prefix,
    /// Image.
    pub ami: Ami,
    /// Instance type.
    pub instance_type: String,
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
    /// The clients, sorted by id.
    pub clients: Vec<Client>,
    /// The tag that carries the client id.
    pub tag: String,
    /// Hosted zone id of the clients' private records.
    pub dns_zone_id: Option<String>,
    /// Parameter names read from SSM `/FLEET/CLIENT/PARAM` at first boot.
    pub parameters: Vec<String>,
    /// The first-boot command, as words.
    pub bootstrap: Option<Vec<String>>,
    /// Start/stop schedule.
    pub hours: Option<Hours>,
}

/// What a backup or task applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An `[instance]`.
    Instance(Name),
    /// Every instance of a `[fleet]`.
    Fleet(Name),
}

/// AMIs or snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// AMIs (IMAGE_MANAGEMENT); expired AMIs are deregistered with their snapshots.
    Ami,
    /// EBS snapshots of every volume (EBS_SNAPSHOT_MANAGEMENT).
    Snapshot,
}

/// A copy of each backup to another region.
#[derive(Clone, Debug)]
pub struct CopyTo {
    /// Target region.
    pub region: String,
    /// Generations kept there.
    pub keep: u32,
}

/// A Data Lifecycle Manager policy.
#[derive(Clone, Debug)]
pub struct Backup {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// What is backed up.
    pub target: Target,
    /// AMIs or snapshots.
    pub kind: BackupKind,
    /// First backup of the day, UTC (hour, minute).
    pub at: (u8, u8),
    /// Hours between backups: 1, 2, 3, 4, 6, 8, 12 or 24.
    pub every: u32,
    /// Generations kept.
    pub keep: u32,
    /// Cross-region copy.
    pub copy_to: Option<CopyTo>,
}

/// A scheduled shell command run by SSM State Manager.
#[derive(Clone, Debug)]
pub struct Task {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// Where it runs.
    pub target: Target,
    /// `cron(...)` or `rate(...)`.
    pub schedule: String,
    /// Commands for AWS-RunShellScript.
    pub commands: Vec<String>,
}
