//! Stage 4: the nested-stack split. A main template that would break one of
//! CloudFormation's template quotas (resources, parameters, outputs, body
//! size) becomes a parent and child stacks (`AWS::CloudFormation::Stack`),
//! without being asked; one that fits is left exactly as it is.
//!
//! **What moves.** Only what serves one client goes into children, with its
//! outputs: blocks of a per-client kind ([`crate::kind::Kind::is_per_client`]:
//! instances and failover records) and each fleet client's own resources.
//! Everything they share (the stack's alarm topic, zones, sorry sites, load
//! balancers, a fleet's launch template and scheduler role, discovered
//! parameters) stays in the parent. Blocks whose
//! resources refer to each other (a failover and its primary instance) are
//! one *group* and always share a child, so that a child refers only to the
//! parent.
//!
//! **The shard rule: append-only, with memory.** The previous output (the
//! golden files in the output directory) says where every group was: the
//! parent's metadata lists each child's blocks, and the parent's resources
//! tell which blocks the parent held. A group stays where it was. A new group
//! goes into the first child that it fits in while that child stays under
//! [`FILL`] of every quota (the rest is headroom, so that a block can grow in
//! place), else into a new child numbered after the last. Adding or removing
//! a block therefore never moves another one. A block never moves at all:
//! its resources carry the same names in either stack, and CloudFormation
//! creates the new ones before it deletes the old, so the deploy would fail.
//! Where a move would be needed (a parent with no more room for the groups
//! it held before the split, a group whose blocks were in different stacks)
//! it is an error that says how to do it in two deploys. Without a previous
//! output (a first synth) the groups fill children in name order.
//!
//! **What crosses a boundary.** Every `Ref`, `Fn::GetAtt` and `Fn::Sub`
//! reference is seen while the typed resource is serialized into a byte
//! counter, which also measures it ([`scope::collect`]); nothing is turned
//! into JSON values. One from a child to the parent becomes a child
//! parameter that the parent passes; one from the parent to a child becomes
//! a child output that the parent reads (`Fn::GetAtt Child.Outputs.X`).
//! Each template carries these replacements ([`Rewrites`]) and writes them
//! when it is serialized;
//! `DependsOn` across the boundary becomes a `DependsOn` of the child stack.
//! `AWS::StackName` in a child becomes the parent's name, passed in, so that
//! names derived from it (`STACK-NAME`) are the same in either layout.
//!
//! **Taken out as they are made.** A split template's typed resources were
//! half of the memory of a 10,000-client synth. Once the main template is
//! sure to be split, [`synth_thinning`] takes each per-client block's
//! resources out of it as soon as the block is made, measures them on
//! another core (one node per block, [`Thin`]) and drops them; the
//! template that receives the block makes them again just before it is
//! written ([`Pending::fill`]). The split reads those nodes as it reads
//! the resources still in the template, so its result is the same.

use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use crate::cfn::cloudformation::Stack;
use crate::cfn::scope;
use crate::cfn::{
    CfnLint, CfnLintConfig, Expr, Link, Output, Parameter, Pseudo, Replacement, Resource, Rewrites,
    Tag, Template,
};
use crate::diag::{Code, Diagnostic};
use crate::kind::Kind;
use crate::layout;
use crate::model::Model;
use crate::naming::{LogicalId, Owner};
use crate::quota;

/// The template quotas a split respects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Resources per template.
    pub resources: usize,
    /// Parameters per template.
    pub parameters: usize,
    /// Outputs per template.
    pub outputs: usize,
    /// Body bytes, as written.
    pub bytes: usize,
}

impl Limits {
    /// CloudFormation's own (children are always read from S3).
    pub const AWS: Limits = Limits {
        resources: quota::MAX_RESOURCES,
        parameters: quota::MAX_PARAMETERS,
        outputs: quota::MAX_OUTPUTS,
        bytes: quota::MAX_TEMPLATE_BYTES,
    };

    /// `FILL` of each.
    fn filled(self) -> Limits {
        let f = |n: usize| n * FILL.0 / FILL.1;
        Limits {
            resources: f(self.resources),
            parameters: f(self.parameters),
            outputs: f(self.outputs),
            bytes: f(self.bytes),
        }
    }

    fn admits(self, s: &Size) -> bool {
        s.resources <= self.resources
            && s.parameters <= self.parameters
            && s.outputs <= self.outputs
            && s.bytes <= self.bytes
    }
}

/// How full a new group may make a child: 4/5 of each quota.
pub const FILL: (usize, usize) = (4, 5);

/// Where the previous output placed each group: the memory of the shard
/// rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// Block (`KIND.NAME`) → the child stack that held it.
    children: BTreeMap<String, LogicalId>,
    /// The blocks whose resources the parent held.
    parent: BTreeSet<String>,
}

impl Placement {
    /// The placement of the previous output's main template of `model`'s
    /// stack (`previous` maps paths to contents); empty when there is none.
    /// An unreadable template is an error: without its memory the rule
    /// could move running instances.
    pub fn read(model: &Model, previous: &crate::Output) -> Result<Placement, Diagnostic> {
        let path = layout::main_template(&model.stack.name);
        let Some(text) = previous.get(&path) else {
            return Ok(Placement::default());
        };
        let unreadable = |why: &str| {
            Diagnostic::error(
                Code::QuotaExceeded,
                model.origins.stack,
                format!("the previous {path} cannot be read ({why}): it says which nested stack holds each block"),
            )
            .help("restore it from version control, or remove it to place every block afresh")
        };
        // Only the resources' IDs and the metadata's shards are read: the
        // rest is skipped unparsed (a full `Value` cost a tenth of a small
        // synth).
        let root: Previous = serde_json::from_str(text).map_err(|e| unreadable(&e.to_string()))?;
        let mut placement = Placement::default();
        for id in root.resources.keys() {
            if let Some(unit) = model.origins.ids.owner(id).and_then(unit_of) {
                placement.parent.insert(unit);
            }
        }
        let shards = root.metadata.and_then(|m| m.topoform).map(|t| t.shards);
        for (child, kinds) in shards.into_iter().flatten() {
            let child = LogicalId::parse(&child).ok_or_else(|| unreadable("a child's name"))?;
            for (kind, names) in kinds {
                for name in names.split(' ').filter(|n| !n.is_empty()) {
                    placement
                        .children
                        .insert(format!("{kind}.{name}"), child.clone());
                }
            }
        }
        Ok(placement)
    }
}

/// What [`Placement::read`] reads of a previous parent template.
#[derive(serde::Deserialize)]
struct Previous {
    /// Only the IDs: each resource is skipped unparsed.
    #[allow(
        clippy::zero_sized_map_values,
        reason = "serde reads an object's keys into a map"
    )]
    #[serde(rename = "Resources", default)]
    resources: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(rename = "Metadata", default)]
    metadata: Option<PreviousMetadata>,
}

#[derive(serde::Deserialize)]
struct PreviousMetadata {
    topoform: Option<PreviousTopoform>,
}

/// `Metadata.topoform.shards`: child → kind → the names of its blocks,
/// separated by spaces.
#[derive(serde::Deserialize)]
struct PreviousTopoform {
    #[serde(default)]
    shards: BTreeMap<String, BTreeMap<String, String>>,
}

/// The unit of placement a logical ID belongs to: `KIND.NAME` for a
/// per-client block, `fleet.NAME/CLIENT` for a fleet client's own resources
/// (its role, policy, profile, instance, schedules and alarm); `None` for
/// what stays in the parent (a fleet's launch template, its scheduler role).
fn unit_of(o: &Owner) -> Option<String> {
    match &o.client {
        Some(client) => Some(format!("{}.{}/{client}", o.kind, o.name)),
        None => o
            .kind
            .is_per_client()
            .then(|| format!("{}.{}", o.kind, o.name)),
    }
}

