//! The typed Rust builder front end: Rust code → [`spec::Topology`].
//!
//! It is the TOML front end's twin for Rust infrastructure repositories that
//! vendor the crate. Both front ends produce the same [`spec::Topology`] and
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
//! are enums or constructors. Values carry no source span (`Sp::bare`), so
//! diagnostics point at nothing.
//!
//! Blocks are added with `&mut self` methods on [`Topology`], one per kind,
//! which return the block's handle; block bodies are by-value builders.
//!
//! ```rust
//! use topoform::front::dsl::{Failover, Hours, Instance, Sorry, Topology, Zone};
//!
//! let mut topo = Topology::new("redash", "ap-northeast-1");
//! let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
//! let redash = topo.instance(
//!     "redash",
//!     Instance::new("ami-0064e711cbc7a825e", "t3.small")
//!         .subnet("subnet-0b99e52d17314979d")
//!         .security_group("sg-04b4e7642a8fc6efe")
//!         .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
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

use crate::kind::{Kind, for_each_block_kind};
use crate::source::Span;
use crate::spec::{self, Block, Sp, bare};

pub use crate::spec::{Dns, Handle, Hours, Ip};

/// A whole topology: `[stack]` plus the blocks added to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    spec: spec::Topology,
}

macro_rules! adders {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        // Each kind's body and the builder types that go with it.
        $(pub use crate::spec::$module::*;)*

        impl Topology {
            $(
                #[doc = concat!(
                    "Adds `[", stringify!($module), ".NAME]` and returns its handle (see [`",
                    stringify!($variant), "`])."
                )]
                pub fn $module(&mut self, name: &str, body: $variant) -> Handle<$variant> {
                    self.spec.$field.push(Block::new(bare(name), Span::default(), body));
                    Handle::new(name)
                }
            )*
        }
    };
}
for_each_block_kind!(adders);

impl Topology {
    /// A topology whose `[stack]` has `name` (the CloudFormation stack
    /// name) and `region` (the main stack's region).
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        let stack = spec::Stack {
            name: Some(bare(name)),
            region: Some(bare(region)),
            ..spec::Stack::default()
        };
        Topology {
            spec: spec::Topology {
                stack: Some(Block::new(bare(Kind::Stack.name()), Span::default(), stack)),
                ..spec::Topology::default()
            },
        }
    }

    fn stack(&mut self) -> &mut spec::Stack {
        &mut self
            .spec
            .stack
            .get_or_insert_with(|| {
                Block::new(
                    bare(Kind::Stack.name()),
                    Span::default(),
                    spec::Stack::default(),
                )
            })
            .body
    }

    /// `[stack] description`: the template Description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.stack().description = Some(bare(description));
        self
    }

    /// One of `[stack] tags`, applied to every taggable resource. Call once
    /// per tag.
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.stack().tags.push((bare(key), bare(value)));
        self
    }

    /// `[stack] notify`: an e-mail address that an SNS topic and
    /// subscription notify of every alarm.
    #[must_use]
    pub fn notify(mut self, email: impl Into<String>) -> Self {
        self.stack().notify = Some(Sp::bare(email.into()));
        self
    }

    /// The topology as written, for [`crate::compile_spec`] (which
    /// `Topology::compile`, defined with the pipeline in `lib.rs`, calls).
    pub fn build(self) -> spec::Topology {
        self.spec
    }
}

impl From<Topology> for spec::Topology {
    fn from(topology: Topology) -> Self {
        topology.build()
    }
}
