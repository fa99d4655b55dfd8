//! `fixtures/ok/fleet-large.toml` written with the Rust builder: a fleet of
//! ten shops, each with its instance, its record, its parameters and its
//! hours, whose template is over CloudFormation's 51,200-byte limit for
//! inline bodies (`deploy.sh` uploads it through S3). The clients are
//! made in a loop, as an infrastructure repository would.
//!
//! `cargo run --example fleet_large -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/fleet-large.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Clients, Fleet, FleetDns, Hours, Topology, Zone};

/// The topology of `fixtures/ok/fleet-large.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("shops", "ap-northeast-1");
    let local = topo.zone(
        "local",
        Zone::new("Z0PRIVATESHOPS1", "shops.internal").private(true),
    );
    let shops: Vec<String> = (1..=10).map(|n| format!("shop-{n:02}")).collect();
    topo.fleet(
        "shop",
        Fleet::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
            ["sg-0abcdefabcdefabcd"],
            Clients::ids(shops),
        )
        .dns(FleetDns::new(&local, "{client}.shops.internal"))
        .parameters(["API_KEY"])
        .bootstrap("/opt/shop/bootstrap.sh")
        .hours(Hours::new("MON-SAT", "10:00", "20:00", "Asia/Tokyo")),
    );
    topo
}

fn main() -> ExitCode {
    common::run("fleet_large", topology())
}