/// Each owner's block ([`unit_of`]), in the registry's order: formatted
/// once per owner, not once for each of its resources (130,000 strings at
/// 10,000 clients).
fn units(model: &Model) -> Vec<Option<String>> {
    model.origins.ids.owners().map(unit_of).collect()
}

/// The block of the resource `id`, from [`units`].
fn unit_of_id<'u>(model: &Model, units: &'u [Option<String>], id: &str) -> Option<&'u str> {
    model
        .origins
        .ids
        .owner_index(id)
        .and_then(|i| units[i].as_deref())
}

/// The name a child gives a link (as a parameter or an output), before
/// making it unique in the child.
fn link_name(l: &Link) -> String {
    match l {
        Link::Ref(id) => id.to_string(),
        Link::Att(id, attr) => format!("{id}{}", attr.replace('.', "")),
        Link::StackName => "ParentStackName".to_string(),
    }
}

/// The expression for a link where its target is defined.
fn link_expr(l: &Link) -> Expr {
    match l {
        Link::Ref(id) => Expr::Ref(id.clone()),
        Link::Att(id, attr) => Expr::GetAtt(id.clone(), attr.clone()),
        Link::StackName => Expr::Pseudo(Pseudo::StackName),
    }
}

/// What `x` costs in the pretty JSON of a template, `depth` levels deep.
/// Counted as it is serialized: nothing is kept.
fn measure<T: serde::Serialize + ?Sized>(x: &T, depth: usize) -> usize {
    crate::json::pretty_len(x, depth)
        .unwrap_or_else(|e| panic!("bug in topoform: a resource does not serialize: {e}"))
}

/// [`measure`], and the references `x` writes, sorted and without repeats.
fn scan<T: serde::Serialize + ?Sized>(x: &T, depth: usize) -> (usize, Vec<Link>) {
    let (bytes, mut links) = scope::collect(|| measure(x, depth));
    // A sorted Vec is a set in a tenth of the memory of a BTreeSet of a few
    // entries (10,000 clients have 130,000 of them).
    links.sort_unstable();
    links.dedup();
    links.shrink_to_fit();
    (bytes, links)
}

/// A block whose resources [`synth_thinning`] took out of the main
/// template as soon as it was made: what the split needs of them, and no
/// more. They always share a stack, so the split reads them as one node:
/// a node for each of 130,000 resources was most of a 10,000-client
/// split's time.
#[derive(Debug)]
struct Thin {
    /// Whether it writes records.
    zoned: bool,
    /// The links of its resources to what is not the block's, sorted.
    links: Vec<Link>,
    /// Its resources' size in the template.
    bytes: usize,
    /// What its node holds besides a resource's.
    taken: Taken,
}

impl Thin {
    /// Measures a block's resources, and checks the quotas of each.
    fn of(model: &Model, quotas: &mut quota::Resources, block: Vec<(LogicalId, Resource)>) -> Thin {
        let mut ids: Vec<LogicalId> = block.iter().map(|(id, _)| id.clone()).collect();
        ids.sort_unstable();
        let own = |id: &LogicalId| ids.binary_search(id).is_ok();
        let mut thin = Thin {
            zoned: false,
            links: Vec::new(),
            bytes: 0,
            taken: Taken {
                ids: Vec::new(),
                depends_on: Vec::new(),
                crossing: Vec::new(),
            },
        };
        for (id, r) in block {
            quotas.add(model, &id, &r);
            let (bytes, links) = scan(&r, 2);
            thin.bytes += resource_bytes(&id, bytes);
            thin.links
                .extend(links.into_iter().filter(|l| l.target().is_none_or(|t| !own(t))));
            thin.zoned |= writes_records(r.kind);
            if r.depends_on.iter().any(|d| !own(d)) {
                thin.taken
                    .depends_on
                    .extend(r.depends_on.iter().filter(|d| !own(d)).cloned());
                thin.taken.crossing.push((id, r.depends_on));
            }
        }
        thin.links.sort_unstable();
        thin.links.dedup();
        thin.links.shrink_to_fit();
        thin.taken.depends_on.sort_unstable();
        thin.taken.depends_on.dedup();
        thin.taken.ids = ids;
        thin
    }
}

/// Whether a resource of type `kind` writes a record.
fn writes_records(kind: &str) -> bool {
    kind.starts_with("AWS::Route53::")
}

/// How many resources taken out are sent to be measured at once, at least.
const THIN_BATCH: usize = 2_048;

/// Batches sent and not yet measured, at most: beyond, synthesis waits.
const THIN_QUEUE: usize = 2;

/// Runs `synth` (the synthesis of `model`, [`crate::synth::synth_with`])
/// with the split's side of it ([`crate::synth::OnBlock`]): once the main
/// template is sure to be split (it is over a count quota, or the previous
/// output was split), each per-client block's own resources are taken out
/// of it as soon as the block is made, measured as the split measures
/// them and checked against the quotas of single resources, on another
/// core while synthesis goes on, and dropped. The nested stack that
/// receives them makes them again as it is written ([`Pending::fill`]), so
/// that a child's worth of typed resources is held at a time rather than
/// 10,000 clients' (half of the memory). `previous` and `limits` are the
/// split's.
pub fn synth_thinning<R>(
    model: &Model,
    previous: &Placement,
    limits: Limits,
    synth: impl FnOnce(crate::synth::OnBlock<'_>) -> R,
) -> (R, Thinned) {
    let units = units(model);
    let (made, thin, quotas) = std::thread::scope(|scope| {
        let mut taker = Taker {
            model,
            units: &units,
            limits,
            certain: !previous.children.is_empty(),
            batch: (Vec::new(), 0),
            scope,
            measurer: None,
        };
        let made = synth(&mut |main, added| taker.block(main, added));
        let (thin, quotas) = taker.finish();
        (made, thin, quotas)
    });
    let thinned = Thinned {
        units: Some(units),
        thin,
        quotas,
    };
    (made, thinned)
}

/// A thread that measures what is taken out, and the way to it.
type Measurer<'scope> = (
    std::sync::mpsc::SyncSender<Vec<Vec<(LogicalId, Resource)>>>,
    std::thread::ScopedJoinHandle<'scope, (Vec<Thin>, quota::Resources)>,
);

/// [`synth_thinning`]'s taking.
struct Taker<'a, 'scope, 'env> {
    model: &'env Model,
    units: &'a [Option<String>],
    limits: Limits,
    certain: bool,
    /// Blocks' resources, and how many resources.
    batch: (Vec<Vec<(LogicalId, Resource)>>, usize),
    scope: &'scope std::thread::Scope<'scope, 'env>,
    /// Started with the first batch: a topology that is not split starts
    /// no thread.
    measurer: Option<Measurer<'scope>>,
}

