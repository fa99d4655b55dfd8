//! `fixtures/ok/failover-https.toml` written with the Rust builder. A new
//! Elastic IP probed over HTTPS, a private per-boot record in a private zone,
//! two failover records sharing one sorry site, status 200.
//!
//! `cargo run --example failover_https -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/failover-https.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Dns, Failover, Health, Hours, Instance, Ip, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/failover-https.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("portal", "ap-northeast-1");
    let public = topo.zone("public", Zone::new("Z1PUBLIC00001", "example.jp"));
    let internal = topo.zone(
        "internal",
        Zone::new("Z2PRIVATE0002", "corp.internal").private(true),
    );
    let portal = topo.instance(
        "portal",
        Instance::new(
            "ami-0fedcba9876543210",
            "m7g.large",
            ["subnet-0a1a1a1a1a1a1a1a1"],
            ["sg-0b2b2b2b2b2b2b2b2"],
        )
        .dns(Dns::new(&internal, "portal.corp.internal").ip(Ip::Private))
        .hours(Hours::new("MON,WED-FRI", "08:30", "20:00", "Asia/Tokyo")),
    );
    let outage = topo.sorry(
        "outage",
        Sorry::new(
            "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
        )
        .title("ただいまメンテナンス中です")
        .message("ご不便をおかけしております。\nしばらくしてから再度アクセスしてください。")
        .status(200)
        .allow("198.51.100.0/24")
        .allow("203.0.113.0/25"),
    );
    topo.failover(
        "portal",
        Failover::new("portal.example.jp", &public, &portal, &outage).health(Health::Https {
            path: "/status".into(),
            port: None,
        }),
    );
    topo.failover(
        "login",
        Failover::new("login.example.jp", &public, &portal, &outage),
    );
    topo
}

fn main() -> ExitCode {
    common::run("failover_https", topology())
}
