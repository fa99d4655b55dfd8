//! Values and CloudFormation's intrinsic functions: literals, `Ref`,
//! `Fn::GetAtt`, `Fn::Sub` (assembled from typed parts) and `Fn::Base64`.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::scope::{self, LinkRef, Replacement};
use crate::naming::LogicalId;

/// A pseudo parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::Partition`.
    Partition,
    /// `AWS::Region`.
    Region,
    /// `AWS::StackName`.
    StackName,
}

impl Pseudo {
    #[cfg_attr(
        not(any(test, feature = "internals")),
        allow(dead_code, reason = "read back by the tests of the split only")
    )]
    /// Every pseudo parameter topoform writes.
    const ALL: [Pseudo; 4] = [
        Pseudo::AccountId,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackName,
    ];

    #[cfg_attr(
        not(any(test, feature = "internals")),
        allow(dead_code, reason = "read back by the tests of the split only")
    )]
    /// The pseudo parameter named `name` (`AWS::Region`), if topoform writes it.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Its name, `AWS::…`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackName => "AWS::StackName",
        }
    }
}

/// A value: a literal or an intrinsic function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A literal string.
    Str(String),
    /// `{"Ref": id}`.
    Ref(LogicalId),
    /// `{"Ref": "AWS::…"}`.
    Pseudo(Pseudo),
    /// `{"Fn::GetAtt": [id, attribute]}`. The attribute is owned when the
    /// nested-stack split makes it (a child's output of a parent's
    /// reference), or it was read back from JSON.
    GetAtt(LogicalId, Cow<'static, str>),
    /// `{"Fn::GetAtt": [stack, "Outputs.output"]}`: an output of the nested
    /// stack `stack`.
    Output(LogicalId, LogicalId),
    /// `{"Fn::Sub": "…"}`, assembled from typed parts.
    Sub(Vec<SubPart>),
    /// `{"Fn::Base64": …}`.
    #[cfg_attr(
        not(any(test, feature = "internals")),
        allow(dead_code, reason = "read back by the tests of the split only")
    )]
    Base64(Box<Expr>),
}

/// A piece of an `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPart {
    /// Literal text (`${` is escaped as `${!`): mostly a literal of the
    /// code (`arn:`), kept without a copy.
    Lit(Cow<'static, str>),
    /// `${AWS::…}`.
    Pseudo(Pseudo),
    /// `${Id}`.
    Ref(LogicalId),
    /// `${Id.Attribute}`.
    Attr(LogicalId, Cow<'static, str>),
    /// `${Stack.Outputs.Output}`: an output of a nested stack.
    Output(LogicalId, LogicalId),
}

impl Expr {
    /// A literal.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    /// Starts an `Fn::Sub`.
    pub fn sub() -> SubBuilder {
        SubBuilder(Vec::new())
    }

    #[cfg_attr(
        not(any(test, feature = "internals")),
        allow(dead_code, reason = "read back by the tests of the split only")
    )]
    /// The logical IDs this value refers to.
    pub fn refs(&self) -> Vec<&LogicalId> {
        match self {
            Expr::Str(_) | Expr::Pseudo(_) => Vec::new(),
            Expr::Ref(id) | Expr::GetAtt(id, _) | Expr::Output(id, _) => vec![id],
            Expr::Sub(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    SubPart::Ref(id) | SubPart::Attr(id, _) | SubPart::Output(id, _) => Some(id),
                    SubPart::Lit(_) | SubPart::Pseudo(_) => None,
                })
                .collect(),
            Expr::Base64(e) => e.refs(),
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Expr {
        Expr::Str(s.to_string())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Expr {
        Expr::Str(s)
    }
}

/// Builds an `Fn::Sub` from parts.
#[derive(Debug)]
pub struct SubBuilder(Vec<SubPart>);

impl SubBuilder {
    /// Literal text.
    #[must_use]
    pub fn lit(mut self, s: impl Into<Cow<'static, str>>) -> Self {
        self.0.push(SubPart::Lit(s.into()));
        self
    }
    /// A pseudo parameter.
    #[must_use]
    pub fn pseudo(mut self, p: Pseudo) -> Self {
        self.0.push(SubPart::Pseudo(p));
        self
    }
    /// A resource's `Ref`.
    #[must_use]
    pub fn reference(mut self, id: &LogicalId) -> Self {
        self.0.push(SubPart::Ref(id.clone()));
        self
    }
    /// A resource attribute.
    #[must_use]
    pub fn attr(mut self, id: &LogicalId, attr: impl Into<Cow<'static, str>>) -> Self {
        self.0.push(SubPart::Attr(id.clone(), attr.into()));
        self
    }
    /// The finished expression.
    pub fn build(self) -> Expr {
        Expr::Sub(self.0)
    }
}

/// Serializes the one-entry map `{key: value}`: the shape of every intrinsic
/// function, and of a service principal.
pub(super) fn single<S: Serializer, V: Serialize + ?Sized>(
    s: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(key, value)?;
    m.end()
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Each reference goes through the thread's scope (see `scope`): the
        // split notes it, or has it written as its replacement. A
        // replacement is written as it is, not looked up again: a child's
        // parameter often has the name of the resource it stands for.
        match self.link().and_then(scope::seen) {
            Some(r) => Expr::from(r).write(s),
            None => self.write(s),
        }
    }
}

