//! `[failover.NAME]`: the record, its zone, the primary (an instance judged
//! by a health check, or a load balancer judged by its target health) and
//! the sorry site it falls back to.

use super::context::{Context, Keys};
use super::grammar;
use super::shared::inside_zone;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::failover::{Health, Primary, PrimaryValue, ProbeAddress};
use crate::model::instance::Eip;
use crate::model::{self, Name};
use crate::naming::Prefix;
use crate::source::Span;
use crate::spec::{Block, Failover, Probe, Ref, Sp, WordOr};

/// TTL of the primary record when `ttl` is not given.
const DEFAULT_TTL: u32 = 60;

/// Validates a failover.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Failover>) -> Option<model::Failover> {
    let keys = Keys::of(Kind::Failover, b);
    let f = &b.body;
    let record_at = keys.required(cx, f.record.as_ref(), "record");
    let zone_ref = keys.required(cx, f.zone.as_ref(), "zone");
    let primary_ref = keys.required(cx, f.primary.as_ref(), "primary");
    let secondary = keys.required(cx, f.secondary.as_ref(), "secondary");
    let record = record_at.and_then(|r| cx.check(grammar::record_name(r)));
    let zone = zone_ref.and_then(|z| public_zone(cx, z));
    let primary_name = primary_ref.and_then(|p| cx.resolve(p, &slot::FAILOVER_PRIMARY));
    let secondary = secondary.and_then(|s| cx.resolve(s, &slot::FAILOVER_SECONDARY));
    let primary = match primary_ref.map(|p| p.value.kind) {
        Some(Kind::Alb) => {
            alb_primary(cx, f).and_then(|ttl| Some((Primary::Alb(primary_name?), ttl)))
        }
        Some(Kind::Instance) | None => instance_primary(cx, &keys, f, primary_ref, primary_name),
        // `resolve` has refused the kinds the slot does not take.
        Some(_) => None,
    };
    let (zone, record) = (zone?, record?);
    if !inside_zone(cx, &record, &zone, record_at?.span) {
        return None;
    }
    let (primary, ttl) = primary?;
    Some(model::Failover {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        record,
        zone_id: zone.id,
        primary,
        secondary: secondary?,
        ttl,
    })
}

/// The validated zone `z` refers to, when it is public.
fn public_zone(cx: &mut Context<'_>, z: &Sp<Ref>) -> Option<model::Zone> {
    // A zone that failed validation has had its errors reported.
    let name = cx.resolve(z, &slot::FAILOVER_ZONE)?;
    let zone = cx.model.zones.get(&name)?.clone();
    if zone.private {
        cx.push(
            Diagnostic::error(
                Code::PrivateZoneFailover,
                z.span,
                format!("`{}` is a private hosted zone", z.value),
            )
            .label("failover needs a public zone")
            .help("the sorry site is served by CloudFront on the internet: use a public zone"),
        );
        return None;
    }
    Some(zone)
}

/// A load balancer primary is an alias judged by the load balancer's target
/// health, so `health` and `ttl` do not apply. Returns the TTL.
fn alb_primary(cx: &mut Context<'_>, f: &Failover) -> Option<u32> {
    let mut ok = true;
    for (key, span) in [
        ("health", f.health.as_ref().map(|h| h.span)),
        ("ttl", f.ttl.as_ref().map(|t| t.span)),
    ] {
        if let Some(span) = span {
            ok = false;
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    format!("`{key}` does not apply to a load balancer primary"),
                )
                .label("an alias record, judged by the load balancer's target health")
                .help(format!(
                    "remove `{key}`: set the target group's health_path in the [alb] block instead"
                )),
            );
        }
    }
    ok.then_some(DEFAULT_TTL)
}

