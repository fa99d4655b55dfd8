//! `fixtures/ok/failover-http.toml` written with the Rust builder. An existing
//! Elastic IP with its address, probed over HTTP by Route 53; a sorry page with
//! its own HTML and status 503 for everyone, whose access logs are kept.
//!
//! `cargo run --example failover_http -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/failover-http.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{ElasticIp, Failover, Health, Instance, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/failover-http.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("shop", "eu-west-1");
    let shop = topo.zone("shop", Zone::new("Z3SHOPZONE0001", "shop.example.net"));
    let front = topo.instance(
        "front",
        Instance::new(
            "ami-0123456789abcdef0",
            "t3.medium",
            ["subnet-01234567"],
            ["sg-01234567", "sg-89abcdef"],
        )
        .elastic_ip(ElasticIp::WithAddress {
            allocation: "eipalloc-0123456789abcdef0".into(),
            address: "198.51.100.7".into(),
        }),
    );
    let maintenance = topo.sorry(
        "maintenance",
        Sorry::new(
            "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        )
        .page("files/maintenance.html")
        .access_logs(true),
    );
    topo.failover(
        "www",
        Failover::new("www.shop.example.net", &shop, &front, &maintenance)
            .health(Health::Http {
                path: "/health".into(),
                port: Some(8080),
            })
            .ttl(30),
    );
    topo
}

fn main() -> ExitCode {
    common::run("failover_http", topology())
}
