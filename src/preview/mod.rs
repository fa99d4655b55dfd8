//! `topoform plan`: what deploying the output synth writes now would do to
//! the stack that the golden output (the committed files that describe what
//! is deployed) describes, in the user's terms, before it happens.
//!
//! Per template, per resource: added, removed, updated in place, restarted,
//! its instances replaced, maybe replaced, replaced, from
//! [`impact`] (CloudFormation's create-only properties, as
//! cfn-lint's pinned schemas give them). Resources are grouped by the block
//! that makes them (`[fleet.app] client acme`), as the new topology's
//! logical-ID registry says; a resource only the golden output has is put
//! under the block whose prefix it carries, or under "no longer in the
//! topology". Scripts and pages are shown as unified diffs of their own
//! files, not of the template line that embeds them.
//!
//! What a change puts at risk is named: an instance replaced or removed
//! (and the root volume deleted with it), an Elastic IP released, a
//! retained bucket left behind, a record that goes away.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::emit::Output;
use crate::impact::{self, Change, Effect};
use crate::kind::Kind;
use crate::layout;
use crate::model::Model;

/// The version of the JSON format (`--format json`): a new field may be
/// added within a version; renaming or removing one makes a new version.
pub const FORMAT_VERSION: u32 = 1;

/// Everything a deploy of the new output would change.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// The JSON format's version, [`FORMAT_VERSION`].
    pub version: u32,
    /// The stack.
    pub stack: String,
    /// Counts.
    pub summary: Summary,
    /// Per template, its resources that change, by block.
    pub templates: Vec<TemplateChanges>,
    /// What the changes put at risk.
    pub at_risk: Vec<Risk>,
    /// Scripts, pages and the deploy plan that change, as unified diffs.
    pub files: Vec<FileChange>,
}

/// How many resources each action touches, and how many risks.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Resources added.
    pub add: usize,
    /// Updated in place, without interruption.
    pub update: usize,
    /// EC2 instances stopped and started.
    pub restart: usize,
    /// Replaced, maybe replaced, or with their instances replaced.
    pub replace: usize,
    /// Removed.
    pub remove: usize,
    /// Risks to instances, disks, addresses, buckets and records.
    pub at_risk: usize,
    /// Files other than templates that change.
    pub files: usize,
}

/// One template's changes.
#[derive(Debug, Serialize)]
pub struct TemplateChanges {
    /// Its file name.
    pub file: String,
    /// Its resources that change, ordered by block, then logical ID.
    pub resources: Vec<ResourceChange>,
    /// Parameters and outputs that are added, removed or changed.
    pub other: Vec<String>,
}

/// What happens to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Created.
    Add,
    /// Updated in place.
    Update,
    /// An EC2 instance stopped and started.
    Restart,
    /// An Auto Scaling group kept, its instances replaced.
    ReplaceInstances,
    /// CloudFormation may replace it.
    MayReplace,
    /// Replaced: a new one is created, the old one deleted.
    Replace,
    /// Deleted.
    Remove,
}

impl Action {
    /// The symbol the terminal and Markdown formats show.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Add => "+",
            Action::Update => "~",
            Action::Restart => "~!",
            Action::ReplaceInstances | Action::MayReplace | Action::Replace => "-/+",
            Action::Remove => "-",
        }
    }

    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Update => "update in place",
            Action::Restart => "stop and start",
            Action::ReplaceInstances => "replace its instances",
            Action::MayReplace => "may replace",
            Action::Replace => "replace",
            Action::Remove => "remove",
        }
    }
}

/// One resource's change.
#[derive(Debug, Serialize)]
pub struct ResourceChange {
    /// The block that makes it, in the topology's words: `[instance.web]`,
    /// `[fleet.app] client acme`, `[stack]`.
    pub block: String,
    /// Its logical ID.
    pub logical_id: String,
    /// Its CloudFormation type.
    #[serde(rename = "type")]
    pub kind: String,
    /// What happens to it.
    pub action: Action,
    /// The top-level properties that differ (for an update).
    pub properties: Vec<String>,
    /// The create-only properties (paths below `Properties`, `/`-separated)
    /// whose change decides a restart or a replacement.
    pub because: Vec<String>,
}

/// What a change puts at risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskKind {
    /// An instance is replaced or removed: its root volume is deleted.
    Instance,
    /// An Elastic IP is released: its address is lost.
    Address,
    /// A retained bucket is left behind, with what it holds.
    Bucket,
    /// A DNS record goes away.
    Record,
}

/// One risk.
#[derive(Debug, Serialize)]
pub struct Risk {
    /// The block.
    pub block: String,
    /// The resource.
    pub logical_id: String,
    /// What kind of loss.
    pub risk: RiskKind,
    /// What happens, in a sentence.
    pub detail: String,
}

/// A file other than a template that changes.
#[derive(Debug, Serialize)]
pub struct FileChange {
    /// Its path in the output directory.
    pub path: String,
    /// `add`, `remove` or `change`.
    pub status: &'static str,
    /// Its unified diff (golden → new).
    pub diff: String,
}

