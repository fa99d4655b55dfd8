//! `topoform graph`: a diagram of a topology, in Mermaid (which GitHub
//! renders in pull requests and READMEs) or DOT (Graphviz).
//!
//! A node is a block, with the AWS resources that matter (those that serve
//! traffic, hold data, cost money or act on a schedule) counted from the
//! synthesized templates; the stack's own shared resources (its alarm topic)
//! are a node of their own. An arrow is a reference, labelled with the key
//! it was written in (`primary`, `secondary`, `target`, `dns.zone`): found
//! through each block's reference slots, so a new block kind or key is drawn
//! without a change here. A block with a `primary` and a `secondary` adds a
//! dashed arrow from the one to the other: where traffic goes on failure. The text is rendered by `templates/graph/`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::Output;
use crate::kind::Kind;
use crate::model::Model;
use crate::spec::Topology;

/// The diagram languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mermaid `flowchart`.
    Mermaid,
    /// Graphviz `digraph`.
    Dot,
}

/// The resource types a diagram names, in the order it lists them, with
/// their names (singular, plural).
const SHOWN: &[(&str, &str, &str)] = &[
    ("AWS::EC2::Instance", "instance", "instances"),
    (
        "AWS::AutoScaling::AutoScalingGroup",
        "Auto Scaling group",
        "Auto Scaling groups",
    ),
    ("AWS::EC2::EIP", "Elastic IP", "Elastic IPs"),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "load balancer",
        "load balancers",
    ),
    ("AWS::Route53::RecordSet", "record", "records"),
    ("AWS::Route53::HealthCheck", "health check", "health checks"),
    (
        "AWS::CloudFront::Distribution",
        "CloudFront distribution",
        "CloudFront distributions",
    ),
    ("AWS::S3::Bucket", "S3 bucket", "S3 buckets"),
    (
        "AWS::CertificateManager::Certificate",
        "certificate",
        "certificates",
    ),
    (
        "AWS::DLM::LifecyclePolicy",
        "lifecycle policy",
        "lifecycle policies",
    ),
    (
        "AWS::SSM::Association",
        "State Manager association",
        "State Manager associations",
    ),
    (
        "AWS::AutoScaling::ScheduledAction",
        "scheduled action",
        "scheduled actions",
    ),
    ("AWS::Scheduler::Schedule", "schedule", "schedules"),
    ("AWS::SNS::Topic", "SNS topic", "SNS topics"),
    ("AWS::CloudWatch::Alarm", "alarm", "alarms"),
];

#[derive(Serialize)]
struct Node {
    id: String,
    title: String,
    detail: String,
}

#[derive(Serialize)]
struct Edge {
    from: String,
    to: String,
    label: &'static str,
    /// Not a reference: what happens between the blocks of one (traffic
    /// fails over from a primary to its secondary).
    dashed: bool,
}

#[derive(Serialize)]
struct Context {
    stack: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// A node's id: the block's kind and name, which are `[a-z0-9-]`, with `_`
/// for `-` (Mermaid ids). Kinds have no `_`, so ids stay distinct.
fn node_id(kind: &str, name: &str) -> String {
    format!("{kind}_{}", name.replace('-', "_"))
}

/// What the resources of each block (`None`: the stack's own) are, counted
/// by type, from every template of `output`.
fn resources(
    model: &Model,
    output: &Output,
) -> BTreeMap<Option<(Kind, String)>, BTreeMap<&'static str, usize>> {
    let mut by_block: BTreeMap<Option<(Kind, String)>, BTreeMap<&'static str, usize>> =
        BTreeMap::new();
    for (path, text) in output {
        if !path.ends_with(".template.json") {
            continue;
        }
        let Ok(template) = serde_json::from_str::<serde_json::Value>(text) else {
            continue;
        };
        let Some(resources) = template.get("Resources").and_then(|r| r.as_object()) else {
            continue;
        };
        for (id, r) in resources {
            let Some(shown) = r
                .get("Type")
                .and_then(|t| t.as_str())
                .and_then(|t| SHOWN.iter().find(|(ty, _, _)| *ty == t))
            else {
                continue;
            };
            let block = model
                .origins
                .ids
                .owner(id)
                .filter(|o| o.kind != Kind::Stack)
                .map(|o| (o.kind, o.name.clone()));
            *by_block
                .entry(block)
                .or_default()
                .entry(shown.0)
                .or_default() += 1;
        }
    }
    by_block
}

