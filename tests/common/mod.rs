//! Properties every compiled topology must have, checked on the output
//! itself: the fixtures' (`tests/invariants.rs`) and every accepted fuzz
//! mutant's (`tests/fuzz.rs`). General rules, not per-fixture expectations.
#![allow(dead_code, reason = "each test file uses its own subset")]

use std::collections::BTreeSet;

use serde_json::Value;
use topoform::Output;

/// An output with its templates parsed once, for every check.
pub(crate) struct Parsed<'o> {
    /// Every file.
    pub(crate) output: &'o Output,
    /// Every template, by path.
    pub(crate) templates: Vec<(&'o String, Value)>,
}

impl<'o> Parsed<'o> {
    pub(crate) fn new(output: &'o Output) -> Self {
        let templates = output
            .iter()
            .filter(|(p, _)| p.ends_with(".template.json"))
            .map(|(p, t)| (p, serde_json::from_str(t).unwrap()))
            .collect();
        Parsed { output, templates }
    }

    /// The edge template, if any.
    fn edge(&self) -> Option<&Value> {
        self.templates
            .iter()
            .find(|(p, _)| p.ends_with("-edge.template.json"))
            .map(|(_, t)| t)
    }
}

/// Every check of this module.
pub(crate) fn check_output(fixture: &str, output: &Output) {
    let p = Parsed::new(output);
    check_references(fixture, &p);
    check_logical_ids(fixture, &p);
    check_no_wildcard_allows(fixture, &p);
    check_user_data(fixture, &p);
    check_dns_and_cloudfront(fixture, &p);
    check_quotas(fixture, &p);
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

/// Every Ref, GetAtt, `${…}` and DependsOn names something in its template.
pub(crate) fn check_references(fixture: &str, p: &Parsed<'_>) {
    for (path, t) in &p.templates {
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

/// Logical IDs are ASCII alphanumeric, at most 255 characters.
pub(crate) fn check_logical_ids(fixture: &str, p: &Parsed<'_>) {
    for (path, t) in &p.templates {
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

/// No IAM `Allow` statement grants a wildcard action.
pub(crate) fn check_no_wildcard_allows(fixture: &str, p: &Parsed<'_>) {
    for (path, t) in &p.templates {
        let mut all = Vec::new();
        statements(t, &mut all);
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

/// Each launch template's user-data inflates to a `userdata/*.sh`, byte
/// for byte, and every `userdata/*.sh` is some launch template's.
pub(crate) fn check_user_data(fixture: &str, p: &Parsed<'_>) {
    let mut used = std::collections::BTreeSet::new();
    for (path, t) in &p.templates {
        for (id, r) in t["Resources"].as_object().unwrap() {
            if r["Type"] != "AWS::EC2::LaunchTemplate" {
                continue;
            }
            let embedded = r["Properties"]["LaunchTemplateData"]["UserData"]
                .as_str()
                .and_then(topoform::userdata::decode)
                .unwrap_or_else(|| {
                    panic!("{fixture}: {id}: user-data is not a static gzip+base64 string")
                });
            let file = p
                .output
                .iter()
                .find(|(p, text)| p.starts_with("userdata/") && **text == embedded)
                .map(|(p, _)| p.clone());
            let file = file.unwrap_or_else(|| {
                panic!("{fixture}: {path}: {id}'s user-data matches no userdata/*.sh")
            });
            used.insert(file);
        }
    }
    for path in p.output.keys().filter(|p| p.starts_with("userdata/")) {
        assert!(
            used.contains(path),
            "{fixture}: {path} is no launch template's user-data"
        );
    }
}

/// The checks the language promises beyond cfn-lint, on the output itself.
pub(crate) fn check_dns_and_cloudfront(fixture: &str, parsed: &Parsed<'_>) {
    for (path, t) in &parsed.templates {
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
                    let arn = &p["DistributionConfig"]["ViewerCertificate"]["AcmCertificateArn"];
                    if let Some(arn) = arn.as_str() {
                        assert!(
                            arn.starts_with("arn:aws:acm:us-east-1:"),
                            "{fixture}: {path}: {id}: {arn}"
                        );
                    } else {
                        // A new certificate: a parameter that the us-east-1
                        // edge template outputs under the same name.
                        let param = arn["Ref"].as_str().unwrap();
                        let edge = parsed.edge().unwrap_or_else(|| {
                            panic!("{fixture}: {id} takes {param} but there is no edge template")
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

/// The AWS quotas that `quota` enforces, measured again on the JSON: an
/// accepted topology never exceeds them.
pub(crate) fn check_quotas(fixture: &str, p: &Parsed<'_>) {
    for (path, t) in &p.templates {
        assert!(
            p.output[*path].len() <= 1_000_000,
            "{fixture}: {path} is too large"
        );
        for (section, limit) in [("Resources", 500), ("Parameters", 200), ("Outputs", 200)] {
            let n = t[section].as_object().map_or(0, serde_json::Map::len);
            assert!(n <= limit, "{fixture}: {path} has {n} {section}");
        }
        for (id, r) in t["Resources"].as_object().unwrap() {
            if let Some(user_data) = r["Properties"]["LaunchTemplateData"]["UserData"].as_str() {
                let encoded = user_data.len();
                assert!(
                    encoded <= 16_384,
                    "{fixture}: {id}'s user-data is {encoded} bytes in base64"
                );
            }
            let mut lists = Vec::new();
            tag_lists(&r["Properties"], &mut lists);
            assert!(
                lists.iter().all(|n| *n <= 50),
                "{fixture}: {id} has over 50 tags"
            );
        }
    }
}

/// The length of every `Tags`/`HealthCheckTags` list in `v`.
fn tag_lists(v: &Value, out: &mut Vec<usize>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Tags" | "HealthCheckTags", Value::Array(a)) => out.push(a.len()),
                    _ => tag_lists(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| tag_lists(x, out)),
        _ => {}
    }
}
