//! `[stack]`: the stack's name, region, description, tags, who hears of
//! alarms (`notify`), and the monthly cost budget.

use std::collections::BTreeMap;

use super::context::{Context, Keys, StackFacts};
use super::grammar;
use crate::diag::{Code, Diagnostic};
use crate::kind::Kind;
use crate::model::stack::{
    ALARM_TOPIC, ALARM_TOPIC_ARN, ALARM_TOPIC_POLICY, BUDGET, BUDGET_TOPIC, BUDGET_TOPIC_ARN,
    BUDGET_TOPIC_POLICY, SLACK_CHANNEL, SLACK_CHANNEL_ROLE,
};
use crate::model::{self, reserved};
use crate::naming::{LogicalId, Owner};
use crate::source::Span;
use crate::impact;
use crate::spec::{self, Block, Sp, Stack, Topology, WordOr};

/// Validates `[stack]`; `None` when it is absent or has an error.
pub(super) fn validate(cx: &mut Context<'_>, topo: &Topology) -> Option<model::Stack> {
    let Some(b) = &topo.stack else {
        let lost = topo.lost.iter().any(|l| l.kind == Kind::Stack);
        if !lost {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    Span::default(),
                    "the topology has no [stack] block",
                )
                .label("expected `[stack]` with `name` and `region`")
                .help("add `[stack]` with `name = \"…\"` and `region = \"…\"`"),
            );
        }
        return None;
    };
    let keys = Keys::of(Kind::Stack, b);
    let s = &b.body;
    let name = keys.required(cx, s.name.as_ref(), "name");
    let region = keys.required(cx, s.region.as_ref(), "region");
    let name = name.and_then(|n| cx.check(grammar::stack_name(n)));
    let region = region.and_then(|r| cx.check(grammar::region(r)));
    let description = match &s.description {
        Some(d) => description(cx, d).map(Some),
        None => Some(None),
    };
    let notify = match &s.notify {
        Some(n) => notify(cx, &keys, n, region.as_deref()).map(Some),
        None => Some(None),
    };
    let mut tags = Some(BTreeMap::new());
    // IAM roles carry the stack tags, and IAM refuses two keys that differ
    // only in case.
    let mut folded: BTreeMap<String, &Sp<String>> = BTreeMap::new();
    for (k, v) in &s.tags {
        let tag = cx
            .check(grammar::tag_key(k))
            .and_then(|key| reserved_tag(cx, k, key))
            .and_then(|key| match folded.insert(key.to_ascii_lowercase(), k) {
                Some(first) => {
                    cx.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            k.span,
                            format!("tag keys `{}` and `{key}` differ only in case", first.value),
                        )
                        .label("second key")
                        .also(first.span, "first key")
                        .help("IAM, whose roles carry the stack tags, takes tag keys without regard to case: keep one"),
                    );
                    None
                }
                None => Some(key),
            })
            .and_then(|key| Some((cx.check(grammar::tag_value(&key, v))?, key)));
        match (tag, &mut tags) {
            (Some((value, key)), Some(tags)) => {
                tags.insert(key, value);
            }
            _ => tags = None,
        }
    }
    // What other blocks check against, each as soon as it is sound.
    cx.stack_facts = StackFacts {
        name: name.clone(),
        region: region.clone(),
        tags: tags.clone().filter(|_| !keys.is_broken("tags")),
    };
    let budget = match &s.budget {
        Some(b) => budget(
            cx,
            &keys,
            b,
            tags.as_ref(),
            region.as_deref(),
            s.notify.is_some(),
        )
        .map(Some),
        None => Some(None),
    };
    Some(model::Stack {
        name: name?,
        region: region?,
        description: description?,
        tags: tags?,
        notify: notify?,
        budget: budget?,
    })
}

/// SNS takes any number of subscriptions; ten addresses is already a
/// mailing list's job.
const MAX_EMAILS: usize = 10;

