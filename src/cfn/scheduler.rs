//! Amazon EventBridge Scheduler: the schedules that start and stop a fleet's
//! instances through universal EC2 targets, with no Lambda.

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

resource_types! {
    Schedule = "AWS::Scheduler::Schedule",
}

/// `AWS::Scheduler::ScheduleGroup`: its name (the `Ref`) is the one
/// dimension of the scheduler's metrics, so a group per fleet makes its
/// failures an alarm of its own.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleGroup {
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for ScheduleGroup {
    fn resource_type(&self) -> &'static str {
        "AWS::Scheduler::ScheduleGroup"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}

/// `AWS::Scheduler::Schedule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Schedule {
    /// Description.
    pub description: String,
    /// `cron(...)`.
    pub schedule_expression: String,
    /// IANA time zone of the expression.
    pub schedule_expression_timezone: String,
    /// `OFF`: exactly on time.
    pub flexible_time_window: FlexibleTimeWindow,
    /// `ENABLED`.
    pub state: &'static str,
    /// Its group (the default group when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<Expr>,
    /// What it calls.
    pub target: ScheduleTarget,
}

/// `FlexibleTimeWindow`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlexibleTimeWindow {
    /// `OFF`.
    pub mode: &'static str,
}

/// A schedule's target: a universal target calls one API action.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleTarget {
    /// `arn:PARTITION:scheduler:::aws-sdk:SERVICE:ACTION`.
    pub arn: Expr,
    /// The role the scheduler assumes.
    pub role_arn: Expr,
    /// The request, as JSON.
    pub input: Expr,
    /// Retries.
    pub retry_policy: RetryPolicy,
    /// Where a call that failed for good goes, with its error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
}

/// `DeadLetterConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// The queue's ARN.
    pub arn: Expr,
}

/// `RetryPolicy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    /// Give up after this many seconds.
    pub maximum_event_age_in_seconds: u32,
    /// Give up after this many retries.
    pub maximum_retry_attempts: u32,
}
