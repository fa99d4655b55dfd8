//! The language's documents follow the front end: `docs/topology.schema.json`
//! is `topoform schema`, and `docs/language.md` names every key that the TOML
//! front end accepts, and no other.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use topoform::kind::Kind;
use topoform::spec::schema;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_checked_in_schema_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_topoform"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        read("docs/topology.schema.json"),
        "regenerate with: topoform schema > docs/topology.schema.json"
    );
}

/// The `(block, key path)` rows of the reference's key tables: every table
/// row whose first cell is a backticked path, under its `## [KIND…]` heading.
fn documented(text: &str) -> BTreeSet<(String, String)> {
    let mut kind: Option<String> = None;
    let mut rows = BTreeSet::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            kind = h
                .strip_prefix("`[")
                .and_then(|h| h.split([']', '.']).next())
                .map(str::to_string);
            continue;
        }
        if line.starts_with("# ") {
            kind = None;
        }
        let (Some(k), Some(cell)) = (&kind, line.strip_prefix("| `")) else {
            continue;
        };
        if let Some((path, _)) = cell.split_once('`') {
            rows.insert((k.clone(), path.to_string()));
        }
    }
    rows
}

#[test]
fn the_reference_names_every_key_and_no_other() {
    let text = read("docs/language.md");
    let documented = documented(&text);
    let accepted: BTreeSet<(String, String)> = Kind::ALL
        .iter()
        .flat_map(|&k| {
            schema::paths(k)
                .into_iter()
                .map(move |p| (k.name().to_string(), p))
        })
        .collect();
    let missing: Vec<_> = accepted.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&accepted).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/language.md lacks {missing:?} and names keys the front end rejects: {unknown:?}"
    );
    // Every block kind has its section.
    for &k in Kind::ALL {
        let heading = if k == Kind::Stack {
            "## `[stack]`".to_string()
        } else {
            format!("## `[{}.NAME]`", k.name())
        };
        assert!(text.contains(&heading), "{heading}");
    }
}

#[test]
fn the_parser_of_the_reference_sees_rows_under_their_block() {
    let rows = documented(
        "## `[stack]`\n| key | type |\n|---|---|\n| `name` | string |\n## `[instance.NAME]`\n| `hours.start` | string |\n## Other\n| `x` | y |\n",
    );
    let want: BTreeSet<(String, String)> = [("stack", "name"), ("instance", "hours.start")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn the_readme_links_the_reference() {
    let readme = read("README.md");
    assert!(readme.contains("(docs/language.md)"));
    assert!(!readme.contains("../shared"), "users do not have ../shared");
}
