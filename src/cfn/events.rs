//! Amazon EventBridge: the rules that send `[stack] notify` the failures
//! that AWS reports as events rather than metrics (a lifecycle policy in
//! error, a failed State Manager association).

use serde::Serialize;

use super::Expr;

resource_types! {
    Rule = "AWS::Events::Rule",
}

/// `AWS::Events::Rule` on the default event bus.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// Description, at most 512 characters.
    pub description: String,
    /// What it matches.
    pub event_pattern: EventPattern,
    /// `ENABLED`.
    pub state: &'static str,
    /// Where matches go.
    pub targets: Vec<RuleTarget>,
}

/// An event pattern: every field given must match.
#[derive(Debug, Serialize)]
pub struct EventPattern {
    /// `source`, e.g. `aws.dlm`.
    pub source: Vec<&'static str>,
    /// `detail-type`.
    #[serde(rename = "detail-type")]
    pub detail_type: Vec<&'static str>,
    /// `resources`: the event must name one of these ARNs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Expr>,
    /// `detail`: field name → accepted values.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub detail: std::collections::BTreeMap<&'static str, Vec<Expr>>,
}

/// A rule target.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleTarget {
    /// The target's ARN (the alarm topic).
    pub arn: Expr,
    /// Id, unique within the rule.
    pub id: &'static str,
    /// The message sent instead of the raw event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
}

/// `InputTransformer`: fields of the event, placed in a text.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputTransformer {
    /// Placeholder → JSON path in the event.
    pub input_paths_map: std::collections::BTreeMap<&'static str, &'static str>,
    /// The text, as a JSON string literal with `<placeholder>`s.
    pub input_template: String,
}
