//! Block kinds: the one list of what a topology is made of.
//!
//! `for_each_block_kind!` is the only place that lists the named block
//! kinds. It generates [`Kind`], and every stage that has one file per kind
//! (`spec/`, `model/`, `validate/`, `synth/`) expands it to declare those
//! files and to visit each kind's blocks, so a new kind is one row here plus
//! one file per stage (see ARCHITECTURE.md, "Adding a block kind").
//!
//! This module also says what each kind may refer to ([`Slot`]): the TOML
//! front end parses references against it, validation resolves them, and
//! diagnostics word their hints from it.

use std::fmt;

use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// Calls `$callback!` with every named block kind (all but `[stack]`), one
/// row each: `Variant: module, field;`.
///
/// - `Variant` names the kind in [`Kind`] and its types in `spec` and
///   `model` (`spec::Zone`, `model::Zone`);
/// - `module` is its TOML name (`[zone.NAME]`) and the name of its file in
///   each stage (`spec/zone.rs`, `model/zone.rs`, `validate/zone.rs`,
///   `synth/zone.rs`);
/// - `field` names its blocks in `spec::Topology` and `model::Model`.
///
/// Rows are in the order the language reference lists the kinds, which is
/// also the order validation visits them in: a kind's validation may read
/// the validated blocks of the kinds above it (a failover reads its primary
/// instance's Elastic IP).
macro_rules! for_each_block_kind {
    ($callback:ident) => {
        $callback! {
            Zone: zone, zones;
            Instance: instance, instances;
            Failover: failover, failovers;
            Sorry: sorry, sorries;
            Alb: alb, albs;
            Fleet: fleet, fleets;
            Backup: backup, backups;
            Task: task, tasks;
        }
    };
}
pub(crate) use for_each_block_kind;

macro_rules! define_kind {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        /// A block kind: `[stack]` or one of the named kinds (`[zone.NAME]`, …).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            /// `[stack]`, the one unnamed block.
            Stack,
            $(
                #[doc = concat!("`[", stringify!($module), ".NAME]`.")]
                $variant,
            )*
        }

        impl Kind {
            /// Every kind, in the order of the language reference.
            pub const ALL: &'static [Kind] = &[Kind::Stack, $(Kind::$variant),*];

            /// The kind's TOML name: `stack`, `zone`, `instance`, …
            pub fn name(self) -> &'static str {
                match self {
                    Kind::Stack => "stack",
                    $(Kind::$variant => stringify!($module),)*
                }
            }
        }
    };
}
for_each_block_kind!(define_kind);

impl Kind {
    /// The kind named `name` in TOML.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The kind's name with its article, for messages: `an instance`, `a zone`.
    pub fn noun(self) -> String {
        format!("{} {}", crate::diag::article(self.name()), self.name())
    }

