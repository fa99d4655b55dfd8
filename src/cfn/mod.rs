//! A typed CloudFormation document and its intrinsic functions.
//!
//! Every resource that topoform emits has a property struct in the module of
//! its AWS service (laid out as troposphere lays out its modules), serialized
//! with serde: field order is declaration order, maps are `BTreeMap`s, and so
//! the JSON is deterministic by construction. No JSON is ever built from text.
//! A template holds each resource's typed properties as a
//! `Box<dyn Properties>` until it is written.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::naming::LogicalId;

/// Implements [`Properties`] for property structs that carry neither user
/// data nor tag lists: each is declared with its resource type.
macro_rules! resource_types {
    ($($ty:ident = $name:literal,)*) => {
        $(
            impl $crate::cfn::Properties for $ty {
                fn resource_type(&self) -> &'static str {
                    $name
                }
            }
        )*
    };
}

pub mod autoscaling;
pub mod certificatemanager;
pub mod cloudformation;
pub mod cloudfront;
pub mod cloudwatch;
pub mod dlm;
pub mod ec2;
pub mod elasticloadbalancingv2;
pub mod events;
mod expr;
pub mod iam;
pub mod route53;
pub mod s3;
pub mod scheduler;
pub mod sns;
pub mod ssm;

pub use expr::{Expr, Pseudo, SubBuilder, SubPart};

use autoscaling::UpdatePolicy;

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

impl Template {
    /// The template as it is written: 2-space pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        // Property structs are plain data: serializing one cannot fail.
        let mut json = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| panic!("bug in topoform: a template does not serialize: {e}"));
        json.push('\n');
        json
    }
}

/// What topoform records about a template, for reviewers and tools.
#[derive(Debug, Serialize)]
pub struct TemplateMetadata {
    /// Generator information.
    pub topoform: TopoformMetadata,
    /// cfn-lint rules turned off for the whole template, with the reasons.
    #[serde(rename = "cfn-lint", skip_serializing_if = "Option::is_none")]
    pub cfn_lint: Option<CfnLint>,
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
    /// A parent's nested stacks, each with the blocks it holds, by kind,
    /// their names separated by spaces (a name has none): where the next
    /// synth keeps them. One string per kind keeps a parent of 10,000
    /// blocks well under the template size limit.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub shards: BTreeMap<String, BTreeMap<String, String>>,
}

/// A template parameter.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// Parameter type.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// A regular expression every value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<&'static str>,
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
    /// The name other stacks import it by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<Export>,
}

/// An output's `Export`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Export {
    /// `STACK-KEY`, unique in the account and region.
    pub name: Expr,
}

/// One resource.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// The resource type, e.g. `AWS::EC2::EIP`: that of its properties.
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
    /// Properties: one of the typed property structs.
    pub properties: Box<dyn Properties>,
}

/// The typed properties of one resource type. Object safe, so that a
/// template holds resources of every type; serialized through erased-serde.
pub trait Properties: erased_serde::Serialize + fmt::Debug {
    /// The CloudFormation resource type, e.g. `AWS::EC2::EIP`.
    fn resource_type(&self) -> &'static str;

    /// A launch template's user-data script: the text inside the `Fn::Base64`
    /// of its `UserData`.
    fn user_data(&self) -> Option<&str> {
        None
    }

    /// The most security groups one network interface of these properties
    /// joins (a launch template's).
    fn security_groups_per_interface(&self) -> usize {
        0
    }

    /// A CloudFront Function's JavaScript source.
    fn function_code(&self) -> Option<&str> {
        None
    }

    /// The length of every tag list in the JSON of these properties: each
    /// `Tags` and `HealthCheckTags`, at any depth.
    fn tag_lists(&self) -> Vec<usize> {
        Vec::new()
    }
}

erased_serde::serialize_trait_object!(Properties);

/// [`Properties::tag_lists`] of a `Tags` list that the JSON leaves out when
/// empty: then there is no list.
fn tag_list_if_any(tags: &[Tag]) -> Vec<usize> {
    if tags.is_empty() {
        Vec::new()
    } else {
        vec![tags.len()]
    }
}

impl Resource {
    /// A resource with these properties and nothing else.
    pub fn new<P: Properties + 'static>(properties: P) -> Resource {
        Resource {
            kind: properties.resource_type(),
            metadata: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            update_policy: None,
            properties: Box::new(properties),
        }
    }

    /// Adds a checkov suppression with its reason.
    #[must_use]
    pub fn skip_check(mut self, id: &'static str, comment: &'static str) -> Resource {
        self.metadata
            .get_or_insert_with(ResourceMetadata::default)
            .checkov
            .get_or_insert_with(|| Checkov { skip: Vec::new() })
            .skip
            .push(CheckovSkip { id, comment });
        self
    }

    /// Adds a cfn-guard rule suppression with its reason. Guard reads only the
    /// rule names (`SuppressedRules`); the reasons sit beside them, by rule,
    /// for the reviewer and for the test harness, which refuses a rule
    /// suppressed without one.
    #[must_use]
    pub fn skip_rule(mut self, rule: &'static str, reason: &'static str) -> Resource {
        let guard = self
            .metadata
            .get_or_insert_with(ResourceMetadata::default)
            .guard
            .get_or_insert_with(Guard::default);
        guard.suppressed_rules.push(rule);
        guard.reasons.insert(rule, reason);
        self
    }

    /// Adds a dependency.
    #[must_use]
    pub fn depends_on(mut self, id: &LogicalId) -> Resource {
        self.depends_on.push(id.clone());
        self
    }
}

/// Resource metadata: the posture checkers' suppressions, each with its reason.
#[derive(Debug, Default, Serialize)]
pub struct ResourceMetadata {
    /// checkov suppressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkov: Option<Checkov>,
    /// cfn-guard suppressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<Guard>,
}

/// cfn-lint's configuration in a template's metadata, and topoform's reason
/// for each rule it turns off.
#[derive(Debug, Default, Serialize)]
pub struct CfnLint {
    /// What cfn-lint reads.
    pub config: CfnLintConfig,
    /// Why each rule does not apply, by rule.
    pub reasons: BTreeMap<&'static str, &'static str>,
}

/// `config` of [`CfnLint`].
#[derive(Debug, Default, Serialize)]
pub struct CfnLintConfig {
    /// Rules not to apply to the resource.
    pub ignore_checks: Vec<&'static str>,
}

/// cfn-guard's `SuppressedRules`, and topoform's reason for each.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Guard {
    /// Rule names, in the order they were added.
    pub suppressed_rules: Vec<&'static str>,
    /// Why each rule does not apply, by rule name.
    pub reasons: std::collections::BTreeMap<&'static str, &'static str>,
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
