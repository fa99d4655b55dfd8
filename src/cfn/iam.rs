//! AWS Identity and Access Management: the roles that instances, Data
//! Lifecycle Manager and EventBridge Scheduler act as, their policies and
//! instance profiles, and the policy documents that bucket policies use too.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::expr::single;
use super::{Expr, Properties, Pseudo, Tag};

resource_types! {
    Policy = "AWS::IAM::Policy",
    InstanceProfile = "AWS::IAM::InstanceProfile",
}

/// `AWS::IAM::Role`: AWS managed policies, inline policies, or both.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Description.
    pub description: String,
    /// Trust policy.
    pub assume_role_policy_document: PolicyDocument,
    /// AWS managed policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<Expr>,
    /// Inline policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<InlinePolicy>,
    /// Tags.
    pub tags: Vec<Tag>,
}

impl Properties for Role {
    fn resource_type(&self) -> &'static str {
        "AWS::IAM::Role"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
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

/// The ARN of the AWS managed policy `path` (e.g. `AmazonSSMManagedInstanceCore`
/// or `service-role/…`), in the stack's partition.
pub fn aws_managed_policy(path: &str) -> Expr {
    Expr::sub()
        .lit("arn:")
        .pseudo(Pseudo::Partition)
        .lit(format!(":iam::aws:policy/{path}"))
        .build()
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
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "serialize_condition"
    )]
    pub condition: Condition,
}

/// A condition block, with the one value of a `Bool` operator written as a
/// JSON boolean (`"aws:SecureTransport": false`), the form of AWS's examples
/// for these keys (S3's TLS-only bucket policy, EBS's
/// `kms:GrantIsForAWSResource`) and the one policy checkers expect
/// (cfn-guard's rules compare with the boolean, parliament checks the type);
/// IAM reads it as the string it stands for. Every other value list as
/// written.
fn serialize_condition<S: serde::Serializer>(
    condition: &Condition,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    struct Values<'a>(&'a BTreeMap<&'static str, Vec<Expr>>, bool);
    impl Serialize for Values<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for (key, values) in self.0 {
                match values.as_slice() {
                    [Expr::Str(b)] if self.1 && (b == "true" || b == "false") => {
                        map.serialize_entry(key, &(b == "true"))?;
                    }
                    [one] if self.1 => map.serialize_entry(key, one)?,
                    _ => map.serialize_entry(key, values)?,
                }
            }
            map.end()
        }
    }
    let mut map = serializer.serialize_map(Some(condition.len()))?;
    for (operator, keys) in condition {
        let boolean = operator.starts_with("Bool");
        map.serialize_entry(operator, &Values(keys, boolean))?;
    }
    map.end()
}

impl Statement {
    /// The trust statement letting AWS service `service` (e.g.
    /// `ec2.amazonaws.com`) assume a role.
    pub fn assumed_by(sid: &str, service: &'static str, condition: Condition) -> Statement {
        Statement {
            sid: sid.to_string(),
            effect: Effect::Allow,
            principal: Some(Principal::Service(service)),
            action: vec!["sts:AssumeRole"],
            resource: Vec::new(),
            condition,
        }
    }
}