impl From<Replacement> for Expr {
    fn from(r: Replacement) -> Expr {
        match r {
            Replacement::Parameter(p) => Expr::Ref(p),
            Replacement::Output(stack, output) => Expr::Output(stack, output),
        }
    }
}

impl From<Replacement> for SubPart {
    fn from(r: Replacement) -> SubPart {
        match r {
            Replacement::Parameter(p) => SubPart::Ref(p),
            Replacement::Output(stack, output) => SubPart::Output(stack, output),
        }
    }
}

impl Expr {
    /// The reference it is itself, if any (not those inside an `Fn::Sub` or
    /// an `Fn::Base64`).
    fn link(&self) -> Option<LinkRef<'_>> {
        match self {
            Expr::Ref(id) => Some(LinkRef::Ref(id)),
            Expr::GetAtt(id, attr) => Some(LinkRef::Att(id, attr)),
            Expr::Pseudo(p) => scope::pseudo_link(*p),
            Expr::Str(_) | Expr::Output(..) | Expr::Sub(_) | Expr::Base64(_) => None,
        }
    }

    /// Writes it as it is; the references inside it (an `Fn::Sub`'s parts,
    /// an `Fn::Base64`'s expression) still go through the scope.
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Str(v) => s.serialize_str(v),
            Expr::Ref(id) => single(s, "Ref", id),
            Expr::Pseudo(p) => single(s, "Ref", p.as_str()),
            Expr::GetAtt(id, attr) => single(s, "Fn::GetAtt", &GetAtt(id, attr)),
            Expr::Output(stack, output) => single(
                s,
                "Fn::GetAtt",
                &GetAtt(stack, &format!("Outputs.{output}")),
            ),
            Expr::Sub(parts) => {
                // Sized once: grown from empty, the string was reallocated
                // a few times for every `Fn::Sub` of every serialization.
                let mut text = String::with_capacity(parts.iter().map(SubPart::len_hint).sum());
                for p in parts {
                    match p.link().and_then(scope::seen) {
                        Some(r) => SubPart::from(r).write(&mut text),
                        None => p.write(&mut text),
                    }
                }
                single(s, "Fn::Sub", &text)
            }
            Expr::Base64(e) => single(s, "Fn::Base64", e),
        }
    }
}

impl SubPart {
    /// About its length in an `Fn::Sub` string (exact, but for a literal's
    /// escapes and a rewritten reference).
    fn len_hint(&self) -> usize {
        match self {
            SubPart::Lit(l) => l.len(),
            SubPart::Pseudo(p) => p.as_str().len() + 3,
            SubPart::Ref(id) => id.as_str().len() + 3,
            SubPart::Attr(id, attr) => id.as_str().len() + attr.len() + 4,
            SubPart::Output(stack, output) => stack.as_str().len() + output.as_str().len() + 12,
        }
    }

