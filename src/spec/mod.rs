//! What the user wrote, before it is checked: the common target of both front
//! ends (TOML and the Rust builder).
//!
//! Everything is partial (`Option`), references are typed ([`Ref`]: a kind
//! and a name) but not yet resolved, and every value keeps the span it came
//! from so that `validate` can point at it. Nothing here is trusted;
//! `validate` turns it into a `model::Model` or into diagnostics.
//!
//! Each kind's file (`spec/zone.rs`, …) says everything about how a block of
//! that kind is written: its keys, as a [`Table`] the TOML front end walks
//! without knowing the kind, and its builder methods, which the Rust front
//! end (`front::dsl`) exposes.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;

use crate::kind::{Kind, Slot, for_each_block_kind};
use crate::source::Span;

#[cfg(any(test, feature = "cli", feature = "internals"))]
pub mod schema;
mod patch;
mod shared;
mod stack;

// One module per block kind (see `for_each_block_kind!`). They
// are declared here, not by that macro, so that tools that read the source
// without expanding macros (rustfmt, cargo-mutants) see them; a kind missing
// here is a compile error where the macro below names it.
pub mod alb;
pub mod backup;
pub mod failover;
pub mod fleet;
pub mod instance;
pub mod sorry;
pub mod task;
pub mod zone;

pub use patch::{Patch, Segment};
pub use shared::{Dns, Hours, Ip, Launch};
pub use stack::{BudgetTable, NotifyTable, Stack};

macro_rules! declare_kinds {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        $(pub use $module::*;)*

        /// A whole topology as written.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct Topology {
            /// `[stack]`; `None` when absent (an error).
            pub stack: Option<Block<Stack>>,
            $(
                #[doc = concat!("The `[", stringify!($module), ".NAME]` blocks, in the order written.")]
                pub $field: Vec<Block<$variant>>,
            )*
            /// Blocks a front end could not read at all (see [`Lost`]).
            pub lost: BTreeSet<Lost>,
            /// The front end that wrote it: hints name what its user edits.
            pub front: Front,
        }

        impl Topology {
            /// Adds an empty block of `kind` (not `Stack`) for a front end to
            /// fill through [`Table`].
            pub fn add_block(&mut self, kind: Kind, name: Sp<String>, span: Span) -> BlockMut<'_> {
                match kind {
                    $(Kind::$variant => {
                        self.$field.push(Block::new(name, span, $variant::blank()));
                        let b = self.$field.last_mut().expect("just pushed");
                        BlockMut { body: &mut b.body, broken: &mut b.broken }
                    })*
                    Kind::Stack => {
                        let b = self.stack.insert(Block::new(name, span, Stack::default()));
                        BlockMut { body: &mut b.body, broken: &mut b.broken }
                    }
                }
            }

            /// The same topology with the blocks of each kind sorted by name
            /// and the stack's tags by key. The keys of a TOML table have no
            /// order, and output never depends on it: two topologies whose
            /// canonical forms are equal compile to the same bytes.
            #[must_use]
            #[cfg(any(test, feature = "internals"))]
            pub fn canonical(&self) -> Topology {
                let mut t = self.clone();
                if let Some(stack) = &mut t.stack {
                    stack.body.tags.sort_by(|a, b| a.0.value.cmp(&b.0.value));
                }
                $(t.$field.sort_by(|a, b| a.name.value.cmp(&b.name.value));)*
                t
            }

            /// Every named block's kind and name, in the order of
            /// [`Topology::blocks`], without the copy of its references
            /// that `blocks` makes.
            pub fn names(&self) -> Vec<(Kind, &Sp<String>)> {
                let mut out = Vec::new();
                $(out.extend(self.$field.iter().map(|b| (Kind::$variant, &b.name)));)*
                out
            }

            /// Every named block: its kind, name, span and references.
            pub fn blocks(&self) -> Vec<BlockInfo<'_>> {
                let mut out = Vec::new();
                $(
                    for b in &self.$field {
                        let links = b.body.links();
                        #[cfg(any(test, feature = "cli", feature = "internals"))]
                        let slots = links.iter().map(|(s, _)| *s).collect();
                        out.push(BlockInfo {
                            kind: Kind::$variant,
                            name: &b.name,
                            refs: links.into_iter().map(|(_, r)| r).collect(),
                            #[cfg(any(test, feature = "cli", feature = "internals"))]
                            slots,
                            broken: &b.broken,
                        });
                    }
                )*
                out
            }
        }
    };
}
for_each_block_kind!(declare_kinds);

