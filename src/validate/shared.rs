//! Checks of tables that more than one kind writes: launch settings,
//! business hours, and a record's place in its zone.

use super::context::{Context, Keys};
use super::grammar;
use crate::diag::{Code, Diagnostic};
use crate::model::{self, Ami, Hours};
use crate::source::Span;
use crate::spec::{self, Sp};

/// The checked launch settings of an instance or a fleet, each `None` once
/// its problem is reported.
pub(super) struct Launch {
    pub(super) ami: Option<Ami>,
    pub(super) instance_type: Option<String>,
    pub(super) subnets: Option<Vec<String>>,
    pub(super) security_groups: Option<Vec<String>>,
}

impl Launch {
    /// The launch settings, when every one of them is sound.
    pub(super) fn complete(self) -> Option<model::Launch> {
        Some(model::Launch {
            ami: self.ami?,
            instance_type: self.instance_type?,
            subnets: self.subnets?,
            security_groups: self.security_groups?,
        })
    }
}

/// `ami`, `type`, `subnets` and `security_groups`: each required and checked
/// (every problem is reported, whichever keys are missing).
pub(super) fn launch(cx: &mut Context<'_>, keys: &Keys<'_>, l: &spec::Launch) -> Launch {
    let ami = keys.required(cx, l.ami.as_ref(), "ami");
    let ty = keys.required(cx, l.instance_type.as_ref(), "type");
    let subnets = keys.required(cx, l.subnets.as_ref(), "subnets");
    let sgs = keys.required(cx, l.security_groups.as_ref(), "security_groups");
    let ami = ami.and_then(|a| cx.check(grammar::ami(a)));
    let instance_type = ty.and_then(|t| {
        if cx.fine_types.contains(&t.value) {
            return Some(t.value.clone());
        }
        let checked = cx.check(grammar::instance_type(t))?;
        // Without a sound region there is nothing to check it against, and
        // nothing is remembered.
        if let Some(region) = cx.stack_facts.region.clone() {
            match grammar::instance_type_in(t, &region) {
                Some(warning) => cx.push(warning),
                None => {
                    cx.fine_types.insert(t.value.clone());
                }
            }
        }
        Some(checked)
    });
    let subnets = subnets.and_then(|s| cx.ids(s, "subnet-", "subnet id", keys, "subnets"));
    let security_groups =
        sgs.and_then(|s| cx.ids(s, "sg-", "security group id", keys, "security_groups"));
    Launch {
        ami,
        instance_type,
        subnets,
        security_groups,
    }
}

/// `hours = { days, start, stop, timezone }`.
pub(super) fn hours(cx: &mut Context<'_>, keys: &Keys<'_>, h: &Sp<spec::Hours>) -> Option<Hours> {
    let keys = keys.nested("hours", h.span);
    let v = &h.value;
    let days = keys.required(cx, v.days.as_ref(), "days");
    let start = keys.required(cx, v.start.as_ref(), "start");
    let stop = keys.required(cx, v.stop.as_ref(), "stop");
    let tz = keys.required(cx, v.timezone.as_ref(), "timezone");
    let days = days.and_then(|d| cx.check(grammar::days(d)));
    let start = start.and_then(|t| cx.check(grammar::time(t)));
    let stop_at = stop.map_or(h.span, |s| s.span);
    let stop = stop.and_then(|t| cx.check(grammar::time(t)));
    let timezone = tz.and_then(|t| cx.check(grammar::timezone(t)));
    let (days, start, stop, timezone) = (days?, start?, stop?, timezone?);
    if start == stop {
        cx.push(
            Diagnostic::error(
                Code::InvalidTime,
                stop_at,
                "`start` and `stop` are the same time",
            )
            .label("same as `start`")
            .help("the instance would be started and stopped at once"),
        );
        return None;
    }
    Some(Hours {
        days,
        start,
        stop,
        timezone,
    })
}

/// Whether `record` lies inside `zone`; reported at `at` when not.
pub(super) fn inside_zone(
    cx: &mut Context<'_>,
    record: &str,
    zone: &model::Zone,
    at: Span,
) -> bool {
    let ok = record == zone.domain || record.ends_with(&format!(".{}", zone.domain));
    if !ok {
        cx.push(
            Diagnostic::error(
                Code::RecordOutsideZone,
                at,
                format!("`{record}` is not inside the zone `{}`", zone.domain),
            )
            .label(format!("not under {}", zone.domain))
            .help(format!(
                "use a name ending in `.{}`, or another zone",
                zone.domain
            )),
        );
    }
    ok
}

/// Whether `STACK-NAME`, the name AWS gives a resource of the block named
/// `name`, fits `max` characters; `names` and `hint` word the error.
pub(super) fn derived_name_fits(
    cx: &mut Context<'_>,
    name: &Sp<String>,
    max: usize,
    names: &str,
    hint: &str,
) -> bool {
    let Some(stack) = &cx.stack_facts.name else {
        return true;
    };
    if stack.len() + 1 + name.value.len() <= max {
        return true;
    }
    let d = Diagnostic::error(
        Code::InvalidName,
        name.span,
        format!("`{stack}-{}` is longer than {max} characters", name.value),
    )
    .label(names.to_string())
    .help(hint.to_string());
    cx.push(d);
    false
}
