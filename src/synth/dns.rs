//! A `[failover]`: the PRIMARY / SECONDARY record pair, and for an instance
//! primary its health check (an alarm on the group's in-service count, or an
//! HTTP(S) probe of the Elastic IP).

use crate::cfn::cloudwatch::{Alarm, Dimension};
use crate::cfn::route53::{
    AlarmIdentifier, AliasTarget, HealthCheck, HealthCheckConfig, RecordSet,
};
use crate::cfn::{Expr, Pseudo, Resource, Tag, Template};
use crate::model::{Failover, Health, Instance, Model, Primary, PrimaryValue, ProbeAddress};
use crate::naming::{ALARM_TOPIC, LogicalId, Part};

use super::add;

/// CloudFront's hosted zone id, the same for every distribution.
pub(super) const CLOUDFRONT_ZONE: &str = "Z2FDTNDATAQYW2";

/// Adds a failover's records (and health check) to `t`.
pub(super) fn failover(t: &mut Template, model: &Model, f: &Failover, stack_tags: &[Tag]) {
    let record = |failover: &'static str, set: &str| RecordSet {
        hosted_zone_id: f.zone_id.clone(),
        name: format!("{}.", f.record),
        kind: "A",
        set_identifier: format!("{}-{set}", f.name.as_str()),
        failover,
        ttl: None,
        resource_records: Vec::new(),
        health_check_id: None,
        alias_target: None,
    };
    match &f.primary {
        Primary::Instance {
            name,
            value,
            health,
        } => {
            let instance = &model.instances[name];
            let health_check = health_check(t, model, f, instance, health, stack_tags);
            let eip = Expr::Ref(instance.prefix.id(Part::Eip));
            let value = match value {
                PrimaryValue::NewEip => Some(eip),
                PrimaryValue::Known(a) => Some(Expr::str(a.to_string())),
                // The instance UPSERTs this record at every boot (see its user-data).
                PrimaryValue::OwnedByInstance => None,
            };
            if let Some(value) = value {
                add(
                    t,
                    &f.prefix.id(Part::PrimaryRecord),
                    Resource::new(RecordSet {
                        ttl: Some(f.ttl.to_string()),
                        resource_records: vec![value],
                        health_check_id: Some(Expr::Ref(health_check)),
                        ..record("PRIMARY", "primary")
                    }),
                );
            }
        }
        Primary::Alb(name) => {
            // An alias judged by the load balancer's own target health: no
            // Route 53 health check is needed.
            let lb = model.albs[name].prefix.id(Part::LoadBalancer);
            add(
                t,
                &f.prefix.id(Part::PrimaryRecord),
                Resource::new(RecordSet {
                    alias_target: Some(AliasTarget {
                        dns_name: Expr::sub().lit("dualstack.").attr(&lb, "DNSName").build(),
                        hosted_zone_id: Expr::GetAtt(lb, "CanonicalHostedZoneID"),
                        evaluate_target_health: true,
                    }),
                    ..record("PRIMARY", "primary")
                }),
            );
        }
    }
    let sorry = &model.sorries[&f.secondary];
    add(
        t,
        &f.prefix.id(Part::SecondaryRecord),
        Resource::new(RecordSet {
            alias_target: Some(AliasTarget {
                dns_name: Expr::GetAtt(sorry.prefix.id(Part::Distribution), "DomainName"),
                hosted_zone_id: Expr::str(CLOUDFRONT_ZONE),
                evaluate_target_health: false,
            }),
            ..record("SECONDARY", "secondary")
        }),
    );
}

/// Adds the health check of an instance primary; returns its logical ID.
fn health_check(
    t: &mut Template,
    model: &Model,
    f: &Failover,
    instance: &Instance,
    health: &Health,
    stack_tags: &[Tag],
) -> LogicalId {
    let id = f.prefix.id(Part::HealthCheck);
    let display = format!("{}-{}", model.stack.name, f.name.as_str());
    let tags = std::iter::once(Tag::new("Name", display.as_str()))
        .chain(stack_tags.iter().cloned())
        .collect();
    let config = match health {
        Health::Instance => {
            let alarm = f.prefix.id(Part::Alarm);
            let notify: Vec<Expr> = model
                .stack
                .notify
                .iter()
                .map(|_| Expr::Ref(LogicalId::fixed(ALARM_TOPIC)))
                .collect();
            add(
                t,
                &alarm,
                Resource::new(Alarm {
                    alarm_description: format!(
                        "[failover.{}]: [instance.{}] has no instance in service",
                        f.name.as_str(),
                        instance.name.as_str()
                    ),
                    namespace: "AWS/AutoScaling",
                    metric_name: "GroupInServiceInstances",
                    dimensions: vec![Dimension {
                        name: "AutoScalingGroupName",
                        value: super::compute::group_name(instance),
                    }],
                    statistic: "Minimum",
                    period: 60,
                    evaluation_periods: 1,
                    threshold: 1,
                    comparison_operator: "LessThanThreshold",
                    // No data means no group metrics, e.g. no instance: fail over.
                    treat_missing_data: "breaching",
                    alarm_actions: notify.clone(),
                    ok_actions: notify,
                }),
            );
            HealthCheckConfig {
                kind: "CLOUDWATCH_METRIC",
                alarm_identifier: Some(AlarmIdentifier {
                    name: Expr::Ref(alarm),
                    region: Expr::Pseudo(Pseudo::Region),
                }),
                insufficient_data_health_status: Some("Unhealthy"),
                ip_address: None,
                port: None,
                resource_path: None,
                fully_qualified_domain_name: None,
                enable_sni: None,
                request_interval: None,
                failure_threshold: None,
            }
        }
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
                ProbeAddress::NewEip => Expr::Ref(instance.prefix.id(Part::Eip)),
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
    add(
        t,
        &id,
        Resource::new(HealthCheck {
            health_check_config: config,
            health_check_tags: tags,
        }),
    );
    id
}
