//! Properties every compiled fixture must have, checked on the JSON itself
//! (the checks are in `tests/common`, shared with the fuzz run), and the
//! independence of output from the order of blocks and keys.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use topoform::{FilesIn, compile_toml};

fn fixtures() -> Vec<(String, topoform::Output)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let c = compile_toml(&text, &FilesIn(dir.clone()));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((
                name.clone(),
                c.output
                    .unwrap_or_else(|| panic!("{name} does not compile")),
            ));
        }
    }
    assert!(out.len() >= 2);
    out
}

#[test]
fn references_resolve() {
    for (fixture, output) in fixtures() {
        common::check_references(&fixture, &common::Parsed::new(&output));
    }
}

/// topoform writes templates with its own serializer (`src/json.rs`), for
/// speed: each must be, byte for byte, what serde_json's pretty printer
/// writes of the same document, as every template before it was.
#[test]
fn templates_are_serde_json_pretty() {
    let mut templates = 0;
    for (fixture, output) in fixtures() {
        for (path, text) in &output {
            if !path.ends_with(".template.json") {
                continue;
            }
            let doc: serde_json::Value = serde_json::from_str(text).unwrap();
            let again = serde_json::to_string_pretty(&doc).unwrap() + "\n";
            assert!(
                again == *text,
                "{fixture}: {path} is not as serde_json writes it"
            );
            templates += 1;
        }
    }
    assert!(templates >= 10, "only {templates} templates");
}

#[test]
fn logical_ids_are_valid() {
    for (fixture, output) in fixtures() {
        common::check_logical_ids(&fixture, &common::Parsed::new(&output));
    }
}

#[test]
fn no_wildcard_allows() {
    for (fixture, output) in fixtures() {
        common::check_no_wildcard_allows(&fixture, &common::Parsed::new(&output));
    }
}

#[test]
fn user_data_matches_the_script_files() {
    for (fixture, output) in fixtures() {
        common::check_user_data(&fixture, &common::Parsed::new(&output));
    }
}

#[test]
fn dns_and_cloudfront_rules() {
    for (fixture, output) in fixtures() {
        common::check_dns_and_cloudfront(&fixture, &common::Parsed::new(&output));
    }
}

#[test]
fn quotas_hold() {
    for (fixture, output) in fixtures() {
        common::check_quotas(&fixture, &common::Parsed::new(&output));
    }
}

/// Output does not depend on the order of blocks or keys in the file:
/// each fixture, rewritten with its blocks and keys sorted and then reversed,
/// compiles to the same bytes.
#[test]
fn output_is_independent_of_block_and_key_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let compile = |t: &str| compile_toml(t, &FilesIn(dir.clone())).output.unwrap();
        let original = compile(&text);
        let sorted = toml::to_string(&doc).unwrap();
        let reversed = reversed_document(&doc);
        assert_ne!(sorted, reversed);
        for variant in [sorted, reversed] {
            assert!(
                compile(&variant) == original,
                "{}: output depends on order:\n{variant}",
                path.display()
            );
        }
    }
}

/// `doc` written with its blocks, and each block's keys, in reverse order.
fn reversed_document(doc: &toml::Table) -> String {
    let mut out = String::new();
    let mut table = |header: &str, body: &toml::Table| {
        let _ = writeln!(out, "[{header}]");
        for (k, v) in body.iter().rev() {
            let _ = writeln!(out, "{k} = {v}");
        }
    };
    for (kind, blocks) in doc.iter().rev() {
        let toml::Value::Table(blocks) = blocks else {
            continue;
        };
        if kind == "stack" {
            table("stack", blocks);
            continue;
        }
        for (name, body) in blocks.iter().rev() {
            if let toml::Value::Table(body) = body {
                table(&format!("{kind}.{name}"), body);
            }
        }
    }
    out
}
