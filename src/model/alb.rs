//! `[alb.NAME]`: an internet-facing HTTPS load balancer in front of an
//! instance.

use super::{Ipv4Net, Name};
use crate::naming::{Prefix, parts};

/// An internet-facing HTTPS load balancer in front of an instance.
#[derive(Clone, Debug)]
pub struct Alb {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// The VPC of the subnets (the target group and security groups need
    /// it); `None`: the deploy plan finds it from the subnets.
    pub vpc: Option<String>,
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

parts! {
    /// What an `[alb]` produces.
    pub Part {
        /// The load balancer.
        LoadBalancer = "LoadBalancer",
        /// Its security group.
        LoadBalancerSecurityGroup = "LoadBalancerSecurityGroup",
        /// Its one outbound rule, to the targets.
        LoadBalancerEgress = "LoadBalancerEgress",
        /// The security group its instance joins.
        TargetSecurityGroup = "TargetSecurityGroup",
        /// That group's one inbound rule, from the load balancer.
        TargetIngress = "TargetIngress",
        /// The target group.
        TargetGroup = "TargetGroup",
        /// The HTTPS listener.
        HttpsListener = "HttpsListener",
        /// The redirecting HTTP listener.
        HttpListener = "HttpListener",
        /// The parameter that holds the VPC the deploy plan found.
        Vpc = "Vpc",
        /// The output of the load balancer's DNS name.
        DnsName = "DnsName",
        /// With `notify`: targets the load balancer finds unhealthy.
        UnhealthyAlarm = "UnhealthyAlarm",
    }
}