impl Topology {
    /// The keys of a block of `kind`, in the order of the language
    /// reference (inline tables are one key: `hours`).
    #[cfg(any(test, feature = "internals"))]
    pub fn keys(kind: Kind) -> Vec<&'static str> {
        schema::keys(kind).into_iter().map(|k| k.name).collect()
    }
}

/// The front end that wrote a topology. A hint names what its user edits:
/// a TOML key, or a builder method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Front {
    /// A `*.topo.toml` file.
    #[default]
    Toml,
    /// The typed Rust builder.
    Rust,
}

impl Front {
    /// `toml` or `rust`, whichever this front end's user reads.
    pub fn say(self, toml: &str, rust: &str) -> String {
        match self {
            Front::Toml => toml.to_string(),
            Front::Rust => rust.to_string(),
        }
    }
}

/// An override of a property of the resources a block makes: the builder's
/// escape hatch (`Topology::override_property`), applied after synthesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The block whose resources it changes.
    pub block: Ref,
    /// The type of those resources, e.g. `AWS::EC2::LaunchTemplate`.
    pub resource_type: String,
    /// The path as written, `LaunchTemplateData.MetadataOptions`.
    pub written: String,
    /// The path and the value.
    pub patch: Patch,
    /// The builder call.
    pub span: Span,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    /// The value as written.
    pub value: T,
    /// Where (0..0 when built with the Rust builder API).
    pub span: Span,
}

impl<T> Sp<T> {
    /// `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }

    /// `value` with no source position.
    pub fn bare(value: T) -> Self {
        Sp {
            value,
            span: Span::default(),
        }
    }

    /// `value` written by the builder, at its caller's line of Rust (see
    /// [`Span::caller`]).
    #[track_caller]
    pub fn here(value: T) -> Self {
        Sp {
            value,
            span: Span::caller(),
        }
    }
}

/// An empty body or table, for a front end to fill. Not `Default`, which
/// would be public: the builder's types make a block only through its
/// constructor, which takes every key the language requires.
pub trait Blank {
    /// Nothing written.
    fn blank() -> Self;
}

/// Internal tables (an `elastic_ip` table, a `copy_to` table) are not
/// reachable from outside, and are `Default`.
impl<T: Default> Blank for T {
    fn blank() -> Self {
        T::default()
    }
}

/// `Blank` for types whose fields are all empty by default. A field added
/// to one of them and not listed here does not compile.
macro_rules! blank {
    ($($t:ident { $($f:ident),* $(,)? })*) => {$(
        impl Blank for $t {
            fn blank() -> Self {
                $t { $($f: Default::default()),* }
            }
        }
    )*};
}
blank! {
    Alb { vpc, subnets, certificate, target, port, health_path, allow }
    Backup { target, kind, at, every, keep, copy_to }
    Failover { record, zone, primary, health, secondary, ttl }
    Fleet { launch, clients, clients_file, tag, dns, parameters, bootstrap, hours }
    FleetDns { zone, record }
    Instance { launch, elastic_ip, hours, dns, volume_gb, root_device, setup }
    Hours { days, start, stop, timezone }
    Dns { zone, record, ip }
    Sorry { certificate, page, title, message, allow, status, access_logs }
    Task { target, schedule, commands }
    Zone { id, domain, private }
}

