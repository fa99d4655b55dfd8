//! `topoform init`: commented starter topologies, one per seed shape. Each
//! is a complete topology that `validate` accepts as it is; the ids a user
//! must replace (subnets, security groups, zones, certificates) are marked
//! `REPLACE`. The texts live in `templates/init/` and are embedded.

/// A starter topology.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// Its name (`--example NAME`), and the file's: `NAME.topo.toml`.
    pub name: &'static str,
    /// One line on what it builds.
    pub summary: &'static str,
    /// The commented topology.
    pub text: &'static str,
}

/// Every starter, the default first.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "autoheal",
        summary: "a web server that heals itself and keeps its Elastic IP",
        text: include_str!("../templates/init/autoheal.topo.toml"),
    },
    Example {
        name: "business-hours",
        summary: "weekday hours, and a sorry page behind a failover record the rest of the time",
        text: include_str!("../templates/init/business-hours.topo.toml"),
    },
    Example {
        name: "alb-failover",
        summary: "an HTTPS load balancer in front of an instance, failing over to a sorry page",
        text: include_str!("../templates/init/alb-failover.topo.toml"),
    },
    Example {
        name: "fleet",
        summary: "one instance per client, each reading its own SSM parameters",
        text: include_str!("../templates/init/fleet.topo.toml"),
    },
    Example {
        name: "ops",
        summary: "AMI and snapshot backups, a cross-region copy, weekly maintenance, alarm mail",
        text: include_str!("../templates/init/ops.topo.toml"),
    },
];

/// The starter named `name`.
pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::Output;
    use crate::source::FilesIn;

    #[test]
    fn every_starter_compiles_without_a_warning_and_names_its_command() {
        for e in EXAMPLES {
            let c = crate::compile_toml_over(e.text, &FilesIn(".".into()), &Output::new());
            assert!(c.diagnostics.is_empty(), "{}: {:?}", e.name, c.diagnostics);
            assert!(c.output.is_some(), "{}", e.name);
            let file = format!("{}.topo.toml", e.name);
            assert!(
                e.text.contains(&format!("topoform validate {file}")),
                "{}",
                e.name
            );
            assert!(e.text.contains("REPLACE"), "{}", e.name);
        }
    }
}
