//! `[backup.NAME]`: a Data Lifecycle Manager policy.

use super::{Name, Target};
use crate::naming::{Prefix, parts};

/// AMIs or snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// AMIs (IMAGE_MANAGEMENT); expired AMIs are deregistered with their snapshots.
    Ami,
    /// EBS snapshots of every volume (EBS_SNAPSHOT_MANAGEMENT).
    Snapshot,
}

/// A copy of each backup to another region.
#[derive(Clone, Debug)]
pub struct CopyTo {
    /// Target region.
    pub region: String,
    /// Generations kept there.
    pub keep: u32,
}

impl CopyTo {
    /// How long the copies are kept, in days, for backups taken every
    /// `every` hours. A cross-region retain rule takes an age, not a count:
    /// `keep` × `every` hours, rounded up to whole days so that at least
    /// `keep` copies are kept (up to a day's worth more).
    pub fn retain_days(&self, every: u32) -> u32 {
        (self.keep * every).div_ceil(24).max(1)
    }

    /// How many copies that age holds: `keep`, or more when it was rounded.
    pub fn copies_kept(&self, every: u32) -> u32 {
        self.retain_days(every) * 24 / every
    }
}

/// A Data Lifecycle Manager policy.
#[derive(Clone, Debug)]
pub struct Backup {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// What is backed up.
    pub target: Target,
    /// AMIs or snapshots.
    pub kind: BackupKind,
    /// First backup of the day, UTC (hour, minute).
    pub at: (u8, u8),
    /// Hours between backups: 1, 2, 3, 4, 6, 8, 12 or 24.
    pub every: u32,
    /// Generations kept.
    pub keep: u32,
    /// Cross-region copy.
    pub copy_to: Option<CopyTo>,
}

parts! {
    /// What a `[backup]` produces.
    pub Part {
        /// The Data Lifecycle Manager policy.
        LifecyclePolicy = "LifecyclePolicy",
        /// The role DLM acts as.
        LifecycleRole = "LifecycleRole",
        /// With `notify`: the rule that reports the policy in error.
        ErrorRule = "ErrorRule",
        /// With `notify`: the alarm on backups that failed.
        FailedAlarm = "FailedAlarm",
    }
}
