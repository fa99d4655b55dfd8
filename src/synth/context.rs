//! What every kind's synthesis shares: the model, the templates being
//! filled, the text files, and the stack's tags.

use std::collections::BTreeMap;

use super::discover::Discoveries;
use crate::cfn::ec2::UserData;
use crate::cfn::{Export, Expr, Output, Pseudo, Resource, Tag, Template};
use crate::layout;
use crate::model::Model;
use crate::naming::LogicalId;

/// The only region CloudFront takes certificates from.
const EDGE_REGION: &str = "us-east-1";

/// Synthesis in progress.
pub(super) struct Context<'m> {
    /// The validated topology.
    pub(super) model: &'m Model,
    /// The main template.
    pub(super) main: Template,
    /// The us-east-1 edge template, once a block needs it.
    pub(super) edge: Option<Template>,
    /// Text files by relative path (`userdata/NAME.sh`, …).
    pub(super) files: BTreeMap<String, String>,
    /// Each user-data file's launch-template `UserData`, by path: a script
    /// that thousands of instances share is rendered and compressed once.
    user_data: BTreeMap<String, UserData>,
    /// Those of an earlier synthesis, when this one makes blocks again
    /// ([`super::resynth`]): looked up, never rendered again.
    known_user_data: Option<&'m BTreeMap<String, UserData>>,
    /// Whether [`add`](Self::add) sets resources aside, in `diverted`,
    /// rather than adding them to the main template.
    diverting: bool,
    /// The resources set aside, in the order they were made.
    diverted: Vec<(LogicalId, Resource)>,
    /// `[stack] tags`, for every taggable resource.
    pub(super) stack_tags: Vec<Tag>,
    /// What the deploy plan must find out or check.
    pub(super) discoveries: Discoveries,
    /// The EventBridge rules that publish to the alarm topic.
    pub(super) notify_rules: Vec<LogicalId>,
    /// The root-device parameter of each literal image and root volume
    /// size: its ID is made of words (heck) once, not once per instance.
    pub(super) root_device_ids: BTreeMap<(String, Option<u32>), LogicalId>,
}

impl<'m> Context<'m> {
    pub(super) fn new(model: &'m Model) -> Self {
        let stack = &model.stack;
        Context {
            model,
            main: Template::empty(stack.description.clone(), &stack.region),
            edge: None,
            files: BTreeMap::new(),
            user_data: BTreeMap::new(),
            known_user_data: None,
            diverting: false,
            diverted: Vec::new(),
            stack_tags: stack
                .tags
                .iter()
                .map(|(k, v)| Tag::new(k.clone(), v.as_str()))
                .collect(),
            discoveries: Discoveries::default(),
            notify_rules: Vec::new(),
            root_device_ids: BTreeMap::new(),
        }
    }

    /// The `UserData` of the user-data file `path`, whose text `render`
    /// makes: the file is written, and the text rendered and encoded, the
    /// first time only. A path names one text (its steps, or its block).
    pub(super) fn user_data(&mut self, path: String, render: impl FnOnce() -> String) -> UserData {
        if let Some(encoded) = self.known_user_data.and_then(|k| k.get(&path)) {
            return encoded.clone();
        }
        if let Some(encoded) = self.user_data.get(&path) {
            return encoded.clone();
        }
        let text = render();
        let encoded = UserData::new(&crate::userdata::encode(&text));
        self.files.insert(path.clone(), text);
        self.user_data.insert(path, encoded.clone());
        encoded
    }

    /// Adds a resource to the main template, or sets it aside when
    /// [`diverting`](Self::divert).
    pub(super) fn add(&mut self, id: &LogicalId, resource: Resource) {
        if self.diverting {
            self.diverted.push((id.clone(), resource));
        } else {
            add(&mut self.main, id, resource);
        }
    }

    /// Whether [`add`](Self::add) sets resources aside from now on: the
    /// split takes most of them, and a map of 130,000 resources that they
    /// were added to and taken out of cost a tenth of the time.
    pub(super) fn divert(&mut self, on: bool) {
        self.diverting = on;
    }

