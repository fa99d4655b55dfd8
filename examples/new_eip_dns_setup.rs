//! `fixtures/ok/new-eip-dns-setup.toml` written with the Rust builder. A new
//! Elastic IP, a per-boot public record, a bigger root volume, stack tags and a
//! first-boot setup script; the AMI comes from an SSM public parameter.
//!
//! `cargo run --example new_eip_dns_setup -- OUT_DIR` writes what `topoform
//! synth fixtures/ok/new-eip-dns-setup.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{Dns, ElasticIp, Instance, Ip, Topology, Zone};

/// The topology of `fixtures/ok/new-eip-dns-setup.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("app-server", "us-west-2");
    topo.tag("Project", "topoform-demo")
        .tag("CostCenter", "ops-42");
    let main = topo.zone("main", Zone::new("Z0123456789ABCDEFGHIJ", "example.org"));
    topo.instance(
        "app",
        Instance::new(
            "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            "t3.small",
            ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
            ["sg-0cccccccccccccccc"],
        )
        .elastic_ip(ElasticIp::New)
        .dns(Dns::new(&main, "app.example.org").ip(Ip::Public))
        .volume_gb(30)
        .setup("files/install-app.sh"),
    );
    topo
}

fn main() -> ExitCode {
    common::run("new_eip_dns_setup", topology())
}
