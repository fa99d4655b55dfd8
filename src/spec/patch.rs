//! An override's patch, as the builder writes it: a property path and the
//! value to set there (or nothing, to remove it). Applied to the JSON of a
//! resource's properties by `cfn::overridden`.

use serde_json::Value;

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
                // Not `remove`, which swaps the last key into its place: the
                // other properties keep their order, and the diff is one line.
                if map.shift_remove(k).is_none() {
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