    /// The reference it is, if any.
    fn link(&self) -> Option<LinkRef<'_>> {
        match self {
            SubPart::Ref(id) => Some(LinkRef::Ref(id)),
            SubPart::Attr(id, attr) => Some(LinkRef::Att(id, attr)),
            SubPart::Pseudo(p) => scope::pseudo_link(*p),
            SubPart::Lit(_) | SubPart::Output(..) => None,
        }
    }

    /// Appends it to an `Fn::Sub` string.
    fn write(&self, text: &mut String) {
        let mut name = |inner: &[&str]| {
            text.push_str("${");
            text.extend(inner.iter().copied());
            text.push('}');
        };
        match self {
            SubPart::Lit(l) => push_literal(text, l),
            SubPart::Pseudo(p) => name(&[p.as_str()]),
            SubPart::Ref(id) => name(&[id.as_str()]),
            SubPart::Attr(id, attr) => name(&[id.as_str(), ".", attr]),
            SubPart::Output(stack, output) => name(&[stack.as_str(), ".Outputs.", output.as_str()]),
        }
    }
}

/// Appends literal text to an `Fn::Sub` string, each `${` written `${!`
/// (which `Fn::Sub` reads as a literal `${`). Without a copy or a substring
/// search: every serialization of every `Fn::Sub` comes through here.
fn push_literal(text: &mut String, literal: &str) {
    let mut rest = literal;
    while let Some(i) = rest.find('$') {
        let (head, tail) = rest.split_at(i + 1);
        text.push_str(head);
        rest = match tail.strip_prefix('{') {
            Some(after) => {
                text.push_str("{!");
                after
            }
            None => tail,
        };
    }
    text.push_str(rest);
}

impl Expr {
    #[cfg_attr(
        not(any(test, feature = "internals")),
        allow(dead_code, reason = "read back by the tests of the split only")
    )]
    /// Reads back an intrinsic function that [`Expr`] writes: `Ref`,
    /// `Fn::GetAtt` with a string attribute, `Fn::Sub` with a string, and
    /// `Fn::Base64` of any of these or of a string. `None` for any other
    /// JSON, which holds no reference of topoform's.
    pub fn parse(v: &serde_json::Value) -> Option<Expr> {
        use serde_json::Value;
        let Value::Object(map) = v else {
            return None;
        };
        let (key, arg) = map.iter().next().filter(|_| map.len() == 1)?;
        match (key.as_str(), arg) {
            ("Ref", Value::String(name)) => Some(match Pseudo::from_name(name) {
                Some(p) => Expr::Pseudo(p),
                None => Expr::Ref(LogicalId::parse(name)?),
            }),
            ("Fn::GetAtt", Value::Array(a)) => match a.as_slice() {
                [Value::String(id), Value::String(attr)] => Some(Expr::GetAtt(
                    LogicalId::parse(id)?,
                    Cow::Owned(attr.clone()),
                )),
                _ => None,
            },
            ("Fn::Sub", Value::String(text)) => parse_sub(text).map(Expr::Sub),
            ("Fn::Base64", Value::String(text)) => {
                Some(Expr::Base64(Box::new(Expr::Str(text.clone()))))
            }
            ("Fn::Base64", inner) => Some(Expr::Base64(Box::new(Expr::parse(inner)?))),
            _ => None,
        }
    }
}

