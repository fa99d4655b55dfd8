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
    /// The block's name, only in a script of its own (one with `setup`).
    name: Option<&'a str>,
    /// What the instances that share the script have, in words.
    variant: String,
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

/// An instance's user-data script, not rendered yet: its file names it, so
/// that instances sharing it render it once.
pub struct InstanceScript<'a> {
    /// Its path in the output directory.
    pub path: String,
    context: InstanceContext<'a>,
}

impl InstanceScript<'_> {
    /// Its text.
    pub fn render(&self) -> String {
        render("user-data/instance.sh.j2", &self.context)
    }
}

/// The user-data script of an instance, and its file.
///
/// The script reads the instance's name and every deploy-time value from
/// tags, so it depends only on which steps it runs. Instances that run the
/// same steps share one script, and one file named after the steps
/// (`userdata/instance.eip.hours.sh`), which no block name can collide
/// with (block names have no dots). A `setup` script is the instance's own
/// text: an instance with one has a file of its own, named after it.
pub fn instance_script(i: &Instance) -> InstanceScript<'_> {
    let eip = !matches!(i.eip, Eip::None);
    let dns = i.dns_at_boot().is_some();
    let failover = i.owned_primary.is_some();
    let warm = i.hours.is_some();
    let steps = [
        (eip, "eip", "an Elastic IP"),
        (dns, "dns", "a DNS record written at boot"),
        (failover, "failover", "a failover record"),
        (warm, "hours", "business hours"),
    ];
    let on: Vec<_> = steps.iter().filter(|s| s.0).collect();
    let stem = if on.is_empty() {
        "instance.plain".to_string()
    } else {
        std::iter::once("instance")
            .chain(on.iter().map(|s| s.1))
            .collect::<Vec<_>>()
            .join(".")
    };
    let variant = match on.as_slice() {
        [] => "with none of an Elastic IP, records or hours".to_string(),
        [only] => format!("with {}", only.2),
        [init @ .., last] => format!(
            "with {} and {}",
            init.iter().map(|s| s.2).collect::<Vec<_>>().join(", "),
            last.2
        ),
    };
    let name = i.setup.as_ref().map(|_| i.name.as_str());
    let context = InstanceContext {
        name,
        variant,
        tags: TAGS,
        eip,
        dns,
        failover,
        per_boot: i.holds_launches(),
        hook: i
            .holds_launches()
            .then_some(crate::model::instance::READY_HOOK),
        warm,
        // The heredoc needs the text to end with a newline before the delimiter.
        setup: i.setup.as_ref().map(|s| {
            if s.ends_with('\n') {
                s.clone()
            } else {
                format!("{s}\n")
            }
        }),
        delimiter: SETUP_DELIMITER,
    };
    let path = match name {
        Some(name) => crate::layout::user_data(name),
        None => crate::layout::user_data(&stem),
    };
    InstanceScript { path, context }
}

/// A launch template's `UserData`: the script gzip-compressed, in base64.
///
/// cloud-init inflates gzip user-data before it runs it (every AMI family
/// topoform supports boots with cloud-init), and the scripts shrink to
/// about a third: that is most of an instance's launch template, and it
/// leaves room under EC2's 16 KB limit for a `setup` script. The file in
/// `userdata/` stays the readable copy that reviewers diff. The header has
/// no name and no time (mtime 0), and the compressor is the pure-Rust one
/// pinned in Cargo.lock, so the bytes are the same on every machine.
pub fn encode(script: &str) -> String {
    use base64::Engine as _;
    use std::io::Write as _;
    let mut gz = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(script.len() / 2),
        flate2::Compression::best(),
    );
    // Writing into a Vec cannot fail: only an allocation failure, which aborts.
    gz.write_all(script.as_bytes())
        .and_then(|()| gz.try_finish())
        .expect("gzip into memory");
    base64::engine::general_purpose::STANDARD.encode(gz.get_ref())
}

#[cfg(any(test, feature = "internals"))]
/// The script inside a launch template's `UserData`: the inverse of
/// [`encode`], or `None` for anything `encode` did not write.
pub fn decode(user_data: &str) -> Option<String> {
    use base64::Engine as _;
    use std::io::Read as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(user_data)
        .ok()?;
    let mut script = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut script)
        .ok()?;
    Some(script)
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