impl Taker<'_, '_, '_> {
    /// After a per-client block, with what it set aside (`made`); returns
    /// whether the next blocks set theirs aside.
    fn block(&mut self, main: &mut Template, made: Vec<(LogicalId, Resource)>) -> bool {
        if !self.certain {
            // Counts only grow as blocks are made: a template over one now
            // is over it at the end, and is split. This block's resources
            // stay in it; the next blocks' are set aside.
            self.certain = !self.limits.admits(&Size {
                resources: main.resources.len(),
                parameters: main.parameters.len(),
                outputs: main.outputs.len(),
                bytes: 0,
            });
        }
        let mut own = Vec::with_capacity(made.len());
        for (id, r) in made {
            // Only the block's own: what it adds for many blocks stays.
            if unit_of_id(self.model, self.units, id.as_str()).is_some() {
                own.push((id, r));
            } else {
                let previous = main.resources.insert(id, r);
                assert!(previous.is_none(), "bug in topoform: a resource synthesized twice");
            }
        }
        if !own.is_empty() {
            self.batch.1 += own.len();
            self.batch.0.push(own);
        }
        if self.batch.1 >= THIN_BATCH {
            self.send();
        }
        self.certain
    }

    fn send(&mut self) {
        if self.batch.0.is_empty() {
            return;
        }
        let (batch, _) = std::mem::take(&mut self.batch);
        let model = self.model;
        let (to, _) = self.measurer.get_or_insert_with(|| {
            let (to, from) = std::sync::mpsc::sync_channel::<Vec<Vec<(LogicalId, Resource)>>>(THIN_QUEUE);
            let handle = self.scope.spawn(move || {
                let mut thin = Vec::new();
                let mut quotas = quota::Resources::default();
                for batch in from {
                    for block in batch {
                        thin.push(Thin::of(model, &mut quotas, block));
                    }
                }
                (thin, quotas)
            });
            (to, handle)
        });
        // The measurer ends only when the sender is dropped, or by a
        // panic, which `finish` passes on.
        let _ = to.send(batch);
    }

    /// Everything taken, measured.
    fn finish(mut self) -> (Vec<Thin>, quota::Resources) {
        self.send();
        let Some((to, handle)) = self.measurer.take() else {
            return (Vec::new(), quota::Resources::default());
        };
        drop(to);
        // In the order the blocks were made, which the model's order makes.
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// What [`synth_thinning`] took out of the main template.
#[derive(Debug, Default)]
pub struct Thinned {
    units: Option<Vec<Option<String>>>,
    thin: Vec<Thin>,
    quotas: quota::Resources,
}

impl Thinned {
    /// The quotas of the single resources taken out, measured before they
    /// were dropped ([`quota::resources`] goes on from them).
    pub fn take_quotas(&mut self) -> quota::Resources {
        std::mem::take(&mut self.quotas)
    }
}

/// What one template has still to make: the blocks whose resources were
/// taken out, and which of their resources it holds.
#[derive(Debug, Default)]
struct Refill {
    /// `KIND.NAME`, sorted.
    blocks: Vec<String>,
    /// In ID order.
    ids: Vec<LogicalId>,
    /// The `DependsOn` of those that have one, as this stack writes it.
    depends_on: BTreeMap<LogicalId, Vec<LogicalId>>,
}

/// What each split template (by path) has still to make of the resources
/// taken out as they were made.
#[derive(Debug, Default)]
pub struct Pending(BTreeMap<String, Refill>);

impl Pending {
    /// How many resources are still to be made.
    pub fn resources(&self) -> usize {
        self.0.values().map(|r| r.ids.len()).sum()
    }

    /// Makes the resources the template at `path` lacks, as the synthesis
    /// that `known` comes from made them, into `t`.
    pub fn fill(&self, model: &Model, known: &crate::synth::Known, path: &str, t: &mut Template) {
        let Some(refill) = self.0.get(path) else {
            return;
        };
        let blocks: Vec<(Kind, &str)> = refill
            .blocks
            .iter()
            .map(|u| {
                u.split_once('.')
                    .and_then(|(kind, name)| Some((Kind::from_name(kind)?, name)))
                    .unwrap_or_else(|| unreachable!("bug in topoform: {u} is not a block"))
            })
            .collect();
        let made = crate::synth::resynth(model, known, &blocks);
        // Both in ID order: the resources of the blocks that this template
        // holds, picked in one pass, and added as a map built at once.
        let mut ids = refill.ids.iter().peekable();
        let mut picked: BTreeMap<LogicalId, Resource> = made
            .into_iter()
            .filter(|(id, _)| ids.next_if(|want| *want == id).is_some())
            .map(|(id, mut r)| {
                if let Some(d) = refill.depends_on.get(&id) {
                    r.depends_on.clone_from(d);
                }
                (id, r)
            })
            .collect();
        if let Some(id) = ids.next() {
            unreachable!("bug in topoform: {id} was not made again");
        }
        let before = t.resources.len() + picked.len();
        t.resources.append(&mut picked);
        assert_eq!(t.resources.len(), before, "bug in topoform: a resource is in {path} twice");
    }
}

/// A resource, with what it refers to; or a block taken out as it was made
/// ([`Taken`]). A resource itself stays in the template's map, in the same
/// (ID) order as the nodes, until it is distributed: moved into the nodes,
/// every resource of a 10,000-client split was in two buffers at once.
struct Node<'u> {
    /// Its ID (a taken-out block's: the first of [`ids`](Self::ids)).
    id: LogicalId,
    /// A block taken out of the template as it was made
    /// ([`synth_thinning`], [`Thin`]): only its node is left, for all its
    /// resources, and [`Pending::fill`] makes them again where it lands.
    /// Boxed: a resource's node is as small as it was.
    taken: Option<Box<Taken>>,
    /// How many resources it is.
    count: u32,
    /// Whether it writes records.
    zoned: bool,
    /// The links of its properties, sorted.
    links: Vec<Link>,
    /// The node each link names.
    targets: Targets,
    /// Its size in the template, in bytes.
    bytes: usize,
    /// Its block, if it may move: its owner's (see [`units`]), shared by
    /// the block's resources rather than formatted for each of them.
    unit: Option<&'u str>,
    /// Its group; `None`: it stays in the parent.
    group: Option<usize>,
}

/// What a taken-out block's node holds besides a resource's.
#[derive(Debug)]
struct Taken {
    /// Its resources' IDs, sorted.
    ids: Vec<LogicalId>,
    /// Their `DependsOn` on what is not the block's.
    depends_on: Vec<LogicalId>,
    /// Its resources that depend on what is not the block's, each with its
    /// whole `DependsOn`.
    crossing: Vec<(LogicalId, Vec<LogicalId>)>,
}

impl Node<'_> {
    /// The IDs of its resources.
    fn ids(&self) -> &[LogicalId] {
        match &self.taken {
            Some(t) => &t.ids,
            None => std::slice::from_ref(&self.id),
        }
    }
}

/// Each node's `DependsOn`, in the nodes' order: a resource's (the first
/// nodes are the resources of `resources`, in its order), a taken-out
/// block's on what is not the block's.
fn depends_on<'a>(
    nodes: &'a [Node<'_>],
    resources: &'a BTreeMap<LogicalId, Resource>,
) -> impl Iterator<Item = &'a [LogicalId]> {
    let typed = resources.values().map(|r| r.depends_on.as_slice());
    let taken = nodes[resources.len()..]
        .iter()
        .map(|n| n.taken.as_ref().map_or(&[][..], |t| t.depends_on.as_slice()));
    typed.chain(taken)
}

/// A template's counts, as a split measures them.
#[derive(Clone, Debug, Default)]
struct Size {
    resources: usize,
    parameters: usize,
    outputs: usize,
    bytes: usize,
}

/// Blocks that always share a stack, with what they need and offer.
#[derive(Debug, Default)]
struct Group {
    /// Its blocks, sorted; the first names the group.
    units: Vec<String>,
    /// Its resources, as indexes into the nodes.
    nodes: Vec<usize>,
    /// How many resources they are.
    resources: usize,
    bytes: usize,
    /// What it takes from the parent.
    takes: BTreeSet<Link>,
    /// What the parent takes from it.
    gives: BTreeSet<Link>,
    /// The outputs of its blocks, which go with it.
    outputs: Vec<LogicalId>,
}

/// A child being filled.
#[derive(Debug, Default)]
struct Child {
    groups: Vec<usize>,
    resources: usize,
    bytes: usize,
    takes: BTreeSet<Link>,
    gives: BTreeSet<Link>,
    own_outputs: usize,
}

