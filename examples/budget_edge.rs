//! `fixtures/ok/budget-edge.toml` written with the Rust builder. A stack in a
//! region where CloudFormation offers no `AWS::Budgets::Budget` (Stockholm):
//! the monthly budget goes to the us-east-1 edge stack with a topic of its
//! own, and the main stack's Slack channel posts that topic too.
//!
//! `cargo run --example budget_edge -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/budget-edge.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Budget, ElasticIp, Hours, Instance, Notify, Topology};

/// The topology of `fixtures/ok/budget-edge.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("nordic", "eu-north-1");
    topo.tag("cost-center", "nordic-7")
        .notify_to(
            Notify::new()
                .email("ops@example.com")
                .slack("T0123ABCDE", "G0123ABCDEF"),
        )
        .budget(Budget::monthly(200).currency("USD").forecast(90));
    topo.instance(
        "app",
        Instance::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        )
        .elastic_ip(ElasticIp::None)
        .hours(Hours::new("MON-FRI", "07:00", "18:00", "Europe/Stockholm")),
    );
    topo
}

fn main() -> ExitCode {
    common::run("budget_edge", topology())
}
