//! `[stack]`: the CloudFormation stack the topology becomes, who hears of
//! what needs a person (`notify`), and the monthly cost budget (`budget`).

use super::{Blank, Field, Sp, SpList, Table, WordOr, here, int, push};

/// `[stack]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack {
    /// CloudFormation stack name.
    pub(crate) name: Option<Sp<String>>,
    /// Region of the main stack.
    pub(crate) region: Option<Sp<String>>,
    /// Template description.
    pub(crate) description: Option<Sp<String>>,
    /// Tags for every taggable resource.
    pub(crate) tags: Vec<(Sp<String>, Sp<String>)>,
    /// `notify`: an e-mail address, or a table of addresses and a Slack
    /// channel, that the alarm topic reaches.
    pub(crate) notify: Option<Sp<WordOr<NotifyTable>>>,
    /// `budget`: the stack's monthly cost budget.
    pub(crate) budget: Option<Sp<BudgetTable>>,
}

impl Table for Stack {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("name", Field::Text(&mut self.name)),
            ("region", Field::Text(&mut self.region)),
            ("description", Field::Text(&mut self.description)),
            ("tags", Field::Map(&mut self.tags)),
            ("notify", Field::WordOrTable(&mut self.notify)),
            ("budget", Field::Table(&mut self.budget)),
        ]
    }
}

/// `notify = { email = [...], slack = { workspace = "T…", channel = "C…" } }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyTable {
    /// E-mail addresses, each subscribed to the alarm topic.
    pub(crate) email: Option<SpList>,
    /// A Slack channel that AWS Chatbot posts the topic's messages to.
    pub(crate) slack: Option<Sp<SlackTable>>,
}

impl Table for NotifyTable {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("email", Field::List(&mut self.email)),
            ("slack", Field::Table(&mut self.slack)),
        ]
    }
}

/// `slack = { workspace = "T…", channel = "C…" }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SlackTable {
    /// The Slack workspace (team) id, authorized in AWS Chatbot once.
    pub(crate) workspace: Option<Sp<String>>,
    /// The channel id.
    pub(crate) channel: Option<Sp<String>>,
}

impl Table for SlackTable {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("workspace", Field::Text(&mut self.workspace)),
            ("channel", Field::Text(&mut self.channel)),
        ]
    }
}

/// `budget = { limit = 300, currency = "USD", actual = 80, forecast = 100, tag = "team" }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetTable {
    /// The monthly limit, in whole units of `currency`.
    pub(crate) limit: Option<Sp<i64>>,
    /// ISO 4217 code of the limit (default `USD`).
    pub(crate) currency: Option<Sp<String>>,
    /// Percent of the limit actually spent that notifies (default 80).
    pub(crate) actual: Option<Sp<i64>>,
    /// Percent of the limit forecast for the month that notifies (default 100).
    pub(crate) forecast: Option<Sp<i64>>,
    /// The key of the `[stack] tags` tag that scopes the budget.
    pub(crate) tag: Option<Sp<String>>,
}

impl Table for BudgetTable {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("limit", Field::Int(&mut self.limit)),
            ("currency", Field::Text(&mut self.currency)),
            ("actual", Field::Int(&mut self.actual)),
            ("forecast", Field::Int(&mut self.forecast)),
            ("tag", Field::Text(&mut self.tag)),
        ]
    }
}

impl Blank for SlackTable {
    fn blank() -> Self {
        SlackTable {
            workspace: None,
            channel: None,
        }
    }
}

impl Blank for BudgetTable {
    fn blank() -> Self {
        BudgetTable {
            limit: None,
            currency: None,
            actual: None,
            forecast: None,
            tag: None,
        }
    }
}

/// The builder's `notify` table: e-mail addresses and/or a Slack channel.
impl NotifyTable {
    /// Nobody yet: add at least one address or a Slack channel.
    #[must_use]
    pub fn new() -> Self {
        NotifyTable {
            email: None,
            slack: None,
        }
    }

    /// An e-mail address, subscribed to the alarm topic (call once per
    /// address).
    #[must_use]
    #[track_caller]
    pub fn email(mut self, address: impl Into<String>) -> Self {
        push(&mut self.email, address);
        self
    }

    /// The Slack channel `channel` (`C…` or `G…`) of workspace `workspace`
    /// (`T…`), which AWS Chatbot posts the topic's messages to. Authorize
    /// AWS Chatbot in the workspace once, in its console, before deploying.
    #[must_use]
    #[track_caller]
    pub fn slack(mut self, workspace: impl Into<String>, channel: impl Into<String>) -> Self {
        self.slack = Some(Sp::here(SlackTable {
            workspace: Some(here(workspace)),
            channel: Some(here(channel)),
        }));
        self
    }
}

impl Default for NotifyTable {
    fn default() -> Self {
        NotifyTable::new()
    }
}

/// The builder's `budget` table.
impl BudgetTable {
    /// A monthly cost budget of `limit` whole units of the currency (USD
    /// unless [`BudgetTable::currency`] says otherwise), notifying at 80%
    /// of it spent and at 100% forecast.
    #[must_use]
    #[track_caller]
    pub fn monthly(limit: u32) -> Self {
        let mut b = BudgetTable::blank();
        b.limit = Some(int(limit));
        b
    }

    /// `currency`: an ISO 4217 code.
    #[must_use]
    #[track_caller]
    pub fn currency(mut self, code: impl Into<String>) -> Self {
        self.currency = Some(here(code));
        self
    }

    /// `actual`: the percent of the limit spent that notifies.
    #[must_use]
    #[track_caller]
    pub fn actual(mut self, percent: u32) -> Self {
        self.actual = Some(int(percent));
        self
    }

    /// `forecast`: the percent of the limit forecast that notifies.
    #[must_use]
    #[track_caller]
    pub fn forecast(mut self, percent: u32) -> Self {
        self.forecast = Some(int(percent));
        self
    }

    /// `tag`: the key of the stack tag that scopes the budget (needed when
    /// the stack has more than one tag).
    #[must_use]
    #[track_caller]
    pub fn tag(mut self, key: impl Into<String>) -> Self {
        self.tag = Some(here(key));
        self
    }
}
