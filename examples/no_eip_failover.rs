//! `fixtures/ok/no-eip-failover.toml` written with the Rust builder. The redash
//! seed's per-boot script: no Elastic IP; the instance UPSERTs the failover
//! PRIMARY record with its public IP at every boot, and Route 53 judges it by
//! the group's in-service count (an IP allow-list blocks outside probes).
//!
//! `cargo run --example no_eip_failover -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/no-eip-failover.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{ElasticIp, Failover, Health, Hours, Instance, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/no-eip-failover.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("redash-dynamic-ip", "ap-northeast-1");
    let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let redash = topo.instance(
        "redash",
        Instance::new(
            "ami-0064e711cbc7a825e",
            "t3.small",
            ["subnet-0b99e52d17314979d"],
            ["sg-04b4e7642a8fc6efe"],
        )
        .elastic_ip(ElasticIp::None)
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
        Failover::new("redash.example.com", &public, &redash, &closed)
            .health(Health::Instance)
            .ttl(60),
    );
    topo
}

fn main() -> ExitCode {
    common::run("no_eip_failover", topology())
}
