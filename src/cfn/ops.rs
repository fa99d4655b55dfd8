//! Ops automation: the alarm topic, Data Lifecycle Manager policies and SSM
//! State Manager associations.

use serde::Serialize;

use super::{Expr, Tag};

resource_types! {
    Topic = "AWS::SNS::Topic",
    Subscription = "AWS::SNS::Subscription",
    LifecyclePolicy = "AWS::DLM::LifecyclePolicy",
    Association = "AWS::SSM::Association",
}

/// `AWS::SNS::Topic`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    /// Display name (the sender name of e-mail notifications), at most 100 characters.
    pub display_name: String,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `AWS::SNS::Subscription`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    /// The topic.
    pub topic_arn: Expr,
    /// `email`.
    pub protocol: &'static str,
    /// The address.
    pub endpoint: String,
}

/// `AWS::DLM::LifecyclePolicy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecyclePolicy {
    /// Description: at most 500 of `[0-9A-Za-z _-]`.
    pub description: String,
    /// `ENABLED`.
    pub state: &'static str,
    /// The role Data Lifecycle Manager acts as.
    pub execution_role_arn: Expr,
    /// What the policy does.
    pub policy_details: PolicyDetails,
    /// Tags of the policy itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `PolicyDetails` of a custom snapshot or AMI policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDetails {
    /// `IMAGE_MANAGEMENT` or `EBS_SNAPSHOT_MANAGEMENT`.
    pub policy_type: &'static str,
    /// `[INSTANCE]`.
    pub resource_types: Vec<&'static str>,
    /// The tag that selects the instances.
    pub target_tags: Vec<Tag>,
    /// One schedule.
    pub schedules: Vec<LifecycleSchedule>,
    /// AMI policies: reboot behaviour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<PolicyParameters>,
}

/// `Parameters` of an AMI policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyParameters {
    /// Do not reboot instances to take their image.
    pub no_reboot: bool,
}

/// `Schedule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleSchedule {
    /// Schedule name: at most 120 of `[0-9A-Za-z _-]`.
    pub name: String,
    /// When backups are taken.
    pub create_rule: CreateRule,
    /// How many are kept.
    pub retain_rule: RetainRule,
    /// Copy the instance's user tags onto its backups.
    pub copy_tags: bool,
    /// Tags added to every backup.
    pub tags_to_add: Vec<Tag>,
    /// Copies to other regions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cross_region_copy_rules: Vec<CrossRegionCopyRule>,
}

/// `CreateRule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateRule {
    /// Hours between backups: 1, 2, 3, 4, 6, 8, 12 or 24.
    pub interval: u32,
    /// `HOURS`.
    pub interval_unit: &'static str,
    /// The first backup of the day, UTC `HH:MM`.
    pub times: Vec<String>,
}

/// `RetainRule` (count-based).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetainRule {
    /// Generations kept, at most 1000.
    pub count: u32,
}

/// `CrossRegionCopyRule`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CrossRegionCopyRule {
    /// Target region of an AMI policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_region: Option<String>,
    /// Target region of a snapshot policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Encrypt the copies.
    pub encrypted: bool,
    /// Copy the backup's tags onto the copy.
    pub copy_tags: bool,
    /// How long copies are kept.
    pub retain_rule: CrossRegionRetainRule,
}

/// `CrossRegionCopyRetainRule`: an age, not a count.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CrossRegionRetainRule {
    /// How many units.
    pub interval: u32,
    /// `DAYS`.
    pub interval_unit: &'static str,
}

/// `AWS::SSM::Association`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Association {
    /// The SSM document: `AWS-RunShellScript`.
    pub name: &'static str,
    /// Association name, `^[a-zA-Z0-9_\-.]{3,128}$`.
    pub association_name: String,
    /// `cron(...)` or `rate(...)`.
    pub schedule_expression: String,
    /// Run only on the cron schedule, not also when created (cron only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub apply_only_at_cron_interval: bool,
    /// Where it runs.
    pub targets: Vec<AssociationTarget>,
    /// The document's parameters.
    pub parameters: RunShellScriptParameters,
    /// Targets run at once.
    pub max_concurrency: &'static str,
    /// Failed targets before the rest are skipped.
    pub max_errors: &'static str,
    /// Severity of a failed run in Systems Manager Compliance.
    pub compliance_severity: &'static str,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// An association target: `tag:KEY` = values.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociationTarget {
    /// `tag:KEY`.
    pub key: String,
    /// Tag values.
    pub values: Vec<Expr>,
}

/// Parameters of `AWS-RunShellScript` (lower case, as the document names them).
#[derive(Debug, Serialize)]
pub struct RunShellScriptParameters {
    /// The commands, run in one shell script.
    pub commands: Vec<String>,
}
