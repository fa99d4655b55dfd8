//! `[fleet.NAME]`: launch settings, the clients and the tag that names them,
//! each client's private record, the parameters and bootstrap command, and
//! business hours. Each client claims the logical IDs of its own resources.

use std::collections::BTreeSet;

use super::context::{Context, Keys, optional};
use super::grammar;
use super::shared::{self, inside_zone};
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::fleet::{Client, ClientPart};
use crate::model::{self, Name, reserved};
use crate::naming::{Owner, Prefix};
use crate::source::Span;
use crate::spec::{Block, Fleet, FleetDns, Sp, SpList};

/// The tag that carries the client id when `tag` is not given.
const DEFAULT_CLIENT_TAG: &str = "ClientId";

/// Validates a fleet.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Fleet>) -> Option<model::Fleet> {
    let keys = Keys::of(Kind::Fleet, b);
    let f = &b.body;
    let launch = shared::launch(cx, &keys, &f.launch);
    let ids = clients(cx, &keys, b);
    let tag = match &f.tag {
        None => default_client_tag(cx, b),
        Some(t) => client_tag(cx, t),
    };
    let dns = optional(f.dns.as_ref(), |d| dns(cx, &keys, d));
    let parameters = match &f.parameters {
        None => Some(Vec::new()),
        Some(list) => parameters(cx, list),
    };
    let bootstrap = optional(f.bootstrap.as_ref(), |c| cx.check(grammar::command(c)));
    let hours = optional(f.hours.as_ref(), |h| shared::hours(cx, &keys, h));
    let (ids, dns) = (ids?, dns?);
    let prefix = Prefix::of(&b.name.value)?;
    let clients = each_client(cx, b, &ids, launch.subnets.as_deref()?, dns.as_ref())?;
    Some(model::Fleet {
        name: Name(b.name.value.clone()),
        prefix,
        launch: launch.complete()?,
        clients,
        tag: tag?,
        dns_zone_id: dns.map(|d| d.zone.id),
        parameters: parameters?,
        bootstrap: bootstrap?,
        hours: hours?,
    })
}

/// Each client: its logical IDs claimed, its subnet (from its id alone:
/// [`model::fleet::subnet_of`]) and its record.
fn each_client(
    cx: &mut Context<'_>,
    b: &Block<Fleet>,
    ids: &[Sp<String>],
    subnets: &[String],
    dns: Option<&Pattern>,
) -> Option<Vec<Client>> {
    let mut clients = Vec::new();
    let mut ok = true;
    for id in ids {
        let Some(prefix) = Prefix::of(&format!("{}-{}", b.name.value, id.value)) else {
            continue;
        };
        let owner = Owner {
            kind: Kind::Fleet,
            name: b.name.value.clone(),
            client: Some(id.value.clone()),
            span: id.span,
        };
        if let Some(c) = cx.registry.register::<ClientPart>(&prefix, &owner) {
            ok = false;
            cx.collision(&c, "the client or the block");
        }
        let record = match dns {
            None => None,
            Some(p) => {
                let name = Sp::new(p.record.replace("{client}", &id.value), p.at);
                match cx.check(grammar::record_name(&name)) {
                    Some(r) if inside_zone(cx, &r, &p.zone, p.at) => Some(r),
                    _ => {
                        ok = false;
                        None
                    }
                }
            }
        };
        clients.push(Client {
            id: id.value.clone(),
            prefix,
            subnet: model::fleet::subnet_of(&id.value, subnets).to_string(),
            record,
        });
    }
    ok.then_some(clients)
}

/// The fleet's client ids, from `clients` or `clients_file`, each with the
/// span to blame for it (the list item, or the `clients_file` value).
fn clients(cx: &mut Context<'_>, keys: &Keys<'_>, b: &Block<Fleet>) -> Option<Vec<Sp<String>>> {
    let f = &b.body;
    let ids: Vec<Sp<String>> = match (&f.clients, &f.clients_file) {
        (Some(list), None) => list.value.clone(),
        (None, Some(file)) => {
            let text = cx.read_file(file)?;
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| Sp::new(l.to_string(), file.span))
                .collect()
        }
        (Some(_), Some(file)) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    file.span,
                    format!("{} has both `clients` and `clients_file`", keys.what),
                )
                .label("one list of clients only")
                .help("keep `clients` or `clients_file`"),
            );
            return None;
        }
        (None, None) => {
            if !keys.is_broken("clients") && !keys.is_broken("clients_file") {
                cx.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        keys.at,
                        format!("{} has no clients", keys.what),
                    )
                    .label("`clients` or `clients_file` is required here"),
                );
            }
            return None;
        }
    };
    let mut ok = !ids.is_empty();
    if ids.is_empty() {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                b.name.span,
                format!("{} has no clients", keys.what),
            )
            .label("the client list is empty"),
        );
    }
    let mut seen = BTreeSet::new();
    for id in &ids {
        if cx.check(grammar::client_id(id)).is_none() {
            ok = false;
        } else if !seen.insert(&id.value) {
            ok = false;
            cx.listed_twice(
                Code::InvalidName,
                id.span,
                &format!("client `{}`", id.value),
            );
        }
    }
    ok.then_some(ids)
}

