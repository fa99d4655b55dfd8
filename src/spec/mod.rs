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

pub mod schema;
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

pub use shared::{Dns, Hours, Ip, Launch};
pub use stack::Stack;

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
        }

        impl Topology {
            /// Adds an empty block of `kind` (not `Stack`) for a front end to
            /// fill through [`Table`].
            pub fn add_block(&mut self, kind: Kind, name: Sp<String>, span: Span) -> BlockMut<'_> {
                match kind {
                    $(Kind::$variant => {
                        self.$field.push(Block::new(name, span, $variant::default()));
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
            pub fn canonical(&self) -> Topology {
                let mut t = self.clone();
                if let Some(stack) = &mut t.stack {
                    stack.body.tags.sort_by(|a, b| a.0.value.cmp(&b.0.value));
                }
                $(t.$field.sort_by(|a, b| a.name.value.cmp(&b.name.value));)*
                t
            }

            /// Every named block: its kind, name, span and references.
            pub fn blocks(&self) -> Vec<BlockInfo<'_>> {
                let mut out = Vec::new();
                $(
                    for b in &self.$field {
                        let links = b.body.links();
                        out.push(BlockInfo {
                            kind: Kind::$variant,
                            name: &b.name,
                            refs: links.iter().map(|(_, r)| r.clone()).collect(),
                            slots: links.into_iter().map(|(s, _)| s).collect(),
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
    pub fn keys(kind: Kind) -> Vec<&'static str> {
        schema::keys(kind).into_iter().map(|k| k.name).collect()
    }
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

    /// `value` with no source position (builder API).
    pub fn bare(value: T) -> Self {
        Sp {
            value,
            span: Span::default(),
        }
    }
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
    /// The slot (key) of each reference, in the same order.
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ref {
    /// The kind of the block referred to.
    pub kind: Kind,
    /// Its name.
    pub name: String,
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// The body of a named block kind.
pub trait Body: Table + Default + Clone {
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
    kind: PhantomData<fn() -> B>,
}

impl<B> Clone for Handle<B> {
    fn clone(&self) -> Self {
        Handle {
            name: self.name.clone(),
            kind: PhantomData,
        }
    }
}

impl<B: Body> Handle<B> {
    /// A handle on the block `name` of `B`'s kind (for front ends).
    pub(crate) fn new(name: &str) -> Self {
        Handle {
            name: name.to_string(),
            kind: PhantomData,
        }
    }

    /// The block's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The reference this handle stands for.
    pub fn to_ref(&self) -> Sp<Ref> {
        Sp::bare(Ref {
            kind: B::KIND,
            name: self.name.clone(),
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

impl<T: Table + Default> Nested for Option<Sp<T>> {
    fn create(&mut self, span: Span) -> &mut dyn Table {
        &mut self.insert(Sp::new(T::default(), span)).value
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

impl<T: Table + Default> Choice for Option<Sp<WordOr<T>>> {
    fn set_word(&mut self, word: Sp<String>) {
        *self = Some(Sp::new(WordOr::Word(word.value), word.span));
    }

    fn create(&mut self, span: Span) -> &mut dyn Table {
        match &mut self
            .insert(Sp::new(WordOr::Table(T::default()), span))
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

/// `value` with no span.
pub(crate) fn bare(value: impl Into<String>) -> Sp<String> {
    Sp::bare(value.into())
}

/// Appends `value` to an optional list, creating the list on first use.
pub(crate) fn push(list: &mut Option<SpList>, value: impl Into<String>) {
    list.get_or_insert_with(|| Sp::bare(Vec::new()))
        .value
        .push(bare(value));
}

/// Appends every value to an optional list, creating the list even when
/// there is none (as TOML's `key = []` does).
pub(crate) fn extend<S: Into<String>>(
    list: &mut Option<SpList>,
    values: impl IntoIterator<Item = S>,
) {
    let list = &mut list.get_or_insert_with(|| Sp::bare(Vec::new())).value;
    list.extend(values.into_iter().map(bare));
}

/// An integer set from the builder.
pub(crate) fn int(value: impl Into<i64>) -> Sp<i64> {
    Sp::bare(value.into())
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
                    slots_of(&mut $variant::default(), &mut found);
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
        let zone = Handle::<Zone>::new("public");
        let instance = Instance::new("ami-0123456789abcdef0", "t3.small")
            .dns(Dns::new(&zone, "www.example.com"));
        let refs: Vec<String> = instance
            .refs()
            .iter()
            .map(|r| r.value.to_string())
            .collect();
        assert_eq!(refs, ["zone.public"]);
    }
}
