//! `fixtures/ok/route53-failover.toml` written with the Rust builder. The
//! route53-failover seed: an HTTPS load balancer in front of an auto-healing
//! instance; Route 53 fails over to a sorry page on S3 + CloudFront, whose
//! certificate a us-east-1 edge stack creates and validates through the zone.
//!
//! `cargo run --example route53_failover -- OUT_DIR` writes what `topoform
//! synth fixtures/ok/route53-failover.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Alb, ElasticIp, Failover, Instance, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/route53-failover.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("shop-web", "ap-northeast-1");
    topo.description("ALB in front of one self-healing web server, with a CloudFront sorry page");
    let public = topo.zone("public", Zone::new("Z1SHOPWEBZONE1", "example.shop"));
    let web = topo.instance(
        "web",
        Instance::new(
            "ami-0d52744d6551d851e",
            "t3.small",
            ["subnet-0a11111111111111a", "subnet-0c22222222222222c"],
            ["sg-0123456789abcdef0"],
        )
        .elastic_ip(ElasticIp::None),
    );
    let front = topo.alb(
        "front",
        Alb::new(
            "arn:aws:acm:ap-northeast-1:123456789012:certificate/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
            &web,
            ["subnet-0a11111111111111a", "subnet-0c22222222222222c"],
        )
        .vpc("vpc-0a1b2c3d4e5f60718")
        .port(8080)
        .health_path("/healthz"),
    );
    let maintenance = topo.sorry(
        "maintenance",
        Sorry::new_certificate()
            .title("ただいまメンテナンス中です")
            .message("しばらくしてから再度アクセスしてください。"),
    );
    topo.failover(
        "www",
        Failover::new("www.example.shop", &public, &front, &maintenance),
    );
    topo
}

fn main() -> ExitCode {
    common::run("route53_failover", topology())
}
