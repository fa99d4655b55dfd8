//! References between blocks: every block as written, by kind and name, and
//! the one place a [`Ref`] is resolved.
//!
//! The front end has already checked each reference's form and kind against
//! its slot; what is left is whether the block exists. A reference to a
//! block that the front end could not read (a lost block) is not reported:
//! its problem has been.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::kind::Kind;
use crate::model::Name;
use crate::spec::{Lost, Ref, Sp, Topology};

/// Every block of a topology, to resolve references against.
pub(super) struct Index<'a> {
    names: BTreeMap<Kind, Vec<&'a str>>,
    lost: &'a BTreeSet<Lost>,
    /// `(kind, name)` of each block and the references it makes.
    refs: Vec<(Kind, &'a str, Vec<&'a Sp<Ref>>)>,
}

impl<'a> Index<'a> {
    pub(super) fn new(topo: &'a Topology) -> Self {
        let mut names: BTreeMap<Kind, Vec<&str>> = BTreeMap::new();
        let mut refs = Vec::new();
        for b in topo.blocks() {
            names.entry(b.kind).or_default().push(&b.name.value);
            refs.push((b.kind, b.name.value.as_str(), b.refs));
        }
        Index {
            names,
            lost: &topo.lost,
            refs,
        }
    }

    /// The name of the block `r` refers to. `Err(None)` when it was lost by
    /// the front end, `Err(Some(diagnostic))` when there is no such block.
    pub(super) fn resolve(&self, r: &Sp<Ref>) -> Result<Name, Option<Diagnostic>> {
        let Ref { kind, name } = &r.value;
        let known = self.names.get(kind).map_or(&[][..], Vec::as_slice);
        if known.contains(&name.as_str()) {
            return Ok(Name(name.clone()));
        }
        let lost = |name| Lost { kind: *kind, name };
        if self.lost.contains(&lost(None)) || self.lost.contains(&lost(Some(name.clone()))) {
            return Err(None);
        }
        let d = Diagnostic::error(
            Code::DanglingReference,
            r.span,
            format!("there is no [{kind}.{name}]"),
        )
        .label("refers to a block that does not exist");
        Err(Some(match did_you_mean(name, known.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{kind}.{s}\"?")),
            None if known.is_empty() => d.help(format!("define it with `[{kind}.{name}]`")),
            None => d.help(format!("the {kind} blocks are: {}", known.join(", "))),
        }))
    }

    /// The blocks of `kind` that refer to the block `to`, by name.
    pub(super) fn referrers(&self, kind: Kind, to: &Ref) -> Vec<&'a str> {
        self.refs
            .iter()
            .filter(|(k, _, refs)| *k == kind && refs.iter().any(|r| r.value == *to))
            .map(|(_, name, _)| *name)
            .collect()
    }

    /// Every block with the blocks it refers to.
    pub(super) fn edges(&self) -> impl Iterator<Item = (Kind, &'a str, &[&'a Sp<Ref>])> {
        self.refs
            .iter()
            .map(|(kind, name, refs)| (*kind, *name, refs.as_slice()))
    }
}
