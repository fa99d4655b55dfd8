//! Properties every compiled fixture must have, checked on the JSON itself
//! (general rules, not per-fixture expectations):
//! - every `Ref`, `Fn::GetAtt`, `${…}` in `Fn::Sub` and `DependsOn` names a
//!   resource, a parameter or a pseudo parameter of the same template;
//! - logical IDs are ASCII alphanumeric and at most 255 characters;
//! - no IAM `Allow` statement grants a wildcard action;
//! - each launch template's user-data is byte-identical to `userdata/NAME.sh`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
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

fn templates(output: &topoform::Output) -> Vec<(&String, Value)> {
    output
        .iter()
        .filter(|(p, _)| p.ends_with(".template.json"))
        .map(|(p, t)| (p, serde_json::from_str(t).unwrap()))
        .collect()
}

fn edge_template(output: &topoform::Output) -> Option<Value> {
    output
        .iter()
        .find(|(p, _)| p.ends_with("-edge.template.json"))
        .map(|(_, t)| serde_json::from_str(t).unwrap())
}

/// Every logical ID that `v` refers to.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Ref", Value::String(id)) => out.push(id.clone()),
                    ("Fn::GetAtt", Value::Array(a)) => out.push(a[0].as_str().unwrap().to_string()),
                    ("Fn::Sub", Value::String(s)) => {
                        for part in s.split("${").skip(1) {
                            if !part.starts_with('!') {
                                let var = part.split('}').next().unwrap();
                                out.push(var.split('.').next().unwrap().to_string());
                            }
                        }
                    }
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn references_resolve() {
    for (fixture, output) in fixtures() {
        check_references(&fixture, &output);
    }
}

/// Every Ref, GetAtt, `${…}` and DependsOn names something in its template.
fn check_references(fixture: &str, output: &topoform::Output) {
    for (path, t) in templates(output) {
        let mut known: BTreeSet<String> = [
            "AWS::AccountId",
            "AWS::Partition",
            "AWS::Region",
            "AWS::StackName",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        for section in ["Resources", "Parameters"] {
            if let Some(m) = t[section].as_object() {
                known.extend(m.keys().cloned());
            }
        }
        let mut found = Vec::new();
        refs(&t["Resources"], &mut found);
        refs(&t["Outputs"], &mut found);
        for r in t["Resources"].as_object().unwrap().values() {
            if let Some(deps) = r["DependsOn"].as_array() {
                found.extend(deps.iter().map(|d| d.as_str().unwrap().to_string()));
            }
        }
        for id in found {
            assert!(
                known.contains(&id),
                "{fixture}: {path} refers to unknown {id}"
            );
        }
    }
}

#[test]
fn logical_ids_are_valid() {
    for (fixture, output) in fixtures() {
        check_logical_ids(&fixture, &output);
    }
}

/// Logical IDs are ASCII alphanumeric, at most 255 characters.
fn check_logical_ids(fixture: &str, output: &topoform::Output) {
    for (path, t) in templates(output) {
        for section in ["Resources", "Parameters", "Outputs"] {
            for id in t[section].as_object().into_iter().flat_map(|m| m.keys()) {
                assert!(
                    !id.is_empty()
                        && id.len() <= 255
                        && id.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "{fixture}: {path}: invalid logical ID {id}"
                );
            }
        }
    }
}

fn statements(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(s)) = m.get("Statement") {
                out.extend(s.iter().cloned());
            }
            m.values().for_each(|x| statements(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| statements(x, out)),
        _ => {}
    }
}

#[test]
fn no_wildcard_allows() {
    for (fixture, output) in fixtures() {
        for (path, t) in templates(&output) {
            let mut all = Vec::new();
            statements(&t, &mut all);
            for s in all.iter().filter(|s| s["Effect"] == "Allow") {
                for action in s["Action"].as_array().unwrap() {
                    let a = action.as_str().unwrap();
                    assert!(
                        !a.contains('*'),
                        "{fixture}: {path}: Allow of wildcard action {a}"
                    );
                }
            }
        }
    }
}

