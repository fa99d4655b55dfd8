//! The references a serialization writes, seen and rewritten as they are
//! written.
//!
//! The nested-stack split needs two things of every resource: which other
//! resources its intrinsics name (to keep blocks that refer to each other in
//! one stack), and, once placed, those names rewritten where they cross a
//! stack boundary (a child reads a parent's resource through a parameter, the
//! parent a child's through an output). Both are done on the typed
//! properties, while serde walks them: [`Expr`](crate::cfn::Expr) reports each reference it
//! writes to the scope of the thread that serializes it, and writes the
//! scope's replacement instead where there is one. Reading the JSON back
//! into a `serde_json::Value` to do the same cost most of the time and the
//! memory of a 10,000-client split.
//!
//! serde has no way to pass a context down to `Serialize`, so the scope is a
//! thread-local: [`collect`] and [`Rewrites::apply`] set it around one
//! serialization, on the thread that runs it, and restore what was there.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

#[cfg(test)]
use super::Expr;
use super::Pseudo;
use crate::naming::LogicalId;

/// One reference that may cross a stack boundary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Link {
    /// `Ref X`, or `${X}` in an `Fn::Sub`.
    Ref(LogicalId),
    /// `Fn::GetAtt X.Attribute`, or `${X.Attribute}`.
    Att(LogicalId, Cow<'static, str>),
    /// `AWS::StackName`, which in a child is the parent's.
    StackName,
}

impl Link {
    /// The resource it names, if any.
    pub fn target(&self) -> Option<&LogicalId> {
        match self {
            Link::Ref(id) | Link::Att(id, _) => Some(id),
            Link::StackName => None,
        }
    }
}

/// A reference as an [`Expr`](crate::cfn::Expr) holds it: a [`Link`] without the copies.
#[derive(Clone, Copy, Debug)]
pub(super) enum LinkRef<'a> {
    Ref(&'a LogicalId),
    Att(&'a LogicalId, &'a Cow<'static, str>),
    StackName,
}

impl LinkRef<'_> {
    fn to_link(self) -> Link {
        match self {
            LinkRef::Ref(id) => Link::Ref(id.clone()),
            // An attribute is nearly always a literal (`Arn`): a copy of
            // the `Cow` allocates nothing then.
            LinkRef::Att(id, attr) => Link::Att(id.clone(), attr.clone()),
            LinkRef::StackName => Link::StackName,
        }
    }
}

/// What a link becomes on the other side of a stack boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// A parameter of the template: `Ref P`.
    Parameter(LogicalId),
    /// An output of a nested stack: `Fn::GetAtt Stack.Outputs.O`.
    Output(LogicalId, LogicalId),
}

/// The replacements a template's references are written with: empty for a
/// template that was not split.
#[derive(Clone, Debug, Default)]
pub struct Rewrites {
    refs: BTreeMap<LogicalId, Replacement>,
    atts: BTreeMap<LogicalId, BTreeMap<Cow<'static, str>, Replacement>>,
    stack_name: Option<Replacement>,
}

impl Rewrites {
    /// Writes `link` as `by`.
    pub fn insert(&mut self, link: &Link, by: Replacement) {
        match link {
            Link::Ref(id) => {
                self.refs.insert(id.clone(), by);
            }
            Link::Att(id, attr) => {
                self.atts
                    .entry(id.clone())
                    .or_default()
                    .insert(attr.clone(), by);
            }
            Link::StackName => self.stack_name = Some(by),
        }
    }

    /// Whether it replaces nothing.
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty() && self.atts.is_empty() && self.stack_name.is_none()
    }

    fn get(&self, link: LinkRef<'_>) -> Option<&Replacement> {
        match link {
            LinkRef::Ref(id) => self.refs.get(id),
            LinkRef::Att(id, attr) => self.atts.get(id)?.get(attr.as_ref()),
            LinkRef::StackName => self.stack_name.as_ref(),
        }
    }

    /// Runs `f` (a serialization) with these replacements in force on this
    /// thread.
    pub fn apply<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        with_scope(Scope::Rewrite(Arc::clone(self)), f).0
    }
}

/// What the serializing thread does with the references it writes.
#[derive(Default)]
enum Scope {
    /// Nothing: write them as they are.
    #[default]
    None,
    /// Note each one.
    Collect(Vec<Link>),
    /// Write each one's replacement, if it has one.
    Rewrite(Arc<Rewrites>),
}

thread_local! {
    static SCOPE: RefCell<Scope> = const { RefCell::new(Scope::None) };
}

