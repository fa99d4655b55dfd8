//! The escape hatch: a resource's typed properties with the builder's
//! overrides applied (`Topology::override_property`), for a property that
//! topoform does not expose.
//!
//! The overrides are applied where the properties are serialized, to the
//! JSON of the typed properties, so that the references they hold are still
//! rewritten across a nested-stack split (see [`scope`](super::scope)). The
//! quota checks read `measured`: the same JSON with the overrides applied,
//! made once when the overrides are.

use serde::Serialize;
use serde_json::Value;

use super::{Properties, Props};
use crate::spec::Patch;

/// Typed properties with overrides.
#[derive(Debug)]
pub struct Overridden {
    inner: Props,
    patches: Vec<Patch>,
    /// The properties with the overrides applied, for the quota checks.
    measured: Value,
}

impl Overridden {
    /// `inner` with `patches` applied in order; or `inner` back, with the
    /// index of the patch that cannot be applied and why.
    pub fn new(
        inner: Props,
        patches: Vec<Patch>,
    ) -> Result<Self, (Props, usize, String)> {
        let mut measured = serde_json::to_value(&inner)
            .unwrap_or_else(|e| panic!("bug in topoform: properties do not serialize: {e}"));
        for (i, p) in patches.iter().enumerate() {
            if let Err(why) = p.apply(&mut measured) {
                return Err((inner, i, why));
            }
        }
        Ok(Overridden {
            inner,
            patches,
            measured,
        })
    }
}

impl Serialize for Overridden {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Again, in the scope of this serialization: references rewritten.
        let mut v = serde_json::to_value(&self.inner).map_err(serde::ser::Error::custom)?;
        for p in &self.patches {
            // The same patches applied to the same shape in `new`.
            p.apply(&mut v).map_err(serde::ser::Error::custom)?;
        }
        v.serialize(s)
    }
}

impl Properties for Overridden {
    fn resource_type(&self) -> &'static str {
        self.inner.resource_type()
    }

    fn user_data(&self) -> Option<&str> {
        self.measured
            .pointer("/LaunchTemplateData/UserData")
            .and_then(Value::as_str)
    }

    fn inbound_rules(&self) -> usize {
        self.measured
            .get("SecurityGroupIngress")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }

    fn security_groups_per_interface(&self) -> usize {
        let count = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, Vec::len);
        let data = self.measured.get("LaunchTemplateData");
        let interfaces = data
            .and_then(|d| d.get("NetworkInterfaces"))
            .and_then(Value::as_array);
        interfaces
            .into_iter()
            .flatten()
            .map(|n| count(n.get("Groups")))
            .chain([count(data.and_then(|d| d.get("SecurityGroupIds")))])
            .max()
            .unwrap_or(0)
    }

    fn function_code(&self) -> Option<&str> {
        self.measured.get("FunctionCode").and_then(Value::as_str)
    }

    fn tag_lists(&self) -> Vec<usize> {
        fn walk(v: &Value, out: &mut Vec<usize>) {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        match v {
                            Value::Array(tags) if k == "Tags" || k == "HealthCheckTags" || k == "ResourceTags" => {
                                out.push(tags.len());
                            }
                            _ => walk(v, out),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.measured, &mut out);
        out
    }
}
