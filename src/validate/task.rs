//! `[task.NAME]`: where the commands run, when, and what they are.

use super::context::{Context, Keys};
use super::grammar;
use super::shared::derived_name_fits;
use super::target;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::{self, Name};
use crate::naming::Prefix;
use crate::spec::{Block, SpList, Task};

/// Validates a task.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Task>) -> Option<model::Task> {
    let keys = Keys::of(Kind::Task, b);
    // The association is named `STACK-NAME`: State Manager allows 3 to 128
    // characters.
    let name_ok = derived_name_fits(
        cx,
        &b.name,
        128,
        "names the State Manager association",
        "shorten the stack or task name",
    );
    let x = &b.body;
    let target = keys
        .required(cx, x.target.as_ref(), "target")
        .and_then(|t| target(cx, t, &slot::TASK_TARGET));
    let schedule = keys
        .required(cx, x.schedule.as_ref(), "schedule")
        .and_then(|s| cx.check(grammar::schedule(s)));
    let commands = keys
        .required(cx, x.commands.as_ref(), "commands")
        .and_then(|c| commands(cx, c));
    if !name_ok {
        return None;
    }
    Some(model::Task {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        target: target?,
        schedule: schedule?,
        commands: commands?,
    })
}

fn commands(cx: &mut Context<'_>, c: &SpList) -> Option<Vec<String>> {
    if !c.value.is_empty() && c.value.iter().all(|cmd| !cmd.value.contains('\0')) {
        return Some(c.value.iter().map(|cmd| cmd.value.clone()).collect());
    }
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            c.span,
            "`commands` is empty or holds a NUL byte",
        )
        .label("expected one or more shell commands"),
    );
    None
}
