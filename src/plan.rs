//! The deploy plan: `deploy.sh`, the ordered AWS CLI commands that deploy
//! the templates, in dependency order:
//!
//! 1. find what the account knows and the topology does not say (the VPC of
//!    a load balancer's subnets, an image's root device name, an existing
//!    Elastic IP's address), and check what
//!    the topology asserts about the account (`synth::discover`); with
//!    `--discover-only`, print the parameters found and stop there;
//! 2. check that the SSM parameters fleets read exist (CloudFormation cannot
//!    create SecureStrings); if not, list the `put-parameter` commands and stop;
//! 3. deploy the us-east-1 edge stack (new CloudFront certificates) and read
//!    the certificate ARNs from its outputs;
//! 4. deploy the main stack, passing what it found and those ARNs as
//!    parameters;
//!
//!    each stack through a change set that it prints and (unless `--yes` or
//!    `CI`) asks before executing; a stack that never completed
//!    (`ROLLBACK_COMPLETE`, `REVIEW_IN_PROGRESS`) is deleted and created
//!    again, a busy or failed one refused;
//! 5. upload each sorry page and invalidate its distribution;
//! 6. print the main stack's outputs (addresses, DNS names, the topic).
//!
//! A template over CloudFormation's 51,200-byte limit for inline bodies is
//! deployed through an S3 bucket the user names (`TOPOFORM_TEMPLATE_BUCKET`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::layout;
use crate::model::Model;
use crate::model::stack::BUDGET_TOPIC_ARN;
use crate::model::sorry::{Certificate, Part};
use crate::quota::INLINE_TEMPLATE_LIMIT;
use crate::synth::Artifacts;
use crate::synth::discover::{
    Check, Discoveries, Discovery, IPV4_PATTERN, Image, ROOT_DEVICE_PATTERN,
};
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
    /// The same, for SNS topic ARNs (the budget's, for the Slack channel).
    topics: Vec<String>,
}

/// One step of finding or checking, as the template renders it. It borrows
/// from the discoveries: a topology of 10,000 failovers has 20,000 record
/// checks, and copying their strings was a tenth of the plan's time.
#[derive(Serialize)]
struct Find<'a> {
    /// What the step does: `image_of`, `vpc_of`, `root_device_of`, `address_of`,
    /// `check_vpc`, `check_root_device`, `check_address`,
    /// `check_record_free`.
    step: &'static str,
    /// The parameter it fills in, for the finding steps.
    parameter: Option<&'a str>,
    /// The block, for messages.
    what: &'a str,
    /// The subnets, for the VPC steps.
    subnets: &'a [String],
    /// The VPC the topology names.
    vpc: Option<&'a str>,
    /// The image id the topology gives.
    image: Option<&'a str>,
    /// Or the parameter found for it (`image_of`).
    image_parameter: Option<&'a str>,
    /// The SSM parameter path of an `ssm:` image, for `image_of`.
    ssm: Option<&'a str>,
    /// The device the topology names.
    device: Option<&'a str>,
    /// The root volume size asked for.
    volume_gb: Option<u32>,
    /// The Elastic IP allocation, for the address steps.
    allocation: Option<&'a str>,
    /// The address the topology gives.
    address: Option<&'a str>,
    /// The hosted zone, for the record step.
    zone: Option<&'a str>,
    /// The record name, without the trailing dot.
    record: Option<&'a str>,
    /// Its set identifier.
    set_id: Option<&'a str>,
    /// Its logical ID in the stack.
    logical_id: Option<&'a str>,
}

impl<'a> Find<'a> {
    fn new(step: &'static str, what: &'a str) -> Self {
        Find {
            step,
            parameter: None,
            what,
            subnets: &[],
            vpc: None,
            image: None,
            image_parameter: None,
            ssm: None,
            device: None,
            volume_gb: None,
            allocation: None,
            address: None,
            zone: None,
            record: None,
            set_id: None,
            logical_id: None,
        }
    }

    fn image(mut self, image: &'a Image) -> Self {
        match image {
            Image::Id(id) => self.image = Some(id),
            Image::Found(p) => self.image_parameter = Some(p.as_str()),
        }
        self
    }
}

