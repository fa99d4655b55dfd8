//! Amazon EC2: Elastic IPs, launch templates (an instance's group and a
//! fleet share the one type), a fleet's plain instances, and the security
//! groups and rules of load balancers.

use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;

use super::{Expr, Properties, Tag};

resource_types! {
    SecurityGroupIngress = "AWS::EC2::SecurityGroupIngress",
    SecurityGroupEgress = "AWS::EC2::SecurityGroupEgress",
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

impl Properties for Eip {
    fn resource_type(&self) -> &'static str {
        "AWS::EC2::EIP"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
}

/// `AWS::EC2::LaunchTemplate`: an instance's, for its Auto Scaling group, or
/// the one shared by every client of a fleet.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplate {
    /// The launch template data.
    pub launch_template_data: LaunchTemplateData,
}

impl Properties for LaunchTemplate {
    fn resource_type(&self) -> &'static str {
        "AWS::EC2::LaunchTemplate"
    }

    fn user_data(&self) -> Option<&str> {
        Some(self.launch_template_data.user_data.base64())
    }

    fn security_groups_per_interface(&self) -> usize {
        let data = &self.launch_template_data;
        data.network_interfaces
            .iter()
            .map(|n| n.groups.len())
            .chain([data.security_group_ids.len()])
            .max()
            .unwrap_or(0)
    }

    fn tag_lists(&self) -> Vec<usize> {
        self.launch_template_data
            .tag_specifications
            .iter()
            .map(|s| s.tags.len())
            .collect()
    }
}

/// `LaunchTemplateData`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    /// AMI. None in a fleet's template: each client's instance names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<Expr>,
    /// Instance type. None in a fleet's template, as the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Instance profile. None in a fleet's template: each client has its
    /// own, set on its instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<IamInstanceProfile>,
    /// IMDS settings.
    pub metadata_options: MetadataOptions,
    /// Detailed monitoring.
    pub monitoring: Monitoring,
    /// The primary network interface. Empty in a fleet's template: each
    /// instance names its subnet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub network_interfaces: Vec<NetworkInterface>,
    /// Security groups, when no network interface carries them (a fleet's;
    /// never empty then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// Root volume.
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// Tags for launched instances and volumes. Empty in a fleet's
    /// template: each instance has its own tags, and passes them on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_specifications: Vec<TagSpecification>,
    /// User data: the script, gzip-compressed, in base64
    /// (`userdata::encode`).
    pub user_data: UserData,
}

/// A launch template's `UserData`: base64 text, held as the JSON string it
/// is written as. Base64 needs no escaping, and written raw it skips
/// serde_json's byte-by-byte escape scan of each launch template's 4 KB,
/// twice a compilation (the split measures, emit writes). Shared: every
/// instance that runs the same script holds the one copy.
#[derive(Clone, Debug)]
pub struct UserData(Arc<RawValue>);

impl UserData {
    /// Base64 text: the alphabet and `=`, which JSON writes as they are.
    pub fn new(base64: &str) -> UserData {
        assert!(
            base64
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "bug in topoform: user-data is not base64"
        );
        let raw = RawValue::from_string(format!("\"{base64}\""))
            .unwrap_or_else(|e| panic!("bug in topoform: base64 is a JSON string: {e}"));
        UserData(Arc::from(raw))
    }

    /// The base64 text.
    pub fn base64(&self) -> &str {
        let json = self.0.get();
        &json[1..json.len() - 1]
    }
}

impl Serialize for UserData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
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
    /// Device name: the AMI's root device name makes this mapping replace
    /// the root volume; any other name adds a volume.
    pub device_name: Expr,
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

/// `LaunchTemplateSpecification`: the launch template of an Auto Scaling
/// group or of an instance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateSpec {
    /// Template id.
    pub launch_template_id: Expr,
    /// Version.
    pub version: Expr,
}

/// `AWS::EC2::Instance` launched from a launch template, with the settings
/// a user edits set on the instance itself, where each has its own update
/// behaviour: a new image or subnet replaces the instance, a new type stops
/// and starts it, new security groups, profile or tags change in place. In
/// the launch template, any change at all would be a new version, and a new
/// version replaces the instance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    /// Launch template: what every instance of the block shares.
    pub launch_template: LaunchTemplateSpec,
    /// AMI.
    pub image_id: Expr,
    /// Instance type.
    pub instance_type: String,
    /// Security groups (in a VPC: updated in place).
    pub security_group_ids: Vec<String>,
    /// Subnet.
    pub subnet_id: String,
    /// Instance profile name.
    pub iam_instance_profile: Expr,
    /// `true`: the root volume gets the instance's tags at launch.
    pub propagate_tags_to_volume_on_creation: bool,
    /// Tags (what the user-data reads through IMDS).
    pub tags: Vec<Tag>,
}

impl Properties for Instance {
    fn resource_type(&self) -> &'static str {
        "AWS::EC2::Instance"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
}

/// `AWS::EC2::SecurityGroup`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// Description.
    pub group_description: String,
    /// The VPC (a change replaces the group).
    pub vpc_id: Expr,
    /// Inbound rules from CIDR blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_group_ingress: Vec<CidrRule>,
    /// Outbound rules. Setting any removes the default allow-all rule.
    pub security_group_egress: Vec<CidrRule>,
    /// Tags.
    pub tags: Vec<Tag>,
}

impl Properties for SecurityGroup {
    fn resource_type(&self) -> &'static str {
        "AWS::EC2::SecurityGroup"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }

    fn inbound_rules(&self) -> usize {
        self.security_group_ingress.len()
    }
}

/// An inline security group rule for a CIDR block.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrRule {
    /// `tcp` or `icmp`.
    pub ip_protocol: &'static str,
    /// First port (ICMP: type).
    pub from_port: u16,
    /// Last port (ICMP: code).
    pub to_port: u16,
    /// The CIDR block.
    pub cidr_ip: String,
    /// What the rule is for.
    pub description: String,
}

/// `AWS::EC2::SecurityGroupIngress` from another security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIngress {
    /// The group the rule belongs to.
    pub group_id: Expr,
    /// `tcp`.
    pub ip_protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The group allowed in.
    pub source_security_group_id: Expr,
    /// What the rule is for.
    pub description: String,
}

/// `AWS::EC2::SecurityGroupEgress` toward another security group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupEgress {
    /// The group the rule belongs to.
    pub group_id: Expr,
    /// `tcp`.
    pub ip_protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The group allowed out to.
    pub destination_security_group_id: Expr,
    /// What the rule is for.
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::UserData;

    #[test]
    fn user_data_is_written_as_the_string_serde_json_would_write() {
        let text = "H4sIAAAAAAAC/+3MsQ2AMAwEwJ5/ip0A=";
        let u = UserData::new(text);
        assert_eq!(u.base64(), text);
        for pretty in [false, true] {
            let written = if pretty {
                serde_json::to_string_pretty(&[&u]).unwrap()
            } else {
                serde_json::to_string(&u).unwrap()
            };
            let expected = if pretty {
                serde_json::to_string_pretty(&[text]).unwrap()
            } else {
                serde_json::to_string(text).unwrap()
            };
            assert_eq!(written, expected);
        }
    }

    #[test]
    #[should_panic(expected = "not base64")]
    fn text_that_would_need_escaping_is_refused() {
        let _ = UserData::new("a\"b");
    }
}
