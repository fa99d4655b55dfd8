//! `fixtures/ok/failover-http.toml` written with the Rust builder. An existing
//! Elastic IP with its address, probed over HTTP by Route 53; a sorry page with
//! its own HTML and status 503 for everyone.
//!
//! `cargo run --example failover_http -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/failover-http.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use topoform::front::dsl::{ElasticIp, Failover, Health, Instance, Sorry, Topology, Zone};

/// The topology of `fixtures/ok/failover-http.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("shop", "eu-west-1");
    let shop = topo.zone("shop", Zone::new("Z3SHOPZONE0001", "shop.example.net"));
    let front = topo.instance(
        "front",
        Instance::new("ami-0123456789abcdef0", "t3.medium")
            .subnet("subnet-01234567")
            .security_group("sg-01234567")
            .security_group("sg-89abcdef")
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
        .page("../files/maintenance.html"),
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

#[allow(
    clippy::disallowed_macros,
    reason = "an example's main talks to the terminal"
)]
fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --example failover_http -- OUT_DIR");
        return ExitCode::FAILURE;
    };
    // `setup` and `page` paths are relative to the fixture's directory.
    let files = topoform::FilesIn(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok"));
    let compilation = topology().compile(&files);
    for d in &compilation.diagnostics {
        eprintln!("{:?}[{}]: {}", d.severity, d.code.as_str(), d.message);
    }
    let Some(output) = compilation.output else {
        return ExitCode::FAILURE;
    };
    if let Err(e) = topoform::emit::write_to(&output, &out) {
        eprintln!("cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "failover_http: wrote {} files to {}",
        output.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
