//! AWS Chatbot: the Slack channel of `[stack] notify`, subscribed to the
//! alarm topic.

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

/// `AWS::Chatbot::SlackChannelConfiguration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SlackChannelConfiguration {
    /// `[A-Za-z0-9-_]{1,128}`, unique in the account; create-only.
    pub configuration_name: String,
    /// The role Chatbot acts as in the channel.
    pub iam_role_arn: Expr,
    /// Workspace (team) id; create-only.
    pub slack_workspace_id: String,
    /// Channel id.
    pub slack_channel_id: String,
    /// The topics it posts from.
    pub sns_topic_arns: Vec<Expr>,
    /// `ERROR`: failed deliveries reach CloudWatch Logs.
    pub logging_level: &'static str,
    /// The most any channel member may do through Chatbot (without it,
    /// AWS applies `AdministratorAccess`).
    pub guardrail_policies: Vec<Expr>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for SlackChannelConfiguration {
    fn resource_type(&self) -> &'static str {
        "AWS::Chatbot::SlackChannelConfiguration"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}
