//! Amazon SNS: the alarm topic of `[stack] notify` and its e-mail
//! subscription.

use serde::Serialize;

use super::iam::PolicyDocument;
use super::{Expr, Properties, Tag, tag_list_if_any};

resource_types! {
    Subscription = "AWS::SNS::Subscription",
    TopicPolicy = "AWS::SNS::TopicPolicy",
}

/// `AWS::SNS::Topic`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    /// Display name (the sender name of e-mail notifications), at most 100 characters.
    pub display_name: String,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for Topic {
    fn resource_type(&self) -> &'static str {
        "AWS::SNS::Topic"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}

/// `AWS::SNS::Subscription`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    /// The topic.
    pub topic_arn: Expr,
    /// `email`.
    pub protocol: &'static str,
    /// The address.
    pub endpoint: String,
}

/// `AWS::SNS::TopicPolicy`: who else may publish (EventBridge rules).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicPolicy {
    /// Document.
    pub policy_document: PolicyDocument,
    /// The topics.
    pub topics: Vec<Expr>,
}
