//! CloudFormation logical IDs: the only module that derives them, and the only
//! user of `heck`.
//!
//! Every resource a block can produce is a [`Part`] appended to the block's
//! [`Prefix`]. `validate` registers the full set of parts of every block in a
//! [`Registry`] before anything is synthesized, so two names that derive the
//! same ID (`web-1` and `web1`; heck drops punctuation, as CDK once did —
//! aws/aws-cdk#6421) are reported as an error instead of one resource silently
//! replacing the other.

use std::collections::BTreeMap;
use std::fmt;

use heck::ToUpperCamelCase;
use serde::Serialize;

use crate::kind::Kind;
use crate::source::Span;

/// CloudFormation's limit on logical ID length.
pub const MAX_LOGICAL_ID: usize = 255;

/// A CloudFormation logical ID: ASCII alphanumeric, at most 255 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LogicalId(String);

impl LogicalId {
    /// The ID as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fixed, stack-wide ID (not derived from a block name).
    pub(crate) fn fixed(id: &'static str) -> Self {
        debug_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        LogicalId(id.to_string())
    }
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The UpperCamelCase form of a block name, from which its IDs are derived.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Prefix(String);

impl Prefix {
    /// Derives the prefix of block `name`. `None` when the result is not
    /// ASCII alphanumeric (heck is Unicode-aware; logical IDs are not).
    pub fn of(name: &str) -> Option<Prefix> {
        let p = name.to_upper_camel_case();
        let ok = !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then_some(Prefix(p))
    }

    /// The logical ID of `part` of this block.
    pub fn id(&self, part: Part) -> LogicalId {
        LogicalId(format!("{}{}", self.0, part.suffix()))
    }

    /// The prefix itself (used in resource names and descriptions).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One resource (or parameter, or output) that a block produces.
#[allow(missing_docs)] // each variant is named after the resource it denotes
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    // instance
    Eip,
    Role,
    Policy,
    InstanceProfile,
    LaunchTemplate,
    Group,
    Start,
    Stop,
    ImageId,
    // failover
    Alarm,
    HealthCheck,
    PrimaryRecord,
    SecondaryRecord,
    // sorry
    Bucket,
    BucketPolicy,
    OriginAccessControl,
    Function,
    Distribution,
    BucketName,
    DistributionId,
    Certificate,
    CertificateArn,
    LogBucket,
    LogBucketPolicy,
    // alb
    LoadBalancer,
    LoadBalancerSecurityGroup,
    LoadBalancerEgress,
    TargetSecurityGroup,
    TargetIngress,
    TargetGroup,
    HttpsListener,
    HttpListener,
    // fleet (shared) and its clients
    SchedulerRole,
    Instance,
    // backup
    LifecyclePolicy,
    LifecycleRole,
    // task
    Association,
}

impl Part {
    /// Parts an `[instance]` may produce.
    pub const INSTANCE: &'static [Part] = &[
        Part::Eip,
        Part::Role,
        Part::Policy,
        Part::InstanceProfile,
        Part::LaunchTemplate,
        Part::Group,
        Part::Start,
        Part::Stop,
        Part::ImageId,
    ];
    /// Parts a `[failover]` may produce.
    pub const FAILOVER: &'static [Part] = &[
        Part::Alarm,
        Part::HealthCheck,
        Part::PrimaryRecord,
        Part::SecondaryRecord,
    ];
    /// Parts a `[sorry]` may produce.
    pub const SORRY: &'static [Part] = &[
        Part::Bucket,
        Part::BucketPolicy,
        Part::OriginAccessControl,
        Part::Function,
        Part::Distribution,
        Part::BucketName,
        Part::DistributionId,
        Part::Certificate,
        Part::CertificateArn,
        Part::LogBucket,
        Part::LogBucketPolicy,
    ];
    /// Parts an `[alb]` may produce.
    pub const ALB: &'static [Part] = &[
        Part::LoadBalancer,
        Part::LoadBalancerSecurityGroup,
        Part::LoadBalancerEgress,
        Part::TargetSecurityGroup,
        Part::TargetIngress,
        Part::TargetGroup,
        Part::HttpsListener,
        Part::HttpListener,
    ];
    /// Parts a `[fleet]` may produce (shared by its clients).
    pub const FLEET: &'static [Part] = &[
        Part::LaunchTemplate,
        Part::ImageId,
        Part::SchedulerRole,
        Part::Start,
        Part::Stop,
    ];
    /// Parts each client of a fleet produces (prefix: fleet + client).
    pub const CLIENT: &'static [Part] = &[
        Part::Role,
        Part::Policy,
        Part::InstanceProfile,
        Part::Instance,
    ];
    /// Parts a `[backup]` may produce.
    pub const BACKUP: &'static [Part] = &[Part::LifecyclePolicy, Part::LifecycleRole];
    /// Parts a `[task]` may produce.
    pub const TASK: &'static [Part] = &[Part::Association];

    fn suffix(self) -> &'static str {
        match self {
            Part::Eip => "Eip",
            Part::Role => "Role",
            Part::Policy => "Policy",
            Part::InstanceProfile => "InstanceProfile",
            Part::LaunchTemplate => "LaunchTemplate",
            Part::Group => "Group",
            Part::Start => "StartAction",
            Part::Stop => "StopAction",
            Part::ImageId => "ImageId",
            Part::Alarm => "Alarm",
            Part::HealthCheck => "HealthCheck",
            Part::PrimaryRecord => "PrimaryRecord",
            Part::SecondaryRecord => "SecondaryRecord",
            Part::Bucket => "Bucket",
            Part::BucketPolicy => "BucketPolicy",
            Part::OriginAccessControl => "OriginAccessControl",
            Part::Function => "Function",
            Part::Distribution => "Distribution",
            Part::BucketName => "BucketName",
            Part::DistributionId => "DistributionId",
            Part::Certificate => "Certificate",
            Part::CertificateArn => "CertificateArn",
            Part::LogBucket => "LogBucket",
            Part::LogBucketPolicy => "LogBucketPolicy",
            Part::LoadBalancer => "LoadBalancer",
            Part::LoadBalancerSecurityGroup => "LoadBalancerSecurityGroup",
            Part::LoadBalancerEgress => "LoadBalancerEgress",
            Part::TargetSecurityGroup => "TargetSecurityGroup",
            Part::TargetIngress => "TargetIngress",
            Part::TargetGroup => "TargetGroup",
            Part::HttpsListener => "HttpsListener",
            Part::HttpListener => "HttpListener",
            Part::SchedulerRole => "SchedulerRole",
            Part::Instance => "Instance",
            Part::LifecyclePolicy => "LifecyclePolicy",
            Part::LifecycleRole => "LifecycleRole",
            Part::Association => "Association",
        }
    }
}