impl Preview {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty() && self.files.is_empty()
    }

    /// Whether a change replaces something, may replace it, or puts
    /// something at risk.
    pub fn is_risky(&self) -> bool {
        !self.at_risk.is_empty()
            || self.templates.iter().any(|t| {
                t.resources.iter().any(|r| {
                    matches!(
                        r.action,
                        Action::Replace
                            | Action::MayReplace
                            | Action::ReplaceInstances
                            | Action::Remove
                    )
                })
            })
    }
}

/// Compares the golden output with the new one, for the new model.
pub fn compare(model: &Model, golden: &Output, new: &Output) -> Preview {
    let labels = Labels::new(model);
    let mut summary = Summary::default();
    let mut templates = Vec::new();
    let mut at_risk = Vec::new();
    let names: BTreeSet<&String> = golden
        .keys()
        .chain(new.keys())
        .filter(|p| p.ends_with(".template.json"))
        .collect();
    for file in names {
        let parse = |o: &Output| {
            o.get(file)
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .unwrap_or(Value::Null)
        };
        let (before, after) = (parse(golden), parse(new));
        let mut resources: Vec<ResourceChange> = impact::compare(&before, &after)
            .into_iter()
            .map(|(id, change)| {
                let kind = [&after, &before]
                    .iter()
                    .find_map(|t| t["Resources"][&id]["Type"].as_str())
                    .unwrap_or_default()
                    .to_string();
                let (action, properties, because) = match change {
                    Change::Add => (Action::Add, Vec::new(), Vec::new()),
                    Change::Remove => (Action::Remove, Vec::new(), Vec::new()),
                    Change::Modify {
                        effect,
                        changed,
                        because,
                    } => (
                        match effect {
                            Effect::Update => Action::Update,
                            Effect::Restart => Action::Restart,
                            Effect::ReplaceInstances => Action::ReplaceInstances,
                            Effect::MayReplace => Action::MayReplace,
                            Effect::Replace => Action::Replace,
                        },
                        changed,
                        because
                            .into_iter()
                            .map(|p| p.trim_start_matches("/properties/").to_string())
                            .collect(),
                    ),
                };
                ResourceChange {
                    block: labels.of(&id),
                    logical_id: id,
                    kind,
                    action,
                    properties,
                    because,
                }
            })
            .collect();
        resources.sort_by(|a, b| (&a.block, &a.logical_id).cmp(&(&b.block, &b.logical_id)));
        for r in &resources {
            match r.action {
                Action::Add => summary.add += 1,
                Action::Update => summary.update += 1,
                Action::Restart => summary.restart += 1,
                Action::ReplaceInstances | Action::MayReplace | Action::Replace => {
                    summary.replace += 1;
                }
                Action::Remove => summary.remove += 1,
            }
            at_risk.extend(risk(r, &before));
        }
        let other = sections_changed(&before, &after);
        if !resources.is_empty() || !other.is_empty() {
            templates.push(TemplateChanges {
                file: file.clone(),
                resources,
                other,
            });
        }
    }
    let files = file_changes(golden, new);
    summary.at_risk = at_risk.len();
    summary.files = files.len();
    Preview {
        version: FORMAT_VERSION,
        stack: model.stack.name.clone(),
        summary,
        templates,
        at_risk,
        files,
    }
}

/// What a resource's change puts at risk, if anything.
fn risk(r: &ResourceChange, before: &Value) -> Option<Risk> {
    let gone = matches!(r.action, Action::Remove | Action::Replace);
    let maybe = r.action == Action::MayReplace;
    let verb = if maybe { "may be" } else { "is" };
    let (risk, detail) = match (r.kind.as_str(), r.action) {
        ("AWS::EC2::Instance", _) if gone || maybe => (
            RiskKind::Instance,
            format!(
                "the instance {verb} {}: its root volume is deleted with it",
                if r.action == Action::Remove {
                    "terminated"
                } else {
                    "replaced"
                }
            ),
        ),
        ("AWS::AutoScaling::AutoScalingGroup", Action::ReplaceInstances) => (
            RiskKind::Instance,
            "the group replaces its instance (a rolling update): the root volume is deleted with the old instance, and it is out of service while the new one launches".to_string(),
        ),
        ("AWS::AutoScaling::AutoScalingGroup", _) if gone || maybe => (
            RiskKind::Instance,
            format!("the group {verb} deleted or replaced: its instances are terminated, with their root volumes"),
        ),
        ("AWS::EC2::EIP", _) if gone || maybe => (
            RiskKind::Address,
            format!("the Elastic IP {verb} released: its address is lost for good"),
        ),
        ("AWS::S3::Bucket", _) if gone || maybe => {
            let retained = matches!(
                before["Resources"][&r.logical_id]["DeletionPolicy"].as_str(),
                Some("Retain" | "RetainExceptOnCreate")
            );
            (
                RiskKind::Bucket,
                if retained {
                    format!("the bucket {verb} left behind (retained), with what it holds")
                } else {
                    format!("the bucket {verb} deleted")
                },
            )
        }
        // A record's name changes in place in CloudFormation's schema, but
        // the record of the old name is deleted.
        ("AWS::Route53::RecordSet", Action::Update)
            if r.properties.iter().any(|p| p == "Name") =>
        {
            let name = record_name(before, &r.logical_id);
            (
                RiskKind::Record,
                format!("the record {name} goes away: the record is renamed"),
            )
        }
        ("AWS::Route53::RecordSet", _) if gone || maybe => {
            let name = record_name(before, &r.logical_id);
            (
                RiskKind::Record,
                if r.action == Action::Remove {
                    format!("the record {name} goes away")
                } else {
                    format!("the record {name} {verb} deleted and created again")
                },
            )
        }
        _ => return None,
    };
    Some(Risk {
        block: r.block.clone(),
        logical_id: r.logical_id.clone(),
        risk,
        detail,
    })
}

