//! The cross-block pass, once every block is validated on its own:
//!
//! 1. no two blocks claim one record name in one zone;
//! 2. a block whose references do not all lead to validated blocks is left
//!    out of the model (its problem, or theirs, is reported already), so the
//!    model of a topology with errors is still whole, and its quotas can
//!    be measured;
//! 3. what one block learns from another is filled in: an instance joins
//!    the load balancers in front of it and maintains the failover records
//!    it owns; a sorry site serves, and certifies, the failover records that
//!    point at it.

use std::collections::BTreeMap;

use super::context::Context;
use super::grammar::normalize_dns;
use super::refs::Index;
use crate::diag::{Code, Diagnostic};
use crate::model::Model;
use crate::model::failover::{Health, Primary, PrimaryValue};
use crate::model::instance::OwnedPrimary;
use crate::model::sorry::Certificate;
use crate::source::Span;

/// No two blocks may write the same record name in the same zone.
pub(super) fn records_are_unique(cx: &mut Context<'_>) {
    let topo = cx.topo;
    let claims = topo
        .failovers
        .iter()
        .filter_map(|b| Some((b.body.zone.as_ref()?, b.body.record.as_ref()?)))
        .chain(topo.instances.iter().filter_map(|b| {
            let d = &b.body.dns.as_ref()?.value;
            Some((d.zone.as_ref()?, d.record.as_ref()?))
        }));
    let mut seen: BTreeMap<(String, String), Span> = BTreeMap::new();
    for (zone, record) in claims {
        let Some(zone) = cx
            .model
            .zones
            .get(&crate::model::Name(zone.value.name.clone()))
        else {
            continue;
        };
        let key = (zone.id.clone(), normalize_dns(&record.value));
        if let Some(first) = seen.insert(key, record.span) {
            cx.push(
                Diagnostic::error(
                    Code::DuplicateRecord,
                    record.span,
                    format!("`{}` is claimed twice", record.value),
                )
                .label("second claim")
                .also(first, "first claimed here")
                .help("one record name has one owner: a failover or an instance's `dns`"),
            );
        }
    }
}

/// Leaves out every block that refers to a block the model does not hold,
/// until none does.
pub(super) fn prune(model: &mut Model, index: &Index<'_>) {
    loop {
        let dangling: Vec<_> = index
            .edges()
            .filter(|(kind, name, refs)| {
                model.contains(*kind, name)
                    && refs
                        .iter()
                        .any(|r| !model.contains(r.value.kind, &r.value.name))
            })
            .map(|(kind, name, _)| (kind, name))
            .collect();
        if dangling.is_empty() {
            return;
        }
        for (kind, name) in dangling {
            model.remove(kind, name);
        }
    }
}

/// Fills in what blocks learn from each other.
pub(super) fn link(model: &mut Model) {
    for a in model.albs.values() {
        if let Some(i) = model.instances.get_mut(&a.target) {
            i.albs.push(a.name.clone());
        }
    }
    for f in model.failovers.values() {
        let Primary::Instance {
            name,
            value,
            health,
        } = &f.primary
        else {
            continue;
        };
        let Some(inst) = model.instances.get_mut(name) else {
            continue;
        };
        // Its group's in-service metric judges it.
        inst.collects_metrics |= matches!(health, Health::Instance);
        // Without an Elastic IP, it UPSERTs the PRIMARY record itself.
        if matches!(value, PrimaryValue::OwnedByInstance) {
            inst.owned_primary = Some(OwnedPrimary {
                failover: f.name.clone(),
                zone_id: f.zone_id.clone(),
                record: f.record.clone(),
                set_identifier: format!("{}-primary", f.name.as_str()),
                ttl: f.ttl,
            });
        }
    }
    for s in model.sorries.values_mut() {
        let mut pointing: Vec<(String, String)> = model
            .failovers
            .values()
            .filter(|f| f.secondary == s.name)
            .map(|f| (f.record.clone(), f.zone_id.clone()))
            .collect();
        pointing.sort();
        s.aliases = pointing.iter().map(|(record, _)| record.clone()).collect();
        if let Certificate::New { validation } = &mut s.certificate {
            *validation = pointing;
        }
    }
    // A new certificate needs a name: a site whose failovers were all left
    // out is left out too (only in a model with errors).
    model.sorries.retain(
        |_, s| !matches!(&s.certificate, Certificate::New { validation } if validation.is_empty()),
    );
}
