//! AWS CloudFormation itself: the nested stack that holds one shard of a
//! topology too large for one template, and the properties of a resource the
//! split read back from JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};
use crate::naming::LogicalId;

/// `AWS::CloudFormation::Stack`: a nested stack.
///
/// Every property updates without interruption (CloudFormation User Guide,
/// `AWS::CloudFormation::Stack`): a new template or new parameters update the
/// nested stack in place, resource by resource, as a stack update does.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stack {
    /// The child template's path relative to the parent's, which
    /// `aws cloudformation package` uploads and replaces by its S3 URL.
    #[serde(rename = "TemplateURL")]
    pub template_url: String,
    /// The child's parameters: string values only (a list must be joined).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<LogicalId, Expr>,
    /// Tags, which CloudFormation also applies to the child's resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for Stack {
    fn resource_type(&self) -> &'static str {
        "AWS::CloudFormation::Stack"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}
