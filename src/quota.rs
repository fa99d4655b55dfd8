//! AWS quotas, checked on the typed templates before anything is written.
//!
//! Most limits depend on how much a topology generates (resources per
//! template, user-data size after base64, tags per resource), so they are
//! measured on the real output rather than predicted. Each overflow is an
//! error naming the block that overflows; a template over the inline-body
//! limit is only a warning, because `deploy.sh` then uploads it through S3.

use std::collections::BTreeMap;

use crate::cfn::{Resource, Template};
use crate::diag::{Code, Diagnostic};
use crate::model::Model;
use crate::naming::LogicalId;
use crate::source::Span;

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
/// The longest value an EC2 tag holds, in characters.
pub const MAX_TAG_VALUE: usize = 256;
/// A template body passed inline; a larger one is deployed through S3.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;
/// Security groups per network interface: EC2's default quota, and the most
/// it can be raised to.
pub const DEFAULT_GROUPS_PER_INTERFACE: usize = 5;
/// See [`DEFAULT_GROUPS_PER_INTERFACE`].
pub const MAX_GROUPS_PER_INTERFACE: usize = 16;
/// The largest CloudFront Function, in bytes of code.
pub const MAX_FUNCTION_BYTES: usize = 10_240;

/// The quotas of single resources (user-data, tags, security groups,
/// function code), measured on their typed properties before the split into
/// nested stacks: those of `templates`, after those of `earlier` (the
/// resources the split took out of the main template as they were made).
pub fn resources(
    model: &Model,
    templates: &BTreeMap<String, Template>,
    mut earlier: Resources,
) -> Vec<Diagnostic> {
    for template in templates.values() {
        for (id, r) in &template.resources {
            earlier.add(model, id, r);
        }
    }
    earlier.finish(model)
}

/// The quotas of single resources, resource by resource: one pass over
/// them (a 10,000-client topology has over 100,000, each behind a
/// pointer), which also gathers what `security_group_rules` judges once it
/// knows the most groups per interface, rather than walking them all twice
/// more.
#[derive(Debug, Default)]
pub struct Resources {
    diags: Vec<Diagnostic>,
    groups: usize,
    many_rules: Vec<(LogicalId, usize)>,
}

impl Resources {
    /// Measures the resource `id`.
    pub fn add(&mut self, model: &Model, id: &LogicalId, r: &Resource) {
        each_resource(model, id, r, &mut self.diags);
        self.groups = self.groups.max(r.properties.security_groups_per_interface());
        let rules = r.properties.inbound_rules();
        if rules > DEFAULT_RULES_PER_GROUP {
            self.many_rules.push((id.clone(), rules));
        }
    }

    /// What the resources measured break.
    pub fn finish(self, model: &Model) -> Vec<Diagnostic> {
        let Resources {
            mut diags,
            groups,
            many_rules,
        } = self;
        security_group_rules(model, groups.max(1), &many_rules, &mut diags);
        diags
    }
}

/// Inbound rules per security group: 60 by default (Service Quotas,
/// "Inbound or outbound rules per security group").
pub const DEFAULT_RULES_PER_GROUP: usize = 60;
/// AWS keeps rules per group × security groups per network interface at
/// 1,000 at most: raising one quota lowers the other.
pub const MAX_RULES_TIMES_GROUPS: usize = 1000;

/// A security group's inbound rules against the quotas that tie them to the
/// groups per network interface: a group of R rules needs the rules quota
/// raised to R, which leaves 1,000 / R groups per interface, and this
/// stack's instances must still fit theirs. `groups` is the most security
/// groups any instance joins (at least 1); `many_rules`, each security
/// group with more rules than the default quota, in template order.
fn security_group_rules(
    model: &Model,
    groups: usize,
    many_rules: &[(LogicalId, usize)],
    diags: &mut Vec<Diagnostic>,
) {
    for (id, rules) in many_rules {
        let rules = *rules;
        let (block, span) = block_of(model, id.as_str());
        let most = MAX_RULES_TIMES_GROUPS / groups;
        let d = if rules > most {
            Diagnostic::error(
                Code::QuotaExceeded,
                span,
                format!(
                    "{block}'s security group would have {rules} inbound rules: with instances in {groups} security groups per network interface, AWS allows at most {most}"
                ),
            )
            .help(format!(
                "allow fewer, wider networks: rules per group × groups per network interface is at most {MAX_RULES_TIMES_GROUPS}"
            ))
        } else {
            Diagnostic::warning(
                Code::QuotaExceeded,
                span,
                format!(
                    "{block}'s security group would have {rules} inbound rules, over the default quota of {DEFAULT_RULES_PER_GROUP}"
                ),
            )
            .help(format!(
                "before deploying, raise \"Inbound or outbound rules per security group\" to {rules} in Service Quotas (Amazon VPC); AWS then allows {} security groups per network interface in the region, and these instances join {groups}",
                MAX_RULES_TIMES_GROUPS / rules
            ))
        };
        diags.push(d.label("two inbound rules per network of `allow`: HTTPS, and HTTP that redirects"));
    }
}

