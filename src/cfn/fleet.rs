//! Fleets: the shared launch template, one plain instance per client, and
//! the EventBridge Scheduler schedules that start and stop them.

use serde::Serialize;

use super::{
    BlockDeviceMapping, Expr, LaunchTemplateSpec, MetadataOptions, Monitoring, PolicyDocument, Tag,
    TagSpecification,
};

resource_types! {
    FleetLaunchTemplate = "AWS::EC2::LaunchTemplate",
    Ec2Instance = "AWS::EC2::Instance",
    ServiceRole = "AWS::IAM::Role",
    Schedule = "AWS::Scheduler::Schedule",
}

/// `AWS::EC2::LaunchTemplate` shared by every client of a fleet: no
/// instance profile (each client has its own) and no network interface
/// (each instance names its subnet).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleetLaunchTemplate {
    /// The launch template data.
    pub launch_template_data: FleetLaunchTemplateData,
}

/// `LaunchTemplateData` of a fleet.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FleetLaunchTemplateData {
    /// AMI.
    pub image_id: Expr,
    /// Instance type.
    pub instance_type: String,
    /// IMDS settings.
    pub metadata_options: MetadataOptions,
    /// Detailed monitoring.
    pub monitoring: Monitoring,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// Root volume.
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// Tags for volumes.
    pub tag_specifications: Vec<TagSpecification>,
    /// User data.
    pub user_data: Expr,
}

/// `AWS::EC2::Instance` launched from a launch template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ec2Instance {
    /// Launch template.
    pub launch_template: LaunchTemplateSpec,
    /// Subnet.
    pub subnet_id: String,
    /// Instance profile name.
    pub iam_instance_profile: Expr,
    /// Tags (what the user-data reads through IMDS).
    pub tags: Vec<Tag>,
}

/// `AWS::IAM::Role` for a service, with its policy inline.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceRole {
    /// Description.
    pub description: String,
    /// Trust policy.
    pub assume_role_policy_document: PolicyDocument,
    /// Inline policies.
    pub policies: Vec<InlinePolicy>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// An inline role policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// Name (unique per role).
    pub policy_name: String,
    /// The document.
    pub policy_document: PolicyDocument,
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
