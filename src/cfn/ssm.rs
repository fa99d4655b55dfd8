//! AWS Systems Manager: the State Manager association of a `[task]`, which
//! runs its commands on the instances carrying a tag.

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

/// `AWS::SSM::Association`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Association {
    /// The SSM document: `AWS-RunShellScript`.
    pub name: &'static str,
    /// Association name, `^[a-zA-Z0-9_\-.]{3,128}$`.
    pub association_name: String,
    /// `cron(...)` or `rate(...)`.
    pub schedule_expression: String,
    /// Run only on the cron schedule, not also when created (cron only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub apply_only_at_cron_interval: bool,
    /// Where it runs.
    pub targets: Vec<AssociationTarget>,
    /// The document's parameters.
    pub parameters: RunShellScriptParameters,
    /// Targets run at once.
    pub max_concurrency: &'static str,
    /// Failed targets before the rest are skipped.
    pub max_errors: &'static str,
    /// Severity of a failed run in Systems Manager Compliance.
    pub compliance_severity: &'static str,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for Association {
    fn resource_type(&self) -> &'static str {
        "AWS::SSM::Association"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}

/// An association target: `tag:KEY` = values.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociationTarget {
    /// `tag:KEY`.
    pub key: String,
    /// Tag values.
    pub values: Vec<Expr>,
}

/// Parameters of `AWS-RunShellScript` (lower case, as the document names them).
#[derive(Debug, Serialize)]
pub struct RunShellScriptParameters {
    /// The commands, run in one shell script.
    pub commands: Vec<String>,
}
