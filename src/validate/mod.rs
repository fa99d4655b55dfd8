//! Validation: spec → model, reporting every problem at once.
//!
//! 1. `[stack]` (`stack`);
//! 2. every block's name, and the logical IDs it will derive (`names`);
//! 3. every block on its own, kind by kind in the order of
//!    `for_each_block_kind!` (one file per kind: `zone`, `instance`, …),
//!    with the shared value grammars of `grammar` and references resolved
//!    by `refs`;
//! 4. the cross-block pass (`link`).
//!
//! Each check pushes a [`Diagnostic`] with the span of the offending value
//! and carries on. A problem is reported once: a key the front end could not
//! read is not also missing, a reference to a block that failed is not also
//! dangling, and a block whose references fail is left out of the model
//! without a word. After this stage nothing can fail because of user input.

use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, Slot, for_each_block_kind};
use crate::model::{Model, Name, Origins, Target};
use crate::source::Files;
use crate::spec::{Ref, Sp, Topology};

mod context;
mod grammar;
mod link;
mod names;
mod refs;
mod shared;
mod stack;

// One module per block kind (see `for_each_block_kind!`). They
// are declared here, not by that macro, so that tools that read the source
// without expanding macros (rustfmt, cargo-mutants) see them; a kind missing
// here is a compile error where the macro below names it.
mod alb;
mod backup;
mod failover;
mod fleet;
mod instance;
mod sorry;
mod task;
mod zone;

use context::Context;

macro_rules! kinds {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        /// Validates every named block, kind by kind; each one that its front
        /// end read whole, whose name is sound and whose checks pass enters
        /// `cx.model`.
        fn blocks(cx: &mut Context<'_>, topo: &Topology, named: &names::Named) {
            $(
                for b in &topo.$field {
                    let model = $module::validate(cx, b);
                    let key = (Kind::$variant, b.name.value.clone());
                    let sound = named.contains(&key) && b.broken.is_empty();
                    if let Some(m) = model.filter(|_| sound) {
                        cx.model.$field.entry(Name(key.1)).or_insert(m);
                    }
                }
            )*
        }
    };
}
for_each_block_kind!(kinds);

/// Validates a spec. Returns every diagnostic, and the model of every block
/// that is sound along with everything it refers to: the whole topology when
/// there is no error, and otherwise what can still be measured (AWS quotas),
/// or `None` when `[stack]` or the logical IDs are in question.
pub fn validate(topo: &Topology, files: &dyn Files) -> (Option<Model>, Vec<Diagnostic>) {
    let mut cx = Context::new(topo, files);
    cx.stack = stack::validate(&mut cx, topo);
    let named = names::claim(&mut cx, topo);
    if let (Some(s), Some(b)) = (cx.stack.clone(), &topo.stack) {
        if s.notify.is_some() {
            stack::claim_alarm_topic(&mut cx, b, &s);
        }
    }
    blocks(&mut cx, topo, &named);
    link::records_are_unique(&mut cx);
    link::zones_agree(&mut cx);
    link::primaries_are_owned_once(&mut cx);
    link::something_to_deploy(&mut cx);
    link::sorry_sites_are_used(&mut cx);
    let measurable = !cx.reported(Code::LogicalIdCollision);
    let mut model = std::mem::take(&mut cx.model);
    link::prune(&mut model, &cx.index);
    link::link(&mut model);
    model.origins = Origins {
        stack: topo
            .stack
            .as_ref()
            .map_or_else(Default::default, |s| s.span),
        ids: std::mem::take(&mut cx.registry),
        front: topo.front,
    };
    let model = cx
        .stack
        .take()
        .filter(|_| measurable)
        .map(|stack| Model { stack, ..model });
    (model, cx.into_diagnostics())
}

/// `"instance.NAME"` or `"fleet.NAME"`, in `slot`: what a backup or a task
/// applies to.
fn target(cx: &mut Context<'_>, t: &Sp<Ref>, slot: &Slot) -> Option<Target> {
    let name: Name = cx.resolve(t, slot)?;
    match t.value.kind {
        Kind::Instance => Some(Target::Instance(name)),
        Kind::Fleet => Some(Target::Fleet(name)),
        // `resolve` has refused the kinds the slot does not take.
        _ => None,
    }
}

#[cfg(test)]
mod tests;