/// The quotas of one whole template (body size, resources, parameters,
/// outputs), measured after the split: what remains is what no split helps.
/// `size` is its length as it is written
/// ([`crate::emit::render_templates`]), which is what is measured.
/// With `children` false a nested template is not measured: the split
/// failed, and has said why.
pub fn template(
    model: &Model,
    path: &str,
    template: &Template,
    size: usize,
    children: bool,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if !children && path.starts_with(crate::layout::NESTED) {
        return diags;
    }
    template_size(model, path, size, &mut diags);
    edge_stack_name(model, path, &mut diags);
    for (section, limit, ids) in [
        ("resources", MAX_RESOURCES, ids(&template.resources)),
        ("parameters", MAX_PARAMETERS, ids(&template.parameters)),
        ("outputs", MAX_OUTPUTS, ids(&template.outputs)),
    ] {
        if ids.len() > limit {
            diags.push(too_many(model, path, section, limit, &ids));
        }
    }
    diags
}

/// CloudFormation's limit on a stack name.
const MAX_STACK_NAME: usize = 128;

/// The us-east-1 edge stack is named `STACK-edge`: a stack name that fits
/// CloudFormation's limit alone may not fit it with the suffix, and only
/// the blocks that need the edge stack (a new sorry-site certificate, a
/// budget where CloudFormation has none) show whether there is one.
fn edge_stack_name(model: &Model, path: &str, diags: &mut Vec<Diagnostic>) {
    let name = crate::layout::edge_stack(&model.stack.name);
    if path == crate::layout::edge_template(&model.stack.name) && name.len() > MAX_STACK_NAME {
        diags.push(
            Diagnostic::error(
                Code::InvalidName,
                model.origins.stack,
                format!(
                    "the us-east-1 edge stack's name (this name and `-edge`) has {} characters, over CloudFormation's {MAX_STACK_NAME}",
                    name.len()
                ),
            )
            .label("this stack needs an edge stack")
            .help(format!(
                "shorten `name` to at most {} characters: the edge stack adds `-edge`",
                MAX_STACK_NAME - "-edge".len()
            )),
        );
    }
}

fn ids<T>(section: &BTreeMap<LogicalId, T>) -> Vec<&str> {
    section.keys().map(LogicalId::as_str).collect()
}

/// The block that derives a logical ID (a fleet's clients count toward
/// their fleet), and where it was written.
fn block_of(model: &Model, id: &str) -> (String, Span) {
    model.origins.ids.owner(id).map_or_else(
        || ("[stack]".to_string(), model.origins.stack),
        |o| (format!("[{}.{}]", o.kind, o.name), o.span),
    )
}

/// The template body's size, as it is written.
fn template_size(model: &Model, path: &str, size: usize, diags: &mut Vec<Diagnostic>) {
    let stack = model.origins.stack;
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
            .help("only instances, failovers and fleet clients move into nested stacks, and no further than one group of blocks that refer to each other: split the topology into two stacks"),
        );
    } else if size > INLINE_TEMPLATE_LIMIT && !path.starts_with(crate::layout::NESTED) {
        diags.push(Diagnostic::warning(
            Code::QuotaExceeded,
            stack,
            format!("{path} is {size} bytes, over the {INLINE_TEMPLATE_LIMIT}-byte limit for inline templates"),
        )
        .label("this stack's template")
        .help("deploy.sh uploads it through the S3 bucket named by TOPOFORM_TEMPLATE_BUCKET"));
    }
}