/// Runs `f` in `scope`; returns its result and the scope as `f` left it.
/// The previous scope comes back even if `f` panics.
fn with_scope<R>(scope: Scope, f: impl FnOnce() -> R) -> (R, Scope) {
    struct Restore(Option<Scope>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                SCOPE.with(|s| *s.borrow_mut() = previous);
            }
        }
    }
    let mut restore = Restore(Some(SCOPE.with(|s| s.replace(scope))));
    let r = f();
    let previous = restore.0.take().unwrap_or_default();
    let mine = SCOPE.with(|s| s.replace(previous));
    (r, mine)
}

/// Runs `f` (a serialization) and returns, with its result, every reference
/// that it wrote, in the order written.
pub fn collect<R>(f: impl FnOnce() -> R) -> (R, Vec<Link>) {
    match with_scope(Scope::Collect(Vec::new()), f) {
        (r, Scope::Collect(links)) => (r, links),
        (r, _) => (r, Vec::new()),
    }
}

/// Called by [`Expr`](crate::cfn::Expr) for each reference it writes: notes it when collecting,
/// and returns its replacement when rewriting.
pub(super) fn seen(link: LinkRef<'_>) -> Option<Replacement> {
    SCOPE.with(|s| match &mut *s.borrow_mut() {
        Scope::None => None,
        Scope::Collect(links) => {
            links.push(link.to_link());
            None
        }
        Scope::Rewrite(r) => r.get(link).cloned(),
    })
}

/// The link of `AWS::StackName`; no other pseudo parameter crosses a
/// boundary (a child is in its parent's account, partition and region).
pub(super) fn pseudo_link(p: Pseudo) -> Option<LinkRef<'static>> {
    (p == Pseudo::StackName).then_some(LinkRef::StackName)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn id(s: &str) -> LogicalId {
        LogicalId::parse(s).unwrap()
    }

    #[test]
    fn collects_every_reference_written_and_rewrites_only_those_it_maps() {
        let e = Expr::Base64(Box::new(
            Expr::sub()
                .lit("a ${literal} ")
                .reference(&id("Topic"))
                .attr(&id("Eip"), "AllocationId")
                .pseudo(Pseudo::StackName)
                .pseudo(Pseudo::Region)
                .build(),
        ));
        let list = vec![
            e.clone(),
            Expr::Ref(id("Topic")),
            Expr::GetAtt(id("Zone"), Cow::Borrowed("NameServers")),
            Expr::Pseudo(Pseudo::AccountId),
        ];
        let (json, links) = collect(|| serde_json::to_string(&list).unwrap());
        assert_eq!(
            links,
            vec![
                Link::Ref(id("Topic")),
                Link::Att(id("Eip"), "AllocationId".into()),
                Link::StackName,
                Link::Ref(id("Topic")),
                Link::Att(id("Zone"), "NameServers".into()),
            ]
        );
        // Outside a scope nothing is noted or replaced.
        assert_eq!(serde_json::to_string(&list).unwrap(), json);
        let ((), none) = collect(|| ());
        assert!(none.is_empty());

        let mut r = Rewrites::default();
        r.insert(
            &Link::Ref(id("Topic")),
            Replacement::Parameter(id("TopicIn")),
        );
        r.insert(
            &Link::Att(id("Eip"), "AllocationId".into()),
            Replacement::Output(id("Shard001"), id("EipOut")),
        );
        r.insert(
            &Link::StackName,
            Replacement::Parameter(id("ParentStackName")),
        );
        let r = Arc::new(r);
        let rewritten = r.apply(|| serde_json::to_value(&list).unwrap());
        assert_eq!(
            rewritten,
            serde_json::json!([
                {"Fn::Base64": {"Fn::Sub": "a ${!literal} ${TopicIn}${Shard001.Outputs.EipOut}${ParentStackName}${AWS::Region}"}},
                {"Ref": "TopicIn"},
                {"Fn::GetAtt": ["Zone", "NameServers"]},
                {"Ref": "AWS::AccountId"},
            ])
        );
        // The scope ends with the call.
        assert_eq!(serde_json::to_string(&list).unwrap(), json);
    }

    #[test]
    fn a_panicking_serialization_leaves_no_scope_behind() {
        let r = std::panic::catch_unwind(|| collect(|| panic!("in the middle")));
        assert!(r.is_err());
        SCOPE.with(|s| assert!(matches!(*s.borrow(), Scope::None)));
    }
}