/// "Auto Scaling group, Elastic IP, 2 schedules", in [`SHOWN`]'s order.
fn detail(counts: Option<&BTreeMap<&'static str, usize>>) -> String {
    let Some(counts) = counts else {
        return "no resources of its own".to_string();
    };
    let parts: Vec<String> = SHOWN
        .iter()
        .filter_map(|(ty, one, many)| match counts.get(ty) {
            Some(1) => Some((*one).to_string()),
            Some(&n) => Some(format!("{n} {many}")),
            None => None,
        })
        .collect();
    if parts.is_empty() {
        "no resources of its own".to_string()
    } else {
        parts.join(", ")
    }
}

/// The diagram of a compiled topology: `topo` is what was written (for its
/// references), `model` and `output` what it compiled to.
pub fn render(topo: &Topology, model: &Model, output: &Output, format: Format) -> String {
    let counts = resources(model, output);
    let mut nodes = Vec::new();
    if let Some(own) = counts.get(&None) {
        nodes.push(Node {
            id: "stack".to_string(),
            title: format!("stack {}", model.stack.name),
            detail: detail(Some(own)),
        });
    }
    let mut blocks: Vec<(Kind, &str)> = topo
        .blocks()
        .iter()
        .map(|b| (b.kind, b.name.value.as_str()))
        .collect();
    blocks.sort_by_key(|&(k, n)| (Kind::ALL.iter().position(|x| *x == k), n));
    for (kind, name) in &blocks {
        nodes.push(Node {
            id: node_id(kind.name(), name),
            title: format!("{kind}.{name}"),
            detail: detail(counts.get(&Some((*kind, (*name).to_string())))),
        });
    }
    let mut edges: Vec<Edge> = Vec::new();
    for b in topo.blocks() {
        let target = |path: &str| {
            b.slots
                .iter()
                .position(|s| s.path == path)
                .map(|i| node_id(b.refs[i].value.kind.name(), &b.refs[i].value.name))
        };
        edges.extend(b.refs.iter().zip(&b.slots).map(|(r, slot)| Edge {
            from: node_id(b.kind.name(), &b.name.value),
            to: node_id(r.value.kind.name(), &r.value.name),
            label: slot.path,
            dashed: false,
        }));
        // A block with a primary and a secondary sends traffic from one to
        // the other when the first fails its health check.
        if let (Some(primary), Some(secondary)) = (target("primary"), target("secondary")) {
            edges.push(Edge {
                from: primary,
                to: secondary,
                label: "fails over to",
                dashed: true,
            });
        }
    }
    edges.sort_by(|a, b| (&a.from, a.label, &a.to).cmp(&(&b.from, b.label, &b.to)));
    let context = Context {
        stack: model.stack.name.clone(),
        nodes,
        edges,
    };
    let template = match format {
        Format::Mermaid => "graph/graph.mmd.j2",
        Format::Dot => "graph/graph.dot.j2",
    };
    crate::templates::render(template, &context)
}

/// Compiles `text` and draws it (`topoform graph`): the compilation's
/// diagnostics, and the diagram when the topology is valid.
pub fn graph_toml(
    text: &str,
    files: &dyn crate::Files,
    format: Format,
) -> (crate::Compilation, Option<String>) {
    let (c, model) = crate::compile_toml_model(text, files, &crate::Output::new());
    let drawn = match (&c.output, model) {
        (Some(output), Some(model)) => {
            // The spec is dropped before synthesis; the references are read
            // again from the text, which parsed cleanly to get here.
            let (topo, _) = crate::front::toml::parse(text);
            Some(render(&topo, &model, output, format))
        }
        _ => None,
    };
    (c, drawn)
}

