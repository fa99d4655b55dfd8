//! Instances: Elastic IP, IAM, launch template, Auto Scaling group and its schedule.

use serde::Serialize;

use super::{Expr, PolicyDocument, Tag};

resource_types! {
    Eip = "AWS::EC2::EIP",
    Role = "AWS::IAM::Role",
    Policy = "AWS::IAM::Policy",
    InstanceProfile = "AWS::IAM::InstanceProfile",
    LaunchTemplate = "AWS::EC2::LaunchTemplate",
    AutoScalingGroup = "AWS::AutoScaling::AutoScalingGroup",
    ScheduledAction = "AWS::AutoScaling::ScheduledAction",
}

/// `AWS::EC2::EIP`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Eip {
    /// Always `vpc`.
    pub domain: &'static str,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `AWS::IAM::Role`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Description.
    pub description: String,
    /// Trust policy.
    pub assume_role_policy_document: PolicyDocument,
    /// AWS managed policies.
    pub managed_policy_arns: Vec<Expr>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// `AWS::IAM::Policy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    /// Policy name (unique per role).
    pub policy_name: String,
    /// The document.
    pub policy_document: PolicyDocument,
    /// Roles it is attached to.
    pub roles: Vec<Expr>,
}

/// `AWS::IAM::InstanceProfile`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// Its one role.
    pub roles: Vec<Expr>,
}

/// `AWS::EC2::LaunchTemplate`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplate {
    /// The launch template data.
    pub launch_template_data: LaunchTemplateData,
}

/// `LaunchTemplateData`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    /// AMI.
    pub image_id: Expr,
    /// Instance type.
    pub instance_type: String,
    /// Instance profile.
    pub iam_instance_profile: IamInstanceProfile,
    /// IMDS settings.
    pub metadata_options: MetadataOptions,
    /// Detailed monitoring.
    pub monitoring: Monitoring,
    /// The primary network interface.
    pub network_interfaces: Vec<NetworkInterface>,
    /// Root volume.
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// Tags for launched instances and volumes.
    pub tag_specifications: Vec<TagSpecification>,
    /// User data.
    pub user_data: Expr,
}

/// `IamInstanceProfile`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamInstanceProfile {
    /// Profile ARN.
    pub arn: Expr,
}

/// `MetadataOptions`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetadataOptions {
    /// `enabled`.
    pub http_endpoint: &'static str,
    /// `required`: IMDSv2 only.
    pub http_tokens: &'static str,
    /// 1: tokens cannot leave the instance.
    pub http_put_response_hop_limit: u32,
    /// `enabled`: scripts read their tags from IMDS.
    pub instance_metadata_tags: &'static str,
}

impl MetadataOptions {
    /// IMDSv2 only, tokens that cannot leave the instance (hop limit 1), and
    /// instance tags readable from IMDS: how every generated script gets
    /// its deploy-time values.
    pub fn imdsv2_with_tags() -> MetadataOptions {
        MetadataOptions {
            http_endpoint: "enabled",
            http_tokens: "required",
            http_put_response_hop_limit: 1,
            instance_metadata_tags: "enabled",
        }
    }
}

/// `Monitoring`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Monitoring {
    /// Detailed (1-minute) monitoring.
    pub enabled: bool,
}

/// `NetworkInterfaces` item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterface {
    /// 0.
    pub device_index: u32,
    /// Public IP at launch.
    pub associate_public_ip_address: bool,
    /// Security groups: the user's, then those topoform adds.
    pub groups: Vec<Expr>,
    /// Deleted with the instance.
    pub delete_on_termination: bool,
}

/// `BlockDeviceMappings` item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlockDeviceMapping {
    /// Device name.
    pub device_name: String,
    /// EBS settings.
    pub ebs: Ebs,
}

/// `Ebs`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ebs {
    /// `gp3`.
    pub volume_type: &'static str,
    /// Size in GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u32>,
    /// Always true.
    pub encrypted: bool,
    /// Deleted with the instance.
    pub delete_on_termination: bool,
}

/// `TagSpecifications` item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagSpecification {
    /// `instance` or `volume`.
    pub resource_type: &'static str,
    /// Tags.
    pub tags: Vec<Tag>,
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
    /// Tags, propagated to instances.
    pub tags: Vec<AsgTag>,
}

/// `LaunchTemplate` of a group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateSpec {
    /// Template id.
    pub launch_template_id: Expr,
    /// Version.
    pub version: Expr,
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
