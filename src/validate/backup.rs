//! `[backup.NAME]`: what is backed up, as what, when, how many are kept,
//! and where copies go.

use super::context::{Context, Keys, optional};
use super::grammar;
use super::target;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::backup::{BackupKind, CopyTo};
use crate::model::{self, Name};
use crate::naming::Prefix;
use crate::spec::{self, Backup, Block, Sp};

/// Hours between backups that Data Lifecycle Manager accepts.
const DLM_INTERVALS: &[i64] = &[1, 2, 3, 4, 6, 8, 12, 24];

/// Validates a backup.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Backup>) -> Option<model::Backup> {
    let keys = Keys::of(Kind::Backup, b);
    let x = &b.body;
    let target = keys
        .required(cx, x.target.as_ref(), "target")
        .and_then(|t| target(cx, t, &slot::BACKUP_TARGET));
    let kind = keys.required(cx, x.kind.as_ref(), "kind").and_then(|k| {
        let word = grammar::word(
            k,
            "kind",
            &["ami", "snapshot"],
            "expected \"ami\" or \"snapshot\"",
        );
        cx.check(word).map(|w| {
            if w == "ami" {
                BackupKind::Ami
            } else {
                BackupKind::Snapshot
            }
        })
    });
    // DLM takes times in UTC only; `hours` elsewhere takes a time zone, so
    // the diagnostic says which this is.
    let at = keys.required(cx, x.at.as_ref(), "at").and_then(|t| {
        cx.check(
            grammar::time(t)
                .map_err(|d| d.help("`at` is a UTC time (Data Lifecycle Manager has no time zones): write e.g. `18:00` for 03:00 in Tokyo")),
        )
    });
    let every = keys
        .required(cx, x.every.as_ref(), "every")
        .and_then(|e| every(cx, e));
    let keep = keys
        .required(cx, x.keep.as_ref(), "keep")
        .and_then(|k| cx.check(generations(k)));
    let copy_to = optional(x.copy_to.as_ref(), |c| copy_to(cx, &keys, c));
    if let (Some(Some(c)), Some(every), Some(at)) = (&copy_to, every, &x.copy_to) {
        kept_by_age(cx, c, every, at);
    }
    Some(model::Backup {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        target: target?,
        kind: kind?,
        at: at?,
        every: every?,
        keep: keep?,
        copy_to: copy_to?,
    })
}

fn every(cx: &mut Context<'_>, e: &Sp<i64>) -> Option<u32> {
    if DLM_INTERVALS.contains(&e.value) {
        return u32::try_from(e.value).ok();
    }
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            e.span,
            format!("every {} is not a backup interval", e.value),
        )
        .label("Data Lifecycle Manager runs every 1, 2, 3, 4, 6, 8, 12 or 24 hours"),
    );
    None
}

fn generations(k: &Sp<i64>) -> grammar::Checked<u32> {
    grammar::number(
        k,
        1..=1000,
        "keep",
        "Data Lifecycle Manager keeps 1 to 1000 generations",
    )
}

/// Cross-region copies are kept by age, not by count: when `keep`
/// generations are not a whole number of days, more are kept, and the
/// warning says how many.
fn kept_by_age(cx: &mut Context<'_>, c: &CopyTo, every: u32, at: &Sp<spec::CopyTo>) {
    let kept = c.copies_kept(every);
    if kept == c.keep {
        return;
    }
    let days = c.retain_days(every);
    let span = at.value.keep.as_ref().map_or(at.span, |k| k.span);
    cx.push(
        Diagnostic::warning(
            Code::ConvertedValue,
            span,
            format!(
                "`copy_to.keep = {}` keeps {kept} copies, not {}",
                c.keep, c.keep
            ),
        )
        .label(format!(
            "kept for {days} day{}: Data Lifecycle Manager keeps cross-region copies by age, in whole days",
            if days == 1 { "" } else { "s" }
        ))
        .help(format!(
            "with `every = {every}`, a keep of a multiple of {} copies is exact",
            24 / gcd(24, every)
        )),
    );
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// `copy_to = { region, keep }`: another region than the stack's.
fn copy_to(cx: &mut Context<'_>, keys: &Keys<'_>, c: &Sp<spec::CopyTo>) -> Option<CopyTo> {
    let keys = keys.nested("copy_to", c.span);
    let region = keys.required(cx, c.value.region.as_ref(), "region");
    let keep = keys.required(cx, c.value.keep.as_ref(), "keep");
    let region_at = region.map(|r| r.span);
    let region = region.and_then(|r| cx.check(grammar::region(r)));
    let keep = keep.and_then(|k| cx.check(generations(k)));
    let region = region?;
    if let (Some(stack_region), Some(at)) = (&cx.stack_facts.region, region_at) {
        if region == *stack_region {
            let d = Diagnostic::error(
                Code::InvalidRegion,
                at,
                format!("`copy_to` is the stack's own region, {stack_region}"),
            )
            .label("copies go to another region")
            .help("name another region, or remove `copy_to`");
            cx.push(d);
            return None;
        }
    }
    Some(CopyTo {
        region,
        keep: keep?,
    })
}