/// A list of strings, with the span of the whole list.
pub type SpList = Sp<Vec<Sp<String>>>;

/// Keys that were written but could not be read: a wrong type, an unknown
/// key, and the key a typo was probably meant to be (`ami`, `hours.start`).
/// Validation does not report them missing, since their problem has been
/// reported, and keeps a block with any of them out of the model: what the
/// block would build is not known.
pub type Broken = BTreeSet<String>;

/// A block as written: `[instance.web]` and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block<T> {
    /// The block's name (`web`; `stack` for `[stack]`).
    pub name: Sp<String>,
    /// Where to point at the whole block (its name in the header, for TOML).
    pub span: Span,
    /// What the block says.
    pub body: T,
    /// Keys of the body a front end could not read.
    pub broken: Broken,
}

impl<T> Block<T> {
    /// A block with nothing broken.
    pub fn new(name: Sp<String>, span: Span, body: T) -> Self {
        Block {
            name,
            span,
            body,
            broken: Broken::new(),
        }
    }
}

/// A block being filled by a front end.
pub struct BlockMut<'a> {
    /// Its keys.
    pub body: &'a mut dyn Table,
    /// Where to record keys that could not be read.
    pub broken: &'a mut Broken,
}

/// What validation needs to know of any block to resolve references.
#[derive(Debug)]
pub struct BlockInfo<'a> {
    /// Its kind.
    pub kind: Kind,
    /// Its name, where written.
    pub name: &'a Sp<String>,
    /// Every reference it makes.
    pub refs: Vec<Sp<Ref>>,
    /// The slot (key) of each reference, in the same order (for `graph`).
    #[cfg(any(test, feature = "cli", feature = "internals"))]
    pub slots: Vec<&'static Slot>,
    /// Keys its front end could not read.
    pub broken: &'a Broken,
}

/// A block that a front end saw but could not read (its table had the wrong
/// type, or its kind was misspelled): references to it are neither resolved
/// nor reported as dangling, since the real problem has been reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lost {
    /// The kind (for a misspelled kind, the one it was probably meant to be).
    pub kind: Kind,
    /// The block's name; `None` when no block of the kind could be read.
    pub name: Option<String>,
}

/// A reference to another block: `"instance.web"` in TOML, a [`Handle`] in Rust.
#[derive(Clone, Debug)]
pub struct Ref {
    /// The kind of the block referred to.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// The builder `Topology` whose handle wrote it (`None` in TOML): a
    /// handle is good only in the topology that made it. Not part of the
    /// reference's identity (equality and order are the kind and name).
    pub topology: Option<u64>,
}

impl Ref {
    /// The reference `kind.name`, as a TOML file writes it.
    pub fn new(kind: Kind, name: impl Into<String>) -> Self {
        Ref {
            kind,
            name: name.into(),
            topology: None,
        }
    }
}

impl PartialEq for Ref {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, &self.name) == (other.kind, &other.name)
    }
}

impl Eq for Ref {}

impl PartialOrd for Ref {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ref {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.kind, &self.name).cmp(&(other.kind, &other.name))
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// The body of a named block kind.
pub trait Body: Table + Blank + Clone {
    /// Its kind.
    const KIND: Kind;

    /// Every reference written in the body, found through its keys (so no
    /// kind keeps a second list of them).
    fn refs(&self) -> Vec<Sp<Ref>> {
        self.links().into_iter().map(|(_, r)| r).collect()
    }

