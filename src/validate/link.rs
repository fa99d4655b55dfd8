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
use crate::kind::Kind;
use crate::model::Model;
use crate::model::failover::{Health, Primary, PrimaryValue};
use crate::model::instance::OwnedPrimary;
use crate::model::sorry::Certificate;
use crate::source::Span;
use crate::spec::{Ref, Sp};

/// Every sorry site with an existing certificate has a failover pointing at
/// it: CloudFront refuses a distribution with a custom certificate and no
/// alternate domain name (the aliases are the failover records), and nobody
/// would be sent to it. (A new certificate without one is refused where its
/// names are counted.) Reported only when nothing else is wrong: a failover
/// with a broken `secondary` may have meant this site.
pub(super) fn sorry_sites_are_used(cx: &mut Context<'_>) {
    if cx.has_errors() {
        return;
    }
    let topo = cx.topo;
    for b in &topo.sorries {
        let site = Ref::new(Kind::Sorry, b.name.value.clone());
        let arn = cx
            .model
            .sorries
            .get(&crate::model::Name(b.name.value.clone()))
            .is_some_and(|s| matches!(s.certificate, Certificate::Arn(_)));
        if arn && cx.index.referrers(Kind::Failover, &site).is_empty() {
            cx.push(
                Diagnostic::error(
                    Code::UnusedBlock,
                    b.name.span,
                    format!("no failover points at [sorry.{}]", b.name.value),
                )
                .label("a sorry site that nobody is sent to")
                .help(cx.topo.front.say(
                    "set a failover's `secondary` to it, or remove it: CloudFront refuses its certificate without the failover records as alternate domain names",
                    "pass its handle as a `Failover::new` secondary, or do not add it: CloudFront refuses its certificate without the failover records as alternate domain names",
                )),
            );
        }
    }
}

/// An instance without an Elastic IP writes its failover's PRIMARY record
/// itself, from tags that name one record: it can be the primary of one
/// failover only.
pub(super) fn primaries_are_owned_once(cx: &mut Context<'_>) {
    let topo = cx.topo;
    let mut first: BTreeMap<String, Span> = BTreeMap::new();
    // In the order the file has them, so that "first" reads top-down.
    let mut blocks: Vec<_> = topo.failovers.iter().collect();
    blocks.sort_by_key(|b| b.name.span.start);
    for b in blocks {
        let Some(f) = cx
            .model
            .failovers
            .get(&crate::model::Name(b.name.value.clone()))
        else {
            continue;
        };
        let Primary::Instance {
            name,
            value: PrimaryValue::OwnedByInstance,
            ..
        } = &f.primary
        else {
            continue;
        };
        let at = b.body.primary.as_ref().map_or(b.name.span, |p| p.span);
        if let Some(earlier) = first.insert(name.as_str().to_string(), at) {
            cx.push(
                Diagnostic::error(
                    Code::SharedPrimary,
                    at,
                    format!(
                        "[instance.{}] has no Elastic IP and is already the primary of another failover",
                        name.as_str()
                    ),
                )
                .label("a second failover for an instance that writes its own record")
                .also(earlier, "first failover")
                .help("give the instance an Elastic IP, or make it the primary of one failover only"),
            );
        }
    }
}

/// One hosted zone has one domain: two `[zone]` blocks with one id must
/// agree on it (a record is checked against one and written into both).
pub(super) fn zones_agree(cx: &mut Context<'_>) {
    let topo = cx.topo;
    let mut first: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for b in &topo.zones {
        let Some(zone) = cx
            .model
            .zones
            .get(&crate::model::Name(b.name.value.clone()))
        else {
            continue;
        };
        let at = b.body.domain.as_ref().map_or(b.name.span, |d| d.span);
        match first.get(&zone.id) {
            None => {
                first.insert(zone.id.clone(), (zone.domain.clone(), at));
            }
            Some((domain, earlier)) if *domain != zone.domain => {
                let (domain, earlier) = (domain.clone(), *earlier);
                cx.push(
                    Diagnostic::error(
                        Code::ZoneConflict,
                        at,
                        format!(
                            "hosted zone {} is `{domain}` above, `{}` here",
                            zone.id, zone.domain
                        ),
                    )
                    .label("a second domain for one hosted zone")
                    .also(earlier, "first given here")
                    .help("one hosted zone has one domain: fix the id or the domain of one block"),
                );
            }
            Some(_) => {}
        }
    }
}

/// A stack needs a resource: CloudFormation refuses an empty template. Zones
/// deploy nothing (they exist already); `notify` makes the alarm topic.
pub(super) fn something_to_deploy(cx: &mut Context<'_>) {
    let topo = cx.topo;
    let Some(stack) = &topo.stack else {
        return;
    };
    // The names only: `blocks` copies every block's references.
    let blocks = topo.names().iter().any(|(kind, _)| *kind != Kind::Zone);
    if blocks || stack.body.notify.is_some() || !topo.lost.is_empty() {
        return;
    }
    cx.push(
        Diagnostic::error(
            Code::NothingToDeploy,
            stack.name.span,
            "the topology deploys nothing",
        )
        .label("this stack would have no resources")
        .help("add an instance, a load balancer, a fleet, a sorry site, a backup or a task"),
    );
}

/// No two blocks may write the same record name in the same zone: not two
/// failovers, instances' `dns`, or clients of fleets (each client's record
/// is its fleet's pattern with its id), in any mix.
pub(super) fn records_are_unique(cx: &mut Context<'_>) {
    let topo = cx.topo;
    let zone_id = |zone: &Sp<Ref>| {
        cx.model
            .zones
            .get(&crate::model::Name(zone.value.name.clone()))
            .map(|z| z.id.clone())
    };
    // (zone id, record name as written, where it was written)
    let mut claims: Vec<(String, String, Span)> = Vec::new();
    let single = topo
        .failovers
        .iter()
        .filter_map(|b| Some((b.body.zone.as_ref()?, b.body.record.as_ref()?)))
        .chain(topo.instances.iter().filter_map(|b| {
            let d = &b.body.dns.as_ref()?.value;
            Some((d.zone.as_ref()?, d.record.as_ref()?))
        }));
    for (zone, record) in single {
        if let Some(id) = zone_id(zone) {
            claims.push((id, record.value.clone(), record.span));
        }
    }
    for b in &topo.fleets {
        let Some(d) = b.body.dns.as_ref().map(|d| &d.value) else {
            continue;
        };
        let (Some(zone), Some(pattern)) = (d.zone.as_ref(), d.record.as_ref()) else {
            continue;
        };
        let (Some(id), Some(fleet)) = (
            zone_id(zone),
            cx.model
                .fleets
                .get(&crate::model::Name(b.name.value.clone())),
        ) else {
            continue;
        };
        for record in fleet.clients.iter().filter_map(|c| c.record.clone()) {
            claims.push((id.clone(), record, pattern.span));
        }
    }
    let mut seen: BTreeMap<(String, String), Span> = BTreeMap::new();
    for (zone, record, span) in claims {
        let key = (zone, normalize_dns(&record));
        if let Some(first) = seen.insert(key, span) {
            cx.push(
                Diagnostic::error(
                    Code::DuplicateRecord,
                    span,
                    format!("`{record}` is claimed twice"),
                )
                .label("second claim")
                .also(first, "first claimed here")
                .help("one record name has one owner: a failover, an instance's `dns` or one fleet client"),
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
