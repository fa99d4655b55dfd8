//! The validation context: what every check may need (the diagnostics so
//! far, the files the topology names, the blocks to resolve references
//! against, the logical IDs claimed, the blocks validated so far), and
//! [`Keys`], the table a check is reading.
//!
//! Modelled on cargo-deny's `ValidationContext`: checks push diagnostics and
//! carry on, so one run reports every problem.

use std::collections::{BTreeMap, BTreeSet};

use super::grammar::{self, Checked};
use super::refs::Index;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, Slot};
use crate::model::{self, Model, Name};
use crate::naming::{Collision, Registry};
use crate::source::{Files, Span};
use crate::spec::{Block, Broken, Ref, Sp, SpList, Topology};

/// What every check of a validation run shares.
pub(super) struct Context<'a> {
    diags: Vec<Diagnostic>,
    files: &'a dyn Files,
    /// The topology as written.
    pub(super) topo: &'a Topology,
    /// Every block as written, to resolve references against.
    pub(super) index: Index<'a>,
    /// Every logical ID claimed so far.
    pub(super) registry: Registry,
    /// `[stack]`, once validated.
    pub(super) stack: Option<model::Stack>,
    /// What blocks check against `[stack]`, each known when it is sound even
    /// if another key of `[stack]` is not.
    pub(super) stack_facts: StackFacts,
    /// The blocks validated so far (its `stack` is filled in last).
    pub(super) model: Model,
    /// Instance types found to exist and to be offered in the stack's
    /// region: ten thousand instances of one type look it up once.
    pub(super) fine_types: std::collections::BTreeSet<String>,
}

impl<'a> Context<'a> {
    pub(super) fn new(topo: &'a Topology, files: &'a dyn Files) -> Self {
        Context {
            diags: Vec::new(),
            files,
            topo,
            index: Index::new(topo),
            registry: Registry::default(),
            stack: None,
            stack_facts: StackFacts::default(),
            model: Model::default(),
            fine_types: std::collections::BTreeSet::new(),
        }
    }

    /// Reports a problem.
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The checked value, or `None` once its problem is reported.
    pub(super) fn check<T>(&mut self, checked: Checked<T>) -> Option<T> {
        checked.map_err(|d| self.push(d)).ok()
    }

    /// Whether an error with `code` has been reported.
    pub(super) fn reported(&self, code: Code) -> bool {
        self.diags.iter().any(|d| d.is_error() && d.code == code)
    }

    /// Whether any error is reported yet.
    pub(super) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }

    /// The name of the block `r`, written in `slot`, refers to, or `None`
    /// once the problem is reported (or when the block was lost by the front
    /// end).
    pub(super) fn resolve(&mut self, r: &Sp<Ref>, slot: &Slot) -> Option<Name> {
        let resolved = self.index.resolve(r, slot);
        resolved.map_err(|d| d.map(|d| self.push(d))).ok()
    }

    /// The text of a file the topology names (`setup`, `page`, `clients_file`).
    pub(super) fn read_file(&mut self, path: &Sp<String>) -> Option<String> {
        match self.files.read(&path.value) {
            Ok(text) => Some(text),
            Err(why) => {
                self.push(
                    Diagnostic::error(
                        Code::UnreadableFile,
                        path.span,
                        format!("cannot read `{}`", path.value),
                    )
                    .label(why)
                    .help(self.topo.front.say(
                        "paths are relative to the topology file, inside its directory, to regular files of at most 1 MiB",
                        "paths are relative to the directory of the `Files` given to `compile`, inside it, to regular files of at most 1 MiB",
                    )),
                );
                None
            }
        }
    }

    /// `thing` appears twice in a list.
    pub(super) fn listed_twice(&mut self, code: Code, span: Span, thing: &str) {
        self.push(
            Diagnostic::error(code, span, format!("{thing} is listed twice")).label("duplicate"),
        );
    }

    /// Reports that two owners derive the same logical ID.
    pub(super) fn collision(&mut self, c: &Collision, what: &str) {
        self.push(
            Diagnostic::error(
                Code::LogicalIdCollision,
                c.second.span,
                format!(
                    "`{}` and `{}` both derive the logical ID `{}`",
                    c.first, c.second, c.id
                ),
            )
            .label("derives a logical ID that is already taken")
            .also(c.first.span, "first derived here")
            .help(format!(
                "rename {what}: names that differ only in punctuation derive the same ID"
            )),
        );
    }

    /// A non-empty list of EC2-style ids (`subnet-…`), each listed once.
    pub(super) fn ids(
        &mut self,
        list: &SpList,
        prefix: &str,
        what: &str,
        keys: &Keys<'_>,
        key: &str,
    ) -> Option<Vec<String>> {
        if list.value.is_empty() {
            self.push(
                Diagnostic::error(Code::InvalidValue, list.span, format!("`{key}` is empty"))
                    .label(format!("at least one {what} is needed"))
                    .also(keys.at, "in this block"),
            );
            return None;
        }
        let mut ok = true;
        let mut seen = BTreeSet::new();
        for id in &list.value {
            ok &= self.check(grammar::aws_id(id, prefix, what)).is_some();
            if !seen.insert(&id.value) {
                ok = false;
                self.listed_twice(
                    Code::InvalidValue,
                    id.span,
                    &format!("{what} `{}`", id.value),
                );
            }
        }
        ok.then(|| list.value.iter().map(|s| s.value.clone()).collect())
    }

    /// An allow-list of CIDRs, sorted and without repeats. An empty list is
    /// refused: `empty` labels why, with an optional hint.
    pub(super) fn cidrs(
        &mut self,
        list: &SpList,
        empty: &str,
        hint: Option<&str>,
    ) -> Option<Vec<model::Ipv4Net>> {
        if list.value.is_empty() {
            let mut d =
                Diagnostic::error(Code::InvalidValue, list.span, "`allow` is empty").label(empty);
            if let Some(hint) = hint {
                d = d.help(hint);
            }
            self.push(d);
            return None;
        }
        let nets: Vec<Option<model::Ipv4Net>> = list
            .value
            .iter()
            .map(|c| self.check(grammar::cidr(c)))
            .collect();
        let mut nets: Vec<model::Ipv4Net> = nets.into_iter().collect::<Option<_>>()?;
        nets.sort();
        nets.dedup();
        Some(nets)
    }
}

