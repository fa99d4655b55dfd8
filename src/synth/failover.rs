//! `[failover.NAME]`: the PRIMARY / SECONDARY record pair, and for an
//! instance primary its health check (an alarm on the group's in-service
//! count, or an HTTP(S) probe of the Elastic IP).

use super::context::Context;
use super::instance::group_name;
use crate::cfn::cloudwatch::{Alarm, AlarmSource, Dimension};
use crate::cfn::route53::{
    AlarmIdentifier, AliasTarget, HealthCheck, HealthCheckConfig, RecordSet,
};
use crate::cfn::{Expr, Pseudo, Resource};
use crate::model::alb::Part as AlbPart;
use crate::model::failover::{Health, Part, Primary, PrimaryValue, ProbeAddress};
use crate::model::instance::Part as InstancePart;
use crate::model::sorry::Part as SorryPart;
use crate::model::{Failover, Instance};
use crate::naming::LogicalId;

/// CloudFront's hosted zone id, the same for every distribution.
const CLOUDFRONT_ZONE: &str = "Z2FDTNDATAQYW2";

/// Adds a failover's records (and health check).
pub(super) fn synth(cx: &mut Context<'_>, f: &Failover) {
    cx.writes_into(&f.zone_id);
    let model = cx.model;
    match &f.primary {
        Primary::Instance {
            name,
            value,
            health,
        } => {
            let instance = &model.instances[name];
            let health_check = health_check(cx, f, instance, health);
            let value = match value {
                PrimaryValue::NewEip => Some(Expr::Ref(instance.prefix.id(InstancePart::Eip))),
                PrimaryValue::Known(a) => Some(Expr::str(a.to_string())),
                // The instance UPSERTs this record at every boot (see its user-data).
                PrimaryValue::OwnedByInstance => None,
            };
            if let Some(value) = value {
                let record = RecordSet {
                    ttl: Some(f.ttl.to_string()),
                    resource_records: vec![value],
                    health_check_id: Some(Expr::Ref(health_check)),
                    ..record(f, "PRIMARY", "primary")
                };
                cx.add_record(&f.prefix.id(Part::PrimaryRecord), what(f), record);
            }
        }
        Primary::Alb(name) => {
            // An alias judged by the load balancer's own target health: no
            // Route 53 health check is needed.
            let lb = model.albs[name].prefix.id(AlbPart::LoadBalancer);
            let record = RecordSet {
                alias_target: Some(AliasTarget {
                    dns_name: Expr::sub().lit("dualstack.").attr(&lb, "DNSName").build(),
                    hosted_zone_id: Expr::GetAtt(lb, "CanonicalHostedZoneID".into()),
                    evaluate_target_health: true,
                }),
                ..record(f, "PRIMARY", "primary")
            };
            cx.add_record(&f.prefix.id(Part::PrimaryRecord), what(f), record);
        }
    }
    let sorry = &model.sorries[&f.secondary];
    let record = RecordSet {
        alias_target: Some(AliasTarget {
            dns_name: Expr::GetAtt(
                sorry.prefix.id(SorryPart::Distribution),
                "DomainName".into(),
            ),
            hosted_zone_id: Expr::str(CLOUDFRONT_ZONE),
            evaluate_target_health: false,
        }),
        ..record(f, "SECONDARY", "secondary")
    };
    cx.add_record(&f.prefix.id(Part::SecondaryRecord), what(f), record);
}

/// `[failover.NAME]`, in messages.
fn what(f: &Failover) -> String {
    format!("[failover.{}]", f.name.as_str())
}

/// The failover's record named `set`, with nothing yet to answer.
fn record(f: &Failover, failover: &'static str, set: &str) -> RecordSet {
    RecordSet {
        hosted_zone_id: f.zone_id.clone(),
        name: format!("{}.", f.record),
        kind: "A",
        set_identifier: Some(format!("{}-{set}", f.name.as_str())),
        failover: Some(failover),
        ttl: None,
        resource_records: Vec::new(),
        health_check_id: None,
        alias_target: None,
    }
}

/// Adds the health check of an instance primary; returns its logical ID.
fn health_check(
    cx: &mut Context<'_>,
    f: &Failover,
    instance: &Instance,
    health: &Health,
) -> LogicalId {
    let config = match health {
        Health::Instance => HealthCheckConfig {
            kind: "CLOUDWATCH_METRIC",
            alarm_identifier: Some(in_service_alarm(cx, f, instance)),
            insufficient_data_health_status: Some("Unhealthy"),
            ip_address: None,
            port: None,
            resource_path: None,
            fully_qualified_domain_name: None,
            enable_sni: None,
            request_interval: None,
            failure_threshold: None,
        },
        Health::Probe {
            https,
            path,
            port,
            address,
        } => HealthCheckConfig {
            kind: if *https { "HTTPS" } else { "HTTP" },
            alarm_identifier: None,
            insufficient_data_health_status: None,
            ip_address: Some(match address {
                ProbeAddress::NewEip => Expr::Ref(instance.prefix.id(InstancePart::Eip)),
                ProbeAddress::Known(a) => Expr::str(a.to_string()),
            }),
            port: Some(*port),
            resource_path: Some(path.clone()),
            // Host header (and SNI for HTTPS): the record the probe stands for.
            fully_qualified_domain_name: Some(f.record.clone()),
            enable_sni: https.then_some(true),
            request_interval: Some(30),
            failure_threshold: Some(3),
        },
    };
    let id = f.prefix.id(Part::HealthCheck);
    let tags = cx.tags_named(cx.display(f.name.as_str()));
    cx.add(
        &id,
        Resource::new(HealthCheck {
            health_check_config: config,
            health_check_tags: tags,
        }),
    );
    id
}

/// The alarm that a `health = "instance"` check follows: the group has no
/// instance in service. Returns the check's reference to it.
///
/// It notifies nobody: it fires at every scheduled stop, which is routine.
/// What needs a person (no instance in service while one should be) is the
/// instance's own alarm, with `notify`.
fn in_service_alarm(cx: &mut Context<'_>, f: &Failover, instance: &Instance) -> AlarmIdentifier {
    let alarm = f.prefix.id(Part::Alarm);
    cx.add(
        &alarm,
        Resource::new(Alarm {
            alarm_description: format!(
                "[failover.{}]: [instance.{}] has no instance in service (drives the Route 53 health check; notifies nobody)",
                f.name.as_str(),
                instance.name.as_str()
            ),
            source: AlarmSource::Metric {
                namespace: "AWS/AutoScaling",
                metric_name: "GroupInServiceInstances",
                dimensions: vec![Dimension {
                    name: "AutoScalingGroupName",
                    value: group_name(instance),
                }],
                statistic: "Minimum",
                period: 60,
            },
            evaluation_periods: 1,
            threshold: 1,
            comparison_operator: "LessThanThreshold",
            // No data means no group metrics, e.g. no instance: fail over.
            treat_missing_data: "breaching",
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
        })
        .skip_rule(
            "CLOUDWATCH_ALARM_ACTION_CHECK",
            "Route 53 reads this alarm's state for failover; it fires at every scheduled stop, so it mails nobody (the instance's not-serving alarm does).",
        ),
    );
    AlarmIdentifier {
        name: Expr::Ref(alarm),
        region: Expr::Pseudo(Pseudo::Region),
    }
}
