//! CloudFormation logical IDs: the only module that derives them, and the only
//! user of `heck`.
//!
//! Every resource a block can produce is a [`Part`] appended to the block's
//! [`Prefix`]; each kind declares its parts next to its model. `validate`
//! registers the full set of parts of every block in a [`Registry`] before
//! anything is synthesized, so two names that derive the
//! same ID (`web-1` and `web1`; heck drops punctuation, as CDK once did —
//! aws/aws-cdk#6421) are reported as an error instead of one resource silently
//! replacing the other.

use std::fmt;
use std::sync::Arc;

use heck::ToUpperCamelCase;
use serde::Serialize;

use crate::kind::Kind;
use crate::source::Span;

/// CloudFormation's limit on logical ID length.
pub const MAX_LOGICAL_ID: usize = 255;

/// A CloudFormation logical ID: ASCII alphanumeric, at most 255 characters.
/// Shared, not copied: an ID is cloned wherever it is named (every
/// reference, `DependsOn` and map key that holds it), and at 10,000
/// clients the split alone holds half a million of those.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LogicalId(Arc<str>);

impl LogicalId {
    /// The ID as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An ID read back from JSON: `None` unless ASCII alphanumeric and at
    /// most [`MAX_LOGICAL_ID`] long.
    pub fn parse(id: &str) -> Option<Self> {
        (!id.is_empty()
            && id.len() <= MAX_LOGICAL_ID
            && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| LogicalId(Arc::from(id)))
    }

    /// The UpperCamelCase of `words`, joined: an ID that is not a block's
    /// (`["root-device-of", "ami-0abc"]` → `RootDeviceOfAmi0abc`); `None`
    /// when it is not ASCII alphanumeric.
    pub(crate) fn of_words(words: &[&str]) -> Option<Self> {
        LogicalId::parse(
            &words
                .iter()
                .map(|w| w.to_upper_camel_case())
                .collect::<String>(),
        )
    }

    /// A fixed, stack-wide ID (not derived from a block name).
    pub(crate) fn fixed(id: &'static str) -> Self {
        debug_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        LogicalId(Arc::from(id))
    }
}

/// IDs are looked up by `&str` without an allocation; the order and the
/// hash are the string's, as `Borrow` requires.
impl std::borrow::Borrow<str> for LogicalId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The UpperCamelCase form of a block name, from which its IDs are derived.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Prefix(String);

impl Prefix {
    /// Derives the prefix of block `name`. `None` when the result is not
    /// ASCII alphanumeric (heck is Unicode-aware; logical IDs are not).
    pub fn of(name: &str) -> Option<Prefix> {
        // The usual name, one word of lower-case letters then digits
        // (`client00042`), is that word capitalized: heck's general
        // transform took 3,000 instructions a name, twice a block.
        if let Some(p) = one_word(name) {
            return Some(Prefix(p));
        }
        let p = name.to_upper_camel_case();
        let ok = !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then_some(Prefix(p))
    }

    /// The logical ID of `part` of this block.
    pub fn id(&self, part: impl Part) -> LogicalId {
        let suffix = part.suffix();
        let mut id = String::with_capacity(self.0.len() + suffix.len());
        id.push_str(&self.0);
        id.push_str(suffix);
        LogicalId(Arc::from(id))
    }

    /// The prefix itself (used in resource names and descriptions).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `name` capitalized, when it is lower-case ASCII letters followed by
/// ASCII digits (none or more), which heck reads as one word: `None` for
/// any other name, which goes through heck.
fn one_word(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    if letters == 0 || !b[letters..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut p = String::with_capacity(name.len());
    p.push(char::from(b[0].to_ascii_uppercase()));
    p.push_str(&name[1..]);
    Some(p)
}

/// One resource (or parameter, or output) a block produces: the suffix of
/// its logical ID after the block's [`Prefix`]. Each kind declares its own
/// parts with `parts!`, next to its model.
pub trait Part: Copy + 'static {
    /// Every part a block of this kind may produce, claimed before synthesis.
    const ALL: &'static [Self];

    /// The suffix, e.g. `Eip`.
    fn suffix(self) -> &'static str;
}

/// Declares a kind's parts: `parts! { pub Part { Eip = "Eip", … } }`.
macro_rules! parts {
    ($(#[$doc:meta])* $vis:vis $name:ident { $($(#[$vdoc:meta])* $variant:ident = $suffix:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $crate::naming::Part for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];

            fn suffix(self) -> &'static str {
                match self {
                    $($name::$variant => $suffix,)*
                }
            }
        }
    };
}
pub(crate) use parts;

/// The first 8 hex digits (upper case) of SHA-256 of `text`: a short name
/// part that tells apart what a cut or a fixed prefix would not, and that
/// any tool can recompute.
pub fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let hex = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    format!("{hex:08X}")
}

/// Who claimed a logical ID: a block (or one client of a fleet) and where
/// it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// The block's kind.
    pub kind: Kind,
    /// The block's name (`notify` for the stack-wide IDs of `[stack] notify`).
    pub name: String,
    /// The fleet client whose resources these are.
    pub client: Option<String>,
    /// The block name's (or the client id's) span.
    pub span: Span,
}

impl Owner {
    /// Whether `self` and `other` are the same block (clients of one fleet
    /// are the same block).
    fn same_block(&self, other: &Owner) -> bool {
        self.kind == other.kind && self.name == other.name && self.client == other.client
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)?;
        match &self.client {
            Some(client) => write!(f, " client {client}"),
            None => Ok(()),
        }
    }
}

