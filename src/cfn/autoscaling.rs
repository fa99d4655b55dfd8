//! Amazon EC2 Auto Scaling: the group of exactly one that keeps an instance
//! running, its rolling-update policy and its business-hours schedule.

use serde::Serialize;

use super::ec2::LaunchTemplateSpec;
use super::{Expr, Properties};

resource_types! {
    ScheduledAction = "AWS::AutoScaling::ScheduledAction",
    WarmPool = "AWS::AutoScaling::WarmPool",
}

/// `AWS::AutoScaling::WarmPool`: where a group's instance waits, stopped,
/// while the group wants none (business hours), instead of being terminated.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WarmPool {
    /// The group.
    pub auto_scaling_group_name: Expr,
    /// Instances the pool keeps at the least.
    pub min_size: u32,
    /// Instances in the group and the pool together, at the most.
    pub max_group_prepared_capacity: u32,
    /// `Stopped`.
    pub pool_state: &'static str,
    /// What a scale-in does with an instance.
    pub instance_reuse_policy: InstanceReusePolicy,
}

/// `InstanceReusePolicy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceReusePolicy {
    /// A scale-in returns the instance to the pool instead of terminating it.
    pub reuse_on_scale_in: bool,
}

/// `AWS::AutoScaling::AutoScalingGroup`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutoScalingGroup {
    /// Group name.
    pub auto_scaling_group_name: Expr,
    /// Minimum size.
    pub min_size: String,
    /// Maximum size.
    pub max_size: String,
    /// Desired capacity (absent when a schedule owns it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_capacity: Option<String>,
    /// Launch template.
    pub launch_template: LaunchTemplateSpec,
    /// Subnets.
    #[serde(rename = "VPCZoneIdentifier")]
    pub vpc_zone_identifier: Vec<String>,
    /// Load balancer target groups the instances register into.
    #[serde(rename = "TargetGroupARNs", skip_serializing_if = "Vec::is_empty")]
    pub target_group_arns: Vec<Expr>,
    /// `EC2`, or `ELB` when a load balancer judges the instance.
    pub health_check_type: &'static str,
    /// Seconds before health checks count.
    pub health_check_grace_period: u32,
    /// Group metrics collected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics_collection: Vec<MetricsCollection>,
    /// Hooks an instance passes before it is in service.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lifecycle_hook_specification_list: Vec<LifecycleHook>,
    /// Group events sent to SNS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notification_configurations: Vec<NotificationConfiguration>,
    /// Tags, propagated to instances.
    pub tags: Vec<AsgTag>,
}

/// `LifecycleHookSpecification`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleHook {
    /// Name, unique in the group.
    pub lifecycle_hook_name: &'static str,
    /// `autoscaling:EC2_INSTANCE_LAUNCHING`.
    pub lifecycle_transition: &'static str,
    /// Seconds the instance has to complete the action.
    pub heartbeat_timeout: u32,
    /// What a timeout means: `ABANDON` terminates the instance.
    pub default_result: &'static str,
}

/// `NotificationConfiguration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NotificationConfiguration {
    /// The topic.
    #[serde(rename = "TopicARN")]
    pub topic_arn: Expr,
    /// e.g. `autoscaling:EC2_INSTANCE_LAUNCH_ERROR`.
    pub notification_types: Vec<&'static str>,
}

impl Properties for AutoScalingGroup {
    fn resource_type(&self) -> &'static str {
        "AWS::AutoScaling::AutoScalingGroup"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
}

/// `MetricsCollection` item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricsCollection {
    /// `1Minute`.
    pub granularity: &'static str,
    /// Metrics.
    pub metrics: Vec<&'static str>,
}

/// An Auto Scaling group tag.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsgTag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Expr,
    /// Copied to instances at launch.
    pub propagate_at_launch: bool,
}

/// `AWS::AutoScaling::ScheduledAction`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledAction {
    /// The group.
    pub auto_scaling_group_name: Expr,
    /// Minimum size.
    pub min_size: u32,
    /// Maximum size.
    pub max_size: u32,
    /// Desired capacity.
    pub desired_capacity: u32,
    /// Cron expression.
    pub recurrence: String,
    /// IANA time zone.
    pub time_zone: String,
}

/// `UpdatePolicy` of an Auto Scaling group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdatePolicy {
    /// Rolling update settings.
    pub auto_scaling_rolling_update: RollingUpdate,
    /// Scheduled-action settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_scaling_scheduled_action: Option<ScheduledActionUpdate>,
}

/// `AutoScalingRollingUpdate`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RollingUpdate {
    /// Instances kept in service during an update.
    pub min_instances_in_service: u32,
    /// Instances replaced at once.
    pub max_batch_size: u32,
}

/// `AutoScalingScheduledAction`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledActionUpdate {
    /// Keep the sizes a scheduled action set.
    pub ignore_unmodified_group_size_properties: bool,
}
