//! Elastic Load Balancing v2: an `[alb]`'s internet-facing application load
//! balancer, its target group and its HTTPS and redirecting HTTP listeners.

use serde::Serialize;

use super::{Expr, Properties, Tag};

resource_types! {
    Listener = "AWS::ElasticLoadBalancingV2::Listener",
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

impl Properties for LoadBalancer {
    fn resource_type(&self) -> &'static str {
        "AWS::ElasticLoadBalancingV2::LoadBalancer"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
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
    /// The VPC (a change replaces the target group).
    pub vpc_id: Expr,
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

impl Properties for TargetGroup {
    fn resource_type(&self) -> &'static str {
        "AWS::ElasticLoadBalancingV2::TargetGroup"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
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