/// Every logical ID of a topology, with the block that derives it.
#[derive(Debug, Default)]
pub struct Registry {
    /// Each ID's owner, as an index into `owners`: a block derives a dozen
    /// IDs, and one copy of its owner serves them all. A hash map, because
    /// it is only ever looked up (every ID a block may derive, at
    /// validation; every resource, at the split), never iterated: its
    /// order reaches nothing. As a `BTreeMap` (a string comparison per
    /// level) it was 7% of a 1,000-client compilation's instructions.
    ids: rustc_hash::FxHashMap<LogicalId, usize>,
    owners: Vec<Owner>,
}

/// Two blocks that derive the same logical ID.
#[derive(Debug)]
pub struct Collision {
    /// The ID.
    pub id: LogicalId,
    /// The block registered first.
    pub first: Owner,
    /// The block that collided with it.
    pub second: Owner,
}

impl Registry {
    /// Every block that derives an ID, in the order they were registered
    /// (a block that registered twice, twice).
    pub fn owners(&self) -> impl Iterator<Item = &Owner> {
        self.owners.iter()
    }

    /// The block that derives `id`, if any.
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.ids.get(id).map(|&i| &self.owners[i])
    }

    /// The position in [`owners`](Self::owners) of the block that
    /// derives `id`, if any.
    pub fn owner_index(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// Registers a stack-wide ID; returns the collision if a block already
    /// derives it.
    pub fn register_stack_wide(&mut self, id: LogicalId, owner: &Owner) -> Option<Collision> {
        if let Some(&first) = self.ids.get(&id) {
            return Some(Collision {
                id,
                first: self.owners[first].clone(),
                second: owner.clone(),
            });
        }
        let i = keep(&mut self.owners, owner);
        self.ids.insert(id, i);
        None
    }

    /// Registers every part `P` of a block; returns the first collision with
    /// a *different* block, if any (one per pair of blocks is enough to report).
    pub fn register<P: Part>(&mut self, prefix: &Prefix, owner: &Owner) -> Option<Collision> {
        use std::collections::hash_map::Entry;
        let mut collision = None;
        let mut kept = None;
        // A block may derive a few dozen IDs and validation registers every
        // one: each is hashed once (the entry), not looked up and then
        // inserted.
        self.ids.reserve(P::ALL.len());
        for part in P::ALL {
            match self.ids.entry(prefix.id(*part)) {
                Entry::Occupied(e) => {
                    let first = *e.get();
                    if !self.owners[first].same_block(owner) {
                        collision.get_or_insert_with(|| Collision {
                            id: e.key().clone(),
                            first: self.owners[first].clone(),
                            second: owner.clone(),
                        });
                    }
                }
                Entry::Vacant(e) => {
                    let i = *kept.get_or_insert_with(|| keep(&mut self.owners, owner));
                    e.insert(i);
                }
            }
        }
        collision
    }
}

/// Keeps `owner` once in `owners`, for the IDs it is about to derive;
/// returns its index.
fn keep(owners: &mut Vec<Owner>, owner: &Owner) -> usize {
    match owners.last() {
        Some(last) if last.same_block(owner) && last.span == owner.span => {}
        _ => owners.push(owner.clone()),
    }
    owners.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    parts! {
        /// Two parts, for the tests.
        TestPart {
            /// An Elastic IP.
            Eip = "Eip",
            /// A group.
            Group = "Group",
        }
    }

    #[test]
    fn prefixes_are_upper_camel_ascii() {
        assert_eq!(
            Prefix::of("redash").unwrap().id(TestPart::Group).as_str(),
            "RedashGroup"
        );
        assert_eq!(Prefix::of("web-1").unwrap().as_str(), "Web1");
        // The shortcut for one word agrees with heck, and leaves the rest
        // to it.
        for name in ["a", "web", "web1", "client00042", "x9", "abc123", "zz0000000001"] {
            assert_eq!(one_word(name).as_deref(), Some(name.to_upper_camel_case().as_str()), "{name}");
        }
        for letters in ["q", "web", "clientz", "abcdefghijklmnopqrstuvwxyz"] {
            for digits in ["", "0", "7", "00042", "1234567890"] {
                let name = format!("{letters}{digits}");
                assert_eq!(one_word(&name), Some(name.to_upper_camel_case()), "{name}");
            }
        }
        for name in ["", "1a", "a1b", "webServer", "web-1", "web_1", "Web", "a.b", "ウェブ", "é1"] {
            assert_eq!(one_word(name), None, "{name}");
        }
        assert!(Prefix::of("ウェブ").is_none());
    }

    #[test]
    fn punctuation_only_differences_collide() {
        let mut r = Registry::default();
        let owner = |name: &str| Owner {
            kind: Kind::Instance,
            name: name.into(),
            client: None,
            span: Span::default(),
        };
        let web_1 = Prefix::of("web-1").unwrap();
        assert!(r.register::<TestPart>(&web_1, &owner("web-1")).is_none());
        let c = r
            .register::<TestPart>(&Prefix::of("web1").unwrap(), &owner("web1"))
            .expect("collision");
        assert_eq!(c.first.to_string(), "instance.web-1");
        assert_eq!(c.id.as_str(), "Web1Eip");
    }
}
