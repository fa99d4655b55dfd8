//! AWS quotas, checked on the rendered output before anything is written.
//!
//! Most limits depend on how much a topology generates (resources per
//! template, user-data size after base64, tags per resource), so they are
//! measured on the real output rather than predicted. Each overflow is an
//! error naming the block that overflows; a template over the inline-body
//! limit is only a warning, because `deploy.sh` then uploads it through S3.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Code, Diagnostic};
use crate::emit::Output;
use crate::model::Model;
use crate::plan::INLINE_TEMPLATE_LIMIT;

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

/// Every quota problem of `output`.
pub fn check(model: &Model, output: &Output) -> Vec<Diagnostic> {
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
    for (path, text) in output.iter().filter(|(p, _)| p.ends_with(".template.json")) {
        let template: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("bug in topoform: {path} is not JSON: {e}"));
        if text.len() > MAX_TEMPLATE_BYTES {
            diags.push(
                Diagnostic::error(
                    Code::QuotaExceeded,
                    stack,
                    format!(
                        "{path} is {} bytes, over CloudFormation's {MAX_TEMPLATE_BYTES}-byte limit",
                        text.len()
                    ),
                )
                .label("this stack's template")
                .help("split the topology into two stacks"),
            );
        } else if text.len() > INLINE_TEMPLATE_LIMIT {
            diags.push(Diagnostic::warning(
                Code::QuotaExceeded,
                stack,
                format!("{path} is {} bytes, over the {INLINE_TEMPLATE_LIMIT}-byte limit for inline templates", text.len()),
            )
            .label("this stack's template")
            .help("deploy.sh uploads it through the S3 bucket named by TOPOFORM_TEMPLATE_BUCKET"));
        }
        let resources = template["Resources"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (section, limit) in [
            ("Resources", MAX_RESOURCES),
            ("Parameters", MAX_PARAMETERS),
            ("Outputs", MAX_OUTPUTS),
        ] {
            let ids: Vec<&String> = template[section]
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
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
        for (id, r) in &resources {
            let (block, span) = block_of(id);
            if let Some(script) =
                r["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"].as_str()
            {
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
            for tags in tag_lists(&r["Properties"]) {
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

/// The lengths of every tag list in a resource's properties.
fn tag_lists(v: &Value) -> Vec<usize> {
    let mut out = Vec::new();
    if let Value::Object(m) = v {
        for (k, x) in m {
            match (k.as_str(), x) {
                ("Tags" | "HealthCheckTags", Value::Array(a)) => out.push(a.len()),
                _ => out.extend(tag_lists(x)),
            }
        }
    } else if let Value::Array(a) = v {
        for x in a {
            out.extend(tag_lists(x));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists_are_found_at_any_depth() {
        let v: Value = serde_json::from_str(
            r#"{"Tags":[1,2],"LaunchTemplateData":{"TagSpecifications":[{"Tags":[1,2,3]}]}}"#,
        )
        .unwrap();
        let mut lists = tag_lists(&v);
        lists.sort_unstable();
        assert_eq!(lists, vec![2, 3]);
    }
}
