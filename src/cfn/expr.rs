//! Values and CloudFormation's intrinsic functions: literals, `Ref`,
//! `Fn::GetAtt`, `Fn::Sub` (assembled from typed parts) and `Fn::Base64`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

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
    fn as_str(self) -> &'static str {
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
    /// `{"Fn::GetAtt": [id, attribute]}`.
    GetAtt(LogicalId, &'static str),
    /// `{"Fn::Sub": "…"}`, assembled from typed parts.
    Sub(Vec<SubPart>),
    /// `{"Fn::Base64": …}`.
    Base64(Box<Expr>),
}

/// A piece of an `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPart {
    /// Literal text (`${` is escaped as `${!`).
    Lit(String),
    /// `${AWS::…}`.
    Pseudo(Pseudo),
    /// `${Id}`.
    Ref(LogicalId),
    /// `${Id.Attribute}`.
    Attr(LogicalId, &'static str),
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

    /// The logical IDs this value refers to.
    pub fn refs(&self) -> Vec<&LogicalId> {
        match self {
            Expr::Str(_) | Expr::Pseudo(_) => Vec::new(),
            Expr::Ref(id) | Expr::GetAtt(id, _) => vec![id],
            Expr::Sub(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    SubPart::Ref(id) | SubPart::Attr(id, _) => Some(id),
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
    pub fn lit(mut self, s: &str) -> Self {
        self.0.push(SubPart::Lit(s.to_string()));
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
    pub fn attr(mut self, id: &LogicalId, attr: &'static str) -> Self {
        self.0.push(SubPart::Attr(id.clone(), attr));
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
        match self {
            Expr::Str(v) => s.serialize_str(v),
            Expr::Ref(id) => single(s, "Ref", id),
            Expr::Pseudo(p) => single(s, "Ref", p.as_str()),
            Expr::GetAtt(id, attr) => single(s, "Fn::GetAtt", &GetAtt(id, attr)),
            Expr::Sub(parts) => {
                let mut text = String::new();
                for p in parts {
                    match p {
                        SubPart::Lit(l) => text.push_str(&l.replace("${", "${!")),
                        SubPart::Pseudo(p) => {
                            text.push_str("${");
                            text.push_str(p.as_str());
                            text.push('}');
                        }
                        SubPart::Ref(id) => {
                            text.push_str("${");
                            text.push_str(id.as_str());
                            text.push('}');
                        }
                        SubPart::Attr(id, attr) => {
                            text.push_str("${");
                            text.push_str(id.as_str());
                            text.push('.');
                            text.push_str(attr);
                            text.push('}');
                        }
                    }
                }
                single(s, "Fn::Sub", &text)
            }
            Expr::Base64(e) => single(s, "Fn::Base64", e),
        }
    }
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
    }

    #[test]
    fn intrinsics_serialize_as_cloudformation_expects() {
        let id = LogicalId::fixed("Web");
        assert_eq!(
            serde_json::to_string(&Expr::Ref(id.clone())).unwrap(),
            r#"{"Ref":"Web"}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::GetAtt(id, "Arn")).unwrap(),
            r#"{"Fn::GetAtt":["Web","Arn"]}"#
        );
        assert_eq!(
            serde_json::to_string(&Expr::Base64(Box::new(Expr::str("a")))).unwrap(),
            r#"{"Fn::Base64":"a"}"#
        );
    }
}
