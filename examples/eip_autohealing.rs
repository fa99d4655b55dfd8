//! `fixtures/ok/eip-autohealing.toml` written with the Rust builder. The
//! eip-autohealing seed: one single-AZ web server that an Auto Scaling group of
//! one replaces when it fails; the replacement re-attaches the Elastic IP named
//! by its allocation-id tag. The EIP was allocated beforehand.
//!
//! `cargo run --example eip_autohealing -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/eip-autohealing.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{ElasticIp, Instance, Topology};

/// The topology of `fixtures/ok/eip-autohealing.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("web-autoheal", "ap-northeast-1");
    topo.description("Single-AZ web server with an auto-healing Elastic IP");
    topo.instance(
        "web",
        Instance::new(
            "ami-0a1b2c3d4e5f60718",
            "t3.micro",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        )
        .elastic_ip(ElasticIp::Existing("eipalloc-0fedcba9876543210".into())),
    );
    topo
}

fn main() -> ExitCode {
    common::run("eip_autohealing", topology())
}
