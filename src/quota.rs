//! AWS quotas, checked on the typed templates before anything is written.
//!
//! Most limits depend on how much a topology generates (resources per
//! template, user-data size after base64, tags per resource), so they are
//! measured on the real output rather than predicted. Each overflow is an
//! error naming the block that overflows; a template over the inline-body
//! limit is only a warning, because `deploy.sh` then uploads it through S3.

use std::collections::BTreeMap;

use crate::cfn::Template;
use crate::diag::{Code, Diagnostic};
use crate::model::Model;
use crate::naming::LogicalId;

/// Resources per template.
pub const MAX_RESOURCES: usize = 500;
/// Parameters, and outputs, per template.
pub const MAX_PARAMETERS: usize = 200;
/// Outputs per template.
pub const MAX_OUTPUTS: usize = 200;
/// Template body uploaded through S3.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// EC2 user-data, after base64.
pub const MAX_USER_DATA_BYTES: usize = 16_384;
/// Tags per resource.
pub const MAX_TAGS: usize = 50;
/// A template body passed inline; a larger one is deployed through S3.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// Every quota problem of `templates` (by file name).
pub fn check(model: &Model, templates: &BTreeMap<String, Template>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let stack = model.origins.stack;
    // The block that derives a logical ID; a fleet's clients count toward
    // their fleet.
    let block_of = |id: &str| {
        model.origins.ids.owner(id).map_or_else(
            || ("[stack]".to_string(), stack),
            |o| (format!("[{}.{}]", o.kind, o.name), o.span),
        )
    };
    for (path, template) in templates {
        // The size of the file as it is written.
        let size = template.to_json().len();
        if size > MAX_TEMPLATE_BYTES {
            diags.push(
                Diagnostic::error(
                    Code::QuotaExceeded,
                    stack,
                    format!(
                        "{path} is {size} bytes, over CloudFormation's {MAX_TEMPLATE_BYTES}-byte limit",
                    ),
                )
                .label("this stack's template")
                .help("split the topology into two stacks"),
            );
        } else if size > INLINE_TEMPLATE_LIMIT {
            diags.push(Diagnostic::warning(
                Code::QuotaExceeded,
                stack,
                format!("{path} is {size} bytes, over the {INLINE_TEMPLATE_LIMIT}-byte limit for inline templates"),
            )
            .label("this stack's template")
            .help("deploy.sh uploads it through the S3 bucket named by TOPOFORM_TEMPLATE_BUCKET"));
        }
        let sections: [(&str, usize, Vec<&str>); 3] = [
            (
                "Resources",
                MAX_RESOURCES,
                template.resources.keys().map(LogicalId::as_str).collect(),
            ),
            (
                "Parameters",
                MAX_PARAMETERS,
                template.parameters.keys().map(LogicalId::as_str).collect(),
            ),
            (
                "Outputs",
                MAX_OUTPUTS,
                template.outputs.keys().map(LogicalId::as_str).collect(),
            ),
        ];
        for (section, limit, ids) in sections {
            if ids.len() > limit {
                // Name the blocks that contribute most.
                let mut by_block: BTreeMap<String, usize> = BTreeMap::new();
                for id in &ids {
                    *by_block.entry(block_of(id).0).or_default() += 1;
                }
                let mut top: Vec<(String, usize)> = by_block.into_iter().collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let (block, span) = block_of(
                    ids.iter()
                        .find(|id| block_of(id).0 == top[0].0)
                        .map_or("", |s| s),
                );
                let list: Vec<String> = top
                    .iter()
                    .take(3)
                    .map(|(b, n)| format!("{b} {n}"))
                    .collect();
                diags.push(
                    Diagnostic::error(
                        Code::QuotaExceeded,
                        span,
                        format!(
                            "{path} has {} {}, over CloudFormation's limit of {limit}",
                            ids.len(),
                            section.to_lowercase()
                        ),
                    )
                    .label(format!("{block} contributes the most"))
                    .help(format!(
                        "most come from {}: split the topology into two stacks",
                        list.join(", ")
                    )),
                );
            }
        }
        for (id, r) in &template.resources {
            let (block, span) = block_of(id.as_str());
            if let Some(script) = r.properties.user_data() {
                let encoded = script.len().div_ceil(3) * 4;
                if encoded > MAX_USER_DATA_BYTES {
                    diags.push(
                        Diagnostic::error(
                            Code::QuotaExceeded,
                            span,
                            format!("the user-data of {block} is {encoded} bytes in base64, over EC2's limit of {MAX_USER_DATA_BYTES}"),
                        )
                        .label("its script, with the `setup` file embedded")
                        .help("shorten the setup script, or have it fetch the rest (from S3, say)"),
                    );
                }
            }
            for tags in r.properties.tag_lists() {
                if tags > MAX_TAGS {
                    diags.push(
                        Diagnostic::error(
                            Code::QuotaExceeded,
                            stack,
                            format!("{id} of {block} would carry {tags} tags, over AWS's limit of {MAX_TAGS}"),
                        )
                        .label("the stack's tags go on every resource")
                        .help("remove some `[stack] tags`: topoform adds up to 11 tags of its own"),
                    );
                }
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    /// What the JSON says: the length of every `Tags` and `HealthCheckTags`
    /// list in `v`, at any depth.
    fn json_tag_lists(v: &Value) -> Vec<usize> {
        match v {
            Value::Object(m) => m
                .iter()
                .flat_map(|(k, x)| match (k.as_str(), x) {
                    ("Tags" | "HealthCheckTags", Value::Array(a)) => vec![a.len()],
                    _ => json_tag_lists(x),
                })
                .collect(),
            Value::Array(a) => a.iter().flat_map(json_tag_lists).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn typed_measures_agree_with_the_json_of_every_fixture() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
        let mut kinds = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let (topo, _) = crate::front::toml::parse(&std::fs::read_to_string(&path).unwrap());
            let (model, _) = crate::validate::validate(&topo, &crate::FilesIn(dir.clone()));
            for template in crate::synth::synth(&model.unwrap()).templates.values() {
                for (id, r) in &template.resources {
                    let json = serde_json::to_value(r).unwrap();
                    let p = &json["Properties"];
                    let (mut typed, mut walked) = (r.properties.tag_lists(), json_tag_lists(p));
                    typed.sort_unstable();
                    walked.sort_unstable();
                    assert_eq!(typed, walked, "tag lists of {id}");
                    assert_eq!(
                        r.properties.user_data(),
                        p["LaunchTemplateData"]["UserData"]["Fn::Base64"].as_str(),
                        "user-data of {id}"
                    );
                    kinds.insert(r.kind);
                }
            }
        }
        // The fixtures cover every resource type topoform emits.
        assert_eq!(kinds.len(), 28, "{kinds:?}");
    }
}