/// `notify`: an address, or `{ email = [...], slack = { workspace, channel } }`.
fn notify(
    cx: &mut Context<'_>,
    keys: &Keys<'_>,
    n: &Sp<WordOr<spec::NotifyTable>>,
    region: Option<&str>,
) -> Option<model::Notify> {
    let table = match &n.value {
        WordOr::Word(w) => {
            let email = cx.check(grammar::email(&Sp::new(w.clone(), n.span)))?;
            return Some(model::Notify {
                emails: vec![email],
                slack: None,
            });
        }
        WordOr::Table(t) => t,
    };
    let keys = keys.nested("notify", n.span);
    if table.email.is_none() && table.slack.is_none() {
        if !keys.is_broken("email") && !keys.is_broken("slack") {
            cx.push(
                Diagnostic::error(Code::MissingKey, n.span, "`notify` names nobody")
                    .label("neither `email` nor `slack`")
                    .help("add `email = [\"ops@example.com\"]`, `slack = { workspace = \"T…\", channel = \"C…\" }`, or both"),
            );
        }
        return None;
    }
    let mut emails = Some(Vec::new());
    if let Some(list) = &table.email {
        if list.value.is_empty() {
            cx.push(
                Diagnostic::error(Code::InvalidValue, list.span, "`email` is empty")
                    .label("no address")
                    .help("list at least one address, or leave `email` out"),
            );
            emails = None;
        } else if list.value.len() > MAX_EMAILS {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    list.span,
                    format!("`email` lists {} addresses", list.value.len()),
                )
                .label(format!("at most {MAX_EMAILS}"))
                .help("subscribe a mailing list instead of each person"),
            );
            emails = None;
        }
        let mut seen: Vec<String> = Vec::new();
        for e in &list.value {
            let checked = cx.check(grammar::email(e));
            match (checked, &mut emails) {
                (Some(addr), Some(all)) => {
                    let lower = addr.to_ascii_lowercase();
                    if seen.contains(&lower) {
                        cx.listed_twice(Code::InvalidValue, e.span, &format!("`{addr}`"));
                        emails = None;
                    } else {
                        seen.push(lower);
                        all.push(addr);
                    }
                }
                _ => emails = None,
            }
        }
    }
    let slack = match &table.slack {
        Some(t) => {
            let keys = keys.nested("slack", t.span);
            let workspace = keys.required(cx, t.value.workspace.as_ref(), "workspace");
            let channel = keys.required(cx, t.value.channel.as_ref(), "channel");
            let workspace = workspace
                .and_then(|w| cx.check(grammar::slack_id(w, b"T", "workspace", "T0123ABCDE")));
            let channel = channel
                .and_then(|c| cx.check(grammar::slack_id(c, b"CG", "channel", "C0123ABCDEF")));
            if let Some(r) = region {
                if !impact::offered_in(CHATBOT, r) {
                    cx.push(
                        Diagnostic::error(
                            Code::InvalidRegion,
                            t.span,
                            format!("CloudFormation does not offer AWS Chatbot in {r}"),
                        )
                        .label("a Slack channel needs AWS::Chatbot::SlackChannelConfiguration")
                        .help("notify by `email` from this region, or deploy the stack to a region Chatbot serves"),
                    );
                    return None;
                }
            }
            Some(Some(model::Slack {
                workspace: workspace?,
                channel: channel?,
            }))
        }
        None => Some(None),
    };
    Some(model::Notify {
        emails: emails?,
        slack: slack?,
    })
}

/// The CloudFormation type of a Slack channel.
const CHATBOT: &str = "AWS::Chatbot::SlackChannelConfiguration";
/// The CloudFormation type of a budget.
const BUDGET_TYPE: &str = "AWS::Budgets::Budget";

/// `budget = { limit, currency, actual, forecast, tag }`.
fn budget(
    cx: &mut Context<'_>,
    keys: &Keys<'_>,
    b: &Sp<spec::BudgetTable>,
    tags: Option<&BTreeMap<String, String>>,
    region: Option<&str>,
    notifies: bool,
) -> Option<model::Budget> {
    let keys = keys.nested("budget", b.span);
    let v = &b.value;
    let limit = keys.required(cx, v.limit.as_ref(), "limit").and_then(|l| {
        cx.check(grammar::number(
            l,
            1..=1_000_000_000,
            "limit",
            "a monthly limit of 1 to 1,000,000,000 whole units of the currency",
        ))
    });
    let currency = match &v.currency {
        Some(c) => cx.check(grammar::currency(c)),
        None => Some("USD".to_string()),
    };
    let percent = |cx: &mut Context<'_>, p: &Option<Sp<i64>>, key: &str, default: u32| match p {
        Some(p) => cx.check(grammar::number(
            p,
            1..=1000,
            key,
            "a percentage of the limit, 1 to 1000",
        )),
        None => Some(default),
    };
    let actual = percent(cx, &v.actual, "actual", 80);
    let forecast = percent(cx, &v.forecast, "forecast", 100);
    let mut sound = true;
    if !notifies {
        cx.push(
            Diagnostic::error(Code::MissingKey, b.span, "a budget with nobody to notify")
                .label("`budget` mails the stack's `notify` recipients")
                .help("set `notify` in [stack]: an address, or a table with `email` and `slack`"),
        );
        sound = false;
    }
    // Unsound stack tags are reported already.
    let tag = tags.and_then(|tags| budget_tag(cx, b, tags));
    // Budgets is global; where CloudFormation does not offer it, the budget
    // goes to the us-east-1 edge stack, which is always there to take it.
    let in_main_region = region.map(|r| impact::offered_in(BUDGET_TYPE, r));
    if !sound {
        return None;
    }
    Some(model::Budget {
        limit: u64::from(limit?),
        currency: currency?,
        actual: actual?,
        forecast: forecast?,
        tag: tag?,
        in_main_region: in_main_region?,
    })
}

/// A tag with a value: a cost filter on an empty value selects the costs
/// of what does *not* carry the tag.
fn nonempty(
    cx: &mut Context<'_>,
    b: &Sp<spec::BudgetTable>,
    tag: (String, String),
) -> Option<(String, String)> {
    if !tag.1.is_empty() {
        return Some(tag);
    }
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            b.span,
            format!("the stack tag `{}` that scopes the budget is empty", tag.0),
        )
        .label("a budget filtered on an empty tag value counts untagged costs")
        .help("give the tag a value, or scope the budget by another stack tag"),
    );
    None
}

