//! Typed contexts for the text templates, and the functions that render them.
//!
//! Every field of a `*Context` is used by its template (THESE FIELDS ARE
//! LOAD-BEARING). The instance-tag keys that carry deploy-time values to the
//! user-data script are defined here once, for both the script and `synth`.

use serde::Serialize;

use crate::model::instance::Eip;
use crate::model::sorry::Page;
use crate::model::{Fleet, Instance, Ipv4Net, SETUP_DELIMITER, Sorry};
use crate::templates::render;

/// Instance-tag keys that carry deploy-time values to the user-data script.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TagKeys {
    /// The Elastic IP's allocation id (the seed's own tag name).
    pub allocation_id: &'static str,
    /// Hosted zone of the per-boot DNS record.
    pub dns_zone_id: &'static str,
    /// Name of the per-boot DNS record.
    pub dns_record: &'static str,
    /// `public` or `private`.
    pub dns_ip: &'static str,
    /// Hosted zone of the instance-owned failover PRIMARY record.
    pub failover_zone_id: &'static str,
    /// Its name.
    pub failover_record: &'static str,
    /// Its SetIdentifier.
    pub failover_set_id: &'static str,
    /// Its Route 53 health check id.
    pub failover_health_check_id: &'static str,
    /// Its TTL.
    pub failover_ttl: &'static str,
    /// `STACK-NAME` of an `[instance]`: what backups and tasks target.
    pub instance: &'static str,
    /// `STACK-NAME` of a `[fleet]`: what backups and tasks target.
    pub fleet: &'static str,
    /// The Auto Scaling group's name, for its launch lifecycle action.
    pub group: &'static str,
    /// A fleet client's id (beside the tag the topology names for it).
    pub client: &'static str,
    /// A fleet's bootstrap command, words separated by spaces; continued in
    /// `topoform:bootstrap-2`, `-3`, ... past 256 characters.
    pub bootstrap: &'static str,
    /// A fleet's parameter names, the same way.
    pub parameters: &'static str,
}

/// The tag keys. Instance tags readable from IMDS may not contain `/` or
/// spaces, hence the `topoform:` prefix style.
pub const TAGS: TagKeys = TagKeys {
    allocation_id: "allocation-id",
    dns_zone_id: "topoform:dns-zone-id",
    dns_record: "topoform:dns-record",
    dns_ip: "topoform:dns-ip",
    failover_zone_id: "topoform:failover-zone-id",
    failover_record: "topoform:failover-record",
    failover_set_id: "topoform:failover-set-id",
    failover_health_check_id: "topoform:failover-health-check-id",
    failover_ttl: "topoform:failover-ttl",
    instance: "topoform:instance",
    fleet: "topoform:fleet",
    group: "topoform:group",
    client: "topoform:client",
    bootstrap: "topoform:bootstrap",
    parameters: "topoform:parameters",
};

#[derive(Serialize)]
struct InstanceContext<'a> {
    name: &'a str,
    tags: TagKeys,
    eip: bool,
    dns: bool,
    failover: bool,
    per_boot: bool,
    /// The launch lifecycle hook the script completes, if any.
    hook: Option<&'static str>,
    /// The group has a warm pool: the instance may be warming up into it,
    /// and every start from it passes the hook again.
    warm: bool,
    setup: Option<String>,
    delimiter: &'static str,
}

/// The user-data script of an instance.
pub fn instance_script(i: &Instance) -> String {
    let eip = !matches!(i.eip, Eip::None);
    let dns = i.dns_at_boot().is_some();
    let failover = i.owned_primary.is_some();
    render(
        "user-data/instance.sh.j2",
        &InstanceContext {
            name: i.name.as_str(),
            tags: TAGS,
            eip,
            dns,
            failover,
            per_boot: i.holds_launches(),
            hook: i
                .holds_launches()
                .then_some(crate::model::instance::READY_HOOK),
            warm: i.hours.is_some(),
            // The heredoc needs the text to end with a newline before the delimiter.
            setup: i.setup.as_ref().map(|s| {
                if s.ends_with('\n') {
                    s.clone()
                } else {
                    format!("{s}\n")
                }
            }),
            delimiter: SETUP_DELIMITER,
        },
    )
}

#[derive(Serialize)]
struct FleetContext<'a> {
    name: &'a str,
    tags: TagKeys,
}

/// The user-data script shared by every client of a fleet: the same for
/// every topology but the fleet's name (what it does comes from tags).
pub fn fleet_script(f: &Fleet) -> String {
    render(
        "user-data/fleet.sh.j2",
        &FleetContext {
            name: f.name.as_str(),
            tags: TAGS,
        },
    )
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    message: &'a str,
}

/// The sorry page's HTML.
pub fn sorry_page(s: &Sorry) -> String {
    match &s.page {
        Page::File(text) => text.clone(),
        Page::Builtin { title, message } => {
            render("sorry/index.html.j2", &PageContext { title, message })
        }
    }
}

#[derive(Serialize)]
struct FunctionContext<'a> {
    name: &'a str,
    status: u16,
    allow: Vec<(u32, u32)>,
}

/// The CloudFront Function of a sorry site.
pub fn sorry_function(s: &Sorry) -> String {
    let allow = s
        .allow
        .iter()
        .map(|n: &Ipv4Net| (u32::from(n.addr), n.mask()));
    render(
        "sorry/function.js.j2",
        &FunctionContext {
            name: s.name.as_str(),
            status: s.status,
            allow: allow.collect(),
        },
    )
}
