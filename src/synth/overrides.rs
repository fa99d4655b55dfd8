//! The builder's overrides, applied to the synthesized templates before the
//! split and the quotas: what they change is split, measured, planned and
//! written like every other property (see `cfn::overridden`).

use std::collections::BTreeMap;

use crate::cfn::overridden::Overridden;
use crate::cfn::{ResourceTopoform, Template};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::Model;
use crate::naming::LogicalId;
use crate::spec::{Override, Patch, Segment};

/// Applies `overrides` to the resources of `templates` that their blocks
/// made; every override that cannot be applied is an error at its builder
/// call. `settable` gives the top-level properties a template may set on a
/// resource type (CloudFormation's schema, through `impact`, which this
/// stage does not import): an override of any other is a typo, refused.
pub fn apply(
    model: &Model,
    templates: &mut BTreeMap<String, Template>,
    overrides: &[Override],
    settable: impl Fn(&str) -> Option<&'static [String]>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Each resource's overrides, in the order they were made.
    let mut patches: BTreeMap<(String, LogicalId), Vec<&Override>> = BTreeMap::new();
    for o in overrides {
        if let Some(d) = unknown_property(o, &settable) {
            diagnostics.push(d);
            continue;
        }
        // A block held out of the model has its own errors reported, and
        // no output is made: what it would make is not known.
        if !model.contains(o.block.kind, &o.block.name) {
            continue;
        }
        let mut made = Vec::new();
        let mut found = false;
        for (path, template) in templates.iter() {
            for (id, resource) in &template.resources {
                let Some(owner) = model.origins.ids.owner(id.as_str()) else {
                    continue;
                };
                if owner.kind != o.block.kind || owner.name != o.block.name {
                    continue;
                }
                if resource.kind == o.resource_type {
                    found = true;
                    patches
                        .entry((path.clone(), id.clone()))
                        .or_default()
                        .push(o);
                } else {
                    made.push(resource.kind);
                }
            }
        }
        if !found {
            made.sort_unstable();
            made.dedup();
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidOverride,
                    o.span,
                    format!("{} makes no {}", o.block, o.resource_type),
                )
                .label("overridden here")
                .help(if made.is_empty() {
                    "it makes no resource of its own".to_string()
                } else {
                    format!("it makes {}", made.join(", "))
                }),
            );
        }
    }
    for ((path, id), os) in patches {
        // Out of its template while its properties move into the wrapper,
        // and back.
        let resources = &mut templates.get_mut(&path).expect("found above").resources;
        let mut resource = resources.remove(&id).expect("found above");
        let list: Vec<Patch> = os.iter().map(|o| o.patch.clone()).collect();
        match Overridden::new(resource.properties, list) {
            Ok(overridden) => {
                resource.properties = overridden.into();
                resource
                    .metadata
                    .get_or_insert_with(Box::default)
                    .topoform
                    .get_or_insert_with(ResourceTopoform::default)
                    .overrides
                    .extend(os.iter().map(|o| o.written.clone()));
            }
            Err((inner, failed, why)) => {
                resource.properties = inner;
                let o = os[failed];
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidOverride,
                        o.span,
                        format!(
                            "cannot override `{}` of {} ({}): {why}",
                            o.written, id, o.resource_type
                        ),
                    )
                    .label("overridden here"),
                );
            }
        }
        resources.insert(id, resource);
    }
    diagnostics
}

/// The error for an override whose first step is not a property of its
/// resource type, when the type's schema is known.
fn unknown_property(
    o: &Override,
    settable: &impl Fn(&str) -> Option<&'static [String]>,
) -> Option<Diagnostic> {
    let properties = settable(&o.resource_type)?;
    let Some(Segment::Key(first)) = o.patch.path.first() else {
        return None;
    };
    if properties.iter().any(|p| p == first) {
        return None;
    }
    let d = Diagnostic::error(
        Code::InvalidOverride,
        o.span,
        format!("{} has no property `{first}` that a template sets", o.resource_type),
    )
    .label("overridden here");
    Some(
        match did_you_mean(first, properties.iter().map(String::as_str)) {
            Some(p) => d.help(format!("did you mean `{p}`?")),
            None => d.help(format!("its properties are {}", properties.join(", "))),
        },
    )
}
