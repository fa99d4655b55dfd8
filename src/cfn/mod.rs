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
    /// Properties, serialized from one of the typed property structs.
    pub properties: serde_json::Value,
}

/// The typed properties of one resource type.
pub trait Properties: Serialize {
    /// The CloudFormation resource type, e.g. `AWS::EC2::EIP`.
    const TYPE: &'static str;
}

/// Declares the resource type of property structs.
macro_rules! resource_types {
    ($($ty:ident = $name:literal,)*) => {
        $(
            impl $crate::cfn::Properties for $ty {
                const TYPE: &'static str = $name;
            }
        )*
    };
}

impl Resource {
    /// A resource with these properties and nothing else.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "call sites read as constructing the resource from its properties"
    )]
    pub fn new<P: Properties>(properties: P) -> Resource {
        // Property structs are plain data: serializing one cannot fail. The
        // value keeps field order (serde_json's preserve_order), so the JSON
        // reads in declaration order.
        let properties = serde_json::to_value(&properties)
            .unwrap_or_else(|e| panic!("bug in topoform: {} properties: {e}", P::TYPE));
        Resource {
            kind: P::TYPE,
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

/// The ARN of the AWS managed policy `path` (e.g. `AmazonSSMManagedInstanceCore`
/// or `service-role/…`), in the stack's partition.
pub fn aws_managed_policy(path: &str) -> Expr {
    Expr::sub()
        .lit("arn:")
        .pseudo(Pseudo::Partition)
        .lit(&format!(":iam::aws:policy/{path}"))
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: Condition,
}

mod alb;
mod compute;
mod dns;
mod edge;
mod fleet;
mod ops;
mod sorry;

pub use alb::*;
pub use compute::*;
pub use dns::*;
pub use edge::*;
pub use fleet::*;
pub use ops::*;
pub use sorry::*;

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