/// The `[stack]` values other blocks are checked against.
#[derive(Default)]
pub(super) struct StackFacts {
    /// The stack's name (resource names are derived from it).
    pub(super) name: Option<String>,
    /// The stack's region.
    pub(super) region: Option<String>,
    /// The stack's tags (they go on every instance).
    pub(super) tags: Option<BTreeMap<String, String>>,
}

/// A table being validated: how messages name it, where to point at it, and
/// which of its keys the front end could not read.
pub(super) struct Keys<'b> {
    /// `[instance.web]`, "`hours` in [instance.web]".
    pub(super) what: String,
    /// The table's span.
    pub(super) at: Span,
    broken: &'b Broken,
    prefix: String,
}

impl<'b> Keys<'b> {
    /// The body of `block`, of `kind`.
    pub(super) fn of<T>(kind: Kind, block: &'b Block<T>) -> Self {
        let what = if kind == Kind::Stack {
            "[stack]".to_string()
        } else {
            format!("[{kind}.{}]", block.name.value)
        };
        Keys {
            what,
            at: block.span,
            broken: &block.broken,
            prefix: String::new(),
        }
    }

    /// The inline table under `key`, written at `at`.
    pub(super) fn nested(&self, key: &str, at: Span) -> Keys<'b> {
        Keys {
            what: format!("`{key}` in {}", self.what),
            at,
            broken: self.broken,
            prefix: format!("{}{key}.", self.prefix),
        }
    }

    /// Whether the front end could not read `key` of this table.
    pub(super) fn is_broken(&self, key: &str) -> bool {
        self.broken.contains(&format!("{}{key}", self.prefix))
    }

    /// `value`, or `None` after reporting it missing (unless the front end
    /// already reported it unreadable).
    pub(super) fn required<'v, T>(
        &self,
        cx: &mut Context<'_>,
        value: Option<&'v Sp<T>>,
        key: &str,
    ) -> Option<&'v Sp<T>> {
        if value.is_none() && !self.is_broken(key) {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    self.at,
                    format!("{} has no `{key}`", self.what),
                )
                .label(format!("`{key}` is required here")),
            );
        }
        value
    }
}

/// An optional key's checked value: `Some(None)` when absent, `None` when
/// present and wrong, so that `?` on it reads as "every key is sound".
#[allow(
    clippy::option_option,
    reason = "absent and invalid are different answers"
)]
pub(super) fn optional<S, T>(
    value: Option<&S>,
    check: impl FnOnce(&S) -> Option<T>,
) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(v) => check(v).map(Some),
    }
}
