//! Values AWS knows and the topology does not say (the VPC of a load
//! balancer's subnets, the root device name of an AMI), and facts of the
//! account the topology asserts (a VPC it names holds those subnets).
//!
//! topoform neither demands nor guesses them: synthesis declares each as a
//! typed parameter of the main template, without a default, and records how
//! to find it; the deploy plan (`plan`) finds it with the AWS CLI just before
//! it deploys and passes it in. So the golden files stay the same from
//! account to account, and a value that is wrong for the account stops the
//! deploy with a message before CloudFormation sees it.

use crate::cfn::route53::RecordSet;
use crate::cfn::{Expr, Parameter, Resource};
use crate::naming::LogicalId;

use super::context::Context;

/// What a root device name looks like (`/dev/xvda`, `/dev/sda1`,
/// `/dev/nvme0n1`): the parameter's `AllowedPattern`, and what the deploy
/// plan checks before it passes a name on.
pub const ROOT_DEVICE_PATTERN: &str = "^/dev/[a-z0-9]{1,32}$";

/// What an IPv4 address looks like: the `AllowedPattern` of a discovered
/// address, and what the deploy plan checks.
pub const IPV4_PATTERN: &str = "^[0-9]{1,3}([.][0-9]{1,3}){3}$";

/// An image as the deploy plan knows it: an AMI id the topology gives, or
/// the parameter it finds for an `ssm:` path (see [`Discovery::Image`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Image {
    /// `ami-…`.
    Id(String),
    /// The main-template parameter that holds it.
    Found(LogicalId),
}

impl Image {
    /// The image as a template value.
    pub fn expr(&self) -> Expr {
        match self {
            Image::Id(id) => Expr::str(id),
            Image::Found(p) => Expr::Ref(p.clone()),
        }
    }
}

/// How the deploy plan finds one parameter's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// The one VPC that all of `subnets` are in.
    VpcOfSubnets {
        /// The block, for messages: `[alb.front]`.
        what: String,
        /// Subnet ids.
        subnets: Vec<String>,
    },
    /// The public address of an existing Elastic IP.
    ElasticIpAddress {
        /// The block, for messages.
        what: String,
        /// `eipalloc-…`.
        allocation: String,
    },
    /// The image an `ssm:` path names: the one the deployed stack runs
    /// already, so that a redeploy never moves to a newer image by itself;
    /// on the first deploy, or with `deploy.sh --update-images`, the one the
    /// path names now.
    Image {
        /// The block, for messages.
        what: String,
        /// The SSM parameter path.
        path: String,
    },
    /// The root device name of the image (EBS-backed, or the plan stops).
    RootDevice {
        /// The block, for messages.
        what: String,
        /// The image.
        image: Image,
        /// The root volume size the topology asks for, which must not be
        /// smaller than the image's root snapshot.
        volume_gb: Option<u32>,
    },
}

/// A fact of the account that the deploy plan checks before it deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The Elastic IP `allocation` has the public address `address`.
    ElasticIpAddress {
        /// The block, for messages.
        what: String,
        /// `eipalloc-…`.
        allocation: String,
        /// The address the topology gives.
        address: String,
    },
    /// `subnets` are all in `vpc`.
    SubnetsInVpc {
        /// The block, for messages.
        what: String,
        /// The VPC the topology names.
        vpc: String,
        /// Subnet ids.
        subnets: Vec<String>,
    },
    /// The A record `record` (with `set_identifier`) that the template
    /// creates as `logical_id` does not exist yet in zone `zone_id`, unless
    /// the stack already owns it: CloudFormation cannot create a record that
    /// exists, and would roll the stack back. Such a record is one written
    /// by hand, by another stack, or by an instance of an earlier version.
    RecordFree {
        /// The block, for messages.
        what: String,
        /// The hosted zone.
        zone_id: String,
        /// Record name, lower case, no trailing dot.
        record: String,
        /// Its `SetIdentifier`, for failover records.
        set_identifier: Option<String>,
        /// The record's logical ID in the main template.
        logical_id: String,
    },
    /// The image's root device is `device`, and its root snapshot is not
    /// larger than `volume_gb`.
    RootDevice {
        /// The block, for messages.
        what: String,
        /// The image.
        image: Image,
        /// The device name the topology names.
        device: String,
        /// The root volume size the topology asks for.
        volume_gb: Option<u32>,
    },
}

