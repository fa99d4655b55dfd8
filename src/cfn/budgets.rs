//! AWS Budgets: the monthly cost budget of `[stack] budget`.
//!
//! `NotificationsWithSubscribers` and `Budget.BudgetName` are create-only:
//! a change of either replaces the budget (see `synth::stack` for how the
//! name follows the notifications, so that the replacement can happen).

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

/// `AWS::Budgets::Budget`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Budget {
    /// What it measures.
    pub budget: BudgetData,
    /// Who hears of it, and when.
    pub notifications_with_subscribers: Vec<NotificationWithSubscribers>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_tags: Vec<Tag>,
}

impl Properties for Budget {
    fn resource_type(&self) -> &'static str {
        "AWS::Budgets::Budget"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.resource_tags)
    }
}

/// `BudgetData`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BudgetData {
    /// Unique in the account, at most 100 characters, no `:` or `\`.
    pub budget_name: String,
    /// The monthly limit.
    pub budget_limit: Spend,
    /// `COST`.
    pub budget_type: &'static str,
    /// `MONTHLY`.
    pub time_unit: &'static str,
    /// `{"TagKeyValue": ["user:KEY$VALUE"]}`: the cost allocation tag.
    pub cost_filters: CostFilters,
}

/// `Spend`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Spend {
    /// Amount.
    pub amount: u64,
    /// ISO 4217 code.
    pub unit: String,
}

/// `CostFilters` (a JSON object in the schema).
#[derive(Debug, Serialize)]
pub struct CostFilters {
    /// `user:KEY$VALUE` for a user-defined cost allocation tag.
    #[serde(rename = "TagKeyValue")]
    pub tag_key_value: Vec<String>,
}

/// `NotificationWithSubscribers`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NotificationWithSubscribers {
    /// When.
    pub notification: Notification,
    /// Who: the alarm topic.
    pub subscribers: Vec<Subscriber>,
}

/// `Notification`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Notification {
    /// `ACTUAL` or `FORECASTED`.
    pub notification_type: &'static str,
    /// `GREATER_THAN`.
    pub comparison_operator: &'static str,
    /// Percent of the limit.
    pub threshold: u32,
    /// `PERCENTAGE`.
    pub threshold_type: &'static str,
}

/// `Subscriber`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscriber {
    /// `SNS`.
    pub subscription_type: &'static str,
    /// The topic's ARN.
    pub address: Expr,
}
