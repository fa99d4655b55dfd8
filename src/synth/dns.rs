//! A `[failover]`: the primary's health check (an alarm on the group's
//! in-service count, or an HTTP(S) probe of the Elastic IP) and the PRIMARY /
//! SECONDARY record pair.

use crate::cfn::{
    Alarm, AlarmIdentifier, AliasTarget, Dimension, Expr, HealthCheck, HealthCheckConfig, Pseudo,
    RecordSet, Resource, Tag, Template,
};
use crate::model::{Failover, Health, Model, PrimaryValue, ProbeAddress};
use crate::naming::Part;

use super::add;

/// CloudFront's hosted zone id, the same for every distribution.
pub(super) const CLOUDFRONT_ZONE: &str = "Z2FDTNDATAQYW2";

/// Adds a failover's health check and records to `t`.
pub(super) fn failover(t: &mut Template, model: &Model, f: &Failover, stack_tags: &[Tag]) {
    let instance = &model.instances[&f.primary];
    let sorry = &model.sorries[&f.secondary];
    let health_check = f.prefix.id(Part::HealthCheck);
    let eip = || Expr::Ref(instance.prefix.id(Part::Eip));
    let display = format!("{}-{}", model.stack.name, f.name.as_str());
    let hc_tags = std::iter::once(Tag::new("Name", display.as_str()))
        .chain(stack_tags.iter().cloned())
        .collect();

    let config = match &f.health {
        Health::Instance => {
            let alarm = f.prefix.id(Part::Alarm);
            add(
                t,
                &alarm.clone(),
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
                ProbeAddress::NewEip => eip(),
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
        &health_check.clone(),
        Resource::new(HealthCheck {
            health_check_config: config,
            health_check_tags: hc_tags,
        }),
    );

    let value = match &f.primary_value {
        PrimaryValue::NewEip => Some(eip()),
        PrimaryValue::Known(a) => Some(Expr::str(a.to_string())),
        // The instance UPSERTs this record at every boot (see its user-data).
        PrimaryValue::OwnedByInstance => None,
    };
    if let Some(value) = value {
        add(
            t,
            &f.prefix.id(Part::PrimaryRecord),
            Resource::new(RecordSet {
                hosted_zone_id: f.zone_id.clone(),
                name: format!("{}.", f.record),
                kind: "A",
                set_identifier: format!("{}-primary", f.name.as_str()),
                failover: "PRIMARY",
                ttl: Some(f.ttl.to_string()),
                resource_records: vec![value],
                health_check_id: Some(Expr::Ref(health_check)),
                alias_target: None,
            }),
        );
    }
    add(
        t,
        &f.prefix.id(Part::SecondaryRecord),
        Resource::new(RecordSet {
            hosted_zone_id: f.zone_id.clone(),
            name: format!("{}.", f.record),
            kind: "A",
            set_identifier: format!("{}-secondary", f.name.as_str()),
            failover: "SECONDARY",
            ttl: None,
            resource_records: Vec::new(),
            health_check_id: None,
            alias_target: Some(AliasTarget {
                dns_name: Expr::GetAtt(sorry.prefix.id(Part::Distribution), "DomainName"),
                hosted_zone_id: CLOUDFRONT_ZONE,
                evaluate_target_health: false,
            }),
        }),
    );
}