impl Child {
    /// Its size with `g` added.
    fn with(&self, g: &Group) -> Size {
        let takes = self.takes.union(&g.takes).count();
        let outputs = self.gives.union(&g.gives).count() + self.own_outputs + g.outputs.len();
        Size {
            resources: self.resources + g.resources,
            parameters: takes,
            outputs,
            bytes: TEMPLATE_BYTES
                + self.bytes
                + g.bytes
                + takes * PARAMETER_BYTES
                + outputs * OUTPUT_BYTES,
        }
    }

    /// Whether it stays within `limits` with `g` added. The counts first,
    /// which turn a full child away cheaply: the set unions of `with` cost
    /// as much as the child is big.
    fn takes(&self, g: &Group, limits: Limits) -> bool {
        self.resources + g.resources <= limits.resources
            && TEMPLATE_BYTES + self.bytes + g.bytes <= limits.bytes
            && limits.admits(&self.with(g))
    }

    fn add(&mut self, index: usize, g: &Group) {
        self.groups.push(index);
        self.resources += g.resources;
        self.bytes += g.bytes;
        self.takes.extend(g.takes.iter().cloned());
        self.gives.extend(g.gives.iter().cloned());
        self.own_outputs += g.outputs.len();
    }
}

/// A template's own bytes (its header, metadata and section keys), and the
/// most a parameter or an output costs, as written: generous estimates, so
/// that a child measured by them is never larger than they say.
const TEMPLATE_BYTES: usize = 1_024;
const PARAMETER_BYTES: usize = 700;
const OUTPUT_BYTES: usize = 600;

/// Whether `t` breaks none of `limits`. The counts come first: a template
/// over a count is not serialized just to be split.
fn fits(t: &Template, limits: Limits) -> bool {
    let counted = Size {
        resources: t.resources.len(),
        parameters: t.parameters.len(),
        outputs: t.outputs.len(),
        bytes: 0,
    };
    // Counted, not written: the one serialization that is kept comes
    // after the split (`emit::render_templates`). The file ends in a newline.
    limits.admits(&counted)
        && limits.admits(&Size {
            bytes: measure(t, 0) + 1,
            ..counted
        })
}


/// What every child's logical ID starts with. A nested stack's name is
/// `PARENT-ID-SUFFIX`, so its resources' `aws:cloudformation:stack-name`
/// tags start with `PARENT-Shard`.
pub const CHILD_PREFIX: &str = "Shard";

/// The name of child `n`. IDs that end in a digit are never a block's:
/// every part's suffix ends in a letter.
fn child_id(n: usize) -> LogicalId {
    LogicalId::parse(&format!("{CHILD_PREFIX}{n:03}"))
        .unwrap_or_else(|| unreachable!("bug in topoform: Shard{n:03} is an ID"))
}

fn child_number(id: &LogicalId) -> Option<usize> {
    id.as_str().strip_prefix(CHILD_PREFIX)?.parse().ok()
}

/// Disjoint sets of blocks (union by smaller index, path halving).
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.0[ra.max(rb)] = ra.min(rb);
    }
}

/// Each resource's node, by its ID (a binary search over the nodes of
/// 130,000 resources missed the cache at every step, and a taken-out
/// block's node holds many IDs). Only looked up, never iterated, so its
/// order reaches nothing.
type Index = rustc_hash::FxHashMap<LogicalId, usize>;

/// The nodes a list of links names, in its order (`None`: a parameter,
/// a pseudo parameter).
type Targets = Vec<Option<usize>>;

fn targets(index: &Index, links: &[Link]) -> Targets {
    links
        .iter()
        .map(|l| l.target().and_then(|t| index.get(t.as_str()).copied()))
        .collect()
}

/// Every resource of the template, in ID order, then every block taken out
/// of it (`thin`), with its links, what they name, its size and block; and
/// the index of the nodes by the IDs of their resources.
fn read<'u>(
    model: &Model,
    resources: &BTreeMap<LogicalId, Resource>,
    thin: Vec<Thin>,
    units: &'u [Option<String>],
) -> (Vec<Node<'u>>, Index) {
    let mut index = Index::default();
    index.reserve(resources.len() + thin.iter().map(|t| t.taken.ids.len()).sum::<usize>());
    index.extend(resources.keys().enumerate().map(|(i, id)| (id.clone(), i)));
    for (i, t) in thin.iter().enumerate() {
        index.extend(t.taken.ids.iter().map(|id| (id.clone(), resources.len() + i)));
    }
    let node = |(id, resource): (&LogicalId, &Resource)| {
        // One serialization per resource, into a counter: its size in the
        // template (three levels deep, after its key), and its references,
        // with the nodes they name (looked up here, on every core).
        let (bytes, links) = scan(resource, 2);
        Node {
            bytes: resource_bytes(id, bytes),
            unit: unit_of_id(model, units, id.as_str()),
            id: id.clone(),
            taken: None,
            count: 1,
            zoned: writes_records(resource.kind),
            targets: targets(&index, &links),
            links,
            group: None,
        }
    };
    // Resources are independent: read them on every core, in order.
    let n = resources.len();
    let mut nodes = crate::par::map(resources.iter().collect(), n, node);
    // The blocks taken out were measured as they were made.
    nodes.extend(thin.into_iter().map(|t| {
        let id = t.taken.ids[0].clone();
        Node {
            unit: unit_of_id(model, units, id.as_str()),
            targets: targets(&index, &t.links),
            id,
            count: u32::try_from(t.taken.ids.len()).unwrap_or(u32::MAX),
            zoned: t.zoned,
            links: t.links,
            bytes: t.bytes,
            group: None,
            taken: Some(Box::new(t.taken)),
        }
    }));
    (nodes, index)
}

/// A resource's bytes in its template, from those of its body (`body`):
/// its key, quotes, colon and the indentation around it.
fn resource_bytes(id: &LogicalId, body: usize) -> usize {
    body + id.as_str().len() + 10
}

