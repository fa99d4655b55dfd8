//! The two front ends agree: every `examples/<fixture>.rs` builds, with the
//! Rust builder, the same `spec::Topology` as the TOML front end reads from
//! `fixtures/ok/<fixture>.toml` (apart from spans: the builder has none), and
//! so a topology that compiles to the same output, byte for byte, and to the
//! same diagnostics apart from their spans.
//!
//! The spec is compared as well as the output so that a key the synthesis
//! does not use yet cannot differ unnoticed.
//!
//! The examples are included as modules, so each topology has one source of
//! truth: the example users read is the one tested here.
#![allow(
    clippy::duplicate_mod,
    reason = "every example includes the shared examples/common main"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use topoform::builder::Topology;
use topoform::{Compilation, FilesIn, Output, compile_toml, spec};

// Each example's `main` is unused here, and its `pub fn topology` is
// reachable only from this test.
#[path = "../examples/budget_edge.rs"]
#[allow(dead_code, unreachable_pub)]
mod budget_edge;
#[path = "../examples/eip_autohealing.rs"]
#[allow(dead_code, unreachable_pub)]
mod eip_autohealing;
#[path = "../examples/everything.rs"]
#[allow(dead_code, unreachable_pub)]
mod everything;
#[path = "../examples/failover_http.rs"]
#[allow(dead_code, unreachable_pub)]
mod failover_http;
#[path = "../examples/failover_https.rs"]
#[allow(dead_code, unreachable_pub)]
mod failover_https;
#[path = "../examples/fleet_large.rs"]
#[allow(dead_code, unreachable_pub)]
mod fleet_large;
#[path = "../examples/new_eip_dns_setup.rs"]
#[allow(dead_code, unreachable_pub)]
mod new_eip_dns_setup;
#[path = "../examples/no_eip_failover.rs"]
#[allow(dead_code, unreachable_pub)]
mod no_eip_failover;
#[path = "../examples/ops_automation.rs"]
#[allow(dead_code, unreachable_pub)]
mod ops_automation;
#[path = "../examples/per_client.rs"]
#[allow(dead_code, unreachable_pub)]
mod per_client;
#[path = "../examples/redash.rs"]
#[allow(dead_code, unreachable_pub)]
mod redash;
#[path = "../examples/route53_failover.rs"]
#[allow(dead_code, unreachable_pub)]
mod route53_failover;
#[path = "../examples/ubuntu_alb.rs"]
#[allow(dead_code, unreachable_pub)]
mod ubuntu_alb;

/// One `#[test]` per example, named after it, plus the list of every example
/// for [`every_fixture_has_an_example`].
macro_rules! parity {
    ($($example:ident),* $(,)?) => {
        /// Every example included above, by module name (the fixture's name
        /// with `-` → `_`), with its topology.
        const EXAMPLES: &[(&str, fn() -> Topology)] =
            &[$((stringify!($example), $example::topology)),*];

        $(
            #[test]
            fn $example() {
                assert_parity(stringify!($example), $example::topology());
            }
        )*
    };
}

parity!(
    budget_edge,
    eip_autohealing,
    everything,
    failover_http,
    failover_https,
    fleet_large,
    new_eip_dns_setup,
    no_eip_failover,
    ops_automation,
    per_client,
    redash,
    route53_failover,
    ubuntu_alb,
);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("fixtures/ok")
}

/// The example module name for a fixture's file stem.
fn example_name(fixture: &str) -> String {
    fixture.replace('-', "_")
}

