//! `fixtures/ok/new-eip-dns-setup.toml` written with the Rust builder. A new
//! Elastic IP, a per-boot public record, a bigger root volume, stack tags and a
//! first-boot setup script; the AMI comes from an SSM public parameter.
//!
//! `cargo run --example new_eip_dns_setup -- OUT_DIR` writes what `topoform
//! synth fixtures/ok/new-eip-dns-setup.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use topoform::front::dsl::{Dns, ElasticIp, Instance, Ip, Topology, Zone};

/// The topology of `fixtures/ok/new-eip-dns-setup.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("app-server", "us-west-2")
        .tag("Project", "topoform-demo")
        .tag("CostCenter", "ops-42");
    let main = topo.zone("main", Zone::new("Z0123456789ABCDEFGHIJ", "example.org"));
    topo.instance(
        "app",
        Instance::new(
            "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            "t3.small",
        )
        .subnet("subnet-0aaaaaaaaaaaaaaaa")
        .subnet("subnet-0bbbbbbbbbbbbbbbb")
        .security_group("sg-0cccccccccccccccc")
        .elastic_ip(ElasticIp::New)
        .dns(Dns::new(&main, "app.example.org").ip(Ip::Public))
        .volume_gb(30)
        .setup("../files/install-app.sh"),
    );
    topo
}

#[allow(
    clippy::disallowed_macros,
    reason = "an example's main talks to the terminal"
)]
fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --example new_eip_dns_setup -- OUT_DIR");
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
        "new_eip_dns_setup: wrote {} files to {}",
        output.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
