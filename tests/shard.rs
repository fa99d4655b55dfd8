//! The nested-stack split (`topoform::shard`): a topology too large for one
//! template deploys as a parent and children that fit, wired so that every
//! parameter a child declares is passed and every output the parent reads
//! exists; the shard rule keeps every block in the stack that held it when
//! blocks are added or removed; and the output is the same bytes every time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use topoform::shard::{Limits, Placement, split, split_thinned, synth_thinning};
use topoform::{FilesIn, Output, compile_toml, compile_toml_over};

/// The peers' per-client unit (`../shared/peers/topoform/gen.py`): per
/// client, an instance with a new Elastic IP and business hours, and a
/// failover record to one shared sorry site.
fn clients(names: &[String]) -> String {
    let mut t = String::from(
        r#"[stack]
name = "Scale"
region = "ap-northeast-1"
tags = { team = "ops" }

[zone.main]
id = "Z0123456789ABCDEFGHIJ"
domain = "example.com"

[sorry.down]
certificate = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
title = "Closed"
"#,
    );
    for n in names {
        write!(
            t,
            r#"
[instance.{n}]
ami = "ami-0123456789abcdef0"
type = "t3.small"
subnets = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
security_groups = ["sg-0123456789abcdef0"]
hours = {{ days = "MON-FRI", start = "09:00", stop = "19:00", timezone = "Asia/Tokyo" }}

[failover.{n}]
record = "{n}.example.com"
zone = "zone.main"
primary = "instance.{n}"
secondary = "sorry.down"
"#
        )
        .unwrap();
    }
    t
}

fn names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("client{i:04}")).collect()
}

fn compile_over(text: &str, previous: &Output) -> Output {
    let c = compile_toml_over(text, &FilesIn(".".into()), previous);
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    c.output.expect("output")
}

fn templates(out: &Output) -> BTreeMap<String, Value> {
    out.iter()
        .filter(|(p, _)| p.ends_with(".template.json"))
        .map(|(p, t)| (p.clone(), serde_json::from_str(t).unwrap()))
        .collect()
}

/// Which child each block's resources are in (`None`: the parent).
fn homes(out: &Output, parent: &str) -> BTreeMap<String, String> {
    let mut h = BTreeMap::new();
    for (path, t) in templates(out) {
        if path != parent && !path.starts_with("nested/") {
            continue;
        }
        for id in t["Resources"].as_object().unwrap().keys() {
            h.insert(id.clone(), path.clone());
        }
    }
    h
}

