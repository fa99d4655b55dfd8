//! State Manager schedules: `cron(…)` and `rate(…)` as Systems Manager
//! takes them for an association (AWS Systems Manager User Guide,
//! "Reference: Cron and rate expressions for Systems Manager"):
//!
//! - `cron(minutes hours day-of-month month day-of-week [year])`, the
//!   year optional (associations have five required fields), all in UTC; exactly one of the two day fields is `?`; values in range
//!   (minutes 0-59, hours 0-23, days 1-31, weekdays
//!   1-7 or SUN-SAT, years 1970-2199);
//! - `rate(N unit)`: `minute`/`hour`/`day` for 1, `minutes`/`hours`/`days`
//!   otherwise;
//! - runs at least 30 minutes apart, the shortest interval State Manager
//!   allows, and for `rate` at most a year apart.
//!
//! The error says which field is wrong and why, so that a typo is not
//! reported as "not a schedule".

use std::collections::BTreeSet;

/// The shortest interval between two runs of an association, in minutes.
const MIN_INTERVAL_MINUTES: u32 = 30;

/// The longest `rate` State Manager takes for an association, in minutes:
/// "less than 31 days".
const MAX_RATE_MINUTES: u64 = 30 * 24 * 60;

const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// What is wrong with a schedule, for the diagnostic's label.
pub(super) type Problem = String;

/// Checks a schedule; `Err` says what is wrong.
pub(super) fn check(v: &str) -> Result<(), Problem> {
    if let Some(body) = v.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return cron(body);
    }
    if let Some(body) = v.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        return rate(body);
    }
    Err("not `cron(…)` or `rate(…)`".into())
}

fn rate(body: &str) -> Result<(), Problem> {
    let Some((n, unit)) = body.split_once(' ') else {
        return Err("a rate is a number and a unit, e.g. `rate(1 day)`".into());
    };
    let n: u64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{n}` is not a positive whole number"))?;
    let (singular, plural, minutes) = match unit {
        "minute" | "minutes" => ("minute", "minutes", 1),
        "hour" | "hours" => ("hour", "hours", 60),
        "day" | "days" => ("day", "days", 24 * 60),
        _ => return Err(format!("`{unit}` is not minutes, hours or days")),
    };
    let want = if n == 1 { singular } else { plural };
    if unit != want {
        return Err(format!("write `{n} {want}`"));
    }
    let total = n.saturating_mul(minutes);
    if total < u64::from(MIN_INTERVAL_MINUTES) {
        return Err(format!(
            "runs every {total} minutes; State Manager allows {MIN_INTERVAL_MINUTES} at the least"
        ));
    }
    if total > MAX_RATE_MINUTES {
        return Err("State Manager takes rates of less than 31 days".into());
    }
    Ok(())
}

fn cron(body: &str) -> Result<(), Problem> {
    let fields: Vec<&str> = body.split(' ').collect();
    let (minutes, hours, dom, month, dow, year) = match fields[..] {
        [minutes, hours, dom, month, dow, year] => (minutes, hours, dom, month, dow, year),
        [minutes, hours, dom, month, dow] => (minutes, hours, dom, month, dow, "*"),
        _ => {
            return Err(format!(
                "{} fields; a cron has minutes hours day-of-month month day-of-week [year]",
                fields.len()
            ));
        }
    };
    let minutes = values(minutes, "minutes", 0, 59, &[])?;
    let hours = values(hours, "hours", 0, 23, &[])?;
    match (dom == "?", dow == "?") {
        (true, true) => return Err("both day fields are `?`: set one of them".into()),
        (false, false) => {
            return Err(
                "both day-of-month and day-of-week are set: one of them must be `?`".into(),
            );
        }
        (true, false) => weekdays(dow)?,
        (false, true) => days_of_month(dom)?,
    }
    // "State Manager doesn't currently support specifying months in cron
    // expressions for associations."
    if month != "*" {
        return Err(format!(
            "month `{month}`: State Manager takes no months in an association's cron; write `*`"
        ));
    }
    values(year, "year", 1970, 2199, &[])?;
    too_often(&minutes, &hours)
}

/// Whether two runs within a day, or across midnight, are closer than the
/// shortest interval.
fn too_often(minutes: &BTreeSet<u32>, hours: &BTreeSet<u32>) -> Result<(), Problem> {
    let times: Vec<u32> = hours
        .iter()
        .flat_map(|h| minutes.iter().map(move |m| h * 60 + m))
        .collect();
    let wrap = times
        .first()
        .zip(times.last())
        .map(|(first, last)| first + 24 * 60 - last);
    let gap = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .chain(wrap.filter(|_| times.len() > 1))
        .min();
    match gap {
        Some(g) if g < MIN_INTERVAL_MINUTES => Err(format!(
            "runs {g} minutes apart; State Manager allows {MIN_INTERVAL_MINUTES} at the least"
        )),
        _ => Ok(()),
    }
}

/// The values a numeric field selects: `*`, `N`, `A-B`, `*/S`, `N/S`,
/// lists of these; `names` are accepted for values from `lo` on.
fn values(
    field: &str,
    what: &str,
    lo: u32,
    hi: u32,
    names: &[&str],
) -> Result<BTreeSet<u32>, Problem> {
    let value = |s: &str| -> Result<u32, Problem> {
        let n = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map(|i| lo + u32::try_from(i).unwrap_or(u32::MAX))
            .or_else(|| {
                (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            });
        match n {
            Some(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(format!("`{s}` is not a {what} value ({lo}-{hi})")),
        }
    };
    let mut out = BTreeSet::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("`{s}` is not a step in the {what} field"))?;
                (r, step)
            }
            None => (item, 1),
        };
        let (a, b) = match range {
            "*" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `N/S` runs from N to the end of the range.
                None if step > 1 => (value(r)?, hi),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if a > b {
            return Err(format!("`{item}` is a descending range of {what}"));
        }
        out.extend((a..=b).step_by(usize::try_from(step).unwrap_or(usize::MAX)));
    }
    Ok(out)
}

/// The day-of-week field: weekdays 1-7 or SUN-SAT, `L`, `NL`, `N#K`.
fn weekdays(field: &str) -> Result<(), Problem> {
    if field == "L" {
        return Ok(());
    }
    if let Some((day, nth)) = field.split_once('#') {
        values(day, "day-of-week", 1, 7, &WEEKDAYS)?;
        return match nth {
            "1" | "2" | "3" | "4" | "5" => Ok(()),
            _ => Err(format!("`#{nth}`: the week of the month is 1 to 5")),
        };
    }
    if let Some(day) = field.strip_suffix('L') {
        return values(day, "day-of-week", 1, 7, &WEEKDAYS).map(drop);
    }
    values(field, "day-of-week", 1, 7, &WEEKDAYS).map(drop)
}

/// The day-of-month field: days 1-31, `L`, `LW`, `NW`.
fn days_of_month(field: &str) -> Result<(), Problem> {
    if field == "L" || field == "LW" {
        return Ok(());
    }
    if let Some(day) = field.strip_suffix('W') {
        return values(day, "day-of-month", 1, 31, &[]).map(drop);
    }
    values(field, "day-of-month", 1, 31, &[]).map(drop)
}
