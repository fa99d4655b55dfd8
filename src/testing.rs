//! Assertions for the tests of a topology, in the manner of AWS CDK's
//! `Template.fromStack(..)`: compile once, then find resources by type or by
//! the block that made them, match their properties partially, and count
//! them. Logical IDs come from the compilation itself, so a test never
//! recomputes them.
//!
//! A test of a Rust infrastructure repository:
//!
//! ```
//! use topoform::builder::{Instance, Topology};
//! use topoform::testing::{Synthesized, json};
//!
//! let mut topo = Topology::new("web", "ap-northeast-1");
//! let web = topo.instance(
//!     "web",
//!     Instance::new("ami-0123456789abcdef0", "t3.small", ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"])
//!         .volume_gb(30),
//! );
//! let synth = Synthesized::from_builder(topo, &topoform::FilesIn(".".into())).expect("valid");
//!
//! // One auto-healing group of one instance, and its Elastic IP.
//! synth.resource_count_is("AWS::AutoScaling::AutoScalingGroup", 1);
//! synth.has_resource_properties(
//!     "AWS::AutoScaling::AutoScalingGroup",
//!     &json!({ "MinSize": "1", "MaxSize": "1" }),
//! );
//! // The root volume, deep in the launch template: only the keys given are compared.
//! synth.has_resource_properties(
//!     "AWS::EC2::LaunchTemplate",
//!     &json!({ "LaunchTemplateData": { "BlockDeviceMappings": [{ "Ebs": { "VolumeSize": 30 } }] } }),
//! );
//! // The block's own resources, without knowing how their IDs are derived.
//! assert!(synth.logical_ids(&web).contains(&"WebEip"));
//! assert!(synth.resources_of(&web).iter().any(|r| r.resource_type == "AWS::EC2::EIP"));
//! ```
//!
//! Matching (`has_resource_properties`, `find_resources`): an expected
//! object matches an object that has at least its keys, each matching
//! (recursively); an expected array matches an array of the same length
//! whose elements match in order; any other value must be equal. The
//! assertion methods panic with what was found, as `assert!` does: they are
//! for tests.

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use serde_json::{Value, json};

use crate::diag::{Diagnostic, Errors};
use crate::emit::Output;
use crate::source::Files;
use crate::spec::{Body, Handle};

/// One resource of the compiled templates.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// The template file that holds it: `STACK.template.json`,
    /// `nested/….template.json` or `STACK-edge.template.json`.
    pub template: &'a str,
    /// Its logical ID.
    pub logical_id: &'a str,
    /// Its `Type`, e.g. `AWS::EC2::EIP`.
    pub resource_type: &'a str,
    /// Its `Properties` (`Value::Null` when it has none).
    pub properties: &'a Value,
    /// The whole resource: `Type`, `Properties`, `DependsOn`, `Metadata`, ….
    pub definition: &'a Value,
    /// The block that made it, as the TOML names it (`instance.web`);
    /// `None` for what no one block owns (nested stacks, shared
    /// resources).
    pub block: Option<&'a str>,
    /// The fleet client it is for, when it is one client's.
    pub client: Option<&'a str>,
}

/// Who made a resource.
#[derive(Clone, Debug)]
struct Made {
    block: String,
    client: Option<String>,
}

/// A compiled topology, for assertions.
#[derive(Debug)]
pub struct Synthesized {
    output: Output,
    warnings: Vec<Diagnostic>,
    /// Every template, parsed, by file name.
    templates: BTreeMap<String, Value>,
    /// The block of each logical ID the compilation derived.
    made: BTreeMap<String, Made>,
}

impl Synthesized {
    /// Compiles a topology built with [`crate::builder`]; `files` reads the
    /// files it names.
    pub fn from_builder(
        topology: crate::builder::Topology,
        files: &dyn Files,
    ) -> Result<Synthesized, Errors> {
        let (c, model) = topology.compile_model(files, &Output::new());
        Self::new(c, model)
    }

    /// Compiles TOML topology text; `files` reads the files it names.
    pub fn from_toml(text: &str, files: &dyn Files) -> Result<Synthesized, Errors> {
        let (c, model) = crate::compile_toml_model(text, files, &Output::new());
        Self::new(c, model)
    }

