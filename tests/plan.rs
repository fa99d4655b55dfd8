//! `topoform plan` over a table of edits to the fixtures: each edit's
//! classification (what is added, updated, restarted, replaced, removed, and
//! what is at risk), as the README's table promises; and snapshots of the
//! Markdown and JSON formats for two edits.

use std::collections::BTreeSet;
use std::path::Path;

use topoform::preview::{Action, Preview, RiskKind, render};
use topoform::{FilesIn, compile_toml, plan_toml};

/// The preview of `edited` over the golden output of the fixture `name`.
fn plan(name: &str, edit: impl Fn(&str) -> String) -> Preview {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let files = FilesIn(dir.clone());
    let golden = compile_toml(&text, &files).output.unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "{name}: the edit changed nothing");
    let (c, preview) = plan_toml(&edited, &files, &golden);
    preview
        .unwrap_or_else(|| panic!("{name} (edited) does not compile: {:?}", c.diagnostics))
        .into_preview()
}

fn replace(old: &'static str, new: &'static str) -> impl Fn(&str) -> String {
    move |t: &str| {
        assert!(t.contains(old), "{old:?} is not in the fixture");
        t.replacen(old, new, 1)
    }
}

/// The first line of `text` that sets `key`.
fn line_of<'t>(text: &'t str, key: &str) -> &'t str {
    text.lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no `{key}` in the fixture"))
}

/// The string that line sets.
fn value_of<'t>(text: &'t str, key: &str) -> &'t str {
    let (_, value) = line_of(text, key)
        .split_once(" = \"")
        .unwrap_or_else(|| panic!("`{key}` is not a string"));
    value.trim_end_matches('"')
}

/// `(logical ID, action)` of every resource change.
fn actions(p: &Preview) -> BTreeSet<(String, Action)> {
    p.templates
        .iter()
        .flat_map(|t| t.resources.iter())
        .map(|r| (r.logical_id.clone(), r.action))
        .collect()
}

fn with(p: &Preview, action: Action) -> BTreeSet<String> {
    actions(p)
        .into_iter()
        .filter(|(_, a)| *a == action)
        .map(|(id, _)| id)
        .collect()
}

fn risks(p: &Preview) -> BTreeSet<(String, RiskKind)> {
    p.at_risk
        .iter()
        .map(|r| (r.logical_id.clone(), r.risk))
        .collect()
}

fn set<const N: usize>(items: [&str; N]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn no_edit_no_change() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let text = std::fs::read_to_string(dir.join("everything.toml")).unwrap();
    let files = FilesIn(dir);
    let golden = compile_toml(&text, &files).output.unwrap();
    let p = plan_toml(&text, &files, &golden).1.unwrap();
    assert!(p.is_empty() && !p.is_risky(), "{p:#?}");
}

