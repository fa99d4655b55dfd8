//! Names the git commit in `topoform --version` when the crate is built
//! from its own git checkout. A vendored copy inside another repository,
//! or a package without `.git`, reports the version alone: the commit of
//! somebody else's repository would be a lie. Generated files never carry
//! either, so the output's bytes do not depend on the build.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

// A build script speaks to cargo on standard output: that is its interface,
// not the terminal that clippy.toml keeps to src/cli.rs.
#[allow(clippy::disallowed_macros)]
fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest);
    let ours = git(dir, &["rev-parse", "--show-toplevel"])
        .and_then(|top| std::fs::canonicalize(top).ok())
        .zip(std::fs::canonicalize(dir).ok())
        .is_some_and(|(top, dir)| top == dir);
    let commit = if ours {
        git(dir, &["rev-parse", "--short=12", "HEAD"])
    } else {
        None
    };
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let shown = match &commit {
        Some(c) => format!("{version} (commit {c})"),
        None => version,
    };
    println!("cargo:rustc-env=TOPOFORM_VERSION={shown}");
    // A new commit moves HEAD, or the branch it names; both are files.
    let git_dir = dir.join(".git");
    if ours && git_dir.is_dir() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD")) {
            if let Some(r) = head.trim().strip_prefix("ref: ") {
                if git_dir.join(r).exists() {
                    println!("cargo:rerun-if-changed=.git/{r}");
                }
            }
        }
        if git_dir.join("packed-refs").exists() {
            println!("cargo:rerun-if-changed=.git/packed-refs");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
