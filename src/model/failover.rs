//! `[failover.NAME]`: DNS failover from an instance or a load balancer to a
//! sorry site.

use std::net::Ipv4Addr;

use super::Name;
use crate::naming::{Prefix, parts};

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

parts! {
    /// What a `[failover]` produces.
    pub Part {
        /// The alarm on the group's in-service metric.
        Alarm = "Alarm",
        /// `AWS::Route53::HealthCheck`.
        HealthCheck = "HealthCheck",
        /// The PRIMARY record.
        PrimaryRecord = "PrimaryRecord",
        /// The SECONDARY record.
        SecondaryRecord = "SecondaryRecord",
    }
}