    fn new(c: crate::Compilation, model: Option<crate::model::Model>) -> Result<Self, Errors> {
        let warnings = c.diagnostics.clone();
        let output = c.into_result()?;
        let model = model.expect("a compilation with output has a model");
        let templates: BTreeMap<String, Value> = output
            .iter()
            .filter(|(path, _)| path.ends_with(".template.json"))
            .map(|(path, text)| {
                let v = serde_json::from_str(text).expect("topoform writes JSON templates");
                (path.clone(), v)
            })
            .collect();
        let mut made = BTreeMap::new();
        for template in templates.values() {
            let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
                continue;
            };
            for id in resources.keys() {
                if let Some(owner) = model.origins.ids.owner(id) {
                    made.insert(
                        id.clone(),
                        Made {
                            block: format!("{}.{}", owner.kind, owner.name),
                            client: owner.client.clone(),
                        },
                    );
                }
            }
        }
        Ok(Synthesized {
            output,
            warnings,
            templates,
            made,
        })
    }

    /// Every file the compilation made, as [`crate::emit::write_to`]
    /// writes them.
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// The warnings of the compilation.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The template `path` (`web.template.json`), parsed.
    pub fn template(&self, path: &str) -> Option<&Value> {
        self.templates.get(path)
    }

    /// Every resource of every template, by template then logical ID.
    pub fn resources(&self) -> Vec<Resource<'_>> {
        let mut out = Vec::new();
        for (path, template) in &self.templates {
            let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
                continue;
            };
            for (id, definition) in resources {
                let made = self.made.get(id);
                out.push(Resource {
                    template: path,
                    logical_id: id,
                    resource_type: definition
                        .get("Type")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    properties: definition.get("Properties").unwrap_or(&Value::Null),
                    definition,
                    block: made.map(|m| m.block.as_str()),
                    client: made.and_then(|m| m.client.as_deref()),
                });
            }
        }
        out
    }

    /// The resource `logical_id`, in whichever template holds it.
    pub fn resource(&self, logical_id: &str) -> Option<Resource<'_>> {
        self.resources()
            .into_iter()
            .find(|r| r.logical_id == logical_id)
    }

    /// The resources of type `resource_type`.
    pub fn resources_of_type(&self, resource_type: &str) -> Vec<Resource<'_>> {
        self.resources()
            .into_iter()
            .filter(|r| r.resource_type == resource_type)
            .collect()
    }

    /// The resources that `block` made (a fleet's: every client's).
    pub fn resources_of<B: Body>(&self, block: &Handle<B>) -> Vec<Resource<'_>> {
        self.resources_of_block(&block.to_string())
    }

    /// [`Synthesized::resources_of`], by the name the TOML gives the block:
    /// `instance.web`.
    pub fn resources_of_block(&self, block: &str) -> Vec<Resource<'_>> {
        self.resources()
            .into_iter()
            .filter(|r| r.block == Some(block))
            .collect()
    }

    /// The logical IDs of the resources that `block` made.
    pub fn logical_ids<B: Body>(&self, block: &Handle<B>) -> Vec<&str> {
        self.resources_of(block)
            .into_iter()
            .map(|r| r.logical_id)
            .collect()
    }

    /// The resources of `resource_type` whose properties match `expected`
    /// (see the module's matching rules).
    pub fn find_resources(&self, resource_type: &str, expected: &Value) -> Vec<Resource<'_>> {
        self.resources_of_type(resource_type)
            .into_iter()
            .filter(|r| matches(expected, r.properties))
            .collect()
    }

    /// Asserts that there are exactly `count` resources of `resource_type`.
    #[track_caller]
    pub fn resource_count_is(&self, resource_type: &str, count: usize) {
        let found = self.resources_of_type(resource_type);
        assert!(
            found.len() == count,
            "expected {count} {resource_type}, found {}: {}",
            found.len(),
            found
                .iter()
                .map(|r| r.logical_id)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    /// Asserts that some resource of `resource_type` has properties that
    /// match `expected`.
    #[track_caller]
    pub fn has_resource_properties(&self, resource_type: &str, expected: &Value) {
        if !self.find_resources(resource_type, expected).is_empty() {
            return;
        }
        let mut message = format!("no {resource_type} has properties matching {expected}");
        let found = self.resources_of_type(resource_type);
        if found.is_empty() {
            message.push_str("; there is none of that type");
        }
        for r in found {
            let _ = write!(
                message,
                "\n  {} ({}): {}",
                r.logical_id,
                r.template,
                mismatch(expected, r.properties, "Properties")
                    .unwrap_or_else(|| "matches".to_string())
            );
        }
        panic!("{message}");
    }
}

/// Whether `actual` matches `expected`: objects partially, arrays element
/// by element, anything else equal.
fn matches(expected: &Value, actual: &Value) -> bool {
    mismatch(expected, actual, "").is_none()
}

/// The first place where `actual` does not match `expected`, as a path
/// and what was found there.
fn mismatch(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want.iter().find_map(|(k, w)| {
            let here = format!("{at}.{k}");
            match have.get(k) {
                Some(h) => mismatch(w, h, &here),
                None => Some(format!("{here} is absent")),
            }
        }),
        (Value::Array(want), Value::Array(have)) => {
            if want.len() == have.len() {
                want.iter()
                    .zip(have)
                    .enumerate()
                    .find_map(|(i, (w, h))| mismatch(w, h, &format!("{at}[{i}]")))
            } else {
                Some(format!(
                    "{at} has {} elements, not {}",
                    have.len(),
                    want.len()
                ))
            }
        }
        _ if expected == actual => None,
        _ => Some(format!("{at} is {actual}, not {expected}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_match_partially_and_arrays_exactly() {
        let actual = json!({"A": 1, "B": {"C": [1, {"D": 2, "E": 3}]}});
        assert!(matches(&json!({"A": 1}), &actual));
        assert!(matches(&json!({"B": {"C": [1, {"E": 3}]}}), &actual));
        assert!(!matches(&json!({"B": {"C": [1]}}), &actual));
        assert!(!matches(&json!({"A": "1"}), &actual));
        assert_eq!(
            mismatch(&json!({"B": {"C": [1, {"D": 9}]}}), &actual, "Properties").unwrap(),
            "Properties.B.C[1].D is 2, not 9"
        );
        assert_eq!(
            mismatch(&json!({"Z": 1}), &actual, "Properties").unwrap(),
            "Properties.Z is absent"
        );
    }
}
