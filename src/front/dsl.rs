//! The typed Rust builder front end: Rust code → the topology as written
//! (`spec::Topology`).
//!
//! It is the TOML front end's twin for Rust infrastructure repositories that
//! vendor the crate. Both front ends produce the same `spec::Topology` and
//! share every later stage, so a topology built here compiles to output
//! byte-identical to the same topology written in TOML, by construction
//! (`tests/dsl_parity.rs` checks every fixture against its `examples/` twin).
//!
//! Like the TOML front end, this module only records what the user wrote:
//! every optional key stays `None` unless its setter is called, and values
//! are checked by `validate`, not here. A block's body is its `spec` type
//! (re-exported here), whose builder methods live with its keys in
//! `spec/KIND.rs`. What types can say, they do: a reference to another block
//! is a typed [`Handle`] returned when the block is added, so a zone cannot
//! be passed where an instance is expected; where the language accepts two
//! kinds, the parameter takes `impl Into<`[`PrimaryRef`]`>` (an instance or
//! an ALB) or `impl Into<`[`TargetRef`]`>` (an instance or a fleet), which
//! only those handles convert into. Ports, TTLs and sizes are unsigned
//! integers; enumerated words, and the word `"new"` of a sorry certificate,
//! are enums or constructors. Every key the language requires is an
//! argument of its block's constructor (`Instance::new` takes the AMI, the
//! type, the subnets and the security groups), so forgetting one does not
//! compile.
//!
//! Every method of [`Topology`] takes `&mut self`: the blocks are added one
//! per kind, each returning its handle, and the stack's settings
//! (`description`, `tag`, `notify`) chain. Block bodies are by-value
//! builders. Each builder method is `#[track_caller]`: a value remembers the
//! line of Rust that wrote it, and a diagnostic about it points there
//! (`--> src/infra.rs:42:5`), as a TOML diagnostic points at the file's line.
//! A second block of one kind and name, and a handle that another
//! `Topology` returned, are refused at the call that adds them.
//!
//! ```rust
//! use topoform::builder::{Failover, Hours, Instance, Sorry, Topology, Zone};
//!
//! let mut topo = Topology::new("redash", "ap-northeast-1");
//! let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
//! let redash = topo.instance(
//!     "redash",
//!     Instance::new(
//!         "ami-0064e711cbc7a825e",
//!         "t3.small",
//!         ["subnet-0b99e52d17314979d"],
//!         ["sg-04b4e7642a8fc6efe"],
//!     )
//!     .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
//! );
//! let closed = topo.sorry(
//!     "closed",
//!     Sorry::new("arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f")
//!         .title("Closed for today")
//!         .allow("203.0.113.10/32"),
//! );
//! topo.failover(
//!     "redash",
//!     Failover::new("redash.example.com", &public, &redash, &closed),
//! );
//! assert_eq!(redash.to_string(), "instance.redash");
//!
//! // Nothing to read: this topology names no `setup` or `page` file.
//! let compilation = topo.compile(&topoform::FilesIn(".".into()));
//! let output = compilation.output.expect("a valid topology");
//! assert!(output.contains_key("redash.template.json"));
//! ```

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, for_each_block_kind};
use crate::source::Span;
use crate::spec::{self, Block, Body, Lost, Sp, here};

pub use crate::spec::{BudgetTable as Budget, Dns, Handle, Hours, Ip, NotifyTable as Notify};

use crate::spec::{Patch, Segment};

/// Whether `t` is written as a CloudFormation resource type is:
/// `Vendor::Service::Resource`, in letters and digits.
fn is_resource_type(t: &str) -> bool {
    let parts: Vec<&str> = t.split("::").collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 64 && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Why `value` cannot be an override's: it holds an intrinsic function
/// (`Ref`, `Fn::…`, `Condition`). Those name resources by logical ID, which
/// the nested-stack split rewrites where they cross a stack boundary; a
/// value written as given would not be rewritten, and could name a resource
/// that is not in its template.
fn intrinsic(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| {
                if k == "Ref" || k == "Condition" || k.starts_with("Fn::") {
                    Some(format!(
                        "the value holds the intrinsic function `{}`, which an override cannot write: the nested-stack split would not rewrite what it names",
                        k.escape_debug().take(40).collect::<String>()
                    ))
                } else {
                    intrinsic(v)
                }
            }),
        serde_json::Value::Array(items) => items.iter().find_map(intrinsic),
        _ => None,
    }
}