#[test]
fn a_client_added_is_added_and_risks_nothing() {
    let p = plan(
        "per-client.toml",
        replace(r#""initech"]"#, r#""initech", "umbrella"]"#),
    );
    assert_eq!(
        with(&p, Action::Add),
        set([
            "AppUmbrellaInstance",
            "AppUmbrellaInstanceProfile",
            "AppUmbrellaPolicy",
            "AppUmbrellaRole",
            "AppUmbrellaStartAction",
            "AppUmbrellaStopAction"
        ])
    );
    assert!(with(&p, Action::Replace).is_empty() && with(&p, Action::Remove).is_empty());
    assert!(!p.is_risky(), "{:#?}", p.at_risk);
    // The new client has schedules of its own: no other client's changes.
    assert!(
        with(&p, Action::Update).is_empty(),
        "{:#?}",
        with(&p, Action::Update)
    );
}

#[test]
fn a_client_removed_is_removed_and_its_instance_is_at_risk() {
    let p = plan("per-client.toml", replace(r#""acme", "#, ""));
    assert_eq!(
        with(&p, Action::Remove),
        set([
            "AppAcmeInstance",
            "AppAcmeInstanceProfile",
            "AppAcmePolicy",
            "AppAcmeRole",
            "AppAcmeStartAction",
            "AppAcmeStopAction"
        ])
    );
    assert_eq!(
        risks(&p),
        BTreeSet::from([("AppAcmeInstance".to_string(), RiskKind::Instance)])
    );
    assert!(p.is_risky());
}

#[test]
fn an_instance_type_rolls_the_group_and_a_fleet_type_restarts() {
    let p = plan(
        "eip-autohealing.toml",
        replace(r#"type = "t3.micro""#, r#"type = "t3.small""#),
    );
    assert_eq!(with(&p, Action::ReplaceInstances), set(["WebGroup"]));
    assert_eq!(
        risks(&p),
        BTreeSet::from([("WebGroup".to_string(), RiskKind::Instance)])
    );
    let p = plan(
        "per-client.toml",
        replace(r#"type = "t3.medium""#, r#"type = "t3.large""#),
    );
    assert_eq!(
        with(&p, Action::Restart),
        set(["AppAcmeInstance", "AppGlobexInstance", "AppInitechInstance"])
    );
    assert!(p.at_risk.is_empty(), "{:#?}", p.at_risk);
}

#[test]
fn a_new_setup_script_rolls_the_group_and_shows_the_script_diff() {
    let p = plan("new-eip-dns-setup.toml", |t| {
        t.replace("setup = ", "# edited\nsetup = ")
    });
    // Only a comment added: nothing changes.
    assert!(p.is_empty(), "{p:#?}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let text = std::fs::read_to_string(dir.join("new-eip-dns-setup.toml")).unwrap();
    let setup = value_of(&text, "setup");
    let copy = std::env::temp_dir().join(format!("topoform-plan-setup-{}", std::process::id()));
    std::fs::create_dir_all(copy.join("files")).unwrap();
    for entry in std::fs::read_dir(dir.join("files")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join("files").join(entry.file_name())).unwrap();
    }
    let files = FilesIn(copy.clone());
    let golden = compile_toml(&text, &files).output.unwrap();
    let script = copy.join(setup);
    let mut body = std::fs::read_to_string(&script).unwrap();
    body.push_str("echo edited-by-the-plan-test\n");
    std::fs::write(&script, body).unwrap();
    let p = plan_toml(&text, &files, &golden).1.unwrap().into_preview();
    std::fs::remove_dir_all(&copy).unwrap();
    assert_eq!(with(&p, Action::ReplaceInstances), set(["AppGroup"]));
    assert_eq!(with(&p, Action::Update), set(["AppLaunchTemplate"]));
    let userdata: Vec<&str> = p.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(userdata, ["userdata/app.sh"]);
    assert!(p.files[0].diff.contains("+echo edited-by-the-plan-test"));
}

#[test]
fn a_failover_record_added_adds_and_risks_nothing() {
    let p = plan("route53-failover.toml", |t| {
        let block = t
            .split("\n[failover.")
            .nth(1)
            .expect("a failover block")
            .split("\n[")
            .next()
            .unwrap();
        let name = block.lines().next().unwrap().trim_end_matches(']');
        let record = value_of(block, "record");
        let extra = block
            .replacen(&format!("{name}]"), &format!("{name}-extra]"), 1)
            .replacen(record, &format!("extra.{record}"), 1);
        format!("{t}\n[failover.{extra}\n")
    });
    assert!(!with(&p, Action::Add).is_empty());
    for action in [Action::Remove, Action::ReplaceInstances, Action::Restart] {
        assert!(with(&p, action).is_empty(), "{action:?}: {p:#?}");
    }
    assert!(p.at_risk.is_empty(), "{:#?}", p.at_risk);
}

#[test]
fn a_renamed_record_puts_the_old_name_at_risk() {
    let p = plan("route53-failover.toml", |t| {
        let name = value_of(t, "record");
        t.replacen(
            line_of(t, "record"),
            &format!("record = \"renamed.{name}\""),
            1,
        )
    });
    let records: Vec<&str> = p
        .at_risk
        .iter()
        .filter(|r| r.risk == RiskKind::Record)
        .map(|r| r.detail.as_str())
        .collect();
    assert!(!records.is_empty(), "{p:#?}");
    assert!(p.is_risky());
}

#[test]
fn a_sorry_title_changes_only_the_page() {
    let p = plan("route53-failover.toml", |t| {
        t.replacen(line_of(t, "title"), r#"title = "Back soon, <really>""#, 1)
    });
    assert!(actions(&p).is_empty(), "{p:#?}");
    assert!(!p.is_risky());
    assert_eq!(p.files.len(), 1, "{:#?}", p.files);
    assert!(p.files[0].path.ends_with("index.html"));
    assert!(p.files[0].diff.contains("Back soon, &lt;really&gt;"));
}

#[test]
fn hours_added_roll_the_group_and_add_the_schedule() {
    let p = plan("eip-autohealing.toml", |t| {
        t.replacen(
            "type = \"t3.micro\"\n",
            "type = \"t3.micro\"\nhours = { days = \"MON-FRI\", start = \"09:00\", stop = \"19:00\", timezone = \"Asia/Tokyo\" }\n",
            1,
        )
    });
    assert_eq!(with(&p, Action::ReplaceInstances), set(["WebGroup"]));
    assert!(
        with(&p, Action::Add).is_superset(&set(["WebStartAction", "WebStopAction", "WebWarmPool"])),
        "{p:#?}"
    );
}

#[test]
fn a_new_volume_size_rolls_the_group() {
    let p = plan(
        "everything.toml",
        replace("volume_gb = 20", "volume_gb = 40"),
    );
    assert_eq!(with(&p, Action::ReplaceInstances), set(["ShopGroup"]));
    assert_eq!(
        risks(&p),
        BTreeSet::from([("ShopGroup".to_string(), RiskKind::Instance)])
    );
}

#[test]
fn an_alb_port_replaces_its_target_group_and_no_instance() {
    let p = plan("route53-failover.toml", |t| {
        t.replacen(line_of(t, "port"), "port = 8443", 1)
    });
    let replaced = with(&p, Action::Replace);
    assert!(
        replaced.iter().any(|id| id.ends_with("TargetGroup")),
        "{p:#?}"
    );
    assert!(p.is_risky());
    assert!(
        p.at_risk.iter().all(|r| r.risk != RiskKind::Address),
        "{:#?}",
        p.at_risk
    );
}

#[test]
fn an_instance_removed_puts_its_instance_address_and_records_at_risk() {
    let p = plan("everything.toml", |t| {
        // The admin site gone: its instance (with its Elastic IP) and its
        // failover records.
        let mut kept = String::new();
        let mut skip = false;
        for line in t.lines() {
            if line.starts_with('[') {
                skip = line == "[instance.admin]" || line == "[failover.admin]";
            }
            if !skip {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        kept
    });
    let kinds: BTreeSet<RiskKind> = p.at_risk.iter().map(|r| r.risk).collect();
    assert!(kinds.contains(&RiskKind::Instance), "{:#?}", p.at_risk);
    assert!(kinds.contains(&RiskKind::Record), "{:#?}", p.at_risk);
    assert!(kinds.contains(&RiskKind::Address), "{:#?}", p.at_risk);
    assert!(
        p.at_risk
            .iter()
            .all(|r| r.block.contains("no longer in the topology")),
        "{:#?}",
        p.at_risk
    );
}

#[test]
fn markdown_and_json_snapshots() {
    let removed = plan("per-client.toml", replace(r#""acme", "#, ""));
    let volume = plan(
        "everything.toml",
        replace("volume_gb = 20", "volume_gb = 40"),
    );
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("plan-client-removed.md", render::markdown(&removed));
        insta::assert_snapshot!("plan-client-removed.json", render::json(&removed));
        insta::assert_snapshot!("plan-volume.md", render::markdown(&volume));
        insta::assert_snapshot!("plan-volume.json", render::json(&volume));
    });
}