/// The references of a value: (`Ref`/`GetAtt`/`Sub` target, `GetAtt`
/// attribute or `""`).
fn refs(v: &Value, out: &mut BTreeSet<(String, String)>) {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            out.insert((m["Ref"].as_str().unwrap().into(), String::new()));
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::GetAtt") => {
            let a = m["Fn::GetAtt"].as_array().unwrap();
            out.insert((a[0].as_str().unwrap().into(), a[1].as_str().unwrap().into()));
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => {
            let s = m["Fn::Sub"].as_str().unwrap();
            let mut rest = s;
            while let Some(at) = rest.find("${") {
                rest = &rest[at + 2..];
                if rest.starts_with('!') {
                    continue;
                }
                let end = rest.find('}').unwrap();
                let name = &rest[..end];
                let (id, attr) = name.split_once('.').unwrap_or((name, ""));
                out.insert((id.into(), attr.into()));
                rest = &rest[end..];
            }
        }
        Value::Object(m) => m.values().for_each(|x| refs(x, out)),
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// Every wiring problem of a split output: a reference to nothing, a child
/// parameter not passed (or passed but not declared), an output the parent
/// reads that the child lacks, a child over a quota.
fn wiring(out: &Output, parent: &str) -> Vec<String> {
    let ts = templates(out);
    let mut problems = Vec::new();
    for (path, t) in &ts {
        let declared: BTreeSet<&str> = ["Resources", "Parameters"]
            .iter()
            .filter_map(|s| t[*s].as_object())
            .flat_map(|m| m.keys().map(String::as_str))
            .collect();
        let mut r = BTreeSet::new();
        refs(&t["Resources"], &mut r);
        refs(&t["Outputs"], &mut r);
        for (id, attr) in &r {
            if id.starts_with("AWS::") {
                if path.starts_with("nested/") && id == "AWS::StackName" {
                    problems.push(format!("{path}: a child names itself with AWS::StackName"));
                }
                continue;
            }
            if !declared.contains(id.as_str()) {
                problems.push(format!("{path}: {id} is not declared"));
            }
            if let Some(output) = attr.strip_prefix("Outputs.") {
                let url = &t["Resources"][id]["Properties"]["TemplateURL"];
                let child = &ts[url.as_str().unwrap()];
                if child["Outputs"].get(output).is_none() {
                    problems.push(format!("{path}: {id} has no output {output}"));
                }
            }
        }
        for (id, res) in t["Resources"].as_object().unwrap() {
            for d in res["DependsOn"].as_array().into_iter().flatten() {
                if !declared.contains(d.as_str().unwrap()) {
                    problems.push(format!("{path}: {id} depends on {d}, not declared"));
                }
            }
            if res["Type"] == "AWS::CloudFormation::Stack" {
                let url = res["Properties"]["TemplateURL"].as_str().unwrap();
                let Some(child) = ts.get(url) else {
                    problems.push(format!("{path}: {id} names {url}, not written"));
                    continue;
                };
                let passed: BTreeSet<&String> = res["Properties"]["Parameters"]
                    .as_object()
                    .map(|m| m.keys().collect())
                    .unwrap_or_default();
                let wanted: BTreeSet<&String> = child["Parameters"]
                    .as_object()
                    .map(|m| m.keys().collect())
                    .unwrap_or_default();
                if passed != wanted {
                    problems.push(format!(
                        "{path}: {id} passes {passed:?}, {url} declares {wanted:?}"
                    ));
                }
            }
        }
        let (resources, parameters, outputs) = (
            t["Resources"].as_object().map_or(0, serde_json::Map::len),
            t["Parameters"].as_object().map_or(0, serde_json::Map::len),
            t["Outputs"].as_object().map_or(0, serde_json::Map::len),
        );
        let bytes = out[path].len();
        if resources > 500 || parameters > 200 || outputs > 200 || bytes > 1_000_000 {
            problems.push(format!(
                "{path}: {resources} resources, {parameters} parameters, {outputs} outputs, {bytes} bytes"
            ));
        }
    }
    assert!(ts.contains_key(parent), "no {parent}");
    problems
}

const PARENT: &str = "Scale.template.json";

/// `names(0..n)` without `removed`, with `inserted`, then `names(n..to)`.
fn edit(n: usize, removed: &[&str], inserted: &[&str], to: usize) -> Vec<String> {
    let mut edited: Vec<String> = names(0..n)
        .into_iter()
        .filter(|name| !removed.contains(&name.as_str()))
        .collect();
    edited.extend(inserted.iter().map(|s| (*s).to_string()));
    edited.extend(names(n..to));
    edited
}

/// `after` is wired, and every resource of `before` that it still has is
/// in the same stack.
fn assert_wired_and_unmoved(before: &Output, after: &Output) {
    let problems = wiring(after, PARENT);
    assert!(problems.is_empty(), "{problems:#?}");
    let was = homes(before, PARENT);
    for (id, home) in &homes(after, PARENT) {
        if let Some(old) = was.get(id) {
            assert_eq!(old, home, "{id} moved");
        }
    }
}

#[test]
fn a_topology_over_the_quotas_splits_into_children_that_fit_and_are_wired() {
    let text = clients(&names(0..100));
    let out = compile_over(&text, &Output::new());
    let problems = wiring(&out, PARENT);
    assert!(problems.is_empty(), "{problems:#?}");
    let ts = templates(&out);
    let children: Vec<&String> = ts.keys().filter(|p| p.starts_with("nested/")).collect();
    assert!(children.len() >= 3, "{children:?}");
    // The parent holds what the clients share; the clients are in children,
    // and every resource is in exactly one template.
    let parent = &ts[PARENT]["Resources"];
    for shared in ["DownDistribution", "DownBucket"] {
        assert!(
            parent.get(shared).is_some(),
            "{shared} is not in the parent"
        );
    }
    let all = homes(&out, PARENT);
    assert_eq!(
        all.keys().filter(|id| id.starts_with("Client")).count(),
        100 * 13,
        "every client's 13 resources, once"
    );
    // A failover and its primary instance share a child.
    for n in names(0..100) {
        let id = n.replace("client", "Client");
        assert_eq!(
            all[&format!("{id}Group")],
            all[&format!("{id}PrimaryRecord")],
            "{n}"
        );
        assert!(all[&format!("{id}Group")].starts_with("nested/"), "{n}");
    }
    // Names stay `STACK-NAME` in a child.
    let child = &ts[children[0].as_str()];
    let group = child["Resources"]["Client0000Group"]["Properties"]["AutoScalingGroupName"].clone();
    assert_eq!(
        group,
        serde_json::json!({"Fn::Sub": "${ParentStackName}-client0000"})
    );
    assert_eq!(
        parent["Shard001"]["Properties"]["Parameters"]["ParentStackName"],
        serde_json::json!({"Ref": "AWS::StackName"})
    );
}

#[test]
fn a_topology_that_fits_is_not_split() {
    let out = compile_over(&clients(&names(0..3)), &Output::new());
    assert!(!out.keys().any(|p| p.starts_with("nested/")));
    assert!(!out[PARENT].contains("AWS::CloudFormation::Stack"));
}

#[test]
fn adding_or_removing_clients_moves_no_other_block() {
    let before = compile_over(&clients(&names(0..100)), &Output::new());
    // Insert new names between existing ones, remove others, append more.
    let edited = edit(
        100,
        &["client0003", "client0050", "client0099"],
        &["client0010a", "client0040a", "aaa-first"],
        140,
    );
    let after = compile_over(&clients(&edited), &before);
    assert_wired_and_unmoved(&before, &after);
    // And the same edit again over its own output changes nothing.
    assert_eq!(compile_over(&clients(&edited), &after), after);
}

#[test]
fn a_topology_that_outgrows_its_template_keeps_what_it_held() {
    let before = compile_over(&clients(&names(0..30)), &Output::new());
    assert!(!before.keys().any(|p| p.starts_with("nested/")));
    let after = compile_over(&clients(&names(0..60)), &before);
    assert!(wiring(&after, PARENT).is_empty());
    let is = homes(&after, PARENT);
    for n in names(0..30) {
        let id = format!("{}Group", n.replace("client", "Client"));
        assert_eq!(is[&id], PARENT, "{n} left the parent");
    }
    for n in names(30..60) {
        let id = format!("{}Group", n.replace("client", "Client"));
        assert!(is[&id].starts_with("nested/"), "{n} is not in a child");
    }
}

#[test]
fn without_its_memory_the_split_is_the_same_bytes_every_time() {
    let text = clients(&names(0..120));
    let a = compile_over(&text, &Output::new());
    let b = compile_toml(&text, &FilesIn(".".into())).output.unwrap();
    assert_eq!(a, b);
}

#[test]
fn an_unreadable_previous_parent_is_an_error_not_a_fresh_placement() {
    let mut previous = Output::new();
    previous.insert(PARENT.to_string(), "{ not json".to_string());
    let c = compile_toml_over(&clients(&names(0..3)), &FilesIn(".".into()), &previous);
    assert!(c.output.is_none());
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("cannot be read")),
        "{:#?}",
        c.diagnostics
    );
}