/// A property path: names (`[A-Za-z0-9_-]`, starting with a letter)
/// and array indices, separated by dots, starting with a name.
fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    const MAX_DEPTH: usize = 32;
    let segments: Vec<&str> = path.split('.').collect();
    if segments.len() > MAX_DEPTH {
        return Err(format!("the path has more than {MAX_DEPTH} steps"));
    }
    let mut out = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if let (true, Ok(n)) = (i > 0, s.parse::<usize>()) {
            out.push(Segment::Index(n));
        } else if *s == "Ref" || *s == "Condition" {
            // Inside an intrinsic function: what it names is the split's
            // to rewrite, not the override's to change.
            return Err(format!(
                "`{s}` in `{}` is a step into an intrinsic function, which an override cannot change",
                path.escape_debug().take(80).collect::<String>()
            ));
        } else if s.len() <= 128
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            out.push(Segment::Key((*s).to_string()));
        } else {
            let shown: String = path.escape_debug().take(80).collect();
            return Err(format!(
                "`{shown}` is not a property path: names separated by dots, such as `LaunchTemplateData.MetadataOptions`, with array indices as numbers"
            ));
        }
    }
    Ok(out)
}

/// The identity of the next `Topology`: what tells its handles from those of
/// another one with the same block names (production's and staging's, built
/// by one function). It never reaches the output.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A whole topology: `[stack]` plus the blocks added to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    spec: spec::Topology,
    /// This topology's identity, which its handles carry: a handle is good
    /// only here (a clone shares it, and holds the same blocks).
    id: u64,
    /// Where each block was added, to refuse a second block of one kind
    /// and name at the call that adds it.
    added: BTreeMap<(Kind, String), Span>,
    /// What the builder refused as blocks were added (a duplicate name, a
    /// handle of another topology), reported with the compilation's.
    refused: Vec<Diagnostic>,
    /// The escape hatch's overrides, in the order they were made.
    overrides: Vec<spec::Override>,
}

macro_rules! adders {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        // Each kind's body and the builder types that go with it.
        $(pub use crate::spec::$module::*;)*

        impl Topology {
            $(
                #[doc = concat!(
                    "Adds `[", stringify!($module), ".NAME]` and returns its handle (see [`",
                    stringify!($variant), "`]). A second block of this kind with the same ",
                    "name, or a handle that another `Topology` returned, is an error that ",
                    "points at this call."
                )]
                #[track_caller]
                pub fn $module(&mut self, name: &str, body: $variant) -> Handle<$variant> {
                    let span = Span::caller();
                    if let Some(block) = self.admit(name, span, body) {
                        self.spec.$field.push(block);
                    }
                    Handle::new(name, self.id)
                }
            )*
        }
    };
}
for_each_block_kind!(adders);

