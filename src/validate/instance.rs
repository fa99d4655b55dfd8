//! `[instance.NAME]`: launch settings, Elastic IP, business hours, per-boot
//! DNS, the root volume and the setup script.

use super::context::{Context, Keys, optional};
use super::grammar;
use super::shared::{self, inside_zone};
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::instance::{DnsRegistration, Eip, IpKind};
use crate::model::{self, Name, SETUP_DELIMITER};
use crate::naming::Prefix;
use crate::spec::{Block, Dns, EipTable, Instance, Sp, WordOr};

/// Validates an instance.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Instance>) -> Option<model::Instance> {
    let keys = Keys::of(Kind::Instance, b);
    let i = &b.body;
    let launch = shared::launch(cx, &keys, &i.launch);
    let eip = match &i.elastic_ip {
        None => Some(Eip::New),
        Some(e) => elastic_ip(cx, &keys, e),
    };
    let hours = optional(i.hours.as_ref(), |h| shared::hours(cx, &keys, h));
    let dns = optional(i.dns.as_ref(), |d| dns(cx, &keys, d));
    let volume_gb = optional(i.volume_gb.as_ref(), |v| {
        // gp3 volumes are 1 GiB to 16 TiB.
        cx.check(grammar::number(
            v,
            1..=16384,
            "volume_gb",
            "gp3 volumes are 1 to 16384 GiB",
        ))
    });
    let root_device = optional(i.root_device.as_ref(), |r| root_device(cx, r));
    let setup = optional(i.setup.as_ref(), |s| setup(cx, s));
    Some(model::Instance {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        launch: launch.complete()?,
        eip: eip?,
        hours: hours?,
        dns: dns?,
        owned_primary: None,
        collects_metrics: false,
        albs: Vec::new(),
        volume_gb: volume_gb?,
        root_device: root_device?,
        setup: setup?,
    })
}

fn elastic_ip(cx: &mut Context<'_>, keys: &Keys<'_>, e: &Sp<WordOr<EipTable>>) -> Option<Eip> {
    match &e.value {
        WordOr::Word(w) if w == "new" => Some(Eip::New),
        WordOr::Word(w) if w == "none" => Some(Eip::None),
        WordOr::Word(w) if w.starts_with("eipalloc-") => {
            let id = Sp::new(w.clone(), e.span);
            let allocation = cx.check(grammar::aws_id(&id, "eipalloc-", "allocation id"))?;
            Some(Eip::Existing {
                allocation,
                address: None,
            })
        }
        WordOr::Word(w) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    e.span,
                    format!("invalid elastic_ip `{w}`"),
                )
                .label("expected \"new\", \"none\" or \"eipalloc-…\"")
                .help(cx.topo.front.say(
                    "or write `{ allocation = \"eipalloc-…\", address = \"198.51.100.7\" }`",
                    "use `ElasticIp::New`, `ElasticIp::None`, `ElasticIp::Existing(\"eipalloc-…\")` or `ElasticIp::WithAddress { .. }`",
                )),
            );
            None
        }
        WordOr::Table(t) => {
            let keys = keys.nested("elastic_ip", e.span);
            let allocation = keys.required(cx, t.allocation.as_ref(), "allocation");
            let allocation =
                allocation.and_then(|a| cx.check(grammar::aws_id(a, "eipalloc-", "allocation id")));
            let address = optional(t.address.as_ref(), |a| cx.check(grammar::public_ipv4(a)));
            Some(Eip::Existing {
                allocation: allocation?,
                address: address?,
            })
        }
    }
}

/// `dns = { zone, record, ip }`.
fn dns(cx: &mut Context<'_>, keys: &Keys<'_>, d: &Sp<Dns>) -> Option<DnsRegistration> {
    let keys = keys.nested("dns", d.span);
    let v = &d.value;
    let zone = keys.required(cx, v.zone.as_ref(), "zone");
    let record_at = keys.required(cx, v.record.as_ref(), "record");
    let zone = zone.and_then(|z| cx.resolve(z, &slot::INSTANCE_DNS_ZONE));
    let record = record_at.and_then(|r| cx.check(grammar::record_name(r)));
    let ip = match &v.ip {
        None => Some(IpKind::Public),
        Some(ip) => cx
            .check(grammar::word(
                ip,
                "ip",
                &["public", "private"],
                "expected \"public\" or \"private\"",
            ))
            .map(|w| {
                if w == "private" {
                    IpKind::Private
                } else {
                    IpKind::Public
                }
            }),
    };
    // A zone that failed validation has had its errors reported.
    let zone = cx.model.zones.get(&zone?)?.clone();
    let record = record?;
    if !inside_zone(cx, &record, &zone, record_at?.span) {
        return None;
    }
    Some(DnsRegistration {
        zone_id: zone.id,
        record,
        ip: ip?,
    })
}

fn root_device(cx: &mut Context<'_>, r: &Sp<String>) -> Option<String> {
    let ok = r.value.strip_prefix("/dev/").is_some_and(|d| {
        !d.is_empty()
            && d.len() <= 32
            && d.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if ok {
        return Some(r.value.clone());
    }
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            r.span,
            format!("invalid root_device `{}`", r.value),
        )
        .label("expected a device name like /dev/xvda or /dev/sda1"),
    );
    None
}

/// Reads the setup script. It is embedded in user-data as a quoted heredoc,
/// so it must not contain the delimiter line or a NUL byte.
fn setup(cx: &mut Context<'_>, s: &Sp<String>) -> Option<String> {
    let text = cx.read_file(s)?;
    if text.contains('\0') || text.lines().any(|l| l.trim_end() == SETUP_DELIMITER) {
        cx.push(
            Diagnostic::error(
                Code::UnsafeValue,
                s.span,
                format!("`{}` cannot be embedded in user-data", s.value),
            )
            .label(format!("contains a NUL byte or a `{SETUP_DELIMITER}` line"))
            .help("remove that line or byte from the setup script"),
        );
        return None;
    }
    Some(text)
}