/// Every fixture, split into children of at most 16 resources (the largest
/// group of blocks that refer to each other fits): whatever kinds refer to
/// each other across the boundary, the wiring holds.
#[test]
fn every_fixture_split_into_tiny_children_is_wired() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let tiny = Limits {
        resources: 16,
        parameters: 200,
        outputs: 200,
        bytes: 1_000_000,
    };
    let mut split_any = 0;
    let mut took_any = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let files = FilesIn(root.clone());
        let (topo, diags) = topoform::front::toml::parse(&text);
        assert!(diags.is_empty(), "{}", path.display());
        let (model, diags) = topoform::validate::validate(&topo, &files);
        assert!(
            !diags.iter().any(topoform::Diagnostic::is_error),
            "{}",
            path.display()
        );
        let model = model.unwrap();
        let (out, warnings) = split_held(&model, &Placement::default(), tiny);
        assert!(warnings.is_empty(), "{}: {warnings:#?}", path.display());
        // Taking the per-client resources out as they are made, and
        // making them again as each template is written, is the same split.
        let (thin, warnings, _) = split_as_made(&model, &Placement::default(), tiny);
        assert!(warnings.is_empty(), "{}: {warnings:#?}", path.display());
        assert_eq!(thin, out, "{}", path.display());
        // Over that output, every per-client block is taken out from the
        // first: the previous output was split.
        if out.keys().any(|p| p.starts_with("nested/")) {
            let placement = Placement::read(&model, &out).unwrap();
            let (whole, warnings) = split_held(&model, &placement, tiny);
            assert!(warnings.is_empty(), "{}: {warnings:#?}", path.display());
            let (thin, warnings, taken) = split_as_made(&model, &placement, tiny);
            assert!(warnings.is_empty(), "{}: {warnings:#?}", path.display());
            assert_eq!(thin, whole, "{}", path.display());
            if taken > 0 {
                took_any += 1;
            }
        }
        let parent = topoform::layout::main_template(&model.stack.name);
        if out.keys().any(|p| p.starts_with("nested/")) {
            split_any += 1;
        }
        let problems = wiring(&out, &parent);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
    }
    assert!(split_any >= 5, "only {split_any} fixtures split");
    // Those that split only a fleet's clients take nothing out: a fleet
    // is made whole.
    assert!(
        took_any >= split_any - 2,
        "only {took_any} of {split_any} split fixtures had resources taken out"
    );
}