    /// [`Body::refs`], each with the slot (the key) it was written in.
    fn links(&self) -> Vec<(&'static Slot, Sp<Ref>)> {
        let mut copy = self.clone();
        let mut refs = Vec::new();
        collect_refs(&mut copy, &mut refs);
        refs
    }
}

/// Appends every reference `table` (and the tables in it) holds.
fn collect_refs(table: &mut dyn Table, refs: &mut Vec<(&'static Slot, Sp<Ref>)>) {
    for (_, field) in table.fields() {
        let nested = match field {
            Field::Ref(r, slot) => {
                refs.extend(r.clone().map(|r| (slot, r)));
                None
            }
            Field::Table(n) => n.get(),
            Field::WordOrTable(c) => c.get(),
            Field::Text(_) | Field::Int(_) | Field::Flag(_) | Field::List(_) | Field::Map(_) => {
                None
            }
        };
        if let Some(t) = nested {
            collect_refs(t, refs);
        }
    }
}

/// A typed handle on a block added with the Rust builder: `Handle<Instance>`
/// can only be made by adding an instance, so a zone cannot be passed where
/// an instance is expected. It renders (`Display`) as the reference string
/// the TOML file would hold.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Handle<B> {
    name: String,
    /// The `Topology` that made it.
    topology: u64,
    kind: PhantomData<fn() -> B>,
}

impl<B> Clone for Handle<B> {
    fn clone(&self) -> Self {
        Handle {
            name: self.name.clone(),
            topology: self.topology,
            kind: PhantomData,
        }
    }
}

impl<B: Body> Handle<B> {
    /// A handle on the block `name` of `B`'s kind, in the builder topology
    /// `topology`.
    pub(crate) fn new(name: &str, topology: u64) -> Self {
        Handle {
            name: name.to_string(),
            topology,
            kind: PhantomData,
        }
    }

    /// The block's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The reference this handle stands for, written at the caller's line
    /// of Rust.
    #[track_caller]
    pub(crate) fn to_ref(&self) -> Sp<Ref> {
        Sp::here(Ref {
            kind: B::KIND,
            name: self.name.clone(),
            topology: Some(self.topology),
        })
    }
}

impl<B: Body> fmt::Display for Handle<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", B::KIND, self.name)
    }
}