    /// Where blocks of this kind refer to other blocks.
    pub fn slots(self) -> &'static [&'static Slot] {
        match self {
            Kind::Instance => &[&slot::INSTANCE_DNS_ZONE],
            Kind::Failover => &[
                &slot::FAILOVER_ZONE,
                &slot::FAILOVER_PRIMARY,
                &slot::FAILOVER_SECONDARY,
            ],
            Kind::Alb => &[&slot::ALB_TARGET],
            Kind::Fleet => &[&slot::FLEET_DNS_ZONE],
            Kind::Backup => &[&slot::BACKUP_TARGET],
            Kind::Task => &[&slot::TASK_TARGET],
            Kind::Stack | Kind::Zone | Kind::Sorry => &[],
        }
    }

    /// Whether each block of this kind serves one client, so that a
    /// topology too large for one template may place it in a nested stack:
    /// the kinds that grow with the business. The others serve many blocks
    /// and stay in the parent.
    pub fn is_per_client(self) -> bool {
        match self {
            Kind::Instance | Kind::Failover => true,
            Kind::Stack
            | Kind::Zone
            | Kind::Sorry
            | Kind::Alb
            | Kind::Fleet
            | Kind::Backup
            | Kind::Task => false,
        }
    }

    /// Whether some block can refer to blocks of this kind.
    pub fn is_referable(self) -> bool {
        Kind::ALL
            .iter()
            .flat_map(|k| k.slots())
            .any(|s| s.kinds.contains(&self))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A key whose value refers to another block, and the kinds it accepts.
#[derive(Debug, PartialEq, Eq)]
pub struct Slot {
    /// The key's path within its block: `primary`, `dns.zone`.
    pub path: &'static str,
    /// The kinds it may name, the usual one first.
    pub kinds: &'static [Kind],
}

impl Slot {
    /// Whether a reference to a block of `kind`, written `written` at `span`,
    /// may stand here; the diagnostic that says why not.
    pub fn accepts(&self, kind: Kind, written: &str, span: Span) -> Result<(), Diagnostic> {
        if self.kinds.contains(&kind) {
            return Ok(());
        }
        Err(Diagnostic::error(
            Code::WrongReferenceKind,
            span,
            format!(
                "`{written}` refers to {}, but {} is needed here",
                kind.noun(),
                self.nouns()
            ),
        )
        .label(format!("expected {}", self.nouns()))
        .help(self.hint()))
    }

    /// The accepted kinds, for messages: `an instance or a fleet`.
    pub fn nouns(&self) -> String {
        let nouns: Vec<String> = self.kinds.iter().map(|k| k.noun()).collect();
        nouns.join(" or ")
    }

    /// How to write a reference here, for hints.
    pub fn hint(&self) -> String {
        match self.kinds {
            [one] => format!("refer to {} as \"{one}.NAME\"", one.noun()),
            kinds => {
                let forms: Vec<String> = kinds.iter().map(|k| format!("\"{k}.NAME\"")).collect();
                format!("write {}", forms.join(" or "))
            }
        }
    }
}

/// Every reference slot of the language.
pub mod slot {
    use super::{Kind, Slot};

    /// `[instance] dns.zone`.
    pub const INSTANCE_DNS_ZONE: Slot = Slot {
        path: "dns.zone",
        kinds: &[Kind::Zone],
    };
    /// `[failover] zone`.
    pub const FAILOVER_ZONE: Slot = Slot {
        path: "zone",
        kinds: &[Kind::Zone],
    };
    /// `[failover] primary`: an instance or a load balancer.
    pub const FAILOVER_PRIMARY: Slot = Slot {
        path: "primary",
        kinds: &[Kind::Instance, Kind::Alb],
    };
    /// `[failover] secondary`.
    pub const FAILOVER_SECONDARY: Slot = Slot {
        path: "secondary",
        kinds: &[Kind::Sorry],
    };
    /// `[alb] target`.
    pub const ALB_TARGET: Slot = Slot {
        path: "target",
        kinds: &[Kind::Instance],
    };
    /// `[fleet] dns.zone`.
    pub const FLEET_DNS_ZONE: Slot = Slot {
        path: "dns.zone",
        kinds: &[Kind::Zone],
    };
    /// `[backup] target`: an instance or a fleet.
    pub const BACKUP_TARGET: Slot = Slot {
        path: "target",
        kinds: &[Kind::Instance, Kind::Fleet],
    };
    /// `[task] target`: an instance or a fleet.
    pub const TASK_TARGET: Slot = Slot {
        path: "target",
        kinds: &[Kind::Instance, Kind::Fleet],
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_some_kinds_are_referable() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(*k));
        }
        let referable: Vec<&str> = Kind::ALL
            .iter()
            .filter(|k| k.is_referable())
            .map(|k| k.name())
            .collect();
        assert_eq!(referable, ["zone", "instance", "sorry", "alb", "fleet"]);
        assert_eq!(slot::BACKUP_TARGET.nouns(), "an instance or a fleet");
        assert_eq!(
            slot::BACKUP_TARGET.hint(),
            "write \"instance.NAME\" or \"fleet.NAME\""
        );
        assert_eq!(
            slot::FAILOVER_ZONE.hint(),
            "refer to a zone as \"zone.NAME\""
        );
    }
}
