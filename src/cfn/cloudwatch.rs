//! Amazon CloudWatch: the alarm on an instance group's in-service count that
//! a failover's health check watches, and the alarms that notify `[stack]
//! notify` of what needs a person.

use serde::Serialize;

use super::Expr;

resource_types! {
    Alarm = "AWS::CloudWatch::Alarm",
}

/// `AWS::CloudWatch::Alarm`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alarm {
    /// Description: the first line of the notification a person reads.
    pub alarm_description: String,
    /// One metric, or an expression over several.
    #[serde(flatten)]
    pub source: AlarmSource,
    /// Periods evaluated.
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

/// What an alarm watches.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AlarmSource {
    /// One metric and a statistic of it.
    #[serde(rename_all = "PascalCase")]
    Metric {
        /// Namespace.
        namespace: &'static str,
        /// Metric.
        metric_name: &'static str,
        /// Dimensions.
        dimensions: Vec<Dimension>,
        /// Statistic.
        statistic: &'static str,
        /// Period, seconds.
        period: u32,
    },
    /// Metric math: the one query with `ReturnData` is the alarm's value.
    Math {
        /// Queries.
        #[serde(rename = "Metrics")]
        metrics: Vec<MetricDataQuery>,
    },
}

/// One query of a metric-math alarm.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQuery {
    /// Id, `^[a-z][a-zA-Z0-9_]*$`, used by expressions.
    pub id: &'static str,
    /// An expression over other queries' ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// A metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// The expression's label in the notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether this query is the alarm's value.
    pub return_data: bool,
}

impl MetricDataQuery {
    /// A metric that an expression reads.
    pub fn metric(id: &'static str, stat: MetricStat) -> Self {
        MetricDataQuery {
            id,
            expression: None,
            metric_stat: Some(stat),
            label: None,
            return_data: false,
        }
    }

    /// The expression that is the alarm's value.
    pub fn value(id: &'static str, expression: String, label: String) -> Self {
        MetricDataQuery {
            id,
            expression: Some(expression),
            metric_stat: None,
            label: Some(label),
            return_data: true,
        }
    }
}

/// `MetricStat`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    /// The metric.
    pub metric: Metric,
    /// Period, seconds.
    pub period: u32,
    /// Statistic.
    pub stat: &'static str,
}

/// `Metric`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// Namespace.
    pub namespace: &'static str,
    /// Metric.
    pub metric_name: &'static str,
    /// Dimensions.
    pub dimensions: Vec<Dimension>,
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
