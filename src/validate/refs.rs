//! References between blocks: every block as written, by kind and name, and
//! the one place a [`Ref`] is resolved.
//!
//! The front end has already checked each reference's form and kind against
//! its slot; what is left is whether the block exists. A reference to a
//! block that the front end could not read (a lost block) is not reported:
//! its problem has been.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::kind::{Kind, Slot};
use crate::model::Name;
use crate::spec::{Lost, Ref, Sp, Topology};

/// Every block of a topology, to resolve references against.
pub(super) struct Index<'a> {
    /// Names by kind, in the order written (for messages).
    names: BTreeMap<Kind, Vec<&'a str>>,
    /// The same, to look up: thousands of references must not each scan
    /// thousands of names.
    known: BTreeSet<(Kind, &'a str)>,
    lost: &'a BTreeSet<Lost>,
    /// `(kind, name)` of each block and the references it makes.
    refs: Vec<(Kind, &'a str, Vec<Sp<Ref>>)>,
    /// The kinds of which some block has a reference the front end could
    /// not read, with the path of that key.
    unread: BTreeSet<(Kind, &'a str)>,
}

impl<'a> Index<'a> {
    pub(super) fn new(topo: &'a Topology) -> Self {
        let mut names: BTreeMap<Kind, Vec<&str>> = BTreeMap::new();
        let mut refs = Vec::new();
        let mut unread = BTreeSet::new();
        let mut known = BTreeSet::new();
        for b in topo.blocks() {
            names.entry(b.kind).or_default().push(&b.name.value);
            known.insert((b.kind, b.name.value.as_str()));
            refs.push((b.kind, b.name.value.as_str(), b.refs));
            for slot in b.kind.slots() {
                if b.broken.contains(slot.path) {
                    unread.insert((b.kind, slot.path));
                }
            }
        }
        Index {
            names,
            known,
            lost: &topo.lost,
            refs,
            unread,
        }
    }

    /// The name of the block `r`, written in `slot`, refers to. `Err(None)`
    /// when it was lost by the front end, `Err(Some(diagnostic))` when there
    /// is no such block or it is of a kind the slot does not take (which the
    /// TOML front end has already refused, but the spec may come from
    /// elsewhere).
    pub(super) fn resolve(&self, r: &Sp<Ref>, slot: &Slot) -> Result<Name, Option<Diagnostic>> {
        let Ref { kind, name, .. } = &r.value;
        slot.accepts(*kind, &r.value.to_string(), r.span)?;
        if self.known.contains(&(*kind, name.as_str())) {
            return Ok(Name(name.clone()));
        }
        let known = self.names.get(kind).map_or(&[][..], Vec::as_slice);
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

    /// Whether a block of `kind` may refer through `slot` to a block without
    /// this index seeing it: some block of `kind` was lost by the front end,
    /// or could not have its `slot` read. Then "nothing refers to it" is not
    /// known, and is not reported.
    pub(super) fn may_hide(&self, kind: Kind, slot: &Slot) -> bool {
        self.lost.iter().any(|l| l.kind == kind) || self.unread.contains(&(kind, slot.path))
    }

    /// Every block with the blocks it refers to.
    pub(super) fn edges(&self) -> impl Iterator<Item = (Kind, &'a str, &[Sp<Ref>])> {
        self.refs
            .iter()
            .map(|(kind, name, refs)| (*kind, *name, refs.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::front::dsl::{Backup, BackupKind, Failover, Instance, Sorry, Topology, Zone};
    use crate::spec::Sp;

    /// A spec need not come from the TOML front end, which refuses a
    /// reference of the wrong kind: validation refuses it too, rather than
    /// resolve it as the kind the slot expects.
    #[test]
    fn a_reference_of_the_wrong_kind_is_refused_whoever_wrote_it() {
        let mut topo = Topology::new("demo", "eu-central-1");
        let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
        let web = topo.instance(
            "web",
            Instance::new(
                "ami-0064e711cbc7a825e",
                "t3.small",
                ["subnet-0b99e52d17314979d"],
                ["sg-04b4e7642a8fc6efe"],
            ),
        );
        topo.sorry(
            "site",
            Sorry::new(
                "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f",
            ),
        );
        let f = Failover {
            record: Some(Sp::bare("www.example.com".to_string())),
            zone: Some(zone.to_ref()),
            primary: Some(web.to_ref()),
            secondary: Some(web.to_ref()),
            ..crate::spec::Blank::blank()
        };
        topo.failover("www", f);
        let mut b = Backup::new(&web, BackupKind::Ami, "03:00", 24, 7);
        b.target = Some(zone.to_ref());
        topo.backup("nightly", b);
        let c = topo.compile(&crate::FilesIn(".".into()));
        assert!(c.output.is_none());
        let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::WrongReferenceKind, Code::WrongReferenceKind],
            "{:?}",
            c.diagnostics
        );
    }
}