/// What the pipeline does (`synth_thinning`, `split_thinned`, then each
/// template filled as it is written): the templates' text, the split's
/// diagnostics and how many resources were taken out and made again.
fn split_as_made(
    model: &topoform::model::Model,
    previous: &Placement,
    limits: Limits,
) -> (Output, Vec<topoform::Diagnostic>, usize) {
    let (mut artifacts, thinned) = synth_thinning(model, previous, limits, |on_block| {
        topoform::synth::synth_with(model, Some(on_block))
    });
    let (diags, pending) =
        split_thinned(model, &mut artifacts.templates, previous, limits, thinned);
    let templates = std::mem::take(&mut artifacts.templates);
    let out = templates
        .into_iter()
        .map(|(p, mut t)| {
            pending.fill(model, &artifacts.known, &p, &mut t);
            let text = t.to_json();
            (p, text)
        })
        .collect();
    (out, diags, pending.resources())
}

/// The templates' text of `model` split with every resource held until
/// the split (none taken out as it is made), and the split's diagnostics.
fn split_held(
    model: &topoform::model::Model,
    previous: &Placement,
    limits: Limits,
) -> (Output, Vec<topoform::Diagnostic>) {
    let mut artifacts = topoform::synth::synth(model);
    let diags = split(model, &mut artifacts.templates, previous, limits);
    let out = artifacts
        .templates
        .iter()
        .map(|(p, t)| (p.clone(), t.to_json()))
        .collect();
    (out, diags)
}

/// The templates of `text` split with every resource held, over
/// `previous`, as AWS limits it.
fn split_whole(text: &str, previous: &Output) -> Output {
    let files = FilesIn(".".into());
    let (topo, _) = topoform::front::toml::parse(text);
    let model = topoform::validate::validate(&topo, &files).0.unwrap();
    let placement = Placement::read(&model, previous).unwrap();
    let (out, diags) = split_held(&model, &placement, Limits::AWS);
    assert!(
        !diags.iter().any(topoform::Diagnostic::is_error),
        "{diags:#?}"
    );
    out
}

/// The command and the library take most per-client resources out of the
/// main template as they are made, once it is sure to be split: the
/// templates are those of a split that held every resource, on a first
/// synth and over an earlier output (where every block is taken out from
/// the first, and those the parent held go back into it).
#[test]
fn resources_taken_out_as_they_are_made_are_the_same_templates() {
    let templates_of = |out: &Output| -> Output {
        out.iter()
            .filter(|(p, _)| p.ends_with(".template.json"))
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect()
    };
    let small = clients(&names(0..30));
    let first = compile_over(&small, &Output::new());
    assert_eq!(templates_of(&first), split_whole(&small, &Output::new()));
    for (text, previous) in [
        (clients(&names(0..100)), Output::new()),
        (clients(&names(0..60)), first.clone()),
        (
            clients(&edit(100, &["client0007"], &["client0042a"], 120)),
            compile_over(&clients(&names(0..100)), &Output::new()),
        ),
    ] {
        let out = compile_over(&text, &previous);
        assert!(out.keys().any(|p| p.starts_with("nested/")));
        assert_eq!(templates_of(&out), split_whole(&text, &previous));
    }
}

