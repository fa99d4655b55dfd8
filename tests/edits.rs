//! Routine edits must not replace running instances (or their disks) by
//! surprise. Each test applies one typical edit to every fixture and every
//! conformance topology it applies to, compiles before and after, and asks
//! `topoform::impact` (CloudFormation's create-only properties, from the
//! resource schemas cfn-lint ships) what the update does to each resource.
//!
//! What an edit may do is the rule the README documents, key by key:
//! - adding or removing a fleet client touches only that client;
//! - a fleet's bootstrap, parameters, dns and security groups, and the
//!   stack's tags, change no running instance (first-boot settings apply to
//!   instances launched after the change);
//! - a fleet's instance type stops and starts its clients (same instances,
//!   same disks); an `[instance]`'s replaces its instance through the
//!   group's rolling update, as any change to a self-healing group's launch
//!   settings does;
//! - a new failover name adds records and checks, and restarts or replaces
//!   nothing;
//! - a redeploy after AWS publishes a new AMI behind an `ssm:` path changes
//!   nothing: no template value is resolved again at deploy time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use topoform::impact::{Change, Effect, compare};
use topoform::{FilesIn, compile_toml, diag};

/// A topology that compiles, with its directory (for the files it names).
struct Topology {
    name: String,
    dir: PathBuf,
    table: toml::Table,
}

fn topologies() -> Vec<Topology> {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/ok"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    // The conformance topologies, when ../shared is beside the clone (CI
    // has it; the test command checks it is there).
    if let Ok(dir) = std::fs::read_dir(root.join("../shared/conformance")) {
        paths.extend(
            dir.map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(".topo.toml")),
        );
    }
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        let mut table: toml::Table = text.parse().unwrap();
        inline_clients_files(&mut table, &dir);
        out.push(Topology {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            dir,
            table,
        });
    }
    assert!(out.len() >= 11, "{} topologies", out.len());
    out
}

/// `clients_file` as a `clients` list: the same clients, editable here.
fn inline_clients_files(table: &mut toml::Table, dir: &Path) {
    for (_, fleet) in blocks_mut(table, "fleet") {
        if let Some(toml::Value::String(file)) = fleet.remove("clients_file") {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let ids = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| toml::Value::String(l.into()))
                .collect();
            fleet.insert("clients".into(), toml::Value::Array(ids));
        }
    }
}

