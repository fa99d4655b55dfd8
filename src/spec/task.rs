//! `[task.NAME]`: shell commands that SSM State Manager runs on a schedule.

use super::{Body, Field, Ref, Sp, SpList, Table, TargetRef, extend, here};
use crate::kind::{Kind, slot};

/// The body of a `[task.NAME]` block.
///
/// Only an instance or a fleet can be a target: passing a sorry site does
/// not compile (error E0277; `tests/ui` holds the sample).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// An instance or a fleet.
    pub(crate) target: Option<Sp<Ref>>,
    /// `cron(...)` or `rate(...)`.
    pub(crate) schedule: Option<Sp<String>>,
    /// Shell commands.
    pub(crate) commands: Option<SpList>,
}

impl Table for Task {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("target", Field::Ref(&mut self.target, &slot::TASK_TARGET)),
            ("schedule", Field::Text(&mut self.schedule)),
            ("commands", Field::List(&mut self.commands)),
        ]
    }
}

impl Body for Task {
    const KIND: Kind = Kind::Task;
}

impl Task {
    /// Runs `commands` (the lines of a shell script, one or more) on
    /// `target` (`&instance` or `&fleet`, see [`TargetRef`]) on `schedule`
    /// (`cron(...)` or `rate(...)`).
    #[track_caller]
    pub fn new<S: Into<String>>(
        target: impl Into<TargetRef>,
        schedule: impl Into<String>,
        commands: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut task = Task {
            target: Some(super::at_caller(target.into().0)),
            schedule: Some(here(schedule)),
            commands: None,
        };
        extend(&mut task.commands, commands);
        task
    }
}