/// The groups of blocks whose resources refer to each other, in the order
/// of their first block's name; sets each node's group, and each group's
/// links and outputs.
fn group(
    model: &Model,
    nodes: &mut [Node<'_>],
    index: &Index,
    resources: &BTreeMap<LogicalId, Resource>,
    outputs: &BTreeMap<LogicalId, Output>,
    units: &[Option<String>],
) -> Vec<Group> {
    // Blocks by name, numbered in name order; each node's block number.
    // A block's resources are mostly neighbours in ID order (their IDs
    // share its prefix): the repeats go before the sort, and the numbers
    // are looked up by hash (a tree of 20,000 names compared each of
    // 130,000 nodes' names with fifteen others).
    let mut names: Vec<&str> = nodes.iter().filter_map(|n| n.unit).collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    let number: rustc_hash::FxHashMap<&str, usize> =
        names.iter().enumerate().map(|(i, &u)| (u, i)).collect();
    let unit_of_node: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| n.unit.map(|u| number[u]))
        .collect();
    // A block's output goes with its block, so it ties its block to the
    // blocks it refers to, as a resource does.
    let outputs: Vec<(&LogicalId, Option<usize>, Vec<Link>)> = outputs
        .iter()
        .map(|(id, o)| {
            let owner = unit_of_id(model, units, id.as_str());
            (id, owner.and_then(|u| number.get(u).copied()), scan(o, 0).1)
        })
        .collect();
    let output_nodes: Vec<Targets> = outputs
        .iter()
        .map(|(_, _, links)| targets(index, links))
        .collect();
    let mut sets = Sets((0..names.len()).collect());
    let mut tie = |unit: Option<usize>, targets: &mut dyn Iterator<Item = usize>| {
        let Some(a) = unit else {
            return;
        };
        for j in targets {
            if let Some(b) = unit_of_node[j] {
                sets.union(a, b);
            }
        }
    };
    for ((&unit, n), depends_on) in unit_of_node.iter().zip(nodes.iter()).zip(depends_on(nodes, resources)) {
        let after = depends_on.iter().filter_map(|d| index.get(d.as_str()).copied());
        tie(unit, &mut n.targets.iter().flatten().copied().chain(after));
    }
    for ((_, owner, _), to) in outputs.iter().zip(&output_nodes) {
        tie(*owner, &mut to.iter().flatten().copied());
    }
    let mut group_of_set: BTreeMap<usize, usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of_unit: Vec<usize> = Vec::with_capacity(names.len());
    for (u, name) in names.iter().enumerate() {
        let next = groups.len();
        let g = *group_of_set.entry(sets.find(u)).or_insert(next);
        if g == next {
            groups.push(Group::default());
        }
        groups[g].units.push((*name).to_string());
        group_of_unit.push(g);
    }
    for (i, (n, unit)) in nodes.iter_mut().zip(&unit_of_node).enumerate() {
        if let Some(g) = unit.map(|u| group_of_unit[u]) {
            n.group = Some(g);
            groups[g].nodes.push(i);
            groups[g].resources += n.count as usize;
            groups[g].bytes += n.bytes;
        }
    }
    // What each group takes from the parent, and the parent from it. Most
    // links are already in the set (every client takes the same few shared
    // things): look before cloning.
    let group_of = |j: &Option<usize>| j.and_then(|j| nodes[j].group);
    let add = |set: &mut BTreeSet<Link>, link: &Link| {
        if !set.contains(link) {
            set.insert(link.clone());
        }
    };
    for n in nodes.iter() {
        for (link, j) in n.links.iter().zip(&n.targets) {
            match (n.group, group_of(j)) {
                (Some(g), None) => add(&mut groups[g].takes, link),
                (None, Some(h)) => add(&mut groups[h].gives, link),
                _ => {}
            }
        }
    }
    // An output of a block goes with its block, and takes what it refers
    // to like a resource; the parent's own outputs read from children.
    for ((id, owner, links), to) in outputs.iter().zip(&output_nodes) {
        match owner.map(|u| group_of_unit[u]) {
            Some(g) => {
                groups[g].outputs.push((*id).clone());
                groups[g].bytes += OUTPUT_BYTES;
                for (link, j) in links.iter().zip(to) {
                    if group_of(j).is_none() {
                        add(&mut groups[g].takes, link);
                    }
                }
            }
            None => {
                for (link, j) in links.iter().zip(to) {
                    if let Some(h) = group_of(j) {
                        add(&mut groups[h].gives, link);
                    }
                }
            }
        }
    }
    groups
}

/// What stays in the parent whatever happens: its shared resources,
/// parameters and outputs.
struct Shared {
    resources: usize,
    bytes: usize,
    parameters: usize,
    outputs: usize,
}

/// The shard rule: which child holds each group (by number), and the
/// warnings for groups that leave the parent.
fn place(
    model: &Model,
    groups: &[Group],
    nodes: &[Node<'_>],
    shared: &Shared,
    previous: &Placement,
    limits: Limits,
) -> (BTreeMap<usize, Child>, Vec<Diagnostic>) {
    let mut children: BTreeMap<usize, Child> = BTreeMap::new();
    let mut in_parent: Vec<usize> = Vec::new();
    let mut fresh: Vec<usize> = Vec::new();
    let mut diags = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        // Where its blocks were: nowhere (new), the parent (0), or children.
        let was: BTreeSet<usize> = group
            .units
            .iter()
            .filter_map(|u| match previous.children.get(u) {
                Some(child) => child_number(child),
                None => previous.parent.contains(u).then_some(0),
            })
            .collect();
        if was.len() > 1 {
            diags.push(split_group(model, group, &was));
        }
        match was.first() {
            Some(0) => in_parent.push(g),
            Some(&n) => children.entry(n).or_default().add(g, group),
            None => fresh.push(g),
        }
    }
    // The parent keeps its groups while it fits; the last move out.
    let parent_size = |kept: &[usize], children: usize| {
        let sum = |f: &dyn Fn(&Group) -> usize| kept.iter().map(|&g| f(&groups[g])).sum::<usize>();
        let outputs = shared.outputs + sum(&|g| g.outputs.len());
        Size {
            resources: shared.resources + children + sum(&|g| g.resources),
            parameters: shared.parameters,
            outputs,
            bytes: TEMPLATE_BYTES
                + shared.bytes
                + sum(&|g| g.bytes)
                + shared.parameters * PARAMETER_BYTES
                + shared.outputs * OUTPUT_BYTES
                + children * 4 * PARAMETER_BYTES,
        }
    };
    diags.extend(oversize(model, groups, nodes, limits));
    let fill = limits.filled();
    let mut moved = Vec::new();
    loop {
        // The new groups first: the parent's count of children depends on
        // them.
        for g in std::mem::take(&mut fresh) {
            let group = &groups[g];
            let n = children
                .iter()
                .find(|(_, c)| c.takes(group, fill))
                .map_or_else(
                    || children.keys().next_back().map_or(1, |n| n + 1),
                    |(&n, _)| n,
                );
            children.entry(n).or_default().add(g, group);
        }
        if in_parent.is_empty() || limits.admits(&parent_size(&in_parent, children.len())) {
            break;
        }
        if let Some(g) = in_parent.pop() {
            moved.push(g);
            fresh.push(g);
        }
    }
    // A move is an error: the names a block's resources carry (its group's,
    // its records', its exports) are the same in either stack, and
    // CloudFormation creates the new ones before it deletes the old, so the
    // deploy would fail and roll back.
    diags.extend(moved.into_iter().map(|g| {
        let (block, span) = block_of(model, &groups[g].units[0]);
        Diagnostic::error(
            Code::QuotaExceeded,
            span,
            format!("the main template has no more room for {block}, and moving it into a nested stack would fail"),
        )
        .label("held by the main template")
        .help("CloudFormation would create its resources in the nested stack before it deletes them here, and their names clash: remove this block and deploy, then add it back and deploy again (the main template holds it no longer)")
    }));
    (children, diags)
}

/// The groups that no stack can hold: blocks that refer to each other share
/// a stack, so no split helps. Each is named by its largest block (the one
/// the others point at), with what it breaks.
fn oversize(model: &Model, groups: &[Group], nodes: &[Node<'_>], limits: Limits) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for group in groups {
        let alone = Child::default().with(group);
        let over: Vec<String> = [
            ("resources", alone.resources, limits.resources),
            ("parameters", alone.parameters, limits.parameters),
            ("outputs", alone.outputs, limits.outputs),
            ("bytes", alone.bytes, limits.bytes),
        ]
        .into_iter()
        .filter(|(_, n, limit)| n > limit)
        .map(|(what, n, limit)| format!("{n} {what} (the limit is {limit})"))
        .collect();
        if over.is_empty() {
            continue;
        }
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for node in group.nodes.iter().map(|&i| &nodes[i]) {
            if let Some(unit) = node.unit {
                *sizes.entry(unit).or_default() += node.count as usize;
            }
        }
        let largest = sizes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or(group.units[0].as_str(), |(u, _)| u);
        let (block, span) = block_of(model, largest);
        diags.push(
            Diagnostic::error(
                Code::QuotaExceeded,
                span,
                format!(
                    "{block} and the {} blocks tied to it need {} in one stack",
                    group.units.len() - 1,
                    over.join(", ")
                ),
            )
            .label("these blocks must share a stack")
            .help("blocks that refer to each other (a failover and its primary) cannot be split across stacks: point fewer of them at this block, or split the topology into two stacks"),
        );
    }
    diags
}

