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

use crate::layout;
use crate::model::Model;
use crate::model::sorry::{Certificate, Part};
use crate::quota::INLINE_TEMPLATE_LIMIT;
use crate::synth::Artifacts;
use crate::templates::render;

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

/// The deploy plan of a model and what it synthesized to.
pub fn deploy_script(model: &Model, artifacts: &Artifacts) -> String {
    // A template's size as written, when it is over the inline limit.
    let large = |file: &str| {
        artifacts
            .templates
            .get(file)
            .map(|t| t.to_json().len())
            .filter(|n| *n > INLINE_TEMPLATE_LIMIT)
    };
    let stack = &model.stack.name;
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
    // The edge stack exists when synthesis made its template.
    let edge = artifacts
        .templates
        .get(&layout::edge_template(stack))
        .map(|_| Edge {
            stack: layout::edge_stack(stack),
            template: layout::edge_template(stack),
            large: large(&layout::edge_template(stack)),
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
            page: layout::sorry_page(s.name.as_str()),
            bucket_output: s.prefix.id(Part::BucketName).to_string(),
            distribution_output: s.prefix.id(Part::DistributionId).to_string(),
        })
        .collect();
    render(
        "deploy.sh.j2",
        &DeployContext {
            stack: &model.stack.name,
            region: &model.stack.region,
            template: layout::main_template(stack),
            large: large(&layout::main_template(stack)),
            parameters,
            edge,
            sorry,
            notify: model.stack.notify.as_deref(),
        },
    )
}
