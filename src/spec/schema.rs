//! The language's keys as data, read from the same [`Table`]s that the TOML
//! front end fills: every block kind, every key and the TOML type it takes.
//! From them come the JSON Schema of `*.topo.toml` (for editors: taplo,
//! Even Better TOML) and the check that `docs/language.md` names every key
//! and no other. A key added to a block's `Table` is therefore in the
//! schema at once, and the reference's test fails until it is documented.
//!
//! The schema describes shape (keys, TOML types, the form of references and
//! names), which is what the front end checks. What values mean (a region,
//! a CIDR, a time) and which keys are required is `validate`'s: an editor
//! that accepts a file has not compiled it (`topoform validate` does).

#[cfg(any(test, feature = "cli", feature = "internals"))]
use serde_json::{Map, Value, json};

use super::{Field, Sp, Table, Topology};
use crate::kind::Kind;
use crate::source::Span;

/// What a key takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// An integer.
    Int,
    /// A boolean.
    Flag,
    /// An array of strings.
    List,
    /// A reference `"kind.name"` to a block of one of these kinds.
    Ref(&'static [Kind]),
    /// An inline table of these keys.
    Table(Vec<Key>),
    /// A word, or an inline table of these keys.
    WordOrTable(Vec<Key>),
    /// An inline table of free keys with string values (tags).
    Map,
}

/// One key of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Its name.
    pub name: &'static str,
    /// What it takes.
    pub shape: Shape,
}

fn walk(table: &mut dyn Table) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    for (name, field) in table.fields() {
        let shape = match field {
            Field::Text(_) => Shape::Text,
            Field::Int(_) => Shape::Int,
            Field::Flag(_) => Shape::Flag,
            Field::List(_) => Shape::List,
            Field::Ref(_, slot) => Shape::Ref(slot.kinds),
            Field::Table(nested) => Shape::Table(walk(nested.create(Span::default()))),
            Field::WordOrTable(choice) => Shape::WordOrTable(walk(choice.create(Span::default()))),
            Field::Map(_) => Shape::Map,
        };
        // A table lists a key once; should it list one twice, the first
        // is the one the front end fills.
        if !keys.iter().any(|k| k.name == name) {
            keys.push(Key { name, shape });
        }
    }
    keys
}

/// The keys of a block of `kind`, in the order of the language reference.
pub fn keys(kind: Kind) -> Vec<Key> {
    let mut topo = Topology::default();
    let block = topo.add_block(
        kind,
        Sp::new(String::new(), Span::default()),
        Span::default(),
    );
    walk(block.body)
}

#[cfg(any(test, feature = "internals"))]
/// Every key path of a block of `kind`: `ami`, `hours`, `hours.start`, …
pub fn paths(kind: Kind) -> Vec<String> {
    fn add(prefix: &str, keys: &[Key], out: &mut Vec<String>) {
        for k in keys {
            let path = format!("{prefix}{}", k.name);
            out.push(path.clone());
            if let Shape::Table(inner) | Shape::WordOrTable(inner) = &k.shape {
                add(&format!("{path}."), inner, out);
            }
        }
    }
    let mut out = Vec::new();
    add("", &keys(kind), &mut out);
    out
}

#[cfg(any(test, feature = "cli", feature = "internals"))]
/// A block name, as `validate` accepts it (`grammar::block_name`).
const NAME: &str = "^[a-z][a-z0-9-]{0,31}$";

#[cfg(any(test, feature = "cli", feature = "internals"))]
fn shape(s: &Shape) -> Value {
    match s {
        Shape::Text => json!({"type": "string"}),
        Shape::Int => json!({"type": "integer"}),
        Shape::Flag => json!({"type": "boolean"}),
        Shape::List => json!({"type": "array", "items": {"type": "string"}}),
        Shape::Ref(kinds) => {
            let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            json!({
                "type": "string",
                "pattern": format!("^({})\\.[a-z][a-z0-9-]{{0,31}}$", names.join("|")),
                "description": format!("A reference: {}.", names.iter().map(|n| format!("\"{n}.NAME\"")).collect::<Vec<_>>().join(" or ")),
            })
        }
        Shape::Table(keys) => table(keys, None),
        Shape::WordOrTable(keys) => json!({"oneOf": [{"type": "string"}, table(keys, None)]}),
        Shape::Map => json!({"type": "object", "additionalProperties": {"type": "string"}}),
    }
}

#[cfg(any(test, feature = "cli", feature = "internals"))]
fn table(keys: &[Key], description: Option<String>) -> Value {
    let mut properties = Map::new();
    for k in keys {
        properties.insert(k.name.to_string(), shape(&k.shape));
    }
    let mut t = Map::new();
    if let Some(d) = description {
        t.insert("description".into(), Value::String(d));
    }
    t.insert("type".into(), json!("object"));
    t.insert("properties".into(), Value::Object(properties));
    t.insert("additionalProperties".into(), json!(false));
    Value::Object(t)
}

#[cfg(any(test, feature = "cli", feature = "internals"))]
/// The JSON Schema (draft-07, which taplo reads) of a `*.topo.toml` file.
pub fn json_schema() -> Value {
    let mut blocks = Map::new();
    for &kind in Kind::ALL {
        let doc = format!(
            "See docs/language.md, `[{}]`.",
            if kind == Kind::Stack {
                kind.name().to_string()
            } else {
                format!("{}.NAME", kind.name())
            }
        );
        let body = table(&keys(kind), Some(doc.clone()));
        let schema = if kind == Kind::Stack {
            body
        } else {
            json!({
                "description": doc,
                "type": "object",
                "propertyNames": {"pattern": NAME},
                "additionalProperties": body,
            })
        };
        blocks.insert(kind.name().to_string(), schema);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://topoform.invalid/schemas/topology.json",
        "title": "topoform topology (*.topo.toml)",
        "description": "The keys and TOML types of a topoform topology. `topoform validate` checks what the values mean; docs/language.md describes every key.",
        "type": "object",
        "properties": Value::Object(blocks),
        "additionalProperties": false,
    })
}

#[cfg(any(test, feature = "cli", feature = "internals"))]
/// [`json_schema`] as the file `docs/topology.schema.json` holds it.
pub fn json_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).expect("a schema serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_keys_and_nested_paths_are_dotted() {
        for &kind in Kind::ALL {
            assert!(!keys(kind).is_empty(), "{kind}");
        }
        let paths = paths(Kind::Instance);
        assert!(paths.contains(&"ami".to_string()), "{paths:?}");
        assert!(
            paths.contains(&"elastic_ip.allocation".to_string()),
            "{paths:?}"
        );
    }

    #[test]
    fn the_schema_closes_every_table() {
        fn closed(v: &Value) {
            if v.get("type") == Some(&json!("object")) && v.get("properties").is_some() {
                assert_eq!(v["additionalProperties"], json!(false), "{v}");
            }
            match v {
                Value::Object(m) => m.values().for_each(closed),
                Value::Array(a) => a.iter().for_each(closed),
                _ => {}
            }
        }
        closed(&json_schema());
    }
}
