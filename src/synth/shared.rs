//! What more than one kind synthesizes: an image parameter, the launch
//! template data of instances and fleets, their instance roles, the IAM
//! statement for the records an instance writes, and the tag that backups
//! and tasks select instances by.

use crate::cfn::ec2::UserData;

use super::context::Context;
use super::discover::{Check, Discovery, Image, ROOT_DEVICE_PATTERN};
use crate::cfn::ec2::{
    BlockDeviceMapping, Ebs, LaunchTemplateData, MetadataOptions, Monitoring, TagSpecification,
};
use crate::cfn::iam::{Condition, Effect, PolicyDocument, Role, Statement, aws_managed_policy};
use crate::cfn::{Expr, Parameter, Pseudo, SubBuilder, Tag};
use crate::model::{Ami, Model, Target};
use crate::naming::{LogicalId, Part, Prefix};
use crate::userdata::TAGS;

/// The image of a block: its AMI id, or for an `ssm:` path a parameter of
/// type `AWS::EC2::Image::Id` that `deploy.sh` fills in (`part` names it);
/// `what` names the block, e.g. `[instance.web]`.
///
/// Why not an `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` parameter,
/// which CloudFormation resolves itself: it resolves it again at every
/// deploy, so a plain redeploy after AWS publishes a new image behind the
/// path would replace every instance launched from it (`ImageId` is
/// create-only). `deploy.sh` passes the image the stack runs already, and
/// the newest one only on the first deploy or with `--update-images`: a new
/// image is the user's explicit choice.
pub(super) fn image(
    cx: &mut Context<'_>,
    p: &Prefix,
    part: impl Part,
    ami: &Ami,
    what: &str,
) -> Image {
    match ami {
        Ami::Id(id) => Image::Id(id.clone()),
        Ami::Ssm(path) => {
            let id = p.id(part);
            cx.discover(
                id.clone(),
                Parameter {
                    kind: "AWS::EC2::Image::Id",
                    default: None,
                    allowed_pattern: None,
                    description: format!(
                        "AMI of {what}: the one deploy.sh finds deployed, else the one SSM path {path} names"
                    ),
                },
                Discovery::Image {
                    what: what.to_string(),
                    path: path.clone(),
                },
            );
            Image::Found(id)
        }
    }
}

/// The root volume of a launch template.
pub(super) struct RootVolume {
    /// The AMI's root device name.
    pub(super) device: Expr,
    /// Its size in GiB; `None`: the AMI's.
    pub(super) size: Option<u32>,
}

/// The root device name of `image`: the one the topology gives (which the
/// deploy plan checks against the image), or a parameter the plan fills in
/// from the image. A block device mapping replaces the root volume only
/// under the image's own root device name (`/dev/xvda` on Amazon Linux,
/// `/dev/sda1` on Ubuntu, Debian, RHEL and Windows); under any other name it
/// adds a second, empty volume, or is refused for want of a size.
pub(super) fn root_device(
    cx: &mut Context<'_>,
    id: LogicalId,
    what: &str,
    image: &Image,
    given: Option<&str>,
    volume_gb: Option<u32>,
) -> Expr {
    if let Some(device) = given {
        cx.check(Check::RootDevice {
            what: what.to_string(),
            image: image.clone(),
            device: device.to_string(),
            volume_gb,
        });
        return Expr::str(device);
    }
    // A literal image has one root device, whichever block boots it: one
    // parameter per image (and root volume size, which the plan checks
    // against the image), shared by those blocks, so that launch templates
    // that differ only by block can be the same and a topology of many
    // blocks on one image does not take one parameter each (a stack takes
    // 200). An image found at deploy time is each block's own.
    let (id, what) = match image {
        Image::Id(ami) => {
            if let Some(id) = cx.root_device_ids.get(&(ami.clone(), volume_gb)) {
                return Expr::Ref(id.clone());
            }
            let size = volume_gb.map(|gb| format!("min-{gb}")).unwrap_or_default();
            // Every uppercase letter of this ID starts a word that no part
            // of a block ends with, so no block derives it.
            let id = LogicalId::of_words(&["root-device-of", ami, &size])
                .unwrap_or_else(|| unreachable!("bug in topoform: AMI ids are alphanumeric"));
            cx.root_device_ids
                .insert((ami.clone(), volume_gb), id.clone());
            (id, format!("the image {ami}"))
        }
        Image::Found(_) => (id, what.to_string()),
    };
    if cx.main.parameters.contains_key(&id) {
        return Expr::Ref(id);
    }
    let parameter = Parameter {
        kind: "String",
        default: None,
        allowed_pattern: Some(ROOT_DEVICE_PATTERN),
        description: format!("The root device name of {what}, found by deploy.sh"),
    };
    let how = Discovery::RootDevice {
        what,
        image: image.clone(),
        volume_gb,
    };
    cx.discover(id, parameter, how)
}