/// The default client tag, unless a stack tag has that key: both would go
/// on the fleet's instances.
fn default_client_tag(cx: &mut Context<'_>, b: &Block<Fleet>) -> Option<String> {
    let taken = cx
        .stack_facts
        .tags
        .as_ref()
        .is_some_and(|tags| tags.contains_key(DEFAULT_CLIENT_TAG));
    if taken {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                b.name.span,
                format!(
                    "the stack tag `{DEFAULT_CLIENT_TAG}` is the tag that carries the client id of [fleet.{}]",
                    b.name.value
                ),
            )
            .label("its instances would get the key twice")
            .help(cx.topo.front.say(
                "set `tag` in this fleet to another key, or rename the stack tag",
                "give the fleet another key with `Fleet::tag`, or rename the tag of `Topology::tag`",
            )),
        );
        return None;
    }
    Some(DEFAULT_CLIENT_TAG.to_string())
}

/// The tag that carries a fleet's client id: a valid instance tag key that
/// no other tag on the instance uses.
fn client_tag(cx: &mut Context<'_>, t: &Sp<String>) -> Option<String> {
    let key = cx.check(grammar::tag_key(t))?;
    let taken = reserved::is_reserved_tag(&key)
        || cx
            .stack_facts
            .tags
            .as_ref()
            .is_some_and(|tags| tags.contains_key(&key));
    if taken {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                t.span,
                format!("tag `{key}` is already used on the instances"),
            )
            .label("would overwrite another tag")
            .help("choose another key: `Name`, `allocation-id`, `topoform:*` and the stack's tags are taken"),
        );
        return None;
    }
    Some(key)
}

/// A fleet's record pattern (`{client}.local`), lower case, where it was
/// written, and its zone.
struct Pattern {
    record: String,
    at: Span,
    zone: model::Zone,
}

/// `dns = { zone, record = "{client}.local" }`.
fn dns(cx: &mut Context<'_>, keys: &Keys<'_>, d: &Sp<FleetDns>) -> Option<Pattern> {
    let keys = keys.nested("dns", d.span);
    let zone = keys.required(cx, d.value.zone.as_ref(), "zone");
    let record = keys.required(cx, d.value.record.as_ref(), "record");
    let zone = zone.and_then(|z| cx.resolve(z, &slot::FLEET_DNS_ZONE));
    let record = record?;
    if record.value.matches("{client}").count() != 1 {
        cx.push(
            Diagnostic::error(
                Code::InvalidDnsName,
                record.span,
                format!("`{}` does not name each client", record.value),
            )
            .label("expected `{client}` once")
            .help("write a pattern such as \"{client}.local\": each client gets its own record"),
        );
        return None;
    }
    // A zone that failed validation has had its errors reported.
    let zone = cx.model.zones.get(&zone?)?.clone();
    Some(Pattern {
        record: record.value.to_ascii_lowercase(),
        at: record.span,
        zone,
    })
}

/// Parameter names: exported shell variables and SSM path parts.
fn parameters(cx: &mut Context<'_>, list: &SpList) -> Option<Vec<String>> {
    let mut ok = true;
    let mut seen = BTreeSet::new();
    for p in &list.value {
        if cx.check(grammar::shell_name(p)).is_none() {
            ok = false;
        } else if reserved::is_reserved_variable(&p.value) {
            ok = false;
            cx.push(
                Diagnostic::error(
                    Code::UnsafeValue,
                    p.span,
                    format!("parameter `{}` would overwrite a variable the boot depends on", p.value),
                )
                .label("exported to the bootstrap command under this name")
                .help("rename it (and its SSM parameters): the user-data script's own variables, PATH, IFS, HOME, LD_*, AWS_*, BASH*, LC_*, PYTHON* and TOPOFORM_* are taken"),
            );
        } else if !seen.insert(&p.value) {
            ok = false;
            cx.listed_twice(
                Code::InvalidValue,
                p.span,
                &format!("parameter `{}`", p.value),
            );
        }
    }
    ok.then(|| list.value.iter().map(|p| p.value.clone()).collect())
}
