//! What we will build: complete, defaults applied, references resolved.
//!
//! Validation builds a `Model` of the blocks that are sound along with
//! everything they refer to; the whole topology when there is no error. So
//! everything after this point (synth, plan, emit) cannot fail because of
//! user input. Blocks are kept in `BTreeMap`s keyed by name: output order
//! depends on names only, never on the order in which the TOML file lists
//! them.
//!
//! Each kind's file (`model/instance.rs`, …) holds its complete type, the
//! types only it uses, and its [`Part`](crate::naming::Part)s: the logical
//! IDs its blocks derive, claimed before synthesis.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::kind::{Kind, for_each_block_kind};
use crate::naming::Registry;
use crate::source::Span;

pub mod reserved;
pub mod stack;

// One module per block kind (see `for_each_block_kind!`). They
// are declared here, not by that macro, so that tools that read the source
// without expanding macros (rustfmt, cargo-mutants) see them; a kind missing
// here is a compile error where the macro below names it.
pub mod alb;
pub mod backup;
pub mod failover;
pub mod fleet;
pub mod instance;
pub mod sorry;
pub mod task;
pub mod zone;

pub use stack::{Budget, Notify, Slack, Stack};

macro_rules! kinds {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        $(pub use $module::$variant;)*

        /// A validated topology.
        #[derive(Debug, Default)]
        pub struct Model {
            /// `[stack]`.
            pub stack: Stack,
            $(
                #[doc = concat!("The `[", stringify!($module), ".NAME]` blocks, by name.")]
                pub $field: BTreeMap<Name, $variant>,
            )*
            /// Where things were written, for the diagnostics of checks made
            /// on the synthesized output (AWS quotas).
            pub origins: Origins,
        }

        impl Model {
            /// Whether the model holds the block `name` of `kind`.
            pub fn contains(&self, kind: Kind, name: &str) -> bool {
                let name = Name(name.to_string());
                match kind {
                    Kind::Stack => true,
                    $(Kind::$variant => self.$field.contains_key(&name),)*
                }
            }

            /// Leaves the block `name` of `kind` out of the model.
            pub(crate) fn remove(&mut self, kind: Kind, name: &str) {
                let name = Name(name.to_string());
                match kind {
                    Kind::Stack => {}
                    $(Kind::$variant => {
                        self.$field.remove(&name);
                    })*
                }
            }
        }
    };
}
for_each_block_kind!(kinds);

/// The line that ends a `setup` script embedded in user-data as a quoted
/// heredoc: validation refuses a script that contains it.
pub const SETUP_DELIMITER: &str = "TOPOFORM_SETUP_EOF";

/// The days of the week, Sunday first, as cron and the language name them.
pub const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A block name (`[a-z][a-z0-9-]*`, at most 32 characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Name(pub(crate) String);

impl Name {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Source positions kept past validation.
#[derive(Debug, Default)]
pub struct Origins {
    /// The `[stack]` header.
    pub stack: Span,
    /// Every logical ID a block derives, with that block.
    pub ids: Registry,
    /// The front end that wrote the topology, for hints.
    pub front: crate::spec::Front,
}

/// The image an instance boots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ami {
    /// A literal `ami-…`.
    Id(String),
    /// An SSM public parameter path, resolved at deploy time.
    Ssm(String),
}

/// What an instance or a fleet launches from.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Image.
    pub ami: Ami,
    /// Instance type.
    pub instance_type: String,
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
}

/// When an instance or a fleet runs.
#[derive(Clone, Debug)]
pub struct Hours {
    /// Day ranges, inclusive, 0 = Sunday … 6 = Saturday, e.g. `[(1, 5)]`.
    pub days: Vec<(u8, u8)>,
    /// Start (hour, minute).
    pub start: (u8, u8),
    /// Stop (hour, minute).
    pub stop: (u8, u8),
    /// IANA time zone.
    pub timezone: String,
}

impl Hours {
    /// The day-of-week field of a Unix cron expression (Auto Scaling), e.g. `1-5`.
    pub fn unix_days(&self) -> String {
        days_field(&self.days, |d| d.to_string())
    }

