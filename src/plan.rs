//! The deploy plan: `deploy.sh`, the ordered AWS CLI commands that deploy
//! the templates, in dependency order:
//!
//! 1. check that the SSM parameters fleets read exist (CloudFormation cannot
//!    create SecureStrings); if not, list the `put-parameter` commands and stop;
//! 2. deploy the us-east-1 edge stack (new CloudFront certificates) and read
//!    the certificate ARNs from its outputs;
//! 3. deploy the main stack, passing those ARNs as parameters;
//! 4. upload each sorry page and invalidate its distribution.
//!
//! A template over CloudFormation's 51,200-byte limit for inline bodies is
//! deployed through an S3 bucket the user names (`TOPOFORM_TEMPLATE_BUCKET`).

use serde::Serialize;

use crate::emit::Output;
use crate::model::{Certificate, Model};
use crate::naming::Part;
use crate::templates::render;

/// The main template's file name.
pub fn main_template_file(model: &Model) -> String {
    format!("{}.template.json", model.stack.name)
}

/// The edge stack's name.
pub fn edge_stack_name(model: &Model) -> String {
    format!("{}-edge", model.stack.name)
}

/// The edge template's file name.
pub fn edge_template_file(model: &Model) -> String {
    format!("{}.template.json", edge_stack_name(model))
}

/// CloudFormation's limit on a template body passed inline.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// Whether the topology needs the us-east-1 edge stack.
pub fn needs_edge(model: &Model) -> bool {
    model
        .sorries
        .values()
        .any(|s| matches!(s.certificate, Certificate::New { .. }))
}

/// The path of a sorry site's page in the output directory.
pub fn page_path(name: &str) -> String {
    format!("sorry/{name}/index.html")
}

#[derive(Serialize)]
struct Upload {
    name: String,
    page: String,
    bucket_output: String,
    distribution_output: String,
}

#[derive(Serialize)]
struct Edge {
    stack: String,
    template: String,
    /// Its size, when over the inline limit.
    large: Option<usize>,
    /// Output keys of the edge stack = parameter keys of the main stack.
    certificates: Vec<String>,
}

#[derive(Serialize)]
struct DeployContext<'a> {
    stack: &'a str,
    region: &'a str,
    template: String,
    /// The main template's size, when over the inline limit.
    large: Option<usize>,
    parameters: Vec<String>,
    edge: Option<Edge>,
    sorry: Vec<Upload>,
    notify: Option<&'a str>,
}

/// The deploy plan of a model whose templates are rendered in `output`.
pub fn render_plan(model: &Model, output: &Output) -> String {
    let large = |file: &str| {
        output
            .get(file)
            .map(String::len)
            .filter(|n| *n > INLINE_TEMPLATE_LIMIT)
    };
    let parameters: Vec<String> = model
        .fleets
        .values()
        .flat_map(|f| {
            f.clients.iter().flat_map(move |c| {
                f.parameters
                    .iter()
                    .map(move |p| format!("/{}/{}/{p}", f.name.as_str(), c.id))
            })
        })
        .collect();
    let edge = needs_edge(model).then(|| Edge {
        stack: edge_stack_name(model),
        template: edge_template_file(model),
        large: large(&edge_template_file(model)),
        certificates: model
            .sorries
            .values()
            .filter(|s| matches!(s.certificate, Certificate::New { .. }))
            .map(|s| s.prefix.id(Part::CertificateArn).to_string())
            .collect(),
    });
    let sorry = model
        .sorries
        .values()
        .map(|s| Upload {
            name: s.name.as_str().to_string(),
            page: page_path(s.name.as_str()),
            bucket_output: s.prefix.id(Part::BucketName).to_string(),
            distribution_output: s.prefix.id(Part::DistributionId).to_string(),
        })
        .collect();
    render(
        "deploy.sh.j2",
        &DeployContext {
            stack: &model.stack.name,
            region: &model.stack.region,
            template: main_template_file(model),
            large: large(&main_template_file(model)),
            parameters,
            edge,
            sorry,
            notify: model.stack.notify.as_deref(),
        },
    )
}
