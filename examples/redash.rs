//! `fixtures/ok/redash.toml` written with the Rust builder: Re:dash, open in
//! business hours only; a sorry page answers the rest of the time.
//!
//! `cargo run --example redash -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/redash.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Failover, Hours, Instance, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/redash.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("redash", "ap-northeast-1");
    let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let redash = topo.instance(
        "redash",
        Instance::new(
            "ami-0064e711cbc7a825e",
            "t3.small",
            ["subnet-0b99e52d17314979d"],
            ["sg-04b4e7642a8fc6efe"],
        )
        .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
    );
    let closed = topo.sorry(
        "closed",
        Sorry::new(
            "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f",
        )
        .title("本日の運用は停止しました")
        .allow("203.0.113.10/32"),
    );
    topo.failover(
        "redash",
        Failover::new("redash.example.com", &public, &redash, &closed),
    );
    topo
}

fn main() -> ExitCode {
    common::run("redash", topology())
}