/// A group whose blocks were in different stacks (a failover now points at
/// an instance in another stack): placing it moves some of them, which
/// fails as any move does.
fn split_group(model: &Model, group: &Group, was: &BTreeSet<usize>) -> Diagnostic {
    let (block, span) = block_of(model, &group.units[0]);
    let stacks: Vec<String> = was
        .iter()
        .map(|&n| {
            if n == 0 {
                "the main template".to_string()
            } else {
                child_id(n).to_string()
            }
        })
        .collect();
    Diagnostic::error(
        Code::QuotaExceeded,
        span,
        format!(
            "{block} now refers to blocks in another stack ({}), and topoform keeps blocks that refer to each other in one",
            stacks.join(", ")
        ),
    )
    .label("its blocks would have to move")
    .help(format!(
        "moving a block's resources between stacks fails on their names; blocks: {}. Remove the reference, or remove the blocks, deploy, and add them back",
        group.units.join(", ")
    ))
}

/// A child's names for what crosses its boundary.
#[derive(Default)]
struct Boundary {
    /// Its parameters, by what they carry.
    parameters: BTreeMap<Link, LogicalId>,
    /// Its outputs the parent reads, by what they carry.
    outputs: BTreeMap<Link, LogicalId>,
    /// What its stack depends on in the parent (or in another child).
    depends_on: BTreeSet<LogicalId>,
}

/// Names for a child's parameters and outputs, unique among its own IDs.
fn boundary(c: &Child, groups: &[Group], nodes: &[Node<'_>]) -> Boundary {
    // The child's own IDs, borrowed: a child of 390 resources is asked
    // about a handful of names, and copying every ID to ask was a split's
    // worth of allocations.
    let own: BTreeSet<&str> = c
        .groups
        .iter()
        .flat_map(|&g| {
            let group = &groups[g];
            group
                .nodes
                .iter()
                .flat_map(|&i| nodes[i].ids())
                .map(LogicalId::as_str)
                .chain(group.outputs.iter().map(LogicalId::as_str))
        })
        .collect();
    let mut named: BTreeSet<String> = BTreeSet::new();
    let mut unique = |name: String| {
        let mut candidate = name.clone();
        let mut k = 0;
        while own.contains(candidate.as_str()) || named.contains(&candidate) {
            candidate = format!("{name}{k}");
            k += 1;
        }
        named.insert(candidate.clone());
        LogicalId::parse(&candidate).unwrap_or_else(|| unreachable!("bug in topoform: {candidate}"))
    };
    Boundary {
        parameters: c
            .takes
            .iter()
            .map(|l| (l.clone(), unique(link_name(l))))
            .collect(),
        outputs: c
            .gives
            .iter()
            .map(|l| (l.clone(), unique(format!("{}Out", link_name(l)))))
            .collect(),
        depends_on: BTreeSet::new(),
    }
}

/// Moves every child's resources into its template, and sets what each
/// template writes for the references that cross a boundary (a child's
/// parameters, the parent's reads of children's outputs); returns the
/// parent's resources, and what each template (`None`: the parent) has
/// still to make of the resources taken out of it as they were made.
/// `DependsOn` across a boundary becomes the child stack's.
fn distribute(
    nodes: Vec<Node<'_>>,
    index: &Index,
    resources: BTreeMap<LogicalId, Resource>,
    child_of_group: &BTreeMap<usize, LogicalId>,
    boundaries: &mut BTreeMap<LogicalId, Boundary>,
    children: &mut BTreeMap<LogicalId, Template>,
) -> (
    BTreeMap<LogicalId, Resource>,
    Rewrites,
    BTreeMap<Option<LogicalId>, Refill>,
) {
    // The child of each resource that another one depends on (only those:
    // references are rewritten by the templates' `Rewrites`), a taken-out
    // block's own included.
    let crossing = nodes
        .iter()
        .flat_map(|n| n.taken.iter().flat_map(|t| &t.crossing))
        .flat_map(|(_, d)| d);
    let stack_by_id: BTreeMap<LogicalId, LogicalId> = depends_on(&nodes, &resources)
        .flatten()
        .chain(crossing)
        .filter_map(|d| {
            let j = *index.get(d.as_str())?;
            Some((d.clone(), child_of_group.get(&nodes[j].group?)?.clone()))
        })
        .collect();
    let stack_of = |id: &LogicalId| stack_by_id.get(id).cloned();
    let parent_reads = rewrites(boundaries, children);
    // Each child's resources are gathered in ID order, and its map built
    // from them at once: inserted one by one, each resource was compared
    // with a dozen IDs and each child looked up twice by name.
    let slots: Vec<LogicalId> = children.keys().cloned().collect();
    let slot_of = |g: usize| -> Option<usize> {
        let child = child_of_group.get(&g)?;
        Some(
            slots
                .binary_search(child)
                .unwrap_or_else(|_| unreachable!("bug in topoform: a group's child has a template")),
        )
    };
    let mut depends_on_in = |slot: Option<usize>, depends_on: &mut Vec<LogicalId>| {
        let child = slot.map(|s| &slots[s]);
        depends_on_in_stack(child, depends_on, &stack_of, boundaries);
    };
    let mut gathered: Vec<Vec<(LogicalId, Resource)>> = slots.iter().map(|_| Vec::new()).collect();
    // Each child's (by slot), then the parent's.
    let mut refills: Vec<Refill> = (0..=slots.len()).map(|_| Refill::default()).collect();
    let mut parent = BTreeMap::new();
    // The map is freed as it is drained, while the children's fill.
    let mut resources = resources.into_iter();
    for node in nodes {
        let slot = node.group.and_then(slot_of);
        if let Some(taken) = node.taken {
            let Taken { ids, crossing, .. } = *taken;
            let (id, unit) = (node.id, node.unit);
            let refill = &mut refills[slot.unwrap_or(slots.len())];
            for (resource, mut depends_on) in crossing {
                depends_on_in(slot, &mut depends_on);
                refill.depends_on.insert(resource, depends_on);
            }
            let unit = unit.unwrap_or_else(|| unreachable!("bug in topoform: {id} was taken out, and has no block"));
            // A taken node is one block: no block is pushed twice.
            refill.blocks.push(unit.to_string());
            refill.ids.extend(ids);
            continue;
        }
        let (id, mut resource) = resources
            .next()
            .unwrap_or_else(|| unreachable!("bug in topoform: a node has no resource"));
        debug_assert_eq!(node.id, id, "bug in topoform: the nodes are in ID order");
        depends_on_in(slot, &mut resource.depends_on);
        match slot {
            Some(slot) => gathered[slot].push((id, resource)),
            None => {
                parent.insert(id, resource);
            }
        }
    }
    for (child, list) in slots.iter().zip(gathered) {
        let t = children.get_mut(child).unwrap_or_else(|| unreachable!());
        // In ID order already: the map is built without a comparison per
        // level.
        t.resources.append(&mut list.into_iter().collect());
    }
    let refills = slots
        .into_iter()
        .map(Some)
        .chain([None])
        .zip(refills)
        .filter(|(_, r)| !r.ids.is_empty())
        .map(|(at, mut r)| {
            r.blocks.sort_unstable();
            r.ids.sort_unstable();
            (at, r)
        })
        .collect();
    (parent, parent_reads, refills)
}

/// What each child writes for its parameters (set on its template), and
/// what the parent writes for its reads of children's outputs (returned).
fn rewrites(
    boundaries: &BTreeMap<LogicalId, Boundary>,
    children: &mut BTreeMap<LogicalId, Template>,
) -> Rewrites {
    let mut parent_reads = Rewrites::default();
    for (child, b) in boundaries {
        let mut r = Rewrites::default();
        for (link, name) in &b.parameters {
            r.insert(link, Replacement::Parameter(name.clone()));
        }
        if let Some(t) = children.get_mut(child) {
            t.rewrites = (!r.is_empty()).then(|| Arc::new(r));
        }
        for (link, name) in &b.outputs {
            parent_reads.insert(link, Replacement::Output(child.clone(), name.clone()));
        }
    }
    parent_reads
}

/// A resource's `DependsOn` in the stack that holds it (`child`, or the
/// parent), where `stack_of` names the child of each resource in one: in a
/// child, what is elsewhere becomes a `DependsOn` of its stack; in the
/// parent, what is in a child becomes that child's stack.
fn depends_on_in_stack(
    child: Option<&LogicalId>,
    depends_on: &mut Vec<LogicalId>,
    stack_of: &dyn Fn(&LogicalId) -> Option<LogicalId>,
    boundaries: &mut BTreeMap<LogicalId, Boundary>,
) {
    match child {
        Some(child) => {
            let b = boundaries.get_mut(child).unwrap_or_else(|| unreachable!());
            let (keep, cross): (Vec<LogicalId>, Vec<LogicalId>) = depends_on
                .drain(..)
                .partition(|d| stack_of(d).as_ref() == Some(child));
            *depends_on = keep;
            b.depends_on
                .extend(cross.into_iter().map(|d| stack_of(&d).unwrap_or(d)));
        }
        None => {
            if depends_on.iter().any(|d| stack_of(d).is_some()) {
                for d in depends_on.iter_mut() {
                    if let Some(child) = stack_of(d) {
                        *d = child;
                    }
                }
                depends_on.sort();
                depends_on.dedup();
            }
        }
    }
}

/// An empty child template, in the parent's region.
fn child_template(
    model: &Model,
    id: &LogicalId,
    parent: &crate::cfn::TemplateMetadata,
) -> Template {
    let description = format!(
        "Nested stack {id} of {}: the blocks listed in the parent's Metadata.topoform.shards",
        model.stack.name
    );
    Template::empty(Some(description), &parent.topoform.region)
}

/// A child's parameters (a parent parameter keeps its type) and the outputs
/// the parent reads; returns the values the parent passes.
fn declare(
    t: &mut Template,
    b: &Boundary,
    parent: &BTreeMap<LogicalId, Parameter>,
) -> BTreeMap<LogicalId, Expr> {
    let mut values = BTreeMap::new();
    for (link, name) in &b.parameters {
        let parameter = match link {
            Link::Ref(p) if parent.contains_key(p) => parent[p].clone(),
            _ => Parameter {
                kind: "String",
                default: None,
                allowed_pattern: None,
                description: match link {
                    Link::Ref(x) => format!("Ref {x} of the parent stack"),
                    Link::Att(x, a) => format!("{x}.{a} of the parent stack"),
                    Link::StackName => "The parent stack's name".to_string(),
                },
            },
        };
        t.parameters.insert(name.clone(), parameter);
        values.insert(name.clone(), link_expr(link));
    }
    for (link, name) in &b.outputs {
        let description = match link {
            Link::Ref(x) => format!("Ref {x}, for the parent stack"),
            Link::Att(x, a) => format!("{x}.{a}, for the parent stack"),
            Link::StackName => unreachable!("bug in topoform: a child gives its name"),
        };
        t.outputs.insert(
            name.clone(),
            Output {
                description,
                value: link_expr(link),
                export: None,
            },
        );
    }
    values
}

/// A block's outputs go to its child (which writes them in its own terms).
fn move_outputs(
    groups: &[Group],
    child_of_group: &BTreeMap<usize, LogicalId>,
    child_templates: &mut BTreeMap<LogicalId, Template>,
    outputs: &mut BTreeMap<LogicalId, Output>,
) {
    for (g, group) in groups.iter().enumerate() {
        let Some(child) = child_of_group.get(&g) else {
            continue;
        };
        let t = child_templates
            .get_mut(child)
            .unwrap_or_else(|| unreachable!("bug in topoform: {child} has no template"));
        for id in &group.outputs {
            if let Some(o) = outputs.remove(id) {
                t.outputs.insert(id.clone(), o);
            }
        }
    }
}

/// The parent's `AWS::CloudFormation::Stack` of child `id`.
fn nested_stack(
    id: &LogicalId,
    parameters: BTreeMap<LogicalId, Expr>,
    tags: &[Tag],
    b: &Boundary,
) -> Resource {
    let mut stack = Resource::new(Stack {
        template_url: layout::nested_template(id.as_str()),
        parameters,
        tags: tags.to_vec(),
    });
    stack.depends_on = b.depends_on.iter().cloned().collect();
    stack
}

/// Records in the parent's metadata the blocks child `id` holds: the
/// memory of the shard rule.
fn record(
    metadata: &mut crate::cfn::TemplateMetadata,
    id: &LogicalId,
    c: &Child,
    groups: &[Group],
) {
    let mut blocks: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for unit in c.groups.iter().flat_map(|&g| &groups[g].units) {
        let (kind, name) = unit.split_once('.').unwrap_or_else(|| unreachable!());
        blocks.entry(kind.to_string()).or_default().push(name);
    }
    let blocks = blocks
        .into_iter()
        .map(|(kind, mut names)| {
            names.sort_unstable();
            (kind, names.join(" "))
        })
        .collect();
    metadata.topoform.shards.insert(id.to_string(), blocks);
}

/// Splits the main template among `templates` when it breaks `limits`, or
/// when `previous` had split it; returns the warnings for blocks that move.
#[cfg_attr(
    not(any(test, feature = "internals")),
    allow(dead_code, reason = "the pipeline splits with what it took out as it was made")
)]
pub fn split(
    model: &Model,
    templates: &mut BTreeMap<String, Template>,
    previous: &Placement,
    limits: Limits,
) -> Vec<Diagnostic> {
    split_thinned(model, templates, previous, limits, Thinned::default()).0
}

