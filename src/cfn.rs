//! A typed CloudFormation document and its intrinsic functions.
//!
//! Every resource that topoform emits has a property struct here, serialized
//! with serde: field order is declaration order, maps are `BTreeMap`s, and so
//! the JSON is deterministic by construction. No JSON is ever built from text.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::naming::LogicalId;

/// A whole template.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    /// Always `2010-09-09`.
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Template-level metadata.
    pub metadata: TemplateMetadata,
    /// Parameters.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<LogicalId, Parameter>,
    /// Resources.
    pub resources: BTreeMap<LogicalId, Resource>,
    /// Outputs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<LogicalId, Output>,
}

/// What topoform records about a template, for reviewers and tools.
#[derive(Debug, Serialize)]
pub struct TemplateMetadata {
    /// Generator information.
    pub topoform: TopoformMetadata,
}

/// The `Metadata.topoform` block.
#[derive(Debug, Serialize)]
pub struct TopoformMetadata {
    /// A warning not to edit by hand.
    pub generated: &'static str,
    /// The region the template is meant for.
    pub region: String,
    /// Hosted zones the template writes into: id → domain.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub zones: BTreeMap<String, String>,
}

/// A template parameter.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// Parameter type.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Description.
    pub description: String,
}

/// A template output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    /// Description.
    pub description: String,
    /// Value.
    pub value: Expr,
}

/// A pseudo parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::Partition`.
    Partition,
    /// `AWS::Region`.
    Region,
    /// `AWS::StackName`.
    StackName,
}

impl Pseudo {
    fn as_str(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackName => "AWS::StackName",
        }
    }
}

/// A value: a literal or an intrinsic function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A literal string.
    Str(String),
    /// `{"Ref": id}`.
    Ref(LogicalId),
    /// `{"Ref": "AWS::…"}`.
    Pseudo(Pseudo),
    /// `{"Fn::GetAtt": [id, attribute]}`.
    GetAtt(LogicalId, &'static str),
    /// `{"Fn::Sub": "…"}`, assembled from typed parts.
    Sub(Vec<SubPart>),
    /// `{"Fn::Base64": …}`.
    Base64(Box<Expr>),
}

/// A piece of an `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPart {
    /// Literal text (`${` is escaped as `${!`).
    Lit(String),
    /// `${AWS::…}`.
    Pseudo(Pseudo),
    /// `${Id}`.
    Ref(LogicalId),
    /// `${Id.Attribute}`.
    Attr(LogicalId, &'static str),
}

impl Expr {
    /// A literal.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    /// Starts an `Fn::Sub`.
    pub fn sub() -> SubBuilder {
        SubBuilder(Vec::new())
    }

    /// The logical IDs this value refers to.
    pub fn refs(&self) -> Vec<&LogicalId> {
        match self {
            Expr::Str(_) | Expr::Pseudo(_) => Vec::new(),
            Expr::Ref(id) | Expr::GetAtt(id, _) => vec![id],
            Expr::Sub(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    SubPart::Ref(id) | SubPart::Attr(id, _) => Some(id),
                    SubPart::Lit(_) | SubPart::Pseudo(_) => None,
                })
                .collect(),
            Expr::Base64(e) => e.refs(),
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Expr {
        Expr::Str(s.to_string())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Expr {
        Expr::Str(s)
    }
}

/// Builds an `Fn::Sub` from parts.
#[derive(Debug)]
pub struct SubBuilder(Vec<SubPart>);

impl SubBuilder {
    /// Literal text.
    #[must_use]
    pub fn lit(mut self, s: &str) -> Self {
        self.0.push(SubPart::Lit(s.to_string()));
        self
    }
    /// A pseudo parameter.
    #[must_use]
    pub fn pseudo(mut self, p: Pseudo) -> Self {
        self.0.push(SubPart::Pseudo(p));
        self
    }
    /// A resource's `Ref`.
    #[must_use]
    pub fn reference(mut self, id: &LogicalId) -> Self {
        self.0.push(SubPart::Ref(id.clone()));
        self
    }
    /// A resource attribute.
    #[must_use]
    pub fn attr(mut self, id: &LogicalId, attr: &'static str) -> Self {
        self.0.push(SubPart::Attr(id.clone(), attr));
        self
    }
    /// The finished expression.
    pub fn build(self) -> Expr {
        Expr::Sub(self.0)
    }
}

fn single<S: Serializer, V: Serialize + ?Sized>(
    s: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(key, value)?;
    m.end()
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Str(v) => s.serialize_str(v),
            Expr::Ref(id) => single(s, "Ref", id),
            Expr::Pseudo(p) => single(s, "Ref", p.as_str()),
            Expr::GetAtt(id, attr) => single(s, "Fn::GetAtt", &GetAtt(id, attr)),
            Expr::Sub(parts) => {
                let mut text = String::new();
                for p in parts {
                    match p {
                        SubPart::Lit(l) => text.push_str(&l.replace("${", "${!")),
                        SubPart::Pseudo(p) => {
                            text.push_str("${");
                            text.push_str(p.as_str());
                            text.push('}');
                        }
                        SubPart::Ref(id) => {
                            text.push_str("${");
                            text.push_str(id.as_str());
                            text.push('}');
                        }
                        SubPart::Attr(id, attr) => {
                            text.push_str("${");
                            text.push_str(id.as_str());
                            text.push('.');
                            text.push_str(attr);
                            text.push('}');
                        }
                    }
                }
                single(s, "Fn::Sub", &text)
            }
            Expr::Base64(e) => single(s, "Fn::Base64", e),
        }
    }
}