/// Everything the deploy plan finds out or checks, in synthesis order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discoveries {
    /// Main-template parameters, with how to find each value.
    pub parameters: Vec<(LogicalId, Discovery)>,
    /// Facts to check.
    pub checks: Vec<Check>,
}

impl Context<'_> {
    /// Declares the main-template parameter `id`, found at deploy time by
    /// `how`, and refers to it. It has no default: a value that differs from
    /// account to account is never guessed.
    pub(super) fn discover(&mut self, id: LogicalId, parameter: Parameter, how: Discovery) -> Expr {
        assert!(
            parameter.default.is_none(),
            "bug in topoform: discovered parameter {id} has a default"
        );
        let previous = self.main.parameters.insert(id.clone(), parameter);
        assert!(
            previous.is_none(),
            "bug in topoform: parameter {id} declared twice"
        );
        self.discoveries.parameters.push((id.clone(), how));
        Expr::Ref(id)
    }

    /// Adds a record to the main template, and asks the deploy plan to check
    /// that the zone does not hold it already.
    pub(super) fn add_record(&mut self, id: &LogicalId, what: String, record: RecordSet) {
        self.check(Check::RecordFree {
            what,
            zone_id: record.hosted_zone_id.clone(),
            record: record.name.trim_end_matches('.').to_string(),
            set_identifier: record.set_identifier.clone(),
            logical_id: id.to_string(),
        });
        self.add(id, Resource::new(record));
    }

    /// Asks the deploy plan to check a fact before it deploys.
    pub(super) fn check(&mut self, check: Check) {
        self.discoveries.checks.push(check);
    }
}

#[cfg(test)]
mod tests {
    use super::Check;
    use crate::synth::tests::{FAILOVER, WEB, model};

    #[test]
    fn every_record_the_stack_creates_is_checked_free_before_it_deploys() {
        let toml = format!(
            r#"[stack]
name = "ops"
region = "ap-northeast-1"
{WEB}dns = {{ zone = "zone.public", record = "web.example.net" }}
{FAILOVER}"#
        );
        let model = model(&toml);
        let mut artifacts = crate::synth::synth(&model);
        let records: Vec<_> = artifacts
            .discoveries
            .checks
            .iter()
            .filter_map(|c| match c {
                Check::RecordFree {
                    record,
                    set_identifier,
                    logical_id,
                    zone_id,
                    ..
                } => {
                    assert_eq!(zone_id, "Z2OPSZONE00001");
                    Some((
                        record.as_str(),
                        set_identifier.as_deref(),
                        logical_id.as_str(),
                    ))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            records,
            [
                ("web.example.net", None, "WebDnsRecord"),
                ("www.example.net", Some("www-primary"), "WwwPrimaryRecord"),
                (
                    "www.example.net",
                    Some("www-secondary"),
                    "WwwSecondaryRecord"
                ),
            ]
        );
        let (rendered, _) =
            crate::emit::render_templates(std::mem::take(&mut artifacts.templates), crate::emit::Sink::Keep, (0, &|_, _| {}), |_, _, _| {
                Vec::new()
            });
        let plan = crate::plan::deploy_script(&model, &artifacts, &rendered.sizes, false);
        assert!(plan.contains(
            "\ncheck_record_free '[instance.web]' Z2OPSZONE00001 web.example.net WebDnsRecord\n"
        ));
        assert!(plan.contains(
            "\ncheck_record_free '[failover.www]' Z2OPSZONE00001 www.example.net WwwSecondaryRecord www-secondary\n"
        ));
    }
}
