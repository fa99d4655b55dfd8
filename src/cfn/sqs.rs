//! Amazon SQS: the dead-letter queue of a fleet's schedules, which keeps
//! every start or stop request that failed for good, with its error.

use serde::Serialize;

use super::{Properties, Tag, tag_list_if_any};

/// `AWS::SQS::Queue`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Queue {
    /// Seconds a message is kept (at most 14 days).
    pub message_retention_period: u32,
    /// Server-side encryption with keys SQS manages.
    pub sqs_managed_sse_enabled: bool,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for Queue {
    fn resource_type(&self) -> &'static str {
        "AWS::SQS::Queue"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}