struct GetAtt<'a>(&'a LogicalId, &'a str);

impl Serialize for GetAtt<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(self.0)?;
        seq.serialize_element(self.1)?;
        seq.end()
    }
}

/// One resource.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// The resource type, e.g. `AWS::EC2::EIP`.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Resource metadata (checkov suppressions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ResourceMetadata>,
    /// Explicit dependencies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<LogicalId>,
    /// Deletion policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<&'static str>,
    /// Update-replace policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<&'static str>,
    /// Update policy (Auto Scaling groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_policy: Option<UpdatePolicy>,
    /// Properties.
    pub properties: Props,
}

impl Resource {
    /// A resource with these properties and nothing else.
    pub fn new(properties: impl Into<Props>) -> Resource {
        let properties = properties.into();
        Resource {
            kind: properties.kind(),
            metadata: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            update_policy: None,
            properties,
        }
    }

    /// Adds a checkov suppression with its reason.
    #[must_use]
    pub fn skip_check(mut self, id: &'static str, comment: &'static str) -> Resource {
        self.metadata
            .get_or_insert_with(|| ResourceMetadata {
                checkov: Checkov { skip: Vec::new() },
            })
            .checkov
            .skip
            .push(CheckovSkip { id, comment });
        self
    }

    /// Adds a dependency.
    #[must_use]
    pub fn depends_on(mut self, id: &LogicalId) -> Resource {
        self.depends_on.push(id.clone());
        self
    }
}

/// Resource metadata.
#[derive(Debug, Serialize)]
pub struct ResourceMetadata {
    /// checkov suppressions.
    pub checkov: Checkov,
}

/// checkov's `skip` list.
#[derive(Debug, Serialize)]
pub struct Checkov {
    /// Suppressed checks.
    pub skip: Vec<CheckovSkip>,
}

/// One suppressed checkov check, with the reason a reviewer reads.
#[derive(Debug, Serialize)]
pub struct CheckovSkip {
    /// Check id, e.g. `CKV_AWS_18`.
    pub id: &'static str,
    /// Why it does not apply.
    pub comment: &'static str,
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

/// A resource tag.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Expr,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<String>, value: impl Into<Expr>) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// An IAM policy document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always `2012-10-17`.
    pub version: &'static str,
    /// Statements.
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// A document with these statements.
    pub fn new(statement: Vec<Statement>) -> PolicyDocument {
        PolicyDocument {
            version: "2012-10-17",
            statement,
        }
    }
}

/// Allow or Deny.
#[derive(Clone, Copy, Debug, Serialize)]
pub enum Effect {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// A statement's principal.
#[derive(Debug)]
pub enum Principal {
    /// `{"Service": "…"}`.
    Service(&'static str),
    /// `"*"`.
    Anyone,
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Principal::Service(svc) => single(s, "Service", svc),
            Principal::Anyone => s.serialize_str("*"),
        }
    }
}

/// Condition operator → key → values.
pub type Condition = BTreeMap<&'static str, BTreeMap<&'static str, Vec<Expr>>>;