#[test]
fn user_data_matches_the_script_files() {
    for (fixture, output) in fixtures() {
        for (path, t) in templates(&output) {
            for (id, r) in t["Resources"].as_object().unwrap() {
                if r["Type"] != "AWS::EC2::LaunchTemplate" {
                    continue;
                }
                let embedded = r["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
                    .as_str()
                    .unwrap_or_else(|| {
                        panic!("{fixture}: {id}: user-data is not a static Fn::Base64 string")
                    });
                assert!(
                    output
                        .iter()
                        .any(|(p, text)| p.starts_with("userdata/") && text == embedded),
                    "{fixture}: {path}: {id}'s user-data matches no userdata/*.sh"
                );
            }
        }
    }
}

/// The checks the language promises beyond cfn-lint, on the output itself.
#[test]
fn dns_and_cloudfront_rules() {
    for (fixture, output) in fixtures() {
        for (path, t) in templates(&output) {
            let zones = t["Metadata"]["topoform"]["zones"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (id, r) in t["Resources"].as_object().unwrap() {
                let p = &r["Properties"];
                match r["Type"].as_str().unwrap() {
                    "AWS::Route53::RecordSet" => {
                        let alias = &p["AliasTarget"];
                        if alias["HostedZoneId"] == "Z2FDTNDATAQYW2" {
                            assert_eq!(
                                alias["EvaluateTargetHealth"], false,
                                "{fixture}: {path}: {id}"
                            );
                        }
                        if p["Failover"] == "PRIMARY" && alias.is_null() {
                            assert!(
                                !p["HealthCheckId"].is_null(),
                                "{fixture}: {path}: {id} has no health check"
                            );
                        }
                        let name = p["Name"].as_str().unwrap().trim_end_matches('.');
                        let domain = zones[p["HostedZoneId"].as_str().unwrap()].as_str().unwrap();
                        assert!(
                            name == domain || name.ends_with(&format!(".{domain}")),
                            "{fixture}: {path}: {id}: {name} is outside {domain}"
                        );
                    }
                    "AWS::CloudFront::Distribution" => {
                        let arn =
                            &p["DistributionConfig"]["ViewerCertificate"]["AcmCertificateArn"];
                        if let Some(arn) = arn.as_str() {
                            assert!(
                                arn.starts_with("arn:aws:acm:us-east-1:"),
                                "{fixture}: {path}: {id}: {arn}"
                            );
                        } else {
                            // A new certificate: a parameter that the us-east-1
                            // edge template outputs under the same name.
                            let param = arn["Ref"].as_str().unwrap();
                            let edge = edge_template(&output).unwrap_or_else(|| {
                                panic!(
                                    "{fixture}: {id} takes {param} but there is no edge template"
                                )
                            });
                            assert_eq!(
                                edge["Metadata"]["topoform"]["region"], "us-east-1",
                                "{fixture}"
                            );
                            assert!(
                                edge["Outputs"][param].is_object(),
                                "{fixture}: the edge template has no output {param}"
                            );
                            assert!(
                                t["Parameters"][param].is_object(),
                                "{fixture}: {path} has no parameter {param}"
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
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

/// A bounded fuzz run (a property-based test without a fuzzing toolchain):
/// every fixture is mutated at random, line- and byte-wise, with a fixed
/// seed, and compiled. Nothing may panic; every accepted input must give
/// templates whose references resolve and whose logical IDs are valid, and
/// scripts that `bash -n` accepts. `TOPOFORM_FUZZ_ITERATIONS` sets the
/// number of mutants (default 20,000).
#[test]
#[allow(clippy::disallowed_macros, reason = "a test reports its own totals")]
fn fuzz_mutated_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let mut seeds: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    seeds.sort();
    let iterations: usize = std::env::var("TOPOFORM_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut rejected) = (0usize, 0usize);
    let mut scripts_checked = BTreeSet::new();
    for i in 0..iterations {
        let seed = &seeds[rng.below(seeds.len())];
        let mutant = mutate(seed, &mut rng);
        let c = compile_toml(&mutant, &FilesIn(dir.clone()));
        // Rendering points into the text: spans must be in bounds.
        let rendered = topoform::diag::render(
            &c.diagnostics,
            &topoform::SourceFile::new("m.toml", mutant.clone()),
        );
        assert!(
            c.diagnostics.is_empty() || rendered.contains("--> m.toml"),
            "mutant {i}: {rendered}"
        );
        let Some(output) = c.output else {
            assert!(
                c.diagnostics.iter().any(topoform::Diagnostic::is_error),
                "mutant {i}: no output, no error"
            );
            rejected += 1;
            continue;
        };
        accepted += 1;
        let name = format!("mutant {i}");
        check_references(&name, &output);
        check_logical_ids(&name, &output);
        for (path, body) in output.iter().filter(|(p, _)| p.ends_with(".sh")) {
            if scripts_checked.insert(body.clone()) {
                let status = std::process::Command::new("bash")
                    .args(["-n", "-c", body])
                    .status()
                    .unwrap();
                assert!(status.success(), "{name}: {path} does not parse:\n{mutant}");
            }
        }
    }
    // Shown with `cargo test -- --nocapture`; the totals are in the issue notes.
    println!(
        "fuzz: {iterations} mutants, {accepted} accepted, {rejected} rejected, {} distinct scripts parsed",
        scripts_checked.len()
    );
    assert!(accepted > 0 && rejected > 0);
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap()
    }
}

/// One to three random edits: drop, duplicate or swap lines, replace a byte,
/// insert a fragment of TOML or of hostile text, truncate.
fn mutate(text: &str, rng: &mut XorShift) -> String {
    const FRAGMENTS: &[&str] = &[
        "\"",
        "'",
        "$(x)",
        "`x`",
        "\n",
        "[",
        "]",
        "=",
        "{",
        "}",
        ",",
        "0",
        "-1",
        "999999999999",
        "\"\"",
        "[]",
        "ami-",
        "zone.",
        "instance.",
        "\u{202e}",
        "é",
        "本",
        "\\",
        "#",
        ".",
        "a-b",
        "A",
        "[instance.x]\n",
        "[failover.y]\nprimary = \"instance.x\"\n",
        "hours = { days = \"SUN\" }\n",
    ];
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let at = rng.below(lines.len());
        match rng.below(6) {
            0 => {
                lines.remove(at);
            }
            1 => {
                let l = lines[at].clone();
                lines.insert(at, l);
            }
            2 => {
                let other = rng.below(lines.len());
                lines.swap(at, other);
            }
            3 | 4 => {
                let line = &mut lines[at];
                let chars: Vec<char> = line.chars().collect();
                let pos = if chars.is_empty() {
                    0
                } else {
                    rng.below(chars.len() + 1)
                };
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
                let mut new: String = chars[..pos].iter().collect();
                new.push_str(fragment);
                if rng.below(2) == 0 && pos < chars.len() {
                    new.extend(&chars[pos + 1..]);
                } else {
                    new.extend(&chars[pos..]);
                }
                *line = new;
            }
            _ => lines.truncate(at),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