/// The steps that find and check, in synthesis order: findings, then checks.
fn finds(discoveries: &Discoveries) -> Vec<Find<'_>> {
    let found = discoveries.parameters.iter().map(|(id, how)| {
        let find = match how {
            Discovery::ElasticIpAddress { what, allocation } => Find {
                allocation: Some(allocation),
                ..Find::new("address_of", what)
            },
            Discovery::Image { what, path } => Find {
                ssm: Some(path),
                ..Find::new("image_of", what)
            },
            Discovery::VpcOfSubnets { what, subnets } => Find {
                subnets,
                ..Find::new("vpc_of", what)
            },
            Discovery::RootDevice {
                what,
                image,
                volume_gb,
            } => Find {
                volume_gb: *volume_gb,
                ..Find::new("root_device_of", what)
            }
            .image(image),
        };
        Find {
            parameter: Some(id.as_str()),
            ..find
        }
    });
    let checked = discoveries.checks.iter().map(|check| match check {
        Check::ElasticIpAddress {
            what,
            allocation,
            address,
        } => Find {
            allocation: Some(allocation),
            address: Some(address),
            ..Find::new("check_address", what)
        },
        Check::RecordFree {
            what,
            zone_id,
            record,
            set_identifier,
            logical_id,
        } => Find {
            zone: Some(zone_id),
            record: Some(record),
            set_id: set_identifier.as_deref(),
            logical_id: Some(logical_id),
            ..Find::new("check_record_free", what)
        },
        Check::SubnetsInVpc { what, vpc, subnets } => Find {
            vpc: Some(vpc),
            subnets,
            ..Find::new("check_vpc", what)
        },
        Check::RootDevice {
            what,
            image,
            device,
            volume_gb,
        } => Find {
            device: Some(device),
            volume_gb: *volume_gb,
            ..Find::new("check_root_device", what)
        }
        .image(image),
    });
    found.chain(checked).collect()
}

#[derive(Serialize)]
struct DeployContext<'a> {
    stack: &'a str,
    region: &'a str,
    template: String,
    /// The main template's size, when over the inline limit.
    large: Option<usize>,
    /// The nested stacks' templates, when the main template is a parent.
    nested: Vec<String>,
    parameters: Vec<String>,
    /// What it finds and checks before it deploys.
    finds: Vec<Find<'a>>,
    /// The kinds of step among `finds`, each once: the template defines a
    /// shell function only for the steps that use it. Asking `finds` itself
    /// (`"check_vpc" in finds | map(attribute="step")`) scanned every one
    /// of 20,000 record checks a dozen times.
    steps: BTreeSet<&'static str>,
    /// The parameters that `finds` fills in, in order.
    found: Vec<&'a str>,
    /// The bash regular expression of a root device name.
    root_device_pattern: &'static str,
    /// The bash regular expression of an IPv4 address.
    ipv4_pattern: &'static str,
    /// Whether the main template has outputs to print at the end.
    outputs: bool,
    edge: Option<Edge>,
    sorry: Vec<Upload>,
    /// The addresses the alarm topic mails.
    emails: Vec<&'a str>,
    /// The Slack channel AWS Chatbot posts to: (workspace, channel).
    slack: Option<(&'a str, &'a str)>,
    /// The cost allocation tag key that scopes the budget.
    budget_tag: Option<&'a str>,
    /// Whether the budget mails from its own topic in the edge stack.
    budget_in_edge: bool,
}

/// The deploy plan of a model and what it synthesized to; `sizes` are
/// the templates' sizes as they are written, by file name
/// ([`crate::emit::render_templates`]);
/// `main_outputs` says whether the main template has outputs to print.
pub fn deploy_script(
    model: &Model,
    artifacts: &Artifacts,
    sizes: &BTreeMap<String, usize>,
    main_outputs: bool,
) -> String {
    // A template's size as written, when it is over the inline limit.
    let large = |file: &str| {
        sizes
            .get(file)
            .copied()
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
    let edge = sizes.get(&layout::edge_template(stack)).map(|_| Edge {
        stack: layout::edge_stack(stack),
        template: layout::edge_template(stack),
        large: large(&layout::edge_template(stack)),
        certificates: model
            .sorries
            .values()
            .filter(|s| matches!(s.certificate, Certificate::New { .. }))
            .map(|s| s.prefix.id(Part::CertificateArn).to_string())
            .collect(),
        topics: model
            .stack
            .budget
            .iter()
            .filter(|b| !b.in_main_region)
            .filter(|_| model.stack.notify.as_ref().is_some_and(|n| n.slack.is_some()))
            .map(|_| BUDGET_TOPIC_ARN.to_string())
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
    let finds = finds(&artifacts.discoveries);
    render(
        "deploy.sh.j2",
        &DeployContext {
            stack: &model.stack.name,
            region: &model.stack.region,
            template: layout::main_template(stack),
            large: large(&layout::main_template(stack)),
            nested: sizes
                .keys()
                .filter(|p| p.starts_with(layout::NESTED))
                .cloned()
                .collect(),
            parameters,
            steps: finds.iter().map(|f| f.step).collect(),
            found: finds.iter().filter_map(|f| f.parameter).collect(),
            finds,
            root_device_pattern: ROOT_DEVICE_PATTERN,
            ipv4_pattern: IPV4_PATTERN,
            outputs: main_outputs,
            edge,
            sorry,
            emails: model
                .stack
                .notify
                .iter()
                .flat_map(|n| n.emails.iter().map(String::as_str))
                .collect(),
            slack: model
                .stack
                .notify
                .as_ref()
                .and_then(|n| n.slack.as_ref())
                .map(|s| (s.workspace.as_str(), s.channel.as_str())),
            budget_tag: model.stack.budget.as_ref().map(|b| b.tag.0.as_str()),
            budget_in_edge: model.stack.budget.as_ref().is_some_and(|b| !b.in_main_region),
        },
    )
}