/// What the launch templates of instances and fleets have in common: IMDSv2
/// with tags (how scripts get deploy-time values), detailed monitoring, an
/// encrypted gp3 root volume replacing the AMI's, and the user-data. The
/// caller adds the image and type (an instance group's template), the
/// profile, the network and the tags. `user_data` is encoded already
/// ([`Context::user_data`](super::context::Context::user_data)).
pub(super) fn launch_template_data(
    root: &RootVolume,
    tag_specifications: Vec<TagSpecification>,
    user_data: UserData,
) -> LaunchTemplateData {
    LaunchTemplateData {
        image_id: None,
        instance_type: None,
        iam_instance_profile: None,
        metadata_options: MetadataOptions::imdsv2_with_tags(),
        monitoring: Monitoring { enabled: true },
        network_interfaces: Vec::new(),
        security_group_ids: Vec::new(),
        block_device_mappings: vec![BlockDeviceMapping {
            device_name: root.device.clone(),
            ebs: Ebs {
                volume_type: "gp3",
                volume_size: root.size,
                encrypted: true,
                delete_on_termination: true,
            },
        }],
        tag_specifications,
        user_data,
    }
}

/// An instance role: EC2 assumes it, and Session Manager replaces SSH keys.
pub(super) fn instance_role(description: String, tags: Vec<Tag>) -> Role {
    Role {
        description,
        assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
            "Ec2AssumesRole",
            "ec2.amazonaws.com",
            Condition::new(),
        )]),
        // Session Manager instead of SSH keys.
        managed_policy_arns: vec![aws_managed_policy("AmazonSSMManagedInstanceCore")],
        policies: Vec::new(),
        tags,
    }
}

/// Route 53: UPSERT of exactly the A records `names` (sorted, no trailing
/// dot) in zone `zone_id`, and nothing else.
///
/// route53:ChangeResourceRecordSets is authorized on the `hostedzone`
/// resource type, and takes the three `route53:ChangeResourceRecordSets*`
/// condition keys, multivalued, hence `ForAllValues` (Service Authorization
/// Reference, Amazon Route 53; Route 53 Developer Guide, "Using IAM policy
/// conditions for fine-grained access control"). Normalized names are lower
/// case without the trailing dot, as the model keeps them.
pub(super) fn upsert_statement(model: &Model, zone_id: &str, names: &[&str]) -> Statement {
    let zone = model
        .zones
        .values()
        .find(|z| z.id == zone_id)
        .map_or(zone_id, |z| z.domain.as_str());
    let mut condition = Condition::new();
    let all = condition.entry("ForAllValues:StringEquals").or_default();
    all.insert(
        "route53:ChangeResourceRecordSetsNormalizedRecordNames",
        names.iter().map(|n| Expr::str(*n)).collect(),
    );
    all.insert(
        "route53:ChangeResourceRecordSetsRecordTypes",
        vec![Expr::str("A")],
    );
    all.insert(
        "route53:ChangeResourceRecordSetsActions",
        vec![Expr::str("UPSERT")],
    );
    Statement {
        sid: format!("UpsertOwnRecordsIn{}", sid_part(zone)),
        effect: Effect::Allow,
        principal: None,
        action: vec!["route53:ChangeResourceRecordSets"],
        resource: vec![
            Expr::sub()
                .lit("arn:")
                .pseudo(Pseudo::Partition)
                .lit(format!(":route53:::hostedzone/{zone_id}"))
                .build(),
        ],
        condition,
    }
}

/// `arn:PARTITION:ec2:REGION:ACCOUNT:`, to be completed with the resource.
pub(super) fn arn_ec2() -> SubBuilder {
    arn("ec2")
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:`: an ARN of this stack's account
/// and region, to be completed with the resource.
pub(super) fn arn(service: &str) -> SubBuilder {
    Expr::sub()
        .lit("arn:")
        .pseudo(Pseudo::Partition)
        .lit(format!(":{service}:"))
        .pseudo(Pseudo::Region)
        .lit(":")
        .pseudo(Pseudo::AccountId)
        .lit(":")
}

/// A Sid fragment from a domain: `example.com` → `ExampleCom`.
fn sid_part(domain: &str) -> String {
    domain
        .split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// The tag that backups and tasks select `target`'s instances by, which
/// those instances carry.
pub(super) fn target_tag(model: &Model, target: &Target) -> Tag {
    let (key, name) = match target {
        Target::Instance(name) => (TAGS.instance, name),
        Target::Fleet(name) => (TAGS.fleet, name),
    };
    Tag::new(key, format!("{}-{}", model.stack.name, name.as_str()))
}