/// The stack tag that scopes the budget: `tag`, or the one stack tag.
fn budget_tag(
    cx: &mut Context<'_>,
    b: &Sp<spec::BudgetTable>,
    tags: &BTreeMap<String, String>,
) -> Option<(String, String)> {
    let Some(key) = &b.value.tag else {
        if let Some((key, value)) = tags.iter().next().filter(|_| tags.len() == 1) {
            return nonempty(cx, b, (key.clone(), value.clone()));
        }
        let d = Diagnostic::error(
            Code::MissingKey,
            b.span,
            "the budget does not say which stack tag scopes it",
        );
        cx.push(if tags.is_empty() {
            d.label("[stack] has no tags")
                .help("add a tag to `tags` in [stack] (every resource carries it), and activate it as a cost allocation tag")
        } else {
            d.label(format!("[stack] has {} tags", tags.len()))
                .help("name one with `tag = \"KEY\"`")
        });
        return None;
    };
    if let Some(value) = tags.get(&key.value) {
        return nonempty(cx, b, (key.value.clone(), value.clone()));
    }
    let known: Vec<String> = tags.keys().map(|k| format!("`{k}`")).collect();
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            key.span,
            format!("`{}` is not one of the stack's tags", key.value),
        )
        .label("the budget is scoped by a stack tag")
        .help(if known.is_empty() {
            "add it to `tags` in [stack]".to_string()
        } else {
            format!("name one of {}, or add it to `tags`", known.join(", "))
        }),
    );
    None
}

/// `description`: the template's `Description`, plain text of at most
/// 1024 bytes; `None` when it is refused.
fn description(cx: &mut Context<'_>, d: &Sp<String>) -> Option<String> {
    if d.value.len() > 1024 {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                d.span,
                "the stack description is longer than 1024 bytes",
            )
            .label(format!("{} bytes", d.value.len()))
            .help("CloudFormation limits Description to 1024 bytes"),
        );
        return None;
    }
    // Line breaks (a multi-line string in a CRLF file keeps its CRs) and
    // tabs are text; other control characters are not.
    let control = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if d.value.chars().any(control) {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                d.span,
                "the stack description holds a control character",
            )
            .label("a control character other than a line break or a tab")
            .help("write the description as plain text: it is shown in the CloudFormation console"),
        );
        return None;
    }
    Some(d.value.clone())
}

/// A stack tag key, unless topoform sets a tag of that key itself: stack
/// tags go on the same resources, and EC2 refuses a duplicate key.
fn reserved_tag(cx: &mut Context<'_>, k: &Sp<String>, key: String) -> Option<String> {
    if !reserved::is_reserved_tag(&key) {
        return Some(key);
    }
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            k.span,
            format!("tag key `{key}` is one topoform sets itself"),
        )
        .label("a duplicate tag key, which EC2 or IAM (in any case) refuses")
        .help("choose another key: `Name`, `allocation-id` and `topoform:*` are taken, in any case"),
    );
    None
}

/// Claims the stack-wide logical IDs of `notify` and `budget`, once every
/// block has claimed its own: a block must not derive them too.
pub(super) fn claim_alarm_topic(cx: &mut Context<'_>, b: &Block<Stack>, stack: &model::Stack) {
    let owner = Owner {
        kind: Kind::Stack,
        name: "notify".into(),
        client: None,
        span: b.span,
    };
    let mut ids: Vec<LogicalId> = [ALARM_TOPIC, ALARM_TOPIC_ARN, ALARM_TOPIC_POLICY]
        .into_iter()
        .map(LogicalId::fixed)
        .collect();
    if let Some(n) = &stack.notify {
        ids.extend(
            n.subscription_ids()
                .into_iter()
                .filter_map(|(id, _)| LogicalId::parse(&id)),
        );
        if n.slack.is_some() {
            ids.push(LogicalId::fixed(SLACK_CHANNEL));
            ids.push(LogicalId::fixed(SLACK_CHANNEL_ROLE));
        }
    }
    if let Some(b) = &stack.budget {
        ids.push(LogicalId::fixed(BUDGET));
        if !b.in_main_region {
            ids.extend(
                [BUDGET_TOPIC, BUDGET_TOPIC_POLICY, BUDGET_TOPIC_ARN]
                    .into_iter()
                    .map(LogicalId::fixed),
            );
            ids.extend(stack.notify.iter().flat_map(|n| {
                n.budget_subscription_ids()
                    .into_iter()
                    .filter_map(|(id, _)| LogicalId::parse(&id))
            }));
        }
    }
    for id in ids {
        if let Some(c) = cx.registry.register_stack_wide(id, &owner) {
            cx.push(
                Diagnostic::error(
                    Code::LogicalIdCollision,
                    c.first.span,
                    format!(
                        "`{}` derives the logical ID `{}`, which `notify` uses",
                        c.first, c.id
                    ),
                )
                .label("derives a reserved logical ID")
                .help("rename the block"),
            );
        }
    }
}