/// One policy statement.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// Statement id, saying what it is for.
    pub sid: String,
    /// Effect.
    pub effect: Effect,
    /// Principal (resource policies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// Actions (never a wildcard in an Allow).
    pub action: Vec<&'static str>,
    /// Resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<Expr>,
    /// Conditions.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: Condition,
}

macro_rules! props {
    ($($variant:ident($ty:ident) = $name:literal,)*) => {
        /// The properties of every resource type topoform emits.
        #[derive(Debug, Serialize)]
        #[serde(untagged)]
        pub enum Props {
            $(
                #[doc = $name]
                $variant($ty),
            )*
        }

        impl Props {
            /// The CloudFormation resource type.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Props::$variant(_) => $name,)*
                }
            }
        }

        $(
            impl From<$ty> for Props {
                fn from(p: $ty) -> Props {
                    Props::$variant(p)
                }
            }
        )*
    };
}

props! {
    Eip(Eip) = "AWS::EC2::EIP",
    Role(Role) = "AWS::IAM::Role",
    Policy(Policy) = "AWS::IAM::Policy",
    InstanceProfile(InstanceProfile) = "AWS::IAM::InstanceProfile",
    LaunchTemplate(LaunchTemplate) = "AWS::EC2::LaunchTemplate",
    AutoScalingGroup(AutoScalingGroup) = "AWS::AutoScaling::AutoScalingGroup",
    ScheduledAction(ScheduledAction) = "AWS::AutoScaling::ScheduledAction",
    Alarm(Alarm) = "AWS::CloudWatch::Alarm",
    HealthCheck(HealthCheck) = "AWS::Route53::HealthCheck",
    RecordSet(RecordSet) = "AWS::Route53::RecordSet",
    Bucket(Bucket) = "AWS::S3::Bucket",
    BucketPolicy(BucketPolicy) = "AWS::S3::BucketPolicy",
    OriginAccessControl(OriginAccessControl) = "AWS::CloudFront::OriginAccessControl",
    Function(Function) = "AWS::CloudFront::Function",
    Distribution(Distribution) = "AWS::CloudFront::Distribution",
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
    /// Security groups.
    pub groups: Vec<String>,
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
    /// `EC2`.
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

/// `AWS::Route53::HealthCheck`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheck {
    /// The check.
    pub health_check_config: HealthCheckConfig,
    /// Tags.
    pub health_check_tags: Vec<Tag>,
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
    pub set_identifier: String,
    /// `PRIMARY` or `SECONDARY`.
    pub failover: &'static str,
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
    pub hosted_zone_id: &'static str,
    /// Whether the target's health counts.
    pub evaluate_target_health: bool,
}

/// `AWS::S3::Bucket`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    /// Public access block.
    pub public_access_block_configuration: PublicAccessBlock,
    /// Ownership.
    pub ownership_controls: OwnershipControls,
    /// Default encryption.
    pub bucket_encryption: BucketEncryption,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `PublicAccessBlockConfiguration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    /// true.
    pub block_public_acls: bool,
    /// true.
    pub block_public_policy: bool,
    /// true.
    pub ignore_public_acls: bool,
    /// true.
    pub restrict_public_buckets: bool,
}

/// `OwnershipControls`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControls {
    /// Rules.
    pub rules: Vec<OwnershipRule>,
}

/// An ownership rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipRule {
    /// `BucketOwnerEnforced`.
    pub object_ownership: &'static str,
}

/// `BucketEncryption`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEncryption {
    /// Rules.
    pub server_side_encryption_configuration: Vec<EncryptionRule>,
}

/// An encryption rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionRule {
    /// Default.
    pub server_side_encryption_by_default: EncryptionDefault,
}

/// `ServerSideEncryptionByDefault`.
#[derive(Debug, Serialize)]
pub struct EncryptionDefault {
    /// `AES256`.
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: &'static str,
}

/// `AWS::S3::BucketPolicy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    /// Bucket.
    pub bucket: Expr,
    /// Document.
    pub policy_document: PolicyDocument,
}

/// `AWS::CloudFront::OriginAccessControl`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OriginAccessControl {
    /// Config.
    pub origin_access_control_config: OacConfig,
}