/// A section with more entries than CloudFormation takes, blamed on the
/// blocks that contribute most.
fn too_many(model: &Model, path: &str, section: &str, limit: usize, ids: &[&str]) -> Diagnostic {
    let mut by_block: BTreeMap<String, usize> = BTreeMap::new();
    for id in ids {
        *by_block.entry(block_of(model, id).0).or_default() += 1;
    }
    let mut top: Vec<(String, usize)> = by_block.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let first = ids
        .iter()
        .find(|id| block_of(model, id).0 == top[0].0)
        .map_or("", |s| s);
    let (block, span) = block_of(model, first);
    let list: Vec<String> = top
        .iter()
        .take(3)
        .map(|(b, n)| format!("{b} {n}"))
        .collect();
    Diagnostic::error(
        Code::QuotaExceeded,
        span,
        format!(
            "{path} has {} {section}, over CloudFormation's limit of {limit}",
            ids.len()
        ),
    )
    .label(format!("{block} contributes the most"))
    .help(format!(
        "most come from {}, and only instances, failovers and fleet clients move into nested stacks: split the topology into two stacks",
        list.join(", ")
    ))
}

/// A resource's user-data and tag lists.
fn each_resource(model: &Model, id: &LogicalId, r: &Resource, diags: &mut Vec<Diagnostic>) {
    // The block is looked up (a hash of the ID) and its name formatted only
    // for a diagnostic: done for every resource, it was most of the time
    // this check took on a 10,000-client topology, where none overflows.
    let block = || block_of(model, id.as_str());
    if let Some(user_data) = r.properties.user_data() {
        let encoded = user_data.len();
        if encoded > MAX_USER_DATA_BYTES {
            let (block, span) = block();
            diags.push(
                Diagnostic::error(
                    Code::QuotaExceeded,
                    span,
                    format!("the user-data of {block} is {encoded} bytes, gzip-compressed in base64, over EC2's limit of {MAX_USER_DATA_BYTES}"),
                )
                .label("its script, with the `setup` file embedded")
                .help("shorten the setup script, or have it fetch the rest (from S3, say)"),
            );
        }
    }
    let groups = r.properties.security_groups_per_interface();
    if groups > DEFAULT_GROUPS_PER_INTERFACE {
        let (block, span) = block();
        let d = if groups > MAX_GROUPS_PER_INTERFACE {
            Diagnostic::error(
                Code::QuotaExceeded,
                span,
                format!(
                    "the instances of {block} would join {groups} security groups, over EC2's limit of {MAX_GROUPS_PER_INTERFACE} per network interface"
                ),
            )
        } else {
            Diagnostic::warning(
                Code::QuotaExceeded,
                span,
                format!(
                    "the instances of {block} would join {groups} security groups, over EC2's default quota of {DEFAULT_GROUPS_PER_INTERFACE} per network interface"
                ),
            )
        };
        diags.push(
            d.label("its `security_groups`, and one per load balancer in front of it")
                .help(format!("use fewer groups, or have the quota \"Security groups per network interface\" raised (at most {MAX_GROUPS_PER_INTERFACE}) before deploying")),
        );
    }
    if let Some(code) = r.properties.function_code() {
        if code.len() > MAX_FUNCTION_BYTES {
            let (block, span) = block();
            diags.push(
                Diagnostic::error(
                    Code::QuotaExceeded,
                    span,
                    format!(
                        "the CloudFront Function of {block} is {} bytes, over CloudFront's limit of {MAX_FUNCTION_BYTES}",
                        code.len()
                    ),
                )
                .label("its `allow` list is written into the function")
                .help("allow fewer, wider CIDR blocks"),
            );
        }
    }
    for tags in r.properties.tag_lists() {
        if tags > MAX_TAGS {
            let (block, _) = block();
            diags.push(
                Diagnostic::error(
                    Code::QuotaExceeded,
                    model.origins.stack,
                    format!(
                        "{id} of {block} would carry {tags} tags, over AWS's limit of {MAX_TAGS}"
                    ),
                )
                .label("the stack's tags go on every resource")
                .help(model.origins.front.say(
                    "remove some `[stack] tags`: topoform adds up to 11 tags of its own",
                    "make fewer `Topology::tag` calls: topoform adds up to 11 tags of its own",
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use serde_json::Value;

    /// What the JSON says: the length of every `Tags` and `HealthCheckTags`
    /// list in `v`, at any depth.
    fn json_tag_lists(v: &Value) -> Vec<usize> {
        match v {
            Value::Object(m) => m
                .iter()
                .flat_map(|(k, x)| match (k.as_str(), x) {
                    ("Tags" | "HealthCheckTags" | "ResourceTags", Value::Array(a)) => vec![a.len()],
                    _ => json_tag_lists(x),
                })
                .collect(),
            Value::Array(a) => a.iter().flat_map(json_tag_lists).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn typed_measures_agree_with_the_json_of_every_fixture() {
        let mut kinds = std::collections::BTreeSet::new();
        for (_, artifacts) in crate::synth::tests::fixtures() {
            for template in artifacts.templates.values() {
                for (id, r) in &template.resources {
                    let json = serde_json::to_value(r).unwrap();
                    let p = &json["Properties"];
                    let (mut typed, mut walked) = (r.properties.tag_lists(), json_tag_lists(p));
                    typed.sort_unstable();
                    walked.sort_unstable();
                    assert_eq!(typed, walked, "tag lists of {id}");
                    assert_eq!(
                        r.properties.user_data(),
                        p["LaunchTemplateData"]["UserData"].as_str(),
                        "user-data of {id}"
                    );
                    assert_eq!(
                        r.properties.inbound_rules(),
                        p["SecurityGroupIngress"].as_array().map_or(0, Vec::len),
                        "inbound rules of {id}"
                    );
                    kinds.insert(r.kind);
                }
            }
        }
        // The fixtures cover every resource type topoform emits.
        assert_eq!(kinds.len(), 35, "{kinds:?}");
    }

    /// A load balancer allowing `networks` CIDRs to an instance in
    /// `groups` security groups of its own (and the target group's).
    fn alb(networks: usize, groups: usize) -> Vec<String> {
        let allow: Vec<String> = (0..networks)
            .map(|i| format!("\"10.{}.{}.0/24\"", i / 256, i % 256))
            .collect();
        let sgs: Vec<String> = (0..groups)
            .map(|i| format!("\"sg-0c0c0c0c0c0c0c0c{i}\""))
            .collect();
        let text = format!(
            "[stack]\nname = \"s\"\nregion = \"eu-west-1\"\n\n[instance.app]\nami = \"ami-0d0d0d0d0d0d0d0d0\"\ntype = \"t3.micro\"\nsubnets = [\"subnet-0a0a0a0a0a0a0a0a0\"]\nsecurity_groups = [{}]\n\n[alb.front]\nsubnets = [\"subnet-0a0a0a0a0a0a0a0a0\", \"subnet-0b0b0b0b0b0b0b0b0\"]\ncertificate = \"arn:aws:acm:eu-west-1:123456789012:certificate/2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9\"\ntarget = \"instance.app\"\nallow = [{}]\n",
            sgs.join(", "),
            allow.join(", ")
        );
        let model = crate::synth::tests::model(&text);
        let artifacts = crate::synth::synth(&model);
        super::resources(&model, &artifacts.templates, super::Resources::default())
            .iter()
            .filter(|d| d.message.contains("inbound rules"))
            .map(|d| format!("{}: {}", d.severity.as_str(), d.message))
            .collect()
    }

    #[test]
    fn inbound_rules_past_the_quotas_that_tie_them_to_groups_per_interface() {
        // 60 rules: the default quota.
        assert!(alb(30, 1).is_empty());
        // Over it: a warning, as long as the instances' 2 groups per
        // interface (theirs and the target group's) fit 1,000 / rules.
        assert_eq!(
            alb(31, 1),
            ["warning: [alb.front]'s security group would have 62 inbound rules, over the default quota of 60"]
        );
        assert_eq!(alb(250, 1).len(), 1);
        assert!(alb(250, 1)[0].starts_with("warning"));
        // 502 rules leave 1 group per interface: too few for 2.
        assert_eq!(
            alb(251, 1),
            ["error: [alb.front]'s security group would have 502 inbound rules: with instances in 2 security groups per network interface, AWS allows at most 500"]
        );
        // 4 groups per interface leave room for 250 rules.
        assert!(alb(125, 3)[0].starts_with("warning"));
        assert!(alb(126, 3)[0].starts_with("error"));
    }
}
