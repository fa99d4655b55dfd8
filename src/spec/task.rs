//! `[task.NAME]`: shell commands that SSM State Manager runs on a schedule.

use super::{Body, Field, Ref, Sp, SpList, Table, TargetRef, bare, extend, push};
use crate::kind::{Kind, slot};

/// The body of a `[task.NAME]` block.
///
/// Only an instance or a fleet can be a target: passing a sorry site does
/// not compile (error E0277; `tests/ui` holds the sample).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Task {
    /// An instance or a fleet.
    pub target: Option<Sp<Ref>>,
    /// `cron(...)` or `rate(...)`.
    pub schedule: Option<Sp<String>>,
    /// Shell commands.
    pub commands: Option<SpList>,
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
    /// Runs commands on `target` (`&instance` or `&fleet`, see
    /// [`TargetRef`]) on `schedule` (`cron(...)` or `rate(...)`). Add the
    /// commands with [`Task::command`] or [`Task::commands`].
    pub fn new(target: impl Into<TargetRef>, schedule: impl Into<String>) -> Self {
        Task {
            target: Some(target.into().0),
            schedule: Some(bare(schedule)),
            commands: None,
        }
    }

    /// Adds one of `commands`. Call once per command.
    #[must_use]
    pub fn command(mut self, command: impl Into<String>) -> Self {
        push(&mut self.commands, command);
        self
    }

    /// Adds every command of `commands` to `commands`.
    #[must_use]
    pub fn commands<S: Into<String>>(mut self, commands: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.commands, commands);
        self
    }
}
