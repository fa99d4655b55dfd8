//! `[alb.NAME]`: the VPC and subnets, the certificate, the instance behind
//! it, its port and health check path, and who may connect.

use super::context::{Context, Keys, optional};
use super::grammar;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::{self, Ipv4Net, Name};
use crate::naming::Prefix;
use crate::spec::{Alb, Block};

/// Validates a load balancer.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Alb>) -> Option<model::Alb> {
    let keys = Keys::of(Kind::Alb, b);
    let a = &b.body;
    let subnets = keys.required(cx, a.subnets.as_ref(), "subnets");
    let certificate = keys.required(cx, a.certificate.as_ref(), "certificate");
    let target = keys.required(cx, a.target.as_ref(), "target");
    // Without `vpc`, the deploy plan finds the VPC from the subnets; with
    // it, the plan checks that the subnets are in it.
    let vpc = optional(a.vpc.as_ref(), |v| {
        cx.check(grammar::aws_id(v, "vpc-", "VPC id"))
    });
    let subnets = subnets.and_then(|list| {
        let ids = cx.ids(list, "subnet-", "subnet id", &keys, "subnets")?;
        if ids.len() < 2 {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    list.span,
                    "a load balancer needs two or more subnets",
                )
                .label("one subnet")
                .help("list subnets in at least two Availability Zones"),
            );
            return None;
        }
        Some(ids)
    });
    // Without a valid [stack], its region is unknown: only the ARN's form is checked.
    let region = cx.stack_facts.region.clone();
    let certificate = certificate.and_then(|c| {
        cx.check(grammar::certificate(
            c,
            region.as_deref(),
            "the load balancer",
        ))
    });
    let target = target.and_then(|t| cx.resolve(t, &slot::ALB_TARGET));
    let port = match &a.port {
        None => Some(80),
        Some(p) => cx.check(grammar::port(p)),
    };
    let health_path = match &a.health_path {
        // Elastic Load Balancing takes a HealthCheckPath of at most 1024 characters.
        Some(p) => cx.check(grammar::url_path(p, "health_path", 1024)),
        None => Some("/".to_string()),
    };
    let allow = match &a.allow {
        None => Some(vec![Ipv4Net::ANYWHERE]),
        Some(list) => cx.cidrs(list, "nobody could connect", None),
    };
    Some(model::Alb {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        vpc: vpc?,
        subnets: subnets?,
        certificate: certificate?,
        target: target?,
        port: port?,
        health_path: health_path?,
        allow: allow?,
    })
}
