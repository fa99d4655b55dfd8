//! `[stack]`: the stack's name, region, description, tags and alarm e-mail.

use std::collections::BTreeMap;

use super::context::{Context, Keys, StackFacts};
use super::grammar;
use crate::diag::{Code, Diagnostic};
use crate::kind::Kind;
use crate::model::stack::{ALARM_SUBSCRIPTION, ALARM_TOPIC, ALARM_TOPIC_ARN, ALARM_TOPIC_POLICY};
use crate::model::{self, reserved};
use crate::naming::Owner;
use crate::source::Span;
use crate::spec::{Block, Sp, Stack, Topology};

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
        Some(d) if d.value.len() > 1024 => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    d.span,
                    "the stack description is longer than 1024 bytes",
                )
                .label(format!("{} bytes", d.value.len()))
                .help("CloudFormation limits Description to 1024 bytes"),
            );
            None
        }
        d => Some(d.as_ref().map(|d| d.value.clone())),
    };
    let notify = match &s.notify {
        Some(n) => cx.check(grammar::email(n)).map(Some),
        None => Some(None),
    };
    let mut tags = Some(BTreeMap::new());
    for (k, v) in &s.tags {
        let tag = cx
            .check(grammar::tag_key(k))
            .and_then(|key| reserved_tag(cx, k, key))
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
    Some(model::Stack {
        name: name?,
        region: region?,
        description: description?,
        tags: tags?,
        notify: notify?,
    })
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
        .label("would be a duplicate tag key, which EC2 refuses")
        .help("choose another key: `Name`, `allocation-id` and `topoform:*` are taken"),
    );
    None
}

/// Claims the stack-wide logical IDs of `notify`, once every block has
/// claimed its own: a block must not derive them too.
pub(super) fn claim_alarm_topic(cx: &mut Context<'_>, b: &Block<Stack>) {
    let owner = Owner {
        kind: Kind::Stack,
        name: "notify".into(),
        client: None,
        span: b.span,
    };
    for id in [
        ALARM_TOPIC,
        ALARM_SUBSCRIPTION,
        ALARM_TOPIC_ARN,
        ALARM_TOPIC_POLICY,
    ] {
        if let Some(c) = cx.registry.register_fixed(id, &owner) {
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