/// [`split`], with the resources that [`synth_thinning`] took out of the main
/// template as they were made (`thinned`); returns also what each template
/// has still to make of them ([`Pending::fill`], as it is written).
pub fn split_thinned(
    model: &Model,
    templates: &mut BTreeMap<String, Template>,
    previous: &Placement,
    limits: Limits,
    thinned: Thinned,
) -> (Vec<Diagnostic>, Pending) {
    let path = layout::main_template(&model.stack.name);
    let Some(main) = templates.remove(&path) else {
        return (Vec::new(), Pending::default());
    };
    // Resources are taken out only of a template that breaks a quota.
    if thinned.thin.is_empty() && previous.children.is_empty() && fits(&main, limits) {
        templates.insert(path, main);
        return (Vec::new(), Pending::default());
    }
    let Template {
        format_version,
        description,
        mut metadata,
        parameters,
        resources,
        mut outputs,
        rewrites: _,
    } = main;
    let units = thinned.units.unwrap_or_else(|| units(model));
    let (mut nodes, index) = read(model, &resources, thinned.thin, &units);
    let groups = group(model, &mut nodes, &index, &resources, &outputs, &units);
    let stays = nodes.iter().filter(|n| n.group.is_none());
    let shared = Shared {
        resources: stays.clone().count(),
        bytes: stays.map(|n| n.bytes).sum(),
        parameters: parameters.len(),
        outputs: outputs.len() - groups.iter().map(|g| g.outputs.len()).sum::<usize>(),
    };
    let (children, diags) = place(model, &groups, &nodes, &shared, previous, limits);

    let child_of_group: BTreeMap<usize, LogicalId> = children
        .iter()
        .flat_map(|(&n, c)| c.groups.iter().map(move |&g| (g, child_id(n))))
        .collect();
    let mut boundaries: BTreeMap<LogicalId, Boundary> = children
        .iter()
        .map(|(&n, c)| (child_id(n), boundary(c, &groups, &nodes)))
        .collect();
    let mut child_templates: BTreeMap<LogicalId, Template> = children
        .keys()
        .map(|&n| (child_id(n), child_template(model, &child_id(n), &metadata)))
        .collect();
    let zoned = zoned_children(&children, &groups, &nodes);
    let (mut parent_resources, parent_reads, refills) = distribute(
        nodes,
        &index,
        resources,
        &child_of_group,
        &mut boundaries,
        &mut child_templates,
    );
    move_outputs(&groups, &child_of_group, &mut child_templates, &mut outputs);
    // The child stacks in the parent, and their templates.
    let stack_tags: Vec<Tag> = model
        .stack
        .tags
        .iter()
        .map(|(k, v)| Tag::new(k.clone(), v.as_str()))
        .collect();
    for (&n, c) in &children {
        let id = child_id(n);
        let mut t = child_templates
            .remove(&id)
            .unwrap_or_else(|| unreachable!());
        if zoned.contains(&id) {
            t.metadata.topoform.zones = metadata.topoform.zones.clone();
        }
        let b = &boundaries[&id];
        let values = declare(&mut t, b, &parameters);
        record(&mut metadata, &id, c, &groups);
        metadata.cfn_lint.get_or_insert_with(relative_urls);
        parent_resources.insert(id.clone(), nested_stack(&id, values, &stack_tags, b));
        templates.insert(layout::nested_template(id.as_str()), t);
    }
    templates.insert(
        path,
        Template {
            format_version,
            description,
            metadata,
            parameters,
            resources: parent_resources,
            outputs,
            rewrites: (!parent_reads.is_empty()).then(|| Arc::new(parent_reads)),
        },
    );
    let pending = refills
        .into_iter()
        .map(|(child, refill)| {
            let path = child.map_or_else(
                || layout::main_template(&model.stack.name),
                |id| layout::nested_template(id.as_str()),
            );
            (path, refill)
        })
        .collect();
    (diags, Pending(pending))
}

