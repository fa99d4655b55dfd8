//! What the user wrote, before it is checked: the common target of both front
//! ends (TOML and the Rust builder).
//!
//! Everything is partial (`Option`), references are still `"kind.name"`
//! strings, and every value keeps the span it came from so that `validate`
//! can point at it. Nothing here is trusted; `validate` turns it into a
//! `model::Model` or into diagnostics.

use crate::source::Span;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    /// The value as written.
    pub value: T,
    /// Where (0..0 when built with the Rust builder API).
    pub span: Span,
}

impl<T> Sp<T> {
    /// `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }

    /// `value` with no source position (builder API).
    pub fn bare(value: T) -> Self {
        Sp {
            value,
            span: Span::default(),
        }
    }
}

/// A list of strings, with the span of the whole list.
pub type SpList = Sp<Vec<Sp<String>>>;

/// A named block: `[instance.web]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block<T> {
    /// The block's name (`web`).
    pub name: Sp<String>,
    /// The span of the whole block (its header, for TOML).
    pub span: Span,
    /// What the block says.
    pub body: T,
}

/// A whole topology as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topology {
    /// `[stack]`; `None` when absent (an error).
    pub stack: Option<Sp<Stack>>,
    /// `[zone.NAME]` blocks.
    pub zones: Vec<Block<Zone>>,
    /// `[instance.NAME]` blocks.
    pub instances: Vec<Block<Instance>>,
    /// `[failover.NAME]` blocks.
    pub failovers: Vec<Block<Failover>>,
    /// `[sorry.NAME]` blocks.
    pub sorries: Vec<Block<Sorry>>,
    /// `[alb.NAME]` blocks.
    pub albs: Vec<Block<Alb>>,
    /// `[fleet.NAME]` blocks.
    pub fleets: Vec<Block<Fleet>>,
    /// `[backup.NAME]` blocks.
    pub backups: Vec<Block<Backup>>,
    /// `[task.NAME]` blocks.
    pub tasks: Vec<Block<Task>>,
}

/// `[stack]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack {
    /// CloudFormation stack name.
    pub name: Option<Sp<String>>,
    /// Region of the main stack.
    pub region: Option<Sp<String>>,
    /// Template description.
    pub description: Option<Sp<String>>,
    /// Tags for every taggable resource.
    pub tags: Vec<(Sp<String>, Sp<String>)>,
    /// E-mail address notified of every alarm.
    pub notify: Option<Sp<String>>,
}

/// `[zone.NAME]`: an existing Route 53 hosted zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Zone {
    /// Hosted zone id (`Z…`).
    pub id: Option<Sp<String>>,
    /// Its domain.
    pub domain: Option<Sp<String>>,
    /// Whether it is a private hosted zone.
    pub private: Option<Sp<bool>>,
}

/// `[instance.NAME]`: one auto-healing instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Instance {
    /// `ami-…` or `ssm:/aws/service/…`.
    pub ami: Option<Sp<String>>,
    /// Instance type.
    pub instance_type: Option<Sp<String>>,
    /// Subnet ids.
    pub subnets: Option<SpList>,
    /// Security group ids.
    pub security_groups: Option<SpList>,
    /// `elastic_ip`.
    pub elastic_ip: Option<Sp<ElasticIp>>,
    /// Business hours.
    pub hours: Option<Sp<Hours>>,
    /// Per-boot DNS registration.
    pub dns: Option<Sp<Dns>>,
    /// Root volume size in GiB.
    pub volume_gb: Option<Sp<i64>>,
    /// Root device name of the AMI (extension; default `/dev/xvda`).
    pub root_device: Option<Sp<String>>,
    /// Path of an extra first-boot script, relative to the topology file.
    pub setup: Option<Sp<String>>,
}

/// `elastic_ip` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElasticIp {
    /// `"new"`, `"none"` or `"eipalloc-…"`.
    Word(String),
    /// `{ allocation = "eipalloc-…", address = "198.51.100.7" }`.
    Existing {
        /// The allocation id.
        allocation: Option<Sp<String>>,
        /// Its public address.
        address: Option<Sp<String>>,
    },
}

/// `hours = { days, start, stop, timezone }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hours {
    /// `MON-FRI`, `SAT,SUN`, …
    pub days: Option<Sp<String>>,
    /// `HH:MM` start.
    pub start: Option<Sp<String>>,
    /// `HH:MM` stop.
    pub stop: Option<Sp<String>>,
    /// IANA time zone.
    pub timezone: Option<Sp<String>>,
}

