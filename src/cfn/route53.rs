//! Amazon Route 53: the health check and the PRIMARY / SECONDARY record pair
//! of a failover.

use serde::Serialize;

use super::{Expr, Properties, Tag};

resource_types! {
    RecordSet = "AWS::Route53::RecordSet",
}

/// `AWS::Route53::HealthCheck`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheck {
    /// The check.
    pub health_check_config: HealthCheckConfig,
    /// Tags.
    pub health_check_tags: Vec<Tag>,
}

impl Properties for HealthCheck {
    fn resource_type(&self) -> &'static str {
        "AWS::Route53::HealthCheck"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.health_check_tags.len()]
    }
}

/// `HealthCheckConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheckConfig {
    /// `CLOUDWATCH_METRIC`, `HTTP` or `HTTPS`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// The alarm (CLOUDWATCH_METRIC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_identifier: Option<AlarmIdentifier>,
    /// Status while the alarm has no data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insufficient_data_health_status: Option<&'static str>,
    /// Probed address.
    #[serde(rename = "IPAddress", skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<Expr>,
    /// Probed port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Probed path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_path: Option<String>,
    /// Host header and SNI name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fully_qualified_domain_name: Option<String>,
    /// Send SNI (HTTPS).
    #[serde(rename = "EnableSNI", skip_serializing_if = "Option::is_none")]
    pub enable_sni: Option<bool>,
    /// Seconds between probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_interval: Option<u32>,
    /// Failures before unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
}

/// `AlarmIdentifier`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmIdentifier {
    /// Alarm name.
    pub name: Expr,
    /// Alarm region.
    pub region: Expr,
}

/// `AWS::Route53::RecordSet`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    /// Zone.
    pub hosted_zone_id: String,
    /// Name.
    pub name: String,
    /// `A`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Failover routing id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_identifier: Option<String>,
    /// `PRIMARY` or `SECONDARY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<&'static str>,
    /// TTL (non-alias).
    #[serde(rename = "TTL", skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// Values (non-alias).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_records: Vec<Expr>,
    /// Health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_id: Option<Expr>,
    /// Alias target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_target: Option<AliasTarget>,
}

/// `AliasTarget`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasTarget {
    /// Target DNS name.
    #[serde(rename = "DNSName")]
    pub dns_name: Expr,
    /// Target's hosted zone.
    pub hosted_zone_id: Expr,
    /// Whether the target's health counts.
    pub evaluate_target_health: bool,
}
