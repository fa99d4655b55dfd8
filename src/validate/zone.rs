//! `[zone.NAME]`: an existing hosted zone, its id and domain.

use super::context::{Context, Keys};
use super::grammar;
use crate::kind::Kind;
use crate::model;
use crate::spec::{Block, Zone};

/// Validates a zone.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Zone>) -> Option<model::Zone> {
    let keys = Keys::of(Kind::Zone, b);
    let id = keys.required(cx, b.body.id.as_ref(), "id");
    let domain = keys.required(cx, b.body.domain.as_ref(), "domain");
    let id = id.and_then(|id| cx.check(grammar::hosted_zone_id(id)));
    // A private zone may be a single label, like `local`.
    let domain = domain.and_then(|d| cx.check(grammar::dns_name(d, 1)));
    Some(model::Zone {
        id: id?,
        domain: domain?,
        private: b.body.private.as_ref().is_some_and(|p| p.value),
    })
}
