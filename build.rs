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
    // A new commit moves HEAD, or the branch it names (a loose ref, or
    // packed-refs), and appends to HEAD's reflog: watch them all, in the
    // checkout's git directory (a worktree's or a submodule's `.git` is a
    // file that points elsewhere). Only files that exist: cargo reruns a
    // script that names a missing one at every build.
    if ours {
        let git_dir = git(dir, &["rev-parse", "--absolute-git-dir"]).map(std::path::PathBuf::from);
        let common = git(dir, &["rev-parse", "--git-common-dir"]).map(|c| dir.join(c));
        let head = git(dir, &["symbolic-ref", "-q", "HEAD"]);
        let mut watched = Vec::new();
        if let Some(g) = &git_dir {
            watched.push(g.join("HEAD"));
            watched.push(g.join("logs/HEAD"));
        }
        if let Some(c) = &common {
            watched.push(c.join("packed-refs"));
            if let Some(r) = &head {
                watched.push(c.join(r));
            }
        }
        for w in watched.iter().filter(|w| w.exists()) {
            println!("cargo:rerun-if-changed={}", w.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