impl Topology {
    /// A topology whose `[stack]` has `name` (the CloudFormation stack
    /// name) and `region` (the main stack's region).
    #[track_caller]
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        let span = Span::caller();
        let stack = spec::Stack {
            name: Some(here(name)),
            region: Some(here(region)),
            ..spec::Stack::default()
        };
        Topology {
            spec: spec::Topology {
                stack: Some(Block::new(
                    Sp::new(Kind::Stack.name().to_string(), span),
                    span,
                    stack,
                )),
                front: spec::Front::Rust,
                ..spec::Topology::default()
            },
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            added: BTreeMap::new(),
            refused: Vec::new(),
            overrides: Vec::new(),
        }
    }

    fn stack(&mut self) -> &mut spec::Stack {
        &mut self
            .spec
            .stack
            .as_mut()
            .expect("Topology::new sets [stack]")
            .body
    }

    /// The block to add for `body`, named `name` and added at `span`, or
    /// `None` when it is refused: a duplicate name, or a reference through a
    /// handle that another topology made. Handles come only from adding a
    /// block, and blocks are never removed, so a reference to a block this
    /// topology does not hold is one made by another topology.
    fn admit<B: Body>(&mut self, name: &str, span: Span, body: B) -> Option<Block<B>> {
        let links = body.links();
        let mut block = Block::new(Sp::new(name.to_string(), span), span, body);
        for (slot, r) in links {
            let key = (r.value.kind, r.value.name.clone());
            if r.value.topology != Some(self.id) || !self.added.contains_key(&key) {
                self.refused.push(
                    Diagnostic::error(
                        Code::ForeignHandle,
                        span,
                        format!(
                            "`{}` of {}.{name} is a handle on {} of another Topology",
                            slot.path, B::KIND, r.value
                        ),
                    )
                    .label("added here")
                    .also(r.span, "the handle was given here")
                    .help(format!(
                        "use the handle that adding {} to this `Topology` returns",
                        r.value
                    )),
                );
                // Its real problem is reported: not a dangling reference too.
                self.spec.lost.insert(Lost {
                    kind: r.value.kind,
                    name: Some(r.value.name.clone()),
                });
                block.broken.insert(slot.path.to_string());
            }
        }
        let key = (B::KIND, name.to_string());
        if let Some(&first) = self.added.get(&key) {
            self.refused.push(
                Diagnostic::error(
                    Code::DuplicateBlock,
                    span,
                    format!("a second {}.{name}", B::KIND),
                )
                .label("added again here")
                .also(first, "first added here")
                .help(format!("give one of the two {} blocks another name", B::KIND)),
            );
            return None;
        }
        self.added.insert(key, span);
        Some(block)
    }

    /// `[stack] description`: the template Description.
    #[track_caller]
    pub fn description(&mut self, description: impl Into<String>) -> &mut Self {
        self.stack().description = Some(here(description));
        self
    }

    /// One of `[stack] tags`, applied to every taggable resource. Call once
    /// per tag: a key given twice is an error at the second call (a TOML
    /// table cannot hold a key twice either).
    #[track_caller]
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let tag = (here(key), here(value));
        let first = self
            .stack()
            .tags
            .iter()
            .find(|(k, _)| k.value == tag.0.value)
            .map(|(k, _)| k.span);
        match first {
            Some(first) => self.refused.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    tag.0.span,
                    format!("the stack tag `{}` is set twice", tag.0.value),
                )
                .label("set again here")
                .also(first, "first set here")
                .help("call `tag` once per key"),
            ),
            None => self.stack().tags.push(tag),
        }
        self
    }

    /// `[stack] notify`: an e-mail address that an SNS topic and
    /// subscription notify of every alarm.
    #[track_caller]
    pub fn notify(&mut self, email: impl Into<String>) -> &mut Self {
        let email = here(email);
        self.stack().notify = Some(Sp::new(spec::WordOr::Word(email.value), email.span));
        self
    }

    /// `[stack] notify` as a table: several e-mail addresses and/or a Slack
    /// channel, all reached through the one alarm topic.
    #[track_caller]
    pub fn notify_to(&mut self, to: Notify) -> &mut Self {
        self.stack().notify = Some(Sp::here(spec::WordOr::Table(to)));
        self
    }

    /// `[stack] budget`: a monthly cost budget on what carries a stack tag,
    /// which notifies the `notify` recipients.
    #[track_caller]
    pub fn budget(&mut self, budget: Budget) -> &mut Self {
        self.stack().budget = Some(Sp::here(budget));
        self
    }

    /// Sets `path` in the `Properties` of every `resource_type` resource
    /// that `block` makes, to `value`: the escape hatch for a property that
    /// topoform does not expose, like AWS CDK's `addPropertyOverride`.
    ///
    /// `path` is property names separated by dots, with array indices as
    /// numbers (`LaunchTemplateData.BlockDeviceMappings.0.Ebs.Iops`);
    /// missing objects on the way are created, and an index one past the
    /// end appends. The value may not hold an intrinsic function (`Ref`,
    /// `Fn::GetAtt`, `Fn::Sub`, …): the nested-stack split rewrites the
    /// references topoform writes, and could not rewrite one written here.
    /// Every overridden resource lists the paths in its
    /// `Metadata.topoform.overrides`, and `plan` shows the change, with
    /// the replacement it causes.
    ///
    /// What can be typed is checked: the value is any `Serialize` (a
    /// struct of your own, `serde_json::json!`, a number), and the path's
    /// first step must be a property that CloudFormation's schema of
    /// `resource_type` lets a template set (a typo gets "did you mean").
    /// That, a block that makes no resource of `resource_type`, a malformed
    /// path or resource type, and a path that runs into a value that is not
    /// an object or an array, are `invalid-override` errors at this call.
    ///
    /// ```
    /// use topoform::builder::{Instance, Topology};
    /// let mut topo = Topology::new("web", "ap-northeast-1");
    /// let web = topo.instance(
    ///     "web",
    ///     Instance::new("ami-0123456789abcdef0", "t3.small", ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]),
    /// );
    /// // A container on the instance needs a second hop to reach IMDSv2.
    /// topo.override_property(
    ///     &web,
    ///     "AWS::EC2::LaunchTemplate",
    ///     "LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit",
    ///     2,
    /// );
    /// let output = topo.compile(&topoform::FilesIn(".".into())).into_result().unwrap();
    /// assert!(output["web.template.json"].contains("\"HttpPutResponseHopLimit\": 2"));
    /// ```
    #[track_caller]
    pub fn override_property<B: Body>(
        &mut self,
        block: &Handle<B>,
        resource_type: &str,
        path: &str,
        value: impl serde::Serialize,
    ) -> &mut Self {
        let span = Span::caller();
        match serde_json::to_value(value) {
            Ok(v) => self.add_override(block, resource_type, path, Some(v), span),
            Err(e) => self.refused.push(
                Diagnostic::error(
                    Code::InvalidOverride,
                    span,
                    format!("the value of the override of `{path}` is not JSON: {e}"),
                )
                .label("overridden here"),
            ),
        }
        self
    }

    /// Removes `path` from the `Properties` of every `resource_type`
    /// resource that `block` makes (see [`Topology::override_property`]);
    /// a path that is not set is an error.
    #[track_caller]
    pub fn remove_property<B: Body>(
        &mut self,
        block: &Handle<B>,
        resource_type: &str,
        path: &str,
    ) -> &mut Self {
        self.add_override(block, resource_type, path, None, Span::caller());
        self
    }

    fn add_override<B: Body>(
        &mut self,
        block: &Handle<B>,
        resource_type: &str,
        path: &str,
        value: Option<serde_json::Value>,
        span: Span,
    ) {
        let r = block.to_ref().value;
        let refuse = |message: String| {
            Diagnostic::error(Code::InvalidOverride, span, message).label("overridden here")
        };
        if let Some(why) = value.as_ref().and_then(intrinsic) {
            self.refused.push(refuse(why));
        } else if r.topology != Some(self.id) || !self.added.contains_key(&(r.kind, r.name.clone())) {
            self.refused.push(
                Diagnostic::error(
                    Code::ForeignHandle,
                    span,
                    format!("an override of {r}, a block of another Topology"),
                )
                .label("overridden here")
                .help(format!(
                    "use the handle that adding {r} to this `Topology` returns"
                )),
            );
        } else if !is_resource_type(resource_type) {
            self.refused.push(
                refuse(format!(
                    "`{resource_type}` is not a resource type such as `AWS::EC2::LaunchTemplate`"
                )),
            );
        } else {
            match parse_path(path) {
                Ok(segments) => self.overrides.push(spec::Override {
                    block: r,
                    resource_type: resource_type.to_string(),
                    written: path.to_string(),
                    patch: Patch {
                        path: segments,
                        value,
                    },
                    span,
                }),
                Err(why) => self.refused.push(refuse(why)),
            }
        }
    }

    /// The topology as written, what the builder refused as it was
    /// written, and the overrides (for `compile`, defined with the pipeline
    /// in `lib.rs`).
    pub(crate) fn into_parts(self) -> (spec::Topology, Vec<Diagnostic>, Vec<spec::Override>) {
        (self.spec, self.refused, self.overrides)
    }

    /// The topology as written, for topoform's own tests.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn build(self) -> spec::Topology {
        self.spec
    }
}
