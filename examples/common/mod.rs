//! The `main` every example shares: compile the topology, write it to the
//! directory given as the first argument.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use topoform::builder::Topology;

/// Compiles `topology` and writes it to the first command-line argument.
#[allow(
    clippy::disallowed_macros,
    reason = "an example's main talks to the terminal"
)]
pub(crate) fn run(example: &str, topology: Topology) -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --example {example} -- OUT_DIR");
        return ExitCode::FAILURE;
    };
    // `setup` and `page` paths are relative to the fixture's directory.
    let files = topoform::FilesIn(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok"));
    let compilation = topology.compile(&files);
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
        "{example}: wrote {} files to {}",
        output.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