fn blocks_mut<'t>(table: &'t mut toml::Table, kind: &str) -> Vec<(String, &'t mut toml::Table)> {
    match table.get_mut(kind) {
        Some(toml::Value::Table(t)) => t
            .iter_mut()
            .filter_map(|(name, v)| v.as_table_mut().map(|b| (name.clone(), b)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Sets each of `settings` in every block of `kind`; false when the
/// topology has no such block.
fn set_in_each(t: &mut toml::Table, kind: &str, settings: &[(&str, toml::Value)]) -> bool {
    let blocks = blocks_mut(t, kind);
    let any = !blocks.is_empty();
    for (_, block) in blocks {
        for (key, value) in settings {
            block.insert((*key).to_string(), value.clone());
        }
    }
    any
}

/// Every template the topology compiles to, by path, parsed.
fn templates(t: &Topology, table: &toml::Table) -> BTreeMap<String, Value> {
    let text = toml::to_string(table).unwrap();
    let c = compile_toml(&text, &FilesIn(t.dir.clone()));
    let output = c.output.unwrap_or_else(|| {
        panic!(
            "{} (edited) should compile:\n{}",
            t.name,
            diag::render(&c.diagnostics, &topoform::SourceFile::new(&t.name, &text))
        )
    });
    output
        .iter()
        .filter(|(p, _)| p.ends_with(".template.json"))
        .map(|(p, text)| (p.clone(), serde_json::from_str(text).unwrap()))
        .collect()
}

/// What the edit does, per `template#LogicalId (Type)`.
fn impact(t: &Topology, edited: &toml::Table) -> BTreeMap<String, Change> {
    let (before, after) = (templates(t, &t.table), templates(t, edited));
    let null = Value::Null;
    let mut out = BTreeMap::new();
    for path in before.keys().chain(after.keys()) {
        let b = before.get(path).unwrap_or(&null);
        let a = after.get(path).unwrap_or(&null);
        for (id, change) in compare(b, a) {
            let kind = [a, b]
                .iter()
                .find_map(|t| t["Resources"][&id]["Type"].as_str())
                .unwrap_or_default()
                .to_string();
            out.insert(format!("{path}#{id} ({kind})"), change);
        }
    }
    out
}

/// The resource types that hold a running instance, its disk, its address
/// or the user's data: what an edit must not replace by surprise.
const PRECIOUS: [&str; 4] = [
    "(AWS::EC2::Instance)",
    "(AWS::AutoScaling::AutoScalingGroup)",
    "(AWS::EC2::EIP)",
    "(AWS::S3::Bucket)",
];

fn precious(id: &str) -> bool {
    PRECIOUS.iter().any(|k| id.ends_with(k))
}

/// The changes that restart, replace or remove something, as `id: effect`.
fn disruptive(changes: &BTreeMap<String, Change>) -> Vec<String> {
    changes
        .iter()
        .filter(|(_, c)| c.effect().is_some_and(|e| e >= Effect::Restart))
        .map(|(id, c)| format!("{id}: {c:?}"))
        .collect()
}

/// The PascalCase logical ID prefix of a name, as topoform forms it.
fn prefix(name: &str) -> String {
    topoform::naming::Prefix::of(name)
        .unwrap()
        .as_str()
        .to_string()
}

/// An edit of a topology's TOML: false where it does not apply.
type Edit = fn(&mut toml::Table) -> bool;

/// Runs `edit` on every topology it applies to (it returns false where it
/// does not), and checks what it did with `check`. Returns how many
/// topologies it applied to.
fn each(
    edit: impl Fn(&mut toml::Table) -> bool,
    check: impl Fn(&str, &BTreeMap<String, Change>),
) -> usize {
    let mut applied = 0;
    let mut failed = Vec::new();
    for t in topologies() {
        let mut edited = t.table.clone();
        if edit(&mut edited) {
            applied += 1;
            let changes = impact(&t, &edited);
            // Every topology is checked, and every failure reported.
            let run = std::panic::AssertUnwindSafe(|| check(&t.name, &changes));
            if let Err(e) = std::panic::catch_unwind(run) {
                let message = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_default();
                failed.push(message);
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    applied
}

#[test]
fn removing_a_client_removes_only_that_client() {
    let removed = std::cell::RefCell::new(Vec::new());
    let n = each(
        |t| {
            removed.borrow_mut().clear();
            for (name, fleet) in blocks_mut(t, "fleet") {
                let Some(toml::Value::Array(clients)) = fleet.get_mut("clients") else {
                    continue;
                };
                if clients.len() >= 2 {
                    // The first: every later client would move under a
                    // rule by position.
                    let gone = clients.remove(0);
                    removed
                        .borrow_mut()
                        .push(prefix(&format!("{name}-{}", gone.as_str().unwrap())));
                }
            }
            !removed.borrow().is_empty()
        },
        |name, changes| {
            let removed = removed.borrow();
            let own = |id: &str| {
                let logical = id.split('#').nth(1).unwrap();
                let logical = logical.split(' ').next().unwrap();
                removed.iter().any(|p| logical.starts_with(p.as_str()))
            };
            for (id, change) in changes {
                if own(id) {
                    assert_eq!(change, &Change::Remove, "{name}: {id}");
                }
            }
            let others: Vec<String> = disruptive(changes)
                .into_iter()
                .filter(|d| !own(d.split(": ").next().unwrap()))
                .collect();
            assert!(others.is_empty(), "{name}: {others:#?}");
        },
    );
    assert!(n >= 3, "applied to {n}");
}

#[test]
fn adding_a_client_touches_no_other_client() {
    let n = each(
        |t| {
            let mut any = false;
            for (_, fleet) in blocks_mut(t, "fleet") {
                if let Some(toml::Value::Array(clients)) = fleet.get_mut("clients") {
                    clients.insert(0, toml::Value::String("aaa-new".into()));
                    any = true;
                }
            }
            any
        },
        |name, changes| {
            let d = disruptive(changes);
            assert!(d.is_empty(), "{name}: {d:#?}");
            assert!(changes.values().any(|c| *c == Change::Add), "{name}");
        },
    );
    assert!(n >= 3, "applied to {n}");
}

#[test]
fn first_boot_settings_and_tags_change_no_running_instance() {
    let edits: [(&str, Edit); 4] = [
        ("bootstrap", |t| {
            set_in_each(
                t,
                "fleet",
                &[("bootstrap", "/opt/app/bootstrap.sh --edited".into())],
            )
        }),
        ("parameters", |t| {
            set_in_each(
                t,
                "fleet",
                &[
                    ("bootstrap", "/opt/app/bootstrap.sh".into()),
                    ("parameters", vec!["EDITED_PARAMETER"].into()),
                ],
            )
        }),
        ("security groups", |t| {
            set_in_each(
                t,
                "fleet",
                &[("security_groups", vec!["sg-0123456789abcdef0"].into())],
            )
        }),
        ("stack tags", |t| {
            let stack = t["stack"].as_table_mut().unwrap();
            let tags = stack
                .entry("tags")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            tags.as_table_mut()
                .unwrap()
                .insert("cost-center".into(), "edited".into());
            true
        }),
    ];
    for (what, edit) in edits {
        let n = each(edit, |name, changes| {
            let d = disruptive(changes);
            assert!(d.is_empty(), "{what}, {name}: {d:#?}");
        });
        assert!(n >= 3, "{what}: applied to {n}");
    }
}

#[test]
fn a_fleets_instance_type_restarts_its_clients_and_replaces_none() {
    let n = each(
        |t| set_in_each(t, "fleet", &[("type", "m7i.xlarge".into())]),
        |name, changes| {
            let mut restarted = 0;
            for (id, change) in changes {
                match change.effect() {
                    Some(Effect::Restart) => {
                        assert!(
                            id.ends_with("Instance (AWS::EC2::Instance)"),
                            "{name}: {id}: {change:?}"
                        );
                        restarted += 1;
                    }
                    Some(e) if e > Effect::Restart => panic!("{name}: {id}: {change:?}"),
                    _ => {}
                }
            }
            assert!(restarted > 0, "{name}: nothing restarted: {changes:#?}");
        },
    );
    assert!(n >= 3, "applied to {n}");
}

#[test]
fn an_instances_type_rolls_its_group_and_nothing_else() {
    let n = each(
        |t| set_in_each(t, "instance", &[("type", "m7i.xlarge".into())]),
        |name, changes| {
            for (id, change) in changes {
                if let Some(e) = change.effect().filter(|e| *e >= Effect::Restart) {
                    assert!(
                        e == Effect::ReplaceInstances
                            && id.ends_with("Group (AWS::AutoScaling::AutoScalingGroup)"),
                        "{name}: {id}: {change:?}"
                    );
                }
            }
        },
    );
    assert!(n >= 8, "applied to {n}");
}

#[test]
fn a_new_failover_name_adds_records_and_disrupts_nothing() {
    let n = each(
        |t| {
            // An instance without an Elastic IP writes its own record, and
            // may be the primary of one failover only: the language refuses
            // a second.
            let writes_own = |primary: &str| {
                primary.strip_prefix("instance.").is_some_and(|i| {
                    t["instance"][i]
                        .get("elastic_ip")
                        .and_then(toml::Value::as_str)
                        == Some("none")
                })
            };
            let Some(toml::Value::Table(failovers)) = t.get("failover") else {
                return false;
            };
            let Some((name, first)) = failovers
                .iter()
                .find(|(_, f)| !writes_own(f["primary"].as_str().unwrap_or_default()))
                .map(|(n, f)| (n.clone(), f.clone()))
            else {
                return false;
            };
            let toml::Value::Table(failovers) = t.get_mut("failover").unwrap() else {
                unreachable!()
            };
            let mut extra = first.as_table().unwrap().clone();
            let name = &name;
            let record = extra["record"].as_str().unwrap().to_string();
            extra.insert("record".into(), format!("extra.{record}").into());
            let new_name = format!("{name}-extra");
            failovers.insert(new_name, toml::Value::Table(extra));
            true
        },
        |name, changes| {
            // Nothing that runs or holds data; the one other replacement
            // allowed is a certificate that topoform requests itself
            // (`certificate = "new"`): its names are create-only, so a new
            // name is a new certificate, which CloudFront switches to.
            let d: Vec<String> = disruptive(changes)
                .into_iter()
                .filter(|d| {
                    precious(d.split(": ").next().unwrap())
                        || !d.contains("(AWS::CertificateManager::Certificate)")
                })
                .collect();
            assert!(d.is_empty(), "{name}: {d:#?}");
            assert!(
                changes.values().any(|c| *c == Change::Add),
                "{name}: nothing added"
            );
        },
    );
    assert!(n >= 6, "applied to {n}");
}

#[test]
fn a_new_ami_behind_an_ssm_path_changes_nothing_on_redeploy() {
    // The same topology deployed again: every value a deploy resolves anew
    // (an SSM-typed parameter) counts as changed.
    let mut with_ssm = 0;
    for t in topologies() {
        let text = toml::to_string(&t.table).unwrap();
        if text.contains("\"ssm:") {
            with_ssm += 1;
        }
        let d = disruptive(&impact(&t, &t.table));
        assert!(d.is_empty(), "{}: {d:#?}", t.name);
    }
    assert!(with_ssm >= 2, "{with_ssm} topologies with ssm: images");
}