/// Reads `fixtures/ok/<example>.toml` and asserts that the example's
/// topology is the same spec (see [`without_spans`]); then compiles both and
/// asserts that both succeed with the same output and diagnostics.
fn assert_parity(example: &str, topology: Topology) {
    let fixture = example.replace('_', "-");
    let path = fixtures().join(format!("{fixture}.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("examples/{example}.rs: cannot read {}: {e}", path.display()));
    let (toml_spec, toml_diags) = topoform::front::toml::parse(&text);
    assert!(
        toml_diags.is_empty(),
        "fixtures/ok/{fixture}.toml does not parse cleanly: {toml_diags:?}"
    );
    let (toml_spec, dsl_spec) = (
        without_spans(&toml_spec),
        without_spans(&topology.clone().build()),
    );
    assert!(
        toml_spec == dsl_spec,
        "examples/{example}.rs does not build fixtures/ok/{fixture}.toml's spec:\n{}",
        short_diff("spec::Topology", &toml_spec, &dsl_spec)
    );
    let files = FilesIn(fixtures());
    let from_toml = compile_toml(&text, &files);
    let from_dsl = topology.compile(&files);
    let toml_output = output(&from_toml, &format!("fixtures/ok/{fixture}.toml"));
    let dsl_output = output(&from_dsl, &format!("examples/{example}.rs"));
    if let Some(diff) = first_difference(toml_output, dsl_output) {
        panic!(
            "examples/{example}.rs does not compile to fixtures/ok/{fixture}.toml's output:\n{diff}"
        );
    }
    assert_eq!(
        diagnostics(&from_dsl),
        diagnostics(&from_toml),
        "examples/{example}.rs and fixtures/ok/{fixture}.toml differ in diagnostics \
         (left: builder, right: TOML)"
    );
}

/// `topology`'s pretty `Debug` text with every span erased (each
/// `Span { start, end, origin }` becomes `Span`: TOML values have byte
/// offsets, builder values the line of Rust that wrote them), in its
/// canonical form: the keys of a TOML table have no order (the TOML front
/// end lists them sorted, the builder in the order they were added), while
/// arrays keep theirs. Which front end wrote it (`front`, which only picks
/// the words of a hint) is erased too.
fn without_spans(topology: &spec::Topology) -> String {
    let mut topology = topology.canonical();
    topology.front = spec::Front::default();
    let mut out = String::new();
    // How many brackets of the current span are open (0: not in a span).
    let mut depth = 0usize;
    for line in format!("{topology:#?}").lines() {
        if depth > 0 {
            // The fields of a span (its `origin` is a nested
            // `Some(Location { .. })`), up to its closing brace.
            let trimmed = line.trim();
            if trimmed.starts_with(['}', ')']) {
                depth -= 1;
            }
            if trimmed.ends_with(['{', '(']) {
                depth += 1;
            }
        } else if let Some(head) = line.strip_suffix("Span {") {
            writeln!(out, "{head}Span").unwrap();
            depth = 1;
        } else if let Some(head) = line.strip_suffix("topology: Some(") {
            // The builder `Topology` a reference's handle came from (TOML:
            // none); like a span, where it was written, not what.
            writeln!(out, "{head}topology").unwrap();
            depth = 1;
        } else if let Some(head) = line.strip_suffix("topology: None,") {
            writeln!(out, "{head}topology").unwrap();
        } else {
            writeln!(out, "{line}").unwrap();
        }
    }
    out
}

/// The output of a compilation that must succeed.
fn output<'c>(c: &'c Compilation, what: &str) -> &'c Output {
    c.output
        .as_ref()
        .unwrap_or_else(|| panic!("{what} does not compile:\n{}", diagnostics(c).join("\n")))
}

/// Diagnostics without their spans, sorted: builder values have no span, so
/// only what they say can be compared.
fn diagnostics(c: &Compilation) -> Vec<String> {
    let mut all: Vec<String> = c
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{:?}[{}]: {} ({}) {:?} {:?}",
                d.severity,
                d.code.as_str(),
                d.message,
                d.primary.message,
                d.secondary.as_ref().map(|l| &l.message),
                d.help,
            )
        })
        .collect();
    all.sort();
    all
}

/// `None` when the outputs are identical; otherwise the first file (in path
/// order) that differs or exists on one side only, with a short diff.
fn first_difference(toml: &Output, dsl: &Output) -> Option<String> {
    let paths = toml
        .keys()
        .chain(dsl.keys())
        .collect::<std::collections::BTreeSet<_>>();
    for path in paths {
        match (toml.get(path), dsl.get(path)) {
            (Some(t), Some(d)) if t == d => {}
            (Some(t), Some(d)) => return Some(short_diff(path, t, d)),
            (Some(_), None) => return Some(format!("{path}: written from TOML only")),
            (None, Some(_)) => return Some(format!("{path}: written from the builder only")),
            (None, None) => unreachable!("{path} comes from one of the outputs"),
        }
    }
    None
}

/// A unified diff of one file, at most 40 lines.
fn short_diff(path: &str, toml: &str, dsl: &str) -> String {
    const MAX_LINES: usize = 40;
    let diff = similar::TextDiff::from_lines(toml, dsl)
        .unified_diff()
        .context_radius(2)
        .header(&format!("{path} (TOML)"), &format!("{path} (builder)"))
        .to_string();
    let mut out = String::new();
    for line in diff.lines().take(MAX_LINES) {
        writeln!(out, "{line}").unwrap();
    }
    let total = diff.lines().count();
    if total > MAX_LINES {
        writeln!(out, "… {} more diff lines", total - MAX_LINES).unwrap();
    }
    out
}

/// A fixture without an example (or an example left out of this test) is
/// an error, so the builder keeps up with the language.
#[test]
fn every_fixture_has_an_example() {
    let mut problems = Vec::new();
    let mut fixtures: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures/ok is readable")
        .map(|e| e.expect("fixtures/ok is listable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixtures/ok/*.toml found");
    for fixture in &fixtures {
        let example = example_name(fixture);
        if !root().join(format!("examples/{example}.rs")).is_file() {
            problems.push(format!(
                "fixtures/ok/{fixture}.toml has no example: write examples/{example}.rs"
            ));
        } else if !EXAMPLES.iter().any(|(name, _)| *name == example) {
            problems.push(format!(
                "examples/{example}.rs is not checked: add it to tests/dsl_parity.rs \
                 (a `#[path]` module and an entry in `parity!`)"
            ));
        }
    }
    for (name, _) in EXAMPLES {
        if !fixtures.iter().any(|f| example_name(f) == *name) {
            problems.push(format!(
                "examples/{name}.rs has no fixture: fixtures/ok/{}.toml is missing",
                name.replace('_', "-")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
