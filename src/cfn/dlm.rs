//! Amazon Data Lifecycle Manager: the policy of a `[backup]`, which takes and
//! expires AMIs or snapshots of the instances carrying a tag.

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

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

impl Properties for LifecyclePolicy {
    fn resource_type(&self) -> &'static str {
        "AWS::DLM::LifecyclePolicy"
    }

    fn tag_lists(&self) -> Vec<usize> {
        // The policy's own tags only: `TargetTags` and `TagsToAdd` are not
        // tags of a resource.
        tag_list_if_any(&self.tags)
    }
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
