//! `[backup.NAME]`: AMIs or snapshots of an instance or a fleet, taken on a
//! schedule by Data Lifecycle Manager.

use super::{Body, Field, Fleet, Handle, Instance, Ref, Sp, Table, here, int};
use crate::kind::{Kind, slot};

/// The body of a `[backup.NAME]` block.
///
/// ```rust
/// use topoform::builder::{Backup, BackupKind, Instance, Task, Topology};
///
/// let mut topo = Topology::new("ops", "ap-northeast-1");
/// topo.notify("ops@example.com");
/// let web = topo.instance(
///     "web",
///     Instance::new(
///         "ami-0a1b2c3d4e5f60718",
///         "t3.small",
///         ["subnet-0123456789abcdef0"],
///         ["sg-0123456789abcdef0"],
///     ),
/// );
/// topo.backup(
///     "web-images",
///     Backup::new(&web, BackupKind::Ami, "17:00", 24, 7).copy_to("ap-southeast-1", 3),
/// );
/// topo.task(
///     "vacuum",
///     Task::new(&web, "cron(0 3 ? * SUN *)", ["journalctl --vacuum-time=14d"]),
/// );
/// ```
///
/// Only an instance or a fleet can be a target: passing a zone does not
/// compile (error E0277; `tests/ui` holds the sample).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backup {
    /// An instance or a fleet.
    pub(crate) target: Option<Sp<Ref>>,
    /// `"ami"` or `"snapshot"`.
    pub(crate) kind: Option<Sp<String>>,
    /// UTC `HH:MM`.
    pub(crate) at: Option<Sp<String>>,
    /// Hours between backups.
    pub(crate) every: Option<Sp<i64>>,
    /// Generations kept.
    pub(crate) keep: Option<Sp<i64>>,
    /// `{ region, keep }`.
    pub(crate) copy_to: Option<Sp<CopyTo>>,
}

/// `copy_to = { region, keep }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CopyTo {
    /// Target region.
    pub(crate) region: Option<Sp<String>>,
    /// Generations kept there.
    pub(crate) keep: Option<Sp<i64>>,
}

impl Table for CopyTo {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("region", Field::Text(&mut self.region)),
            ("keep", Field::Int(&mut self.keep)),
        ]
    }
}

impl Table for Backup {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("target", Field::Ref(&mut self.target, &slot::BACKUP_TARGET)),
            ("kind", Field::Text(&mut self.kind)),
            ("at", Field::Text(&mut self.at)),
            ("every", Field::Int(&mut self.every)),
            ("keep", Field::Int(&mut self.keep)),
            ("copy_to", Field::Table(&mut self.copy_to)),
        ]
    }
}

impl Body for Backup {
    const KIND: Kind = Kind::Backup;
}

impl Backup {
    /// Backs `target` (`&instance` or `&fleet`, see [`TargetRef`]) up as
    /// `kind`, first at `at` (UTC `HH:MM`) then `every` hours (1, 2, 3, 4,
    /// 6, 8, 12 or 24), keeping `keep` generations.
    #[track_caller]
    pub fn new(
        target: impl Into<TargetRef>,
        kind: BackupKind,
        at: impl Into<String>,
        every: u32,
        keep: u32,
    ) -> Self {
        let kind = match kind {
            BackupKind::Ami => "ami",
            BackupKind::Snapshot => "snapshot",
        };
        Backup {
            target: Some(super::at_caller(target.into().0)),
            kind: Some(here(kind)),
            at: Some(here(at)),
            every: Some(int(every)),
            keep: Some(int(keep)),
            copy_to: None,
        }
    }

    /// `copy_to`: copies each backup to `region`, keeping `keep`
    /// generations there.
    #[must_use]
    #[track_caller]
    pub fn copy_to(mut self, region: impl Into<String>, keep: u32) -> Self {
        self.copy_to = Some(Sp::here(CopyTo {
            region: Some(here(region)),
            keep: Some(int(keep)),
        }));
        self
    }
}

/// `kind` of a backup, for the builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// `"ami"`: an AMI, deregistered with its snapshots when it expires.
    Ami,
    /// `"snapshot"`: snapshots of the volumes.
    Snapshot,
}

/// The `target` of a backup or a task: an instance or a fleet.
///
/// [`Backup::new`] and `Task::new` take `impl Into<TargetRef>`, so pass
/// `&instance` or `&fleet`; no other handle converts into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRef(pub(super) Sp<Ref>);

impl From<&Handle<Instance>> for TargetRef {
    fn from(handle: &Handle<Instance>) -> Self {
        TargetRef(handle.to_ref())
    }
}

impl From<&Handle<Fleet>> for TargetRef {
    fn from(handle: &Handle<Fleet>) -> Self {
        TargetRef(handle.to_ref())
    }
}