/// The parts of an `Fn::Sub` string: `${!` is a literal `${`, `${AWS::…}` a
/// pseudo parameter, `${Id}` a reference and `${Id.Attribute}` an attribute.
/// `None` when the string is not one [`Expr`] writes (an unclosed `${`, or a
/// name that is neither).
#[cfg_attr(
    not(any(test, feature = "internals")),
    allow(dead_code, reason = "read back by the tests of the split only")
)]
fn parse_sub(text: &str) -> Option<Vec<SubPart>> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        lit.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        if let Some(after) = rest.strip_prefix('!') {
            lit.push_str("${");
            rest = after;
            continue;
        }
        let end = rest.find('}')?;
        let name = &rest[..end];
        rest = &rest[end + 1..];
        if !lit.is_empty() {
            parts.push(SubPart::Lit(std::mem::take(&mut lit).into()));
        }
        parts.push(if let Some(p) = Pseudo::from_name(name) {
            SubPart::Pseudo(p)
        } else if let Some((id, attr)) = name.split_once('.') {
            SubPart::Attr(LogicalId::parse(id)?, Cow::Owned(attr.to_string()))
        } else {
            SubPart::Ref(LogicalId::parse(name)?)
        });
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(SubPart::Lit(lit.into()));
    }
    Some(parts)
}

struct GetAtt<'a>(&'a LogicalId, &'a str);

impl Serialize for GetAtt<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(self.0)?;
        seq.serialize_element(self.1)?;
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_dollar_braces_are_escaped_and_nothing_else() {
        for (lit, want) in [
            ("", ""),
            ("plain", "plain"),
            ("${x}", "${!x}"),
            ("$${x}$", "$${!x}$"),
            ("a${!b}${", "a${!!b}${!"),
            ("$ {x} $", "$ {x} $"),
            ("¥${日本}", "¥${!日本}"),
        ] {
            let mut text = String::new();
            push_literal(&mut text, lit);
            assert_eq!(text, want, "{lit}");
            assert_eq!(text, lit.replace("${", "${!"), "{lit}");
        }
    }

    #[test]
    fn sub_escapes_literal_dollar_braces() {
        let id = LogicalId::fixed("WebEip");
        let e = Expr::sub()
            .lit("arn:")
            .pseudo(Pseudo::Partition)
            .lit(":x/${literal}/")
            .attr(&id, "AllocationId")
            .build();
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Fn::Sub":"arn:${AWS::Partition}:x/${!literal}/${WebEip.AllocationId}"}"#
        );
        assert_eq!(e.refs(), vec![&id]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            Expr::parse(&json),
            Some(e),
            "an Fn::Sub reads back as written"
        );
    }

    #[test]
    fn intrinsics_read_back_as_written() {
        let id = LogicalId::fixed("Web");
        for e in [
            Expr::Ref(id.clone()),
            Expr::Pseudo(Pseudo::StackName),
            Expr::GetAtt(id.clone(), "Arn".into()),
            Expr::Base64(Box::new(Expr::sub().lit("#!/bin/bash ${!x} $").build())),
            Expr::sub()
                .reference(&id)
                .lit("-")
                .pseudo(Pseudo::Region)
                .build(),
        ] {
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(Expr::parse(&json), Some(e.clone()), "{json}");
        }
        for not_ours in [
            serde_json::json!("text"),
            serde_json::json!({"Ref": "AWS::NoValue"}),
            serde_json::json!({"Fn::Sub": "${unclosed"}),
            serde_json::json!({"Fn::Sub": "${not-an-id}"}),
            serde_json::json!({"Ref": "A", "Other": 1}),
            serde_json::json!({"Fn::Join": ["", []]}),
        ] {
            assert_eq!(Expr::parse(&not_ours), None, "{not_ours}");
        }
    }

    #[test]
    fn intrinsics_serialize_as_cloudformation_expects() {
        let id = LogicalId::fixed("Web");
        assert_eq!(
            serde_json::to_string(&Expr::Ref(id.clone())).unwrap(),
            r#"{"Ref":"Web"}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::GetAtt(id.clone(), "Arn".into())).unwrap(),
            r#"{"Fn::GetAtt":["Web","Arn"]}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::Output(id, LogicalId::fixed("Out"))).unwrap(),
            r#"{"Fn::GetAtt":["Web","Outputs.Out"]}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::GetAtt(LogicalId::fixed("Web"), "Arn".into())).unwrap(),
            r#"{"Fn::GetAtt":["Web","Arn"]}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::Base64(Box::new(Expr::str("a")))).unwrap(),
            r#"{"Fn::Base64":"a"}"#
        );
    }
}