    /// The day-of-week field with names (EventBridge), e.g. `MON-FRI`.
    pub fn named_days(&self) -> String {
        days_field(&self.days, |d| DAY_NAMES[usize::from(d)].to_string())
    }

    /// Whether the stop falls on the day after the start (`22:00`–`02:00`).
    pub fn crosses_midnight(&self) -> bool {
        self.stop < self.start
    }

    /// The days the stop runs on: the start's days, or for hours that cross
    /// midnight the day after each (so Friday's start stops early on
    /// Saturday, not on Monday), as ranges in week order.
    pub fn stop_days(&self) -> Vec<(u8, u8)> {
        if !self.crosses_midnight() {
            return self.days.clone();
        }
        let mask = self
            .days
            .iter()
            .flat_map(|&(a, b)| a..=b)
            .fold(0u8, |m, d| m | 1 << ((d + 1) % 7));
        let mut ranges: Vec<(u8, u8)> = Vec::new();
        for d in (0..7).filter(|d| mask & 1 << d != 0) {
            match ranges.last_mut() {
                Some(last) if last.1 + 1 == d => last.1 = d,
                _ => ranges.push((d, d)),
            }
        }
        ranges
    }

    /// [`Hours::unix_days`] of the stop.
    pub fn unix_stop_days(&self) -> String {
        days_field(&self.stop_days(), |d| d.to_string())
    }

    /// [`Hours::named_days`] of the stop.
    pub fn named_stop_days(&self) -> String {
        days_field(&self.stop_days(), |d| DAY_NAMES[usize::from(d)].to_string())
    }
}

/// A cron day-of-week field: single days and ranges, comma-separated.
fn days_field(days: &[(u8, u8)], name: impl Fn(u8) -> String) -> String {
    let fields: Vec<String> = days
        .iter()
        .map(|&(a, b)| {
            if a == b {
                name(a)
            } else {
                format!("{}-{}", name(a), name(b))
            }
        })
        .collect();
    fields.join(",")
}

/// An IPv4 CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ipv4Net {
    /// Network address (host bits zero).
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub bits: u8,
}

impl Ipv4Net {
    /// `0.0.0.0/0`.
    pub const ANYWHERE: Ipv4Net = Ipv4Net {
        addr: Ipv4Addr::UNSPECIFIED,
        bits: 0,
    };

    /// The network mask, e.g. `0xffffff00` for a /24.
    pub fn mask(self) -> u32 {
        u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0)
    }
}

/// What a backup or task applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An `[instance]`.
    Instance(Name),
    /// Every instance of a `[fleet]`.
    Fleet(Name),
}

#[cfg(test)]
mod tests {
    use super::Hours;

    fn hours(days: &[(u8, u8)], start: (u8, u8), stop: (u8, u8)) -> Hours {
        Hours {
            days: days.to_vec(),
            start,
            stop,
            timezone: "UTC".into(),
        }
    }

    #[test]
    fn the_stop_runs_on_the_start_days_within_a_day() {
        let h = hours(&[(1, 5)], (9, 0), (19, 30));
        assert!(!h.crosses_midnight());
        assert_eq!(h.named_stop_days(), "MON-FRI");
        assert_eq!(h.unix_stop_days(), "1-5");
    }

    #[test]
    fn across_midnight_the_stop_runs_the_day_after() {
        // Friday 22:00 stops on Saturday 02:00, not on Monday.
        let h = hours(&[(1, 5)], (22, 0), (2, 0));
        assert!(h.crosses_midnight());
        assert_eq!(h.named_days(), "MON-FRI");
        assert_eq!(h.named_stop_days(), "TUE-SAT");
        assert_eq!(h.unix_stop_days(), "2-6");
        // Saturday wraps to Sunday, in week order.
        let weekend = hours(&[(6, 6), (0, 0)], (23, 0), (1, 0));
        assert_eq!(weekend.named_stop_days(), "SUN-MON");
        let friday_saturday = hours(&[(5, 6)], (23, 0), (1, 0));
        assert_eq!(friday_saturday.unix_stop_days(), "0,6");
        let every_day = hours(&[(0, 6)], (20, 0), (4, 0));
        assert_eq!(every_day.unix_stop_days(), "0-6");
    }
}