/// One key of a table, as a front end fills it: the kind of value it takes
/// and where to put it.
pub enum Field<'a> {
    /// A string.
    Text(&'a mut Option<Sp<String>>),
    /// An integer.
    Int(&'a mut Option<Sp<i64>>),
    /// A boolean.
    Flag(&'a mut Option<Sp<bool>>),
    /// An array of strings.
    List(&'a mut Option<SpList>),
    /// A reference `"kind.name"` to a block of the slot's kinds.
    Ref(&'a mut Option<Sp<Ref>>, &'static Slot),
    /// An inline table.
    Table(&'a mut dyn Nested),
    /// A word or an inline table.
    WordOrTable(&'a mut dyn Choice),
    /// An inline table of free keys with string values (tags).
    Map(&'a mut Vec<(Sp<String>, Sp<String>)>),
}

/// A table of keys: a block's body, or an inline table within it.
pub trait Table {
    /// Its keys, in the order the language reference lists them.
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)>;
}

/// An optional inline table that a front end can create and then fill.
pub trait Nested {
    /// Creates the table, written at `span`, and returns it to be filled.
    fn create(&mut self, span: Span) -> &mut dyn Table;
    /// The table, when it was written.
    fn get(&mut self) -> Option<&mut dyn Table>;
}

impl<T: Table + Blank> Nested for Option<Sp<T>> {
    fn create(&mut self, span: Span) -> &mut dyn Table {
        &mut self.insert(Sp::new(T::blank(), span)).value
    }

    fn get(&mut self) -> Option<&mut dyn Table> {
        self.as_mut().map(|t| &mut t.value as &mut dyn Table)
    }
}

/// A value written either as a word (`"new"`) or as an inline table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordOr<T> {
    /// A word.
    Word(String),
    /// An inline table.
    Table(T),
}

/// A [`WordOr`] key that a front end can set.
pub trait Choice {
    /// Sets the word.
    fn set_word(&mut self, word: Sp<String>);
    /// Creates the table, written at `span`, and returns it to be filled.
    fn create(&mut self, span: Span) -> &mut dyn Table;
    /// The table, when one was written.
    fn get(&mut self) -> Option<&mut dyn Table>;
}

impl<T: Table + Blank> Choice for Option<Sp<WordOr<T>>> {
    fn set_word(&mut self, word: Sp<String>) {
        *self = Some(Sp::new(WordOr::Word(word.value), word.span));
    }

    fn create(&mut self, span: Span) -> &mut dyn Table {
        match &mut self
            .insert(Sp::new(WordOr::Table(T::blank()), span))
            .value
        {
            WordOr::Table(t) => t,
            WordOr::Word(_) => unreachable!("just inserted a table"),
        }
    }

    fn get(&mut self) -> Option<&mut dyn Table> {
        match self.as_mut().map(|c| &mut c.value) {
            Some(WordOr::Table(t)) => Some(t),
            Some(WordOr::Word(_)) | None => None,
        }
    }
}

/// A string written by the builder, at its caller's line of Rust.
#[track_caller]
pub(crate) fn here(value: impl Into<String>) -> Sp<String> {
    Sp::here(value.into())
}

/// Appends `value` to an optional list, creating the list on first use.
#[track_caller]
pub(crate) fn push(list: &mut Option<SpList>, value: impl Into<String>) {
    let here = Span::caller();
    list.get_or_insert_with(|| Sp::new(Vec::new(), here))
        .value
        .push(Sp::new(value.into(), here));
}

/// Appends every value to an optional list, creating the list even when
/// there is none (as TOML's `key = []` does).
#[track_caller]
pub(crate) fn extend<S: Into<String>>(
    list: &mut Option<SpList>,
    values: impl IntoIterator<Item = S>,
) {
    let here = Span::caller();
    let list = &mut list.get_or_insert_with(|| Sp::new(Vec::new(), here)).value;
    list.extend(values.into_iter().map(|v| Sp::new(v.into(), here)));
}

/// `r`, written at the caller's line of Rust: a reference that came through
/// `Into` (`PrimaryRef`, `TargetRef`), whose `from` cannot track its caller.
#[track_caller]
pub(crate) fn at_caller(mut r: Sp<Ref>) -> Sp<Ref> {
    r.span = Span::caller();
    r
}

/// An integer set from the builder.
#[track_caller]
pub(crate) fn int(value: impl Into<i64>) -> Sp<i64> {
    Sp::here(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every slot a table of type `T` has, nested tables included.
    fn slots_of(table: &mut dyn Table, out: &mut Vec<&'static str>) {
        for (_, field) in table.fields() {
            match field {
                Field::Ref(_, slot) => out.push(slot.path),
                Field::Table(n) => slots_of(n.create(Span::default()), out),
                Field::WordOrTable(c) => slots_of(c.create(Span::default()), out),
                Field::Text(_)
                | Field::Int(_)
                | Field::Flag(_)
                | Field::List(_)
                | Field::Map(_) => {}
            }
        }
    }

    macro_rules! agree {
        ($($variant:ident: $module:ident, $field:ident;)*) => {
            /// What `Kind::slots` says each kind may refer to is what its
            /// keys take.
            #[test]
            fn kinds_and_keys_agree_on_references() {
                $(
                    let mut found = Vec::new();
                    slots_of(&mut $variant::blank(), &mut found);
                    let declared: Vec<&str> =
                        Kind::$variant.slots().iter().map(|s| s.path).collect();
                    assert_eq!(found, declared, "{}", Kind::$variant);
                )*
            }
        };
    }
    for_each_block_kind!(agree);

    #[test]
    fn references_are_found_in_nested_tables() {
        let zone = Handle::<Zone>::new("public", 1);
        let instance = Instance::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        )
        .dns(Dns::new(&zone, "www.example.com"));
        let refs: Vec<String> = instance
            .refs()
            .iter()
            .map(|r| r.value.to_string())
            .collect();
        assert_eq!(refs, ["zone.public"]);
    }
}