/// Stack-wide IDs: the alarm topic and its subscription (`[stack] notify`).
pub const ALARM_TOPIC: &str = "AlarmTopic";
/// See [`ALARM_TOPIC`].
pub const ALARM_SUBSCRIPTION: &str = "AlarmTopicSubscription";

/// Who claimed a logical ID: a block (or one client of a fleet) and where
/// it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// The block's kind.
    pub kind: Kind,
    /// The block's name (`notify` for the stack-wide IDs of `[stack] notify`).
    pub name: String,
    /// The fleet client whose resources these are.
    pub client: Option<String>,
    /// The block name's (or the client id's) span.
    pub span: Span,
}

impl Owner {
    /// Whether `self` and `other` are the same block (clients of one fleet
    /// are the same block).
    fn same_block(&self, other: &Owner) -> bool {
        self.kind == other.kind && self.name == other.name && self.client == other.client
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)?;
        match &self.client {
            Some(client) => write!(f, " client {client}"),
            None => Ok(()),
        }
    }
}

/// Every logical ID of a topology, with the block that derives it.
#[derive(Debug, Default)]
pub struct Registry {
    ids: BTreeMap<LogicalId, Owner>,
}

/// Two blocks that derive the same logical ID.
#[derive(Debug)]
pub struct Collision {
    /// The ID.
    pub id: LogicalId,
    /// The block registered first.
    pub first: Owner,
    /// The block that collided with it.
    pub second: Owner,
}

impl Registry {
    /// The block that derives `id`, if any.
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.ids.get(&LogicalId(id.to_string()))
    }

    /// Registers a fixed, stack-wide ID; returns the collision if a block
    /// already derives it.
    pub fn register_fixed(&mut self, id: &'static str, owner: &Owner) -> Option<Collision> {
        let id = LogicalId::fixed(id);
        if let Some(first) = self.ids.get(&id) {
            return Some(Collision {
                id,
                first: first.clone(),
                second: owner.clone(),
            });
        }
        self.ids.insert(id, owner.clone());
        None
    }

    /// Registers every part of a block; returns the first collision with a
    /// *different* block, if any (one per pair of blocks is enough to report).
    pub fn register(
        &mut self,
        prefix: &Prefix,
        parts: &[Part],
        owner: &Owner,
    ) -> Option<Collision> {
        let mut collision = None;
        for part in parts {
            let id = prefix.id(*part);
            match self.ids.get(&id) {
                Some(first) if !first.same_block(owner) => {
                    collision.get_or_insert_with(|| Collision {
                        id: id.clone(),
                        first: first.clone(),
                        second: owner.clone(),
                    });
                }
                Some(_) => {}
                None => {
                    self.ids.insert(id, owner.clone());
                }
            }
        }
        collision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_upper_camel_ascii() {
        assert_eq!(
            Prefix::of("redash").unwrap().id(Part::Group).as_str(),
            "RedashGroup"
        );
        assert_eq!(Prefix::of("web-1").unwrap().as_str(), "Web1");
        assert!(Prefix::of("ウェブ").is_none());
    }

    #[test]
    fn punctuation_only_differences_collide() {
        let mut r = Registry::default();
        let owner = |name: &str| Owner {
            kind: Kind::Instance,
            name: name.into(),
            client: None,
            span: Span::default(),
        };
        assert!(
            r.register(
                &Prefix::of("web-1").unwrap(),
                Part::INSTANCE,
                &owner("web-1")
            )
            .is_none()
        );
        let c = r
            .register(&Prefix::of("web1").unwrap(), Part::INSTANCE, &owner("web1"))
            .expect("collision");
        assert_eq!(c.first.to_string(), "instance.web-1");
        assert_eq!(c.id.as_str(), "Web1Eip");
    }
}
