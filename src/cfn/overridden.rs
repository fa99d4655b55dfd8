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

use super::Properties;

/// One step of a property path: an object's key, or an array's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `LaunchTemplateData`.
    Key(String),
    /// `0`.
    Index(usize),
}

/// One override: a path in `Properties`, and the value to set there, or
/// `None` to remove what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The path, from `Properties`.
    pub path: Vec<Segment>,
    /// The new value; `None` removes the property.
    pub value: Option<Value>,
}

impl Patch {
    /// Applies the patch to `properties`. Missing objects on the way are
    /// created; an index must exist, or be the end of the array to append.
    pub fn apply(&self, properties: &mut Value) -> Result<(), String> {
        let Some((last, way)) = self.path.split_last() else {
            return Err("the path is empty".to_string());
        };
        let mut at = properties;
        let mut walked = String::new();
        for segment in way {
            at = match (segment, at) {
                (Segment::Key(k), Value::Object(map)) => map
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new())),
                (Segment::Index(i), Value::Array(items)) => {
                    let len = items.len();
                    items.get_mut(*i).ok_or_else(|| {
                        format!("{} has {len} elements, no [{i}]", shown(&walked))
                    })?
                }
                (s, v) => return Err(mismatch(&walked, s, v)),
            };
            walked.push_str(&step(segment));
        }
        match (last, at, &self.value) {
            (Segment::Key(k), Value::Object(map), Some(v)) => {
                map.insert(k.clone(), v.clone());
            }
            (Segment::Key(k), Value::Object(map), None) => {
                if map.remove(k).is_none() {
                    return Err(format!("{}.{k} is not set: nothing to remove", shown(&walked)));
                }
            }
            (Segment::Index(i), Value::Array(items), value) => {
                let len = items.len();
                match value {
                    Some(v) if *i < len => items[*i] = v.clone(),
                    Some(v) if *i == len => items.push(v.clone()),
                    None if *i < len => {
                        items.remove(*i);
                    }
                    _ => return Err(format!("{} has {len} elements, no [{i}]", shown(&walked))),
                }
            }
            (s, v, _) => return Err(mismatch(&walked, s, v)),
        }
        Ok(())
    }
}

/// `.Key` or `[0]`.
fn step(segment: &Segment) -> String {
    match segment {
        Segment::Key(k) => format!(".{k}"),
        Segment::Index(i) => format!("[{i}]"),
    }
}

/// The path walked so far, as a message shows it.
fn shown(walked: &str) -> String {
    format!("Properties{walked}")
}

fn mismatch(walked: &str, segment: &Segment, found: &Value) -> String {
    let what = match found {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let wanted = match segment {
        Segment::Key(_) => "an object",
        Segment::Index(_) => "an array",
    };
    format!(
        "{} is {what}, not {wanted}: {} cannot be set in it",
        shown(walked),
        step(segment)
    )
}

/// Typed properties with overrides.
#[derive(Debug)]
pub struct Overridden {
    inner: Box<dyn Properties>,
    patches: Vec<Patch>,
    /// The properties with the overrides applied, for the quota checks.
    measured: Value,
}

impl Overridden {
    /// `inner` with `patches` applied in order; or `inner` back, with the
    /// index of the patch that cannot be applied and why.
    pub fn new(
        inner: Box<dyn Properties>,
        patches: Vec<Patch>,
    ) -> Result<Self, (Box<dyn Properties>, usize, String)> {
        let mut measured = serde_json::to_value(&*inner)
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
        let mut v = serde_json::to_value(&*self.inner).map_err(serde::ser::Error::custom)?;
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
                            Value::Array(tags) if k == "Tags" || k == "HealthCheckTags" => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(path: &[Segment], value: Option<Value>) -> Patch {
        Patch {
            path: path.to_vec(),
            value,
        }
    }

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_string())
    }

    #[test]
    fn a_patch_sets_creates_appends_and_removes() {
        let mut v = json!({"A": {"B": 1}, "L": [1, 2]});
        patch(&[key("A"), key("C"), key("D")], Some(json!(true)))
            .apply(&mut v)
            .unwrap();
        patch(&[key("L"), Segment::Index(2)], Some(json!(3)))
            .apply(&mut v)
            .unwrap();
        patch(&[key("A"), key("B")], None).apply(&mut v).unwrap();
        assert_eq!(v, json!({"A": {"C": {"D": true}}, "L": [1, 2, 3]}));
        let e = patch(&[key("L"), Segment::Index(5)], Some(json!(0)))
            .apply(&mut v)
            .unwrap_err();
        assert_eq!(e, "Properties.L has 3 elements, no [5]");
        let e = patch(&[key("L"), key("X")], Some(json!(0)))
            .apply(&mut v)
            .unwrap_err();
        assert_eq!(e, "Properties.L is an array, not an object: .X cannot be set in it");
        let e = patch(&[key("Z")], None).apply(&mut v).unwrap_err();
        assert_eq!(e, "Properties.Z is not set: nothing to remove");
    }
}