/// The name of the record `id` in `template`, without its final dot.
fn record_name(template: &Value, id: &str) -> String {
    template["Resources"][id]["Properties"]["Name"]
        .as_str()
        .unwrap_or("?")
        .trim_end_matches('.')
        .to_string()
}

/// Parameters and outputs added, removed or changed.
fn sections_changed(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (section, singular) in [("Parameters", "parameter"), ("Outputs", "output")] {
        let keys = |t: &Value| -> BTreeMap<String, Value> {
            t[section]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        let (b, a) = (keys(before), keys(after));
        for k in b.keys().chain(a.keys()).collect::<BTreeSet<_>>() {
            match (b.get(k), a.get(k)) {
                (None, Some(_)) => out.push(format!("{singular} {k} added")),
                (Some(_), None) => out.push(format!("{singular} {k} removed")),
                (Some(x), Some(y)) if x != y => out.push(format!("{singular} {k} changed")),
                _ => {}
            }
        }
    }
    out
}

/// The non-template files that differ, as unified diffs; the manifest is
/// left out (it lists the files, which the rest shows).
fn file_changes(golden: &Output, new: &Output) -> Vec<FileChange> {
    let paths: BTreeSet<&String> = golden
        .keys()
        .chain(new.keys())
        .filter(|p| !p.ends_with(".template.json") && p.as_str() != layout::MANIFEST)
        .collect();
    let mut out = Vec::new();
    for path in paths {
        let (b, a) = (golden.get(path), new.get(path));
        let status = match (b, a) {
            (None, Some(_)) => "add",
            (Some(_), None) => "remove",
            (Some(x), Some(y)) if x != y => "change",
            _ => continue,
        };
        let diff = similar::TextDiff::from_lines(
            b.map_or("", String::as_str),
            a.map_or("", String::as_str),
        )
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
        out.push(FileChange {
            path: path.clone(),
            status,
            diff,
        });
    }
    out
}

/// Block labels by logical ID: the new topology's registry, and for an ID
/// it does not know, the longest block prefix the ID starts with.
struct Labels<'m> {
    model: &'m Model,
    prefixes: Vec<(String, String)>,
}

impl<'m> Labels<'m> {
    fn new(model: &'m Model) -> Self {
        let mut prefixes: Vec<(String, String)> = Vec::new();
        let mut add = |prefix: &str, label: String| prefixes.push((prefix.to_string(), label));
        for (n, b) in &model.instances {
            add(b.prefix.as_str(), format!("[instance.{}]", n.as_str()));
        }
        for (n, b) in &model.failovers {
            add(b.prefix.as_str(), format!("[failover.{}]", n.as_str()));
        }
        for (n, b) in &model.sorries {
            add(b.prefix.as_str(), format!("[sorry.{}]", n.as_str()));
        }
        for (n, b) in &model.albs {
            add(b.prefix.as_str(), format!("[alb.{}]", n.as_str()));
        }
        for (n, b) in &model.fleets {
            add(b.prefix.as_str(), format!("[fleet.{}]", n.as_str()));
        }
        for (n, b) in &model.backups {
            add(b.prefix.as_str(), format!("[backup.{}]", n.as_str()));
        }
        for (n, b) in &model.tasks {
            add(b.prefix.as_str(), format!("[task.{}]", n.as_str()));
        }
        Labels { model, prefixes }
    }

    fn of(&self, id: &str) -> String {
        if let Some(owner) = self.model.origins.ids.owner(id) {
            // The stack-wide IDs (`notify`'s) belong to `[stack]`.
            return match &owner.client {
                _ if owner.kind == Kind::Stack => "[stack]".to_string(),
                Some(client) => format!("[{}.{}] client {client}", owner.kind, owner.name),
                None => format!("[{}.{}]", owner.kind, owner.name),
            };
        }
        self.prefixes
            .iter()
            .filter(|(p, _)| id.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map_or_else(
                || "(no longer in the topology)".to_string(),
                |(_, label)| format!("{label} (no longer in the topology)"),
            )
    }
}
