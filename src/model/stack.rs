//! `[stack]`: the main stack, the stack-wide alarm topic and who it
//! reaches, and the monthly cost budget.

use std::collections::BTreeMap;

/// The main stack.
#[derive(Clone, Debug, Default)]
pub struct Stack {
    /// Stack name.
    pub name: String,
    /// Region of the main stack.
    pub region: String,
    /// Template description.
    pub description: Option<String>,
    /// Tags for every taggable resource, sorted by key.
    pub tags: BTreeMap<String, String>,
    /// Who every alarm notifies (through one SNS topic).
    pub notify: Option<Notify>,
    /// The monthly cost budget (it requires `notify`).
    pub budget: Option<Budget>,
}

/// Who the alarm topic reaches: e-mail addresses and a Slack channel, at
/// least one of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notify {
    /// Addresses, in the order written, without duplicates. The first one
    /// keeps the subscription of `notify = "ADDRESS"`.
    pub emails: Vec<String>,
    /// A Slack channel, through AWS Chatbot.
    pub slack: Option<Slack>,
}

/// A Slack channel that AWS Chatbot posts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slack {
    /// Workspace (team) id, `T…`.
    pub workspace: String,
    /// Channel id, `C…` (public) or `G…` (private).
    pub channel: String,
}

/// A monthly cost budget scoped by one stack tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The monthly limit, in whole units of `currency`.
    pub limit: u64,
    /// ISO 4217 code.
    pub currency: String,
    /// Percent of the limit actually spent that notifies.
    pub actual: u32,
    /// Percent of the limit forecast for the month that notifies.
    pub forecast: u32,
    /// The stack tag (key, value) that scopes it: a cost allocation tag.
    pub tag: (String, String),
    /// Whether CloudFormation offers `AWS::Budgets::Budget` in the main
    /// stack's region; otherwise the budget goes to the us-east-1 edge
    /// stack, with a topic of its own there.
    pub in_main_region: bool,
}

/// Stack-wide IDs: the alarm topic and its subscription (`[stack] notify`).
pub const ALARM_TOPIC: &str = "AlarmTopic";
/// See [`ALARM_TOPIC`]: the first e-mail address's subscription.
pub const ALARM_SUBSCRIPTION: &str = "AlarmTopicSubscription";
/// The output of the alarm topic's ARN.
pub const ALARM_TOPIC_ARN: &str = "AlarmTopicArn";
/// The topic policy that lets the stack's EventBridge rules publish.
pub const ALARM_TOPIC_POLICY: &str = "AlarmTopicPolicy";
/// The AWS Chatbot configuration of `notify.slack`.
pub const SLACK_CHANNEL: &str = "SlackChannel";
/// The role AWS Chatbot acts as in that channel.
pub const SLACK_CHANNEL_ROLE: &str = "SlackChannelRole";
/// `[stack] budget`.
pub const BUDGET: &str = "MonthlyBudget";
/// In the edge stack, when the main region has no budgets: the budget's own
/// topic, its policy, and its ARN (an edge output, and the main stack's
/// parameter when a Slack channel posts it too).
pub const BUDGET_TOPIC: &str = "BudgetTopic";
/// See [`BUDGET_TOPIC`].
pub const BUDGET_TOPIC_POLICY: &str = "BudgetTopicPolicy";
/// See [`BUDGET_TOPIC`].
pub const BUDGET_TOPIC_ARN: &str = "BudgetTopicArn";

/// The subscription of an address after the first: `AlarmTopicSubscription`
/// and the first 8 hex digits of SHA-256 of the lower-cased address, so
/// that reordering or removing another address replaces nothing.
#[cfg(test)]
pub(crate) fn extra_subscription_id(email: &str) -> String {
    subscription_id(ALARM_SUBSCRIPTION, email)
}

/// `first`, and the first 8 hex digits of SHA-256 of the lower-cased address.
fn subscription_id(first: &str, email: &str) -> String {
    format!(
        "{first}{}",
        crate::naming::short_hash(&email.to_ascii_lowercase())
    )
}

impl Notify {
    /// The logical IDs of the alarm topic's e-mail subscriptions, in
    /// address order.
    pub fn subscription_ids(&self) -> Vec<(String, &str)> {
        self.subscriptions(ALARM_SUBSCRIPTION)
    }

    /// The logical IDs of the edge budget topic's e-mail subscriptions.
    pub fn budget_subscription_ids(&self) -> Vec<(String, &str)> {
        self.subscriptions("BudgetTopicSubscription")
    }

    fn subscriptions(&self, first: &str) -> Vec<(String, &str)> {
        self.emails
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let id = if i == 0 {
                    first.to_string()
                } else {
                    subscription_id(first, e)
                };
                (id, e.as_str())
            })
            .collect()
    }
}
