//! Load balancers: security groups and their rules, the application load
//! balancer, its target group and listeners.

use serde::Serialize;

use super::{Expr, Tag};

resource_types! {
    SecurityGroup = "AWS::EC2::SecurityGroup",
    SecurityGroupIngress = "AWS::EC2::SecurityGroupIngress",
    SecurityGroupEgress = "AWS::EC2::SecurityGroupEgress",
    LoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer",
    TargetGroup = "AWS::ElasticLoadBalancingV2::TargetGroup",
    Listener = "AWS::ElasticLoadBalancingV2::Listener",
}

/// `AWS::EC2::SecurityGroup`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// Description.
    pub group_description: String,
    /// The VPC.
    pub vpc_id: String,
    /// Inbound rules from CIDR blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_group_ingress: Vec<CidrRule>,
    /// Outbound rules. Setting any removes the default allow-all rule.
    pub security_group_egress: Vec<CidrRule>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// An inline security group rule for a CIDR block.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrRule {
    /// `tcp` or `icmp`.
    pub ip_protocol: &'static str,
    /// First port (ICMP: type).
    pub from_port: u16,
    /// Last port (ICMP: code).
    pub to_port: u16,
    /// The CIDR block.
    pub cidr_ip: String,
    /// What the rule is for.
    pub description: String,
}

/// `AWS::EC2::SecurityGroupIngress` from another security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIngress {
    /// The group the rule belongs to.
    pub group_id: Expr,
    /// `tcp`.
    pub ip_protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The group allowed in.
    pub source_security_group_id: Expr,
    /// What the rule is for.
    pub description: String,
}

/// `AWS::EC2::SecurityGroupEgress` toward another security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupEgress {
    /// The group the rule belongs to.
    pub group_id: Expr,
    /// `tcp`.
    pub ip_protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The group allowed out to.
    pub destination_security_group_id: Expr,
    /// What the rule is for.
    pub description: String,
}

/// `AWS::ElasticLoadBalancingV2::LoadBalancer`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    /// `application`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// `internet-facing`.
    pub scheme: &'static str,
    /// `ipv4`.
    pub ip_address_type: &'static str,
    /// Subnets, in two or more AZs.
    pub subnets: Vec<String>,
    /// Security groups.
    pub security_groups: Vec<Expr>,
    /// Attributes.
    pub load_balancer_attributes: Vec<Attribute>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A load balancer or target group attribute.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    /// Key.
    pub key: &'static str,
    /// Value.
    pub value: String,
}

/// `AWS::ElasticLoadBalancingV2::TargetGroup`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    /// `instance`.
    pub target_type: &'static str,
    /// Instance port.
    pub port: u16,
    /// `HTTP`.
    pub protocol: &'static str,
    /// The VPC.
    pub vpc_id: String,
    /// Always true.
    pub health_check_enabled: bool,
    /// `HTTP`.
    pub health_check_protocol: &'static str,
    /// Request path.
    pub health_check_path: String,
    /// Seconds between checks.
    pub health_check_interval_seconds: u32,
    /// Seconds before a check fails.
    pub health_check_timeout_seconds: u32,
    /// Successes before healthy.
    pub healthy_threshold_count: u32,
    /// Failures before unhealthy.
    pub unhealthy_threshold_count: u32,
    /// Healthy status codes.
    pub matcher: Matcher,
    /// Attributes.
    pub target_group_attributes: Vec<Attribute>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `Matcher`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Matcher {
    /// e.g. `200-399`.
    pub http_code: &'static str,
}

/// `AWS::ElasticLoadBalancingV2::Listener`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    /// The load balancer.
    pub load_balancer_arn: Expr,
    /// 443 or 80.
    pub port: u16,
    /// `HTTPS` or `HTTP`.
    pub protocol: &'static str,
    /// TLS policy (HTTPS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<&'static str>,
    /// Server certificate (HTTPS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<ListenerCertificate>,
    /// What the listener does.
    pub default_actions: Vec<Action>,
}

/// A listener's certificate.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListenerCertificate {
    /// ACM certificate ARN.
    pub certificate_arn: String,
}

/// A listener action.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Action {
    /// `forward` or `redirect`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Target group (forward).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<Expr>,
    /// Redirect (redirect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_config: Option<RedirectConfig>,
}

/// `RedirectConfig`: host, path and query are kept.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RedirectConfig {
    /// `HTTPS`.
    pub protocol: &'static str,
    /// `443`.
    pub port: &'static str,
    /// `HTTP_301`.
    pub status_code: &'static str,
}
