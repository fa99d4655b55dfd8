//! `fixtures/ok/per-client.toml` written with the Rust builder. The
//! per-client-app-layer seed: one instance per client from a golden AMI. At
//! first boot each reads `/app/CLIENT/*` from SSM Parameter Store
//! (SecureString, decrypted) and runs the bootstrap with those values; at
//! every boot it registers `CLIENT.local` in the private zone. Open on
//! weekdays only.
//!
//! `cargo run --example per_client -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/per-client.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Clients, Fleet, FleetDns, Hours, Topology, Zone};

/// The topology of `fixtures/ok/per-client.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("app-layer", "ap-northeast-1");
    let local = topo.zone("local", Zone::new("Z0PRIVATELOCAL1", "local").private(true));
    topo.fleet(
        "app",
        Fleet::new(
            "ami-0123456789abcdef0",
            "t3.medium",
            ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
            ["sg-0abcdefabcdefabcd"],
            Clients::ids(["acme", "globex", "initech"]),
        )
        .dns(FleetDns::new(&local, "{client}.local"))
        .parameters(["HOGE", "DB_PASSWORD"])
        .bootstrap("/home/hoge/scripts/bootstrap.sh")
        .hours(Hours::new("MON-FRI", "08:00", "21:00", "Asia/Tokyo")),
    );
    topo
}

fn main() -> ExitCode {
    common::run("per_client", topology())
}
