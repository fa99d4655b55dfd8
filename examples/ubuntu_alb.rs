//! `fixtures/ok/ubuntu-alb.toml` written with the Rust builder. An Ubuntu
//! instance (its root device is /dev/sda1, not Amazon Linux's /dev/xvda)
//! behind a load balancer that names no VPC, with an existing Elastic IP
//! whose address the topology does not give: deploy.sh reads the root device
//! name, the VPC and the address, and passes them as parameters.
//!
//! `cargo run --example ubuntu_alb -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/ubuntu-alb.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Alb, Dns, ElasticIp, Instance, Topology, Zone};

/// The topology of `fixtures/ok/ubuntu-alb.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("ubuntu-web", "eu-west-1");
    let public = topo.zone("public", Zone::new("Z3UBUNTUWEB1", "example.net"));
    let subnets = ["subnet-0e1e2e3e4e5e6e7e8", "subnet-0f1f2f3f4f5f6f7f8"];
    let app = topo.instance(
        "app",
        Instance::new(
            "ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
            "t3.small",
            subnets,
            ["sg-0a9a8a7a6a5a4a3a2"],
        )
        .volume_gb(40)
        .elastic_ip(ElasticIp::Existing("eipalloc-0a1b2c3d4e5f67890".into()))
        .dns(Dns::new(&public, "app.example.net")),
    );
    topo.alb(
        "front",
        Alb::new(
            "arn:aws:acm:eu-west-1:123456789012:certificate/2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9",
            &app,
            subnets,
        ),
    );
    topo
}

fn main() -> ExitCode {
    common::run("ubuntu_alb", topology())
}