/// An instance primary: its record's value and health check, from the
/// instance's Elastic IP. Returns the primary and the record's TTL.
fn instance_primary(
    cx: &mut Context<'_>,
    keys: &Keys<'_>,
    f: &Failover,
    at: Option<&Sp<Ref>>,
    name: Option<Name>,
) -> Option<(Primary, u32)> {
    let ttl = match &f.ttl {
        None => Some(DEFAULT_TTL),
        Some(t) => cx.check(grammar::number(
            t,
            0..=2_147_483_647,
            "ttl",
            "TTLs are 0 to 2147483647 seconds",
        )),
    };
    let judge = match &f.health {
        None => Some(Judge::Instance),
        Some(h) => health(cx, keys, h),
    };
    // An instance that failed validation has had its errors reported.
    let name = name?;
    let eip = cx.model.instances.get(&name)?.eip.clone();
    // Where the instance's Elastic IP is written: for errors only, so it is
    // looked up only then (a scan of every instance, once per failover,
    // would make thousands of clients quadratic).
    let topo = cx.topo;
    let eip_at = || {
        topo.instances
            .iter()
            .find(|i| i.name.value == name.0)
            .map_or(at.map_or(keys.at, |a| a.span), |i| {
                i.body.elastic_ip.as_ref().map_or(i.span, |e| e.span)
            })
    };
    let health =
        match judge? {
            Judge::Instance => Health::Instance,
            Judge::Probe(p) => {
                let address =
                    match &eip {
                        Eip::New => ProbeAddress::NewEip,
                        Eip::Existing {
                            address: Some(a), ..
                        } => ProbeAddress::Known(*a),
                        Eip::Existing { address: None, .. } | Eip::None => {
                            cx.push(
                        Diagnostic::error(
                            Code::AddressRequired,
                            p.at,
                            format!("the health check in {} needs an address to probe", keys.what),
                        )
                        .label("probes the Elastic IP, whose address is unknown")
                        .also(eip_at(), "no known address here")
                        .help(cx.topo.front.say(
                            "give the Elastic IP's `address`, or use `health = \"instance\"`",
                            "give the Elastic IP's address (`ElasticIp::WithAddress`), or use `.health(Health::Instance)`",
                        )),
                    );
                            return None;
                        }
                    };
                Health::Probe {
                    https: p.https,
                    path: p.path?,
                    port: p.port?,
                    address,
                }
            }
        };
    let value = match &eip {
        Eip::New => PrimaryValue::NewEip,
        Eip::Existing {
            address: Some(a), ..
        } => PrimaryValue::Known(*a),
        Eip::Existing { address: None, .. } => {
            cx.push(
                Diagnostic::error(
                    Code::AddressRequired,
                    at?.span,
                    format!("the PRIMARY record needs the address of [instance.{}]'s Elastic IP", name.0),
                )
                .label("its address is unknown")
                .also(eip_at(), "an existing allocation without `address`")
                .help(cx.topo.front.say(
                    "write `elastic_ip = { allocation = \"eipalloc-…\", address = \"…\" }`: CloudFormation cannot look it up",
                    "use `ElasticIp::WithAddress { allocation, address }`: CloudFormation cannot look it up",
                )),
            );
            return None;
        }
        // The instance UPSERTs the record itself at every boot.
        Eip::None => PrimaryValue::OwnedByInstance,
    };
    Some((
        Primary::Instance {
            name,
            value,
            health,
        },
        ttl?,
    ))
}

/// An HTTP(S) probe whose protocol is known, its path and port checked
/// (`None` once their problem is reported), before its address is known.
struct CheckedProbe {
    https: bool,
    path: Option<String>,
    port: Option<u16>,
    at: Span,
}

/// How a failover judges an instance primary, as written.
enum Judge {
    /// By the group's in-service metric.
    Instance,
    /// By an HTTP(S) probe.
    Probe(CheckedProbe),
}

/// `health`: `"instance"` or a probe.
fn health(cx: &mut Context<'_>, keys: &Keys<'_>, h: &Sp<WordOr<Probe>>) -> Option<Judge> {
    let probe = match &h.value {
        WordOr::Word(w) if w == "instance" => return Some(Judge::Instance),
        WordOr::Word(w) => {
            cx.push(
                Diagnostic::error(Code::InvalidValue, h.span, format!("invalid health `{w}`"))
                    .label("expected \"instance\" or a table")
                    .help("write \"instance\", `{ http = \"/health\", port = 80 }` or `{ https = \"/health\" }`"),
            );
            return None;
        }
        WordOr::Table(p) => p,
    };
    let keys = keys.nested("health", h.span);
    let (https, path) = match (&probe.http, &probe.https) {
        (Some(p), None) => (false, p),
        (None, Some(p)) => (true, p),
        (Some(_), Some(p)) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    p.span,
                    format!("{} has both `http` and `https`", keys.what),
                )
                .label("second protocol")
                .help("a health check probes one protocol: keep `http` or `https`"),
            );
            return None;
        }
        (None, None) => {
            if !keys.is_broken("http") && !keys.is_broken("https") {
                cx.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        h.span,
                        format!("{} needs `http` or `https`", keys.what),
                    )
                    .label("no protocol")
                    .help("write `{ http = \"/health\", port = 80 }` or `{ https = \"/health\" }`"),
                );
            }
            return None;
        }
    };
    // Route 53 takes a ResourcePath of at most 255 characters.
    let path = cx.check(grammar::url_path(path, "health check path", 255));
    let port = match &probe.port {
        None => Some(if https { 443 } else { 80 }),
        Some(p) => cx.check(grammar::port(p)),
    };
    Some(Judge::Probe(CheckedProbe {
        https,
        path,
        port,
        at: h.span,
    }))
}
