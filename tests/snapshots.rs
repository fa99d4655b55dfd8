//! One snapshot per fixture. `fixtures/ok/*.toml` must compile: the snapshot
//! holds every emitted file under a header. `fixtures/err/*.toml` must fail:
//! the snapshot holds the diagnostics exactly as the CLI renders them.

use std::fmt::Write as _;
use std::path::Path;

use topoform::{FilesIn, SourceFile, compile_toml, diag};

fn load(path: &Path) -> (SourceFile, FilesIn) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = format!(
        "fixtures/{}/{}",
        path.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy(),
        path.file_name().unwrap().to_string_lossy()
    );
    (
        SourceFile::new(name, text),
        FilesIn(path.parent().unwrap().to_path_buf()),
    )
}

fn render_outputs(path: &Path) -> String {
    let (source, files) = load(path);
    let c = compile_toml(&source.text, &files);
    let output = c.output.unwrap_or_else(|| {
        panic!(
            "{} should compile:\n{}",
            source.name,
            diag::render(&c.diagnostics, &source)
        )
    });
    let mut out = String::new();
    if !c.diagnostics.is_empty() {
        let _ = writeln!(out, "================ diagnostics ================");
        out.push_str(&diag::render(&c.diagnostics, &source));
    }
    for (name, text) in &output {
        let _ = writeln!(out, "================ {name} ================");
        out.push_str(text);
    }
    out
}

fn render_diagnostics(path: &Path) -> String {
    let (source, files) = load(path);
    let c = compile_toml(&source.text, &files);
    assert!(c.output.is_none(), "{} should not compile", source.name);
    assert!(c.diagnostics.iter().any(topoform::Diagnostic::is_error));
    diag::render(&c.diagnostics, &source)
}

#[test]
fn fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../fixtures/ok", "*.toml", |p| {
            insta::assert_snapshot!("compile", render_outputs(p));
        });
        insta::glob!("../fixtures/err", "*.toml", |p| {
            insta::assert_snapshot!("diagnostics", render_diagnostics(p));
        });
    });
}

/// Diagnostic codes are stable: renaming one shows up here in review.
#[test]
fn diagnostic_codes() {
    let codes: Vec<&str> = topoform::Code::ALL.iter().map(|c| c.as_str()).collect();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("diagnostic-codes", codes.join("\n"));
    });
}

/// The codes only the Rust builder reports (TOML has no duplicate tables,
/// handles or overrides): `tests/builder.rs` covers each.
const BUILDER_ONLY: [&str; 3] = ["duplicate-block", "foreign-handle", "invalid-override"];

/// Every code has at least one error fixture named after it, or is a
/// builder's, tested by `tests/builder.rs`.
#[test]
fn every_code_has_an_error_fixture() {
    let builder_tests =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/builder.rs"))
            .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/err");
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<&str> = topoform::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| {
            let tested = if BUILDER_ONLY.contains(code) {
                builder_tests.contains(&format!("\"{code}\""))
            } else {
                names
                    .iter()
                    .any(|n| n == &format!("{code}.toml") || n.starts_with(&format!("{code}-")))
            };
            !tested
        })
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixtures/err file: {missing:?}"
    );
}

/// No orphaned snapshots: each belongs to a fixture or a named test (what
/// `cargo insta test --unreferenced=reject` would catch, without the tool).
#[test]
fn no_orphaned_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let named = [
        "diagnostic-codes.snap",
        "builder-diagnostics.snap",
        "cli-help.snap",
        "cli-synth-help.snap",
        "cli-validate-github.snap",
        // tests/plan.rs
        "plan-client-removed.md.snap",
        "plan-client-removed.json.snap",
        "plan-volume.md.snap",
        "plan-volume.json.snap",
    ];
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(root.join("snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // Pending `.snap.new` files are insta's business (CI never writes them).
        if !name.ends_with(".snap") {
            continue;
        }
        let fixture = name
            .strip_prefix("compile@")
            .map(|f| root.join("fixtures/ok").join(f.trim_end_matches(".snap")))
            .or_else(|| {
                name.strip_prefix("diagnostics@")
                    .map(|f| root.join("fixtures/err").join(f.trim_end_matches(".snap")))
            })
            .or_else(|| {
                // tests/graph.rs
                name.strip_prefix("graph@")
                    .map(|f| root.join("fixtures/ok").join(f.trim_end_matches(".snap")))
            });
        let known = match fixture {
            Some(path) => path.is_file(),
            None => named.contains(&name.as_str()),
        };
        if !known {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture or test: {orphans:?}"
    );
}