/// The parent's word to cfn-lint on its nested stacks' `TemplateURL`s.
fn relative_urls() -> CfnLint {
    CfnLint {
        config: CfnLintConfig {
            ignore_checks: vec!["W3002"],
        },
        reasons: BTreeMap::from([(
            "W3002",
            "Each TemplateURL is the child's path relative to this file: deploy.sh runs `aws cloudformation package`, which uploads the child and writes its S3 URL.",
        )]),
    }
}

/// The children that write records: they name their zones, as the parent
/// does.
fn zoned_children(children: &BTreeMap<usize, Child>, groups: &[Group], nodes: &[Node<'_>]) -> BTreeSet<LogicalId> {
    children
        .iter()
        .filter(|(_, c)| {
            c.groups.iter().any(|&g| {
                groups[g]
                    .nodes
                    .iter()
                    .any(|&i| nodes[i].zoned)
            })
        })
        .map(|(&n, _)| child_id(n))
        .collect()
}

/// A block's name for messages, and where it was written.
fn block_of(model: &Model, unit: &str) -> (String, crate::source::Span) {
    let span = model
        .origins
        .ids
        .owners()
        .find(|o| unit_of(o).as_deref() == Some(unit))
        .map_or(model.origins.stack, |o| o.span);
    (format!("[{}]", unit.replace('/', " client ")), span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The links of a template's JSON, read back: each intrinsic parsed as
    /// an [`Expr`] and serialized again to see its references.
    fn json_links(v: &Value, out: &mut BTreeSet<Link>, at: &str) {
        if let Some(e) = Expr::parse(v) {
            let ((), links) = scope::collect(|| {
                serde_json::to_value(&e).unwrap();
            });
            out.extend(links);
            return;
        }
        if let Value::Object(m) = v {
            let intrinsic = m.keys().find(|k| *k == "Ref" || k.starts_with("Fn::"));
            assert!(
                intrinsic.is_none(),
                "{at}: {v} is not an intrinsic Expr writes"
            );
            for x in m.values() {
                json_links(x, out, at);
            }
        }
        if let Value::Array(a) = v {
            for x in a {
                json_links(x, out, at);
            }
        }
    }

    /// The split reads a resource's references as [`Expr`] writes them (see
    /// `cfn::scope`). Every reference in every fixture's resources and
    /// outputs must be seen that way: one written by other means would stay
    /// unrewritten in a child.
    #[test]
    fn the_references_a_scan_sees_are_those_the_json_holds() {
        let mut checked = 0;
        for (path, artifacts) in crate::synth::tests::fixtures() {
            for (file, t) in &artifacts.templates {
                let at = format!("{}: {file}", path.display());
                for (id, r) in &t.resources {
                    let (_, seen) = scan(r, 2);
                    let mut read = BTreeSet::new();
                    json_links(&serde_json::to_value(r).unwrap(), &mut read, &at);
                    assert_eq!(seen, Vec::from_iter(read), "{at}: {id}");
                    checked += seen.len();
                }
                for (id, o) in &t.outputs {
                    let (_, seen) = scan(o, 0);
                    let mut read = BTreeSet::new();
                    json_links(&serde_json::to_value(o).unwrap(), &mut read, &at);
                    assert_eq!(seen, Vec::from_iter(read), "{at}: {id}");
                }
            }
        }
        assert!(checked > 100, "only {checked} references");
    }
    /// A nested stack makes again the resources of its blocks that were
    /// taken out, exactly as synthesis made them, with the `DependsOn` its
    /// split wrote (one across a boundary names the other stack), and only
    /// those it was given.
    #[test]
    fn a_template_makes_again_what_was_taken_out_with_its_own_depends_on() {
        let toml = format!("[stack]\nname = \"s\"\nregion = \"eu-west-1\"\n{}", crate::synth::tests::WEB);
        let model = crate::synth::tests::model(&toml);
        let artifacts = crate::synth::synth(&model);
        let main = &artifacts.templates[&layout::main_template("s")];
        let units = units(&model);
        let own: Vec<&LogicalId> = main
            .resources
            .keys()
            .filter(|id| unit_of_id(&model, &units, id.as_str()).is_some())
            .collect();
        assert!(own.len() > 3, "{own:?}");
        let group = LogicalId::parse("WebGroup").unwrap();
        assert!(!main.resources[&group].depends_on.is_empty());
        let path = layout::nested_template("Shard001");
        let skipped = own[0].clone();
        let refill = Refill {
            blocks: vec!["instance.web".to_string()],
            ids: own.iter().skip(1).map(|id| (*id).clone()).collect(),
            depends_on: BTreeMap::from([(group.clone(), vec![child_id(2)])]),
        };
        let pending = Pending(BTreeMap::from([(path.clone(), refill)]));
        let mut t = Template::empty(None, "eu-west-1");
        pending.fill(&model, &artifacts.known, &path, &mut t);
        assert_eq!(t.resources.len(), own.len() - 1);
        assert!(!t.resources.contains_key(&skipped));
        assert_eq!(t.resources[&group].depends_on, vec![child_id(2)]);
        for (id, r) in &t.resources {
            if *id == group {
                continue;
            }
            let json = |r: &Resource| serde_json::to_string(r).unwrap();
            assert_eq!(json(r), json(&main.resources[id]), "{id}");
        }
        // A template with nothing pending is left as it is.
        let mut other = Template::empty(None, "eu-west-1");
        pending.fill(&model, &artifacts.known, "other.template.json", &mut other);
        assert!(other.resources.is_empty());
    }

}