/// `dns = { zone, record, ip }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dns {
    /// `"zone.NAME"`.
    pub zone: Option<Sp<String>>,
    /// The record name.
    pub record: Option<Sp<String>>,
    /// `"public"` or `"private"`.
    pub ip: Option<Sp<String>>,
}

/// `[failover.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failover {
    /// The record name.
    pub record: Option<Sp<String>>,
    /// `"zone.NAME"`.
    pub zone: Option<Sp<String>>,
    /// `"instance.NAME"`.
    pub primary: Option<Sp<String>>,
    /// How the primary's health is judged.
    pub health: Option<Sp<Health>>,
    /// `"sorry.NAME"`.
    pub secondary: Option<Sp<String>>,
    /// TTL of the primary record.
    pub ttl: Option<Sp<i64>>,
}

/// `health` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// `"instance"` (or any other word: rejected by `validate`).
    Word(String),
    /// `{ http = "/path", port = N }` or `{ https = "/path", port = N }`.
    Probe {
        /// HTTPS rather than HTTP.
        https: bool,
        /// Request path.
        path: Sp<String>,
        /// Port.
        port: Option<Sp<i64>>,
    },
}

/// `[sorry.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sorry {
    /// ACM certificate ARN in us-east-1.
    pub certificate: Option<Sp<String>>,
    /// Path of the page's HTML, relative to the topology file.
    pub page: Option<Sp<String>>,
    /// Built-in page title.
    pub title: Option<Sp<String>>,
    /// Built-in page message.
    pub message: Option<Sp<String>>,
    /// Viewer IP allow-list.
    pub allow: Option<SpList>,
    /// HTTP status of the sorry response.
    pub status: Option<Sp<i64>>,
    /// Access logs of the bucket and the distribution (extension; off by default).
    pub access_logs: Option<Sp<bool>>,
}

/// `[alb.NAME]`: an HTTPS load balancer in front of an instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alb {
    /// VPC id of the subnets (extension: CloudFormation cannot look it up).
    pub vpc: Option<Sp<String>>,
    /// Two or more subnet ids in distinct AZs.
    pub subnets: Option<SpList>,
    /// ACM certificate ARN in the stack's region.
    pub certificate: Option<Sp<String>>,
    /// `"instance.NAME"`.
    pub target: Option<Sp<String>>,
    /// Instance port.
    pub port: Option<Sp<i64>>,
    /// Target group health check path.
    pub health_path: Option<Sp<String>>,
    /// CIDRs allowed to reach 443.
    pub allow: Option<SpList>,
}

/// `[fleet.NAME]`: one instance per client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fleet {
    /// `ami-…` or `ssm:/…`.
    pub ami: Option<Sp<String>>,
    /// Instance type.
    pub instance_type: Option<Sp<String>>,
    /// Subnet ids.
    pub subnets: Option<SpList>,
    /// Security group ids.
    pub security_groups: Option<SpList>,
    /// Client ids.
    pub clients: Option<SpList>,
    /// File with one client id a line, relative to the topology file.
    pub clients_file: Option<Sp<String>>,
    /// Tag carrying the client id.
    pub tag: Option<Sp<String>>,
    /// Per-boot private record (`ip` is not accepted here).
    pub dns: Option<Sp<Dns>>,
    /// Parameter names read from SSM.
    pub parameters: Option<SpList>,
    /// First-boot command.
    pub bootstrap: Option<Sp<String>>,
    /// Start/stop schedule.
    pub hours: Option<Sp<Hours>>,
}

/// `[backup.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backup {
    /// `"instance.NAME"` or `"fleet.NAME"`.
    pub target: Option<Sp<String>>,
    /// `"ami"` or `"snapshot"`.
    pub kind: Option<Sp<String>>,
    /// UTC `HH:MM`.
    pub at: Option<Sp<String>>,
    /// Hours between backups.
    pub every: Option<Sp<i64>>,
    /// Generations kept.
    pub keep: Option<Sp<i64>>,
    /// `{ region, keep }`.
    pub copy_to: Option<Sp<CopyTo>>,
}

/// `copy_to = { region, keep }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyTo {
    /// Target region.
    pub region: Option<Sp<String>>,
    /// Generations kept there.
    pub keep: Option<Sp<i64>>,
}

/// `[task.NAME]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Task {
    /// `"instance.NAME"` or `"fleet.NAME"`.
    pub target: Option<Sp<String>>,
    /// `cron(...)` or `rate(...)`.
    pub schedule: Option<Sp<String>>,
    /// Shell commands.
    pub commands: Option<SpList>,
}
