//! `[instance.NAME]`: one auto-healing instance.

use std::net::Ipv4Addr;

use super::{Hours, Launch, Name};
use crate::naming::{Prefix, parts};

/// One auto-healing instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// What it launches from.
    pub launch: Launch,
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
    /// Root device name, when the topology gives it (`None`: the deploy
    /// plan reads it from the image).
    pub root_device: Option<String>,
    /// First-boot setup script text.
    pub setup: Option<String>,
}

impl Instance {
    /// The record CloudFormation writes: the public address of the Elastic
    /// IP (the template's own, the `address` given, or the one `deploy.sh`
    /// reads for the allocation). A static record is right from the start;
    /// one written at boot could read the address the instance had before
    /// its Elastic IP was attached.
    pub fn static_dns(&self) -> Option<&DnsRegistration> {
        let eip = !matches!(self.eip, Eip::None);
        self.dns.as_ref().filter(|d| eip && d.ip == IpKind::Public)
    }

    /// The record the user-data writes at every boot: a private address, or
    /// a public one only the instance knows.
    pub fn dns_at_boot(&self) -> Option<&DnsRegistration> {
        self.dns.as_ref().filter(|_| self.static_dns().is_none())
    }

    /// Whether the user-data gives the instance its network identity at
    /// boot (attaches the Elastic IP, writes its records): then the instance
    /// is not ready, and must not be in service, until it has.
    pub fn identity_at_boot(&self) -> bool {
        !matches!(self.eip, Eip::None)
            || self.dns_at_boot().is_some()
            || self.owned_primary.is_some()
    }

    /// Whether the group holds its instance back with the launch lifecycle
    /// hook: to give it its identity first, or with `hours`, because every
    /// start from the warm pool passes the hook too (and an instance that
    /// warms up must not take the address or the records of the live one).
    pub fn holds_launches(&self) -> bool {
        self.identity_at_boot() || self.hours.is_some()
    }
}

/// The launch lifecycle hook that holds a new instance out of service until
/// its user-data has attached its Elastic IP and written its records.
pub const READY_HOOK: &str = "topoform-ready";

parts! {
    /// What an `[instance]` produces.
    pub Part {
        /// `AWS::EC2::EIP`.
        Eip = "Eip",
        /// `AWS::IAM::Role`.
        Role = "Role",
        /// `AWS::IAM::Policy`.
        Policy = "Policy",
        /// `AWS::IAM::InstanceProfile`.
        InstanceProfile = "InstanceProfile",
        /// `AWS::EC2::LaunchTemplate`.
        LaunchTemplate = "LaunchTemplate",
        /// `AWS::AutoScaling::AutoScalingGroup`.
        Group = "Group",
        /// The business-hours start action.
        Start = "StartAction",
        /// The business-hours stop action.
        Stop = "StopAction",
        /// With `hours`: the warm pool the instance waits in, stopped, at night.
        WarmPool = "WarmPool",
        /// The AMI parameter, for `ssm:` images.
        ImageId = "ImageId",
        /// The parameter that holds the image's root device name.
        RootDevice = "RootDevice",
        /// The output of the Elastic IP address.
        ElasticIp = "ElasticIp",
        /// The `dns` record of an Elastic IP.
        DnsRecord = "DnsRecord",
        /// The parameter that holds an existing Elastic IP's address.
        ElasticIpAddress = "ElasticIpAddress",
        /// With `notify`: no instance in service while one should be.
        NotServingAlarm = "NotServingAlarm",
        /// With `notify` and `hours`: still running after a scheduled stop.
        NotStoppedAlarm = "NotStoppedAlarm",
        /// With a Slack channel to notify: the group cannot launch or
        /// terminate (instead of the group's own notifications).
        ScalingErrorRule = "ScalingErrorRule",
        /// With `notify`: the instance fails its EC2 status checks.
        StatusCheckAlarm = "StatusCheckAlarm",
    }
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
