//! Amazon CloudWatch: the alarm on an instance group's in-service count that
//! a failover's health check watches.

use serde::Serialize;

use super::Expr;

resource_types! {
    Alarm = "AWS::CloudWatch::Alarm",
}

/// `AWS::CloudWatch::Alarm`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alarm {
    /// Description.
    pub alarm_description: String,
    /// Namespace.
    pub namespace: &'static str,
    /// Metric.
    pub metric_name: &'static str,
    /// Dimensions.
    pub dimensions: Vec<Dimension>,
    /// Statistic.
    pub statistic: &'static str,
    /// Period, seconds.
    pub period: u32,
    /// Evaluation periods.
    pub evaluation_periods: u32,
    /// Threshold.
    pub threshold: u32,
    /// Comparison.
    pub comparison_operator: &'static str,
    /// Missing data handling.
    pub treat_missing_data: &'static str,
    /// Notified on ALARM.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<Expr>,
    /// Notified on OK.
    #[serde(rename = "OKActions", skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<Expr>,
}

/// An alarm dimension.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    /// Name.
    pub name: &'static str,
    /// Value.
    pub value: Expr,
}