    /// The resources set aside since the last call.
    pub(super) fn take_diverted(&mut self) -> Vec<(LogicalId, Resource)> {
        std::mem::take(&mut self.diverted)
    }

    /// Takes the user-data of an earlier synthesis as known.
    pub(super) fn knowing(mut self, user_data: &'m BTreeMap<String, UserData>) -> Self {
        self.known_user_data = Some(user_data);
        self
    }

    /// The edge template, created on first use.
    pub(super) fn edge(&mut self) -> &mut Template {
        self.edge
            .get_or_insert_with(|| Template::empty(None, EDGE_REGION))
    }

    /// Notes, in the main template's metadata, that it writes records into
    /// the hosted zone `zone_id`.
    pub(super) fn writes_into(&mut self, zone_id: &str) {
        writes_into(&mut self.main, self.model, zone_id);
    }

    /// `STACK-NAME`: how a block's resources are named for people.
    pub(super) fn display(&self, name: &str) -> String {
        format!("{}-{name}", self.model.stack.name)
    }

    /// A `Name` tag, then the stack's tags.
    pub(super) fn tags_named(&self, name: impl Into<String>) -> Vec<Tag> {
        std::iter::once(Tag::new("Name", name.into()))
            .chain(self.stack_tags.iter().cloned())
            .collect()
    }

    /// Adds an output to the main template; `export`: also under the name
    /// `STACK-ID`, for other stacks to import.
    pub(super) fn output(
        &mut self,
        id: &LogicalId,
        description: String,
        value: Expr,
        export: bool,
    ) {
        let export = export.then(|| Export {
            name: Expr::sub()
                .pseudo(Pseudo::StackName)
                .lit(format!("-{id}"))
                .build(),
        });
        let output = Output {
            description,
            value,
            export,
        };
        let previous = self.main.outputs.insert(id.clone(), output);
        assert!(
            previous.is_none(),
            "bug in topoform: output {id} added twice"
        );
    }

    /// Writes a text file.
    pub(super) fn file(&mut self, path: String, text: String) {
        self.files.insert(path, text);
    }

    /// The artifacts, once every block is synthesized.
    pub(super) fn finish(self) -> super::Artifacts {
        let stack = &self.model.stack.name;
        let mut templates = BTreeMap::from([(layout::main_template(stack), self.main)]);
        if let Some(mut edge) = self.edge {
            edge.description = Some(edge_description(&edge, self.model));
            templates.insert(layout::edge_template(stack), edge);
        }
        super::Artifacts {
            templates,
            files: self.files,
            discoveries: self.discoveries,
            known: super::Known {
                user_data: self.user_data,
            },
        }
    }
}

/// What the edge stack holds, and why it is in us-east-1.
fn edge_description(edge: &Template, model: &Model) -> String {
    let stack = &model.stack.name;
    let certificates = edge
        .resources
        .values()
        .any(|r| r.kind == "AWS::CertificateManager::Certificate");
    let budget = edge
        .resources
        .values()
        .any(|r| r.kind == "AWS::Budgets::Budget");
    let mut parts = Vec::new();
    if certificates {
        parts.push("ACM certificates for CloudFront, which takes them from us-east-1 only".to_string());
    }
    if budget {
        parts.push(format!(
            "the cost budget, which CloudFormation does not offer in {}",
            model.stack.region
        ));
    }
    format!("Edge stack of {stack}: {}", parts.join("; "))
}

/// Inserts a resource; a duplicate ID here is a bug (validation claims every
/// ID before synthesis).
pub(super) fn add(t: &mut Template, id: &LogicalId, r: Resource) {
    let previous = t.resources.insert(id.clone(), r);
    assert!(
        previous.is_none(),
        "bug in topoform: logical ID {id} synthesized twice"
    );
}

/// Notes in `t`'s metadata that it writes into the hosted zone `zone_id`,
/// with the zone's domain, for reviewers.
pub(super) fn writes_into(t: &mut Template, model: &Model, zone_id: &str) {
    if let Some(z) = model.zones.values().find(|z| z.id == zone_id) {
        t.metadata
            .topoform
            .zones
            .insert(zone_id.to_string(), z.domain.clone());
    }
}