/// A per-client resource taken out as it was made is still held to the
/// quotas of single resources: the last instance's user-data is too large.
#[test]
fn a_resource_taken_out_as_it_was_made_still_breaks_its_quota() {
    let mut text = clients(&names(0..60));
    text.push_str(
        r#"
[instance.zz-last]
ami = "ami-0123456789abcdef0"
type = "t3.small"
subnets = ["subnet-0aaaaaaaaaaaaaaa1"]
security_groups = ["sg-0123456789abcdef0"]
setup = "files/big-setup.sh"
"#,
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/err");
    let c = compile_toml(&text, &FilesIn(dir));
    assert!(c.output.is_none());
    let errors: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        errors.len() == 1 && errors[0].starts_with("the user-data of [instance.zz-last] is "),
        "{errors:#?}"
    );
}

/// Re-pointing a failover at an instance in another child would move one of
/// them, and a move fails on its resources' names: an error, not a move.
#[test]
fn a_failover_re_pointed_into_another_child_is_an_error_not_a_move() {
    let before = compile_over(&clients(&names(0..100)), &Output::new());
    let homes = homes(&before, PARENT);
    assert_ne!(
        homes["Client0000Group"], homes["Client0099Group"],
        "the test needs two children"
    );
    let text = clients(&names(0..100)).replacen(
        "primary = \"instance.client0000\"",
        "primary = \"instance.client0099\"",
        1,
    );
    let c = compile_toml_over(&text, &FilesIn(".".into()), &before);
    assert!(c.output.is_none());
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("refers to blocks in another stack")),
        "{:#?}",
        c.diagnostics
    );
}

/// One `[fleet]` with business hours, a record and first-boot parameters per
/// client.
fn fleet(names: &[String]) -> String {
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"[stack]
name = "Scale"
region = "ap-northeast-1"

[zone.inside]
id = "Z0123456789ABCDEFGHIJ"
domain = "corp.internal"
private = true

[fleet.app]
ami = "ami-0123456789abcdef0"
type = "t3.small"
subnets = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
security_groups = ["sg-0123456789abcdef0"]
hours = {{ days = "MON-FRI", start = "09:00", stop = "19:00", timezone = "Asia/Tokyo" }}
dns = {{ zone = "zone.inside", record = "{{client}}.corp.internal" }}
parameters = ["DB_PASSWORD"]
bootstrap = "/opt/app/bootstrap.sh"
clients = [{list}]
"#
    )
}

#[test]
fn a_fleet_of_hundreds_splits_by_client_and_adding_clients_moves_none() {
    let before = compile_over(&fleet(&names(0..300)), &Output::new());
    let problems = wiring(&before, PARENT);
    assert!(problems.is_empty(), "{problems:#?}");
    let ts = templates(&before);
    assert!(ts.keys().filter(|p| p.starts_with("nested/")).count() >= 3);
    // The fleet's shared resources stay in the parent; each client's own
    // resources, its schedules included, share one child.
    let was = homes(&before, PARENT);
    for shared in ["AppLaunchTemplate", "AppSchedulerRole"] {
        assert_eq!(was[shared], PARENT, "{shared}");
    }
    for n in names(0..300) {
        let id = format!("App{}", n.replace("client", "Client"));
        let home = &was[&format!("{id}Instance")];
        assert!(home.starts_with("nested/"), "{n} is in {home}");
        for part in [
            "Role",
            "Policy",
            "InstanceProfile",
            "StartAction",
            "StopAction",
        ] {
            assert_eq!(&was[&format!("{id}{part}")], home, "{n} {part}");
        }
    }
    // The scheduler's role names no instance, so it does not grow with the
    // clients (IAM takes 10,240 characters of inline policy per role).
    let role = ts[PARENT]["Resources"]["AppSchedulerRole"].to_string();
    assert!(!role.contains("Instance}"), "{role}");
    assert!(role.len() < 3_000, "{} bytes", role.len());

    // Clients added in the middle and at the end, others removed: no
    // client's resources change stack.
    let edited = edit(
        300,
        &["client0005", "client0150"],
        &["client0007a", "aaa"],
        360,
    );
    let after = compile_over(&fleet(&edited), &before);
    assert_wired_and_unmoved(&before, &after);
}