/// `OriginAccessControlConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OacConfig {
    /// Name (unique per account).
    pub name: Expr,
    /// Description.
    pub description: String,
    /// `s3`.
    pub origin_access_control_origin_type: &'static str,
    /// `always`.
    pub signing_behavior: &'static str,
    /// `sigv4`.
    pub signing_protocol: &'static str,
}

/// `AWS::CloudFront::Function`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    /// Name (unique per account).
    pub name: Expr,
    /// Publish on create/update.
    pub auto_publish: bool,
    /// Config.
    pub function_config: FunctionConfig,
    /// JavaScript source.
    pub function_code: String,
}

/// `FunctionConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionConfig {
    /// Comment.
    pub comment: String,
    /// `cloudfront-js-2.0`.
    pub runtime: &'static str,
}

/// `AWS::CloudFront::Distribution`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distribution {
    /// Config.
    pub distribution_config: DistributionConfig,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `DistributionConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionConfig {
    /// Comment.
    pub comment: String,
    /// Enabled.
    pub enabled: bool,
    /// Alternate domain names.
    pub aliases: Vec<String>,
    /// `http2and3`.
    pub http_version: &'static str,
    /// IPv6.
    #[serde(rename = "IPV6Enabled")]
    pub ipv6_enabled: bool,
    /// `PriceClass_All` etc.
    pub price_class: &'static str,
    /// Origins.
    pub origins: Vec<Origin>,
    /// Default behavior.
    pub default_cache_behavior: CacheBehavior,
    /// Error responses.
    pub custom_error_responses: Vec<CustomErrorResponse>,
    /// Certificate.
    pub viewer_certificate: ViewerCertificate,
}

/// An origin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Origin {
    /// Id.
    pub id: String,
    /// Bucket regional domain name.
    pub domain_name: Expr,
    /// OAC id.
    pub origin_access_control_id: Expr,
    /// S3 origin config (empty OAI).
    pub s3_origin_config: S3OriginConfig,
}

/// `S3OriginConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3OriginConfig {
    /// Empty: OAC replaces the legacy OAI.
    pub origin_access_identity: &'static str,
}

/// `DefaultCacheBehavior`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CacheBehavior {
    /// Origin id.
    pub target_origin_id: String,
    /// `redirect-to-https`.
    pub viewer_protocol_policy: &'static str,
    /// Managed cache policy id.
    pub cache_policy_id: &'static str,
    /// Compression.
    pub compress: bool,
    /// Methods.
    pub allowed_methods: Vec<&'static str>,
    /// Functions.
    pub function_associations: Vec<FunctionAssociation>,
}

/// A function association.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionAssociation {
    /// `viewer-request`.
    pub event_type: &'static str,
    /// Function ARN.
    #[serde(rename = "FunctionARN")]
    pub function_arn: Expr,
}

/// A custom error response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomErrorResponse {
    /// Origin error code.
    pub error_code: u16,
    /// Status sent to the viewer.
    pub response_code: u16,
    /// Page path.
    pub response_page_path: &'static str,
    /// Seconds to cache the error.
    #[serde(rename = "ErrorCachingMinTTL")]
    pub error_caching_min_ttl: u32,
}

/// `ViewerCertificate`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ViewerCertificate {
    /// ACM ARN.
    pub acm_certificate_arn: String,
    /// `sni-only`.
    pub ssl_support_method: &'static str,
    /// `TLSv1.2_2021`.
    pub minimum_protocol_version: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_escapes_literal_dollar_braces() {
        let id = LogicalId::fixed("WebEip");
        let e = Expr::sub()
            .lit("arn:")
            .pseudo(Pseudo::Partition)
            .lit(":x/${literal}/")
            .attr(&id, "AllocationId")
            .build();
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Fn::Sub":"arn:${AWS::Partition}:x/${!literal}/${WebEip.AllocationId}"}"#
        );
        assert_eq!(e.refs(), vec![&id]);
    }

    #[test]
    fn intrinsics_serialize_as_cloudformation_expects() {
        let id = LogicalId::fixed("Web");
        assert_eq!(
            serde_json::to_string(&Expr::Ref(id.clone())).unwrap(),
            r#"{"Ref":"Web"}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::GetAtt(id, "Arn")).unwrap(),
            r#"{"Fn::GetAtt":["Web","Arn"]}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::Base64(Box::new(Expr::str("a")))).unwrap(),
            r#"{"Fn::Base64":"a"}"#
        );
    }
}
