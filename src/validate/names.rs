//! Block names: their grammar, their uniqueness within a kind, and the
//! logical IDs each block will derive, claimed before anything is
//! synthesized so that two names that derive the same ID are an error
//! rather than one resource silently replacing another.

use std::collections::BTreeSet;

use super::context::Context;
use super::grammar;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, for_each_block_kind};
use crate::model;
use crate::naming::{Collision, Owner, Prefix, Registry};
use crate::source::Span;
use crate::spec::Topology;

/// The blocks whose names are valid, unique and claim their logical IDs
/// alone: only those may enter the model.
pub(super) type Named = BTreeSet<(Kind, String)>;

/// Checks every block's name and claims its logical IDs.
pub(super) fn claim(cx: &mut Context<'_>, topo: &Topology) -> Named {
    let blocks = topo.names();
    // Where each name was first defined, to report a second definition. A
    // hash map, because it is only ever looked up, never iterated: its order
    // reaches nothing. As a `BTreeMap` it compared each of 20,000 names with
    // a dozen others.
    let mut seen: rustc_hash::FxHashMap<(Kind, &str), Span> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(blocks.len(), rustc_hash::FxBuildHasher);
    // Gathered in a list, then made a set at once (sorted, then built in one
    // pass; the blocks come kind by kind, often sorted by name already)
    // rather than searched from the root for every name.
    let mut named = Vec::new();
    for (kind, name) in blocks {
        if cx.check(grammar::block_name(kind, name)).is_none() {
            continue;
        }
        if let Some(first) = seen.insert((kind, &name.value), name.span) {
            cx.push(
                Diagnostic::error(
                    Code::InvalidName,
                    name.span,
                    format!("duplicate {} name `{}`", kind, name.value),
                )
                .label("second definition")
                .also(first, "first defined here")
                .help("names are unique within a kind"),
            );
            continue;
        }
        let Some(prefix) = Prefix::of(&name.value) else {
            continue;
        };
        let owner = Owner {
            kind,
            name: name.value.clone(),
            client: None,
            span: name.span,
        };
        match register(&mut cx.registry, kind, &prefix, &owner) {
            Some(c) => cx.collision(&c, "one of them"),
            None => named.push((kind, owner.name)),
        }
    }
    named.into_iter().collect()
}

macro_rules! register {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        /// Claims every logical ID a block of `kind` may derive.
        fn register(
            registry: &mut Registry,
            kind: Kind,
            prefix: &Prefix,
            owner: &Owner,
        ) -> Option<Collision> {
            match kind {
                // The stack's own IDs are fixed (see `stack::claim_alarm_topic`).
                Kind::Stack => None,
                $(Kind::$variant => registry.register::<model::$module::Part>(prefix, owner),)*
            }
        }
    };
}
for_each_block_kind!(register);
