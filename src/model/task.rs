//! `[task.NAME]`: a scheduled shell command run by SSM State Manager.

use super::{Name, Target};
use crate::naming::{Prefix, parts};

/// A scheduled shell command run by SSM State Manager.
#[derive(Clone, Debug)]
pub struct Task {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// Where it runs.
    pub target: Target,
    /// `cron(...)` or `rate(...)`.
    pub schedule: String,
    /// Commands for AWS-RunShellScript.
    pub commands: Vec<String>,
}

parts! {
    /// What a `[task]` produces.
    pub Part {
        /// The State Manager association.
        Association = "Association",
        /// With `notify`: the rule that reports a failed run.
        FailedRule = "FailedRule",
    }
}
