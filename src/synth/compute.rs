//! An `[instance]`: its Auto Scaling group of exactly one, launch template,
//! IAM role with least-privilege policy, Elastic IP and business-hours
//! schedule.

use std::collections::BTreeMap;

use crate::cfn::autoscaling::{
    AsgTag, AutoScalingGroup, MetricsCollection, RollingUpdate, ScheduledAction,
    ScheduledActionUpdate, UpdatePolicy,
};
use crate::cfn::ec2::{
    BlockDeviceMapping, Ebs, Eip, IamInstanceProfile, LaunchTemplate, LaunchTemplateData,
    LaunchTemplateSpec, MetadataOptions, Monitoring, NetworkInterface, TagSpecification,
};
use crate::cfn::iam::{
    Condition, Effect, InstanceProfile, Policy, PolicyDocument, Role, Statement, aws_managed_policy,
};
use crate::cfn::{Expr, Parameter, Pseudo, Resource, SubBuilder, Tag, Template};
use crate::model::{self, Ami, Instance, Model};
use crate::naming::{Part, Prefix};
use crate::userdata::TAGS;

use super::add;

/// Adds everything an instance needs to `t`.
pub(super) fn instance(
    t: &mut Template,
    model: &Model,
    i: &Instance,
    script: &str,
    stack_tags: &[Tag],
) {
    let p = &i.prefix;
    let (role, policy, profile, lt, group) = (
        p.id(Part::Role),
        p.id(Part::Policy),
        p.id(Part::InstanceProfile),
        p.id(Part::LaunchTemplate),
        p.id(Part::Group),
    );
    let display = format!("{}-{}", model.stack.name, i.name.as_str());
    let name_tag = || Tag::new("Name", display.as_str());
    let tags = |extra: Tag| {
        std::iter::once(extra)
            .chain(stack_tags.iter().cloned())
            .collect::<Vec<_>>()
    };

    let image = image(t, p, &i.ami, &format!("[instance.{}]", i.name.as_str()));

    let allocation = match &i.eip {
        model::Eip::New => {
            let eip = p.id(Part::Eip);
            add(
                t,
                &eip.clone(),
                Resource::new(Eip {
                    domain: "vpc",
                    tags: tags(name_tag()),
                }),
            );
            Some(Expr::GetAtt(eip, "AllocationId"))
        }
        model::Eip::Existing { allocation, .. } => Some(Expr::str(allocation)),
        model::Eip::None => None,
    };

    add(
        t,
        &role.clone(),
        Resource::new(instance_role(
            format!("Instance role of [instance.{}] (topoform)", i.name.as_str()),
            tags(name_tag()),
        )),
    );

    let statements = statements(i, model, allocation.as_ref());
    let has_policy = !statements.is_empty();
    if has_policy {
        add(
            t,
            &policy.clone(),
            Resource::new(Policy {
                policy_name: format!("topoform-{}", i.name.as_str()),
                policy_document: PolicyDocument::new(statements),
                roles: vec![Expr::Ref(role.clone())],
            }),
        );
    }
    add(
        t,
        &profile.clone(),
        Resource::new(InstanceProfile {
            roles: vec![Expr::Ref(role.clone())],
        }),
    );

    add(
        t,
        &lt.clone(),
        Resource::new(LaunchTemplate {
            launch_template_data: LaunchTemplateData {
                image_id: image,
                instance_type: i.instance_type.clone(),
                iam_instance_profile: Some(IamInstanceProfile {
                    arn: Expr::GetAtt(profile.clone(), "Arn"),
                }),
                metadata_options: MetadataOptions::imdsv2_with_tags(),
                monitoring: Monitoring { enabled: true },
                // A public IP at launch: the instance calls the EC2 API to
                // attach its Elastic IP before it has one.
                network_interfaces: vec![NetworkInterface {
                    device_index: 0,
                    associate_public_ip_address: true,
                    // The user's groups, then one per load balancer that
                    // lets it reach the instance.
                    groups: i
                        .security_groups
                        .iter()
                        .map(Expr::str)
                        .chain(i.albs.iter().map(|a| {
                            Expr::GetAtt(
                                model.albs[a].prefix.id(Part::TargetSecurityGroup),
                                "GroupId",
                            )
                        }))
                        .collect(),
                    delete_on_termination: true,
                }],
                security_group_ids: Vec::new(),
                block_device_mappings: vec![BlockDeviceMapping {
                    device_name: i.root_device.clone(),
                    ebs: Ebs {
                        volume_type: "gp3",
                        volume_size: i.volume_gb,
                        encrypted: true,
                        delete_on_termination: true,
                    },
                }],
                tag_specifications: ["instance", "volume"]
                    .into_iter()
                    .map(|kind| TagSpecification {
                        resource_type: kind,
                        tags: tags(name_tag()),
                    })
                    .collect(),
                user_data: Expr::Base64(Box::new(Expr::str(script))),
            },
        })
        .skip_check(
            "CKV_AWS_88",
            "The instance needs a public IP at launch to call the EC2 API and attach its Elastic IP.",
        ),
    );

    let mut asg_tags = vec![AsgTag {
        key: "Name".into(),
        value: Expr::str(display.as_str()),
        propagate_at_launch: false,
    }];
    let mut propagate = |key: &str, value: Expr| {
        asg_tags.push(AsgTag {
            key: key.into(),
            value,
            propagate_at_launch: true,
        });
    };
    // What backups and tasks select this instance by.
    let target = super::target_tag(model, &model::Target::Instance(i.name.clone()));
    propagate(&target.key, target.value);
    if let Some(a) = &allocation {
        propagate(TAGS.allocation_id, a.clone());
    }
    if let Some(d) = &i.dns {
        propagate(TAGS.dns_zone_id, Expr::str(&d.zone_id));
        propagate(TAGS.dns_record, Expr::str(&d.record));
        propagate(TAGS.dns_ip, Expr::str(d.ip.as_str()));
    }
    if let Some(o) = &i.owned_primary {
        let failover = &model.failovers[&o.failover];
        propagate(TAGS.failover_zone_id, Expr::str(&o.zone_id));
        propagate(TAGS.failover_record, Expr::str(&o.record));
        propagate(TAGS.failover_set_id, Expr::str(&o.set_identifier));
        propagate(
            TAGS.failover_health_check_id,
            Expr::Ref(failover.prefix.id(Part::HealthCheck)),
        );
        propagate(TAGS.failover_ttl, Expr::str(o.ttl.to_string()));
    }
    for tag in stack_tags {
        propagate(&tag.key, tag.value.clone());
    }
    asg_tags.sort_by(|a, b| a.key.cmp(&b.key));

    let mut group_resource = Resource::new(AutoScalingGroup {
        auto_scaling_group_name: group_name(i),
        min_size: "1".into(),
        max_size: "1".into(),
        // With hours, the schedule owns the capacity: a stack update must not reset it.
        desired_capacity: i.hours.is_none().then(|| "1".into()),
        launch_template: LaunchTemplateSpec {
            launch_template_id: Expr::Ref(lt.clone()),
            version: Expr::GetAtt(lt, "LatestVersionNumber"),
        },
        vpc_zone_identifier: i.subnets.clone(),
        target_group_arns: i
            .albs
            .iter()
            .map(|a| Expr::Ref(model.albs[a].prefix.id(Part::TargetGroup)))
            .collect(),
        // A load balancer's health check sees the application: an instance
        // it finds unhealthy is replaced.
        health_check_type: if i.albs.is_empty() { "EC2" } else { "ELB" },
        health_check_grace_period: 300,
        metrics_collection: if i.collects_metrics {
            vec![MetricsCollection {
                granularity: "1Minute",
                metrics: vec!["GroupInServiceInstances"],
            }]
        } else {
            Vec::new()
        },
        tags: asg_tags,
    });
    // IAM is eventually consistent: launch only once the policy is attached.
    if has_policy {
        group_resource = group_resource.depends_on(&policy);
    }
    group_resource.update_policy = Some(UpdatePolicy {
        auto_scaling_rolling_update: RollingUpdate {
            min_instances_in_service: 0,
            max_batch_size: 1,
        },
        auto_scaling_scheduled_action: i.hours.as_ref().map(|_| ScheduledActionUpdate {
            ignore_unmodified_group_size_properties: true,
        }),
    });
    add(t, &group, group_resource);

    if let Some(h) = &i.hours {
        for (part, (hour, minute), capacity, min) in
            [(Part::Start, h.start, 1, 1), (Part::Stop, h.stop, 0, 0)]
        {
            add(
                t,
                &p.id(part),
                Resource::new(ScheduledAction {
                    auto_scaling_group_name: Expr::Ref(group.clone()),
                    min_size: min,
                    max_size: 1,
                    desired_capacity: capacity,
                    recurrence: format!("{minute} {hour} * * {}", h.unix_days()),
                    time_zone: h.timezone.clone(),
                }),
            );
        }
    }
}

/// The group's name, `STACK-NAME`. It is set explicitly so that the alarm on
/// the group's metrics can name the group without a `Ref`: with
/// `elastic_ip = "none"` the group's tags refer to the health check, which
/// refers to the alarm, and a `Ref` back to the group would be a cycle.
pub(super) fn group_name(i: &Instance) -> Expr {
    Expr::sub()
        .pseudo(Pseudo::StackName)
        .lit(&format!("-{}", i.name.as_str()))
        .build()
}

/// The instance role's own statements: exactly the calls its script makes.
fn statements(i: &Instance, model: &Model, allocation: Option<&Expr>) -> Vec<Statement> {
    let mut out = Vec::new();
    if let Some(allocation) = allocation {
        out.push(Statement {
            sid: "AssociateOwnElasticIp".into(),
            effect: Effect::Allow,
            principal: None,
            action: vec!["ec2:AssociateAddress"],
            resource: vec![match allocation {
                Expr::GetAtt(eip, attr) => arn_ec2().lit("elastic-ip/").attr(eip, attr).build(),
                Expr::Str(id) => arn_ec2().lit("elastic-ip/").lit(id).build(),
                other => {
                    unreachable!("bug in topoform: unexpected allocation expression {other:?}")
                }
            }],
            condition: BTreeMap::new(),
        });
        // The instance side of the call: only instances that carry this
        // Elastic IP's allocation-id tag, i.e. this group's instances.
        let mut condition = Condition::new();
        condition
            .entry("StringEquals")
            .or_default()
            .insert("aws:ResourceTag/allocation-id", vec![allocation.clone()]);
        out.push(Statement {
            sid: "AssociateToTaggedInstance".into(),
            effect: Effect::Allow,
            principal: None,
            action: vec!["ec2:AssociateAddress"],
            resource: vec![arn_ec2().lit("instance/*").build()],
            condition,
        });
    }
    // Route 53: the records this instance writes, by zone.
    let mut records: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    if let Some(d) = &i.dns {
        records.entry(&d.zone_id).or_default().push(&d.record);
    }
    if let Some(o) = &i.owned_primary {
        records.entry(&o.zone_id).or_default().push(&o.record);
    }
    for (zone_id, mut names) in records {
        names.sort_unstable();
        names.dedup();
        out.push(upsert_statement(model, zone_id, &names));
    }
    out
}

/// The parameter or literal of an image; `what` names the block, e.g.
/// `[instance.web]`.
pub(super) fn image(t: &mut Template, p: &Prefix, ami: &Ami, what: &str) -> Expr {
    match ami {
        Ami::Id(id) => Expr::str(id),
        Ami::Ssm(path) => {
            let param = p.id(Part::ImageId);
            t.parameters.insert(
                param.clone(),
                Parameter {
                    kind: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                    default: Some(path.clone()),
                    description: format!("AMI of {what}, resolved from SSM at deploy time"),
                },
            );
            Expr::Ref(param)
        }
    }
}

/// An instance role: EC2 assumes it, and Session Manager replaces SSH keys.
pub(super) fn instance_role(description: String, tags: Vec<Tag>) -> Role {
    Role {
        description,
        assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
            "Ec2AssumesRole",
            "ec2.amazonaws.com",
            Condition::new(),
        )]),
        // Session Manager instead of SSH keys.
        managed_policy_arns: vec![aws_managed_policy("AmazonSSMManagedInstanceCore")],
        policies: Vec::new(),
        tags,
    }
}

/// Route 53: UPSERT of exactly the A records `names` (sorted, no trailing
/// dot) in zone `zone_id`, and nothing else.
pub(super) fn upsert_statement(model: &Model, zone_id: &str, names: &[&str]) -> Statement {
    let zone = model
        .zones
        .values()
        .find(|z| z.id == zone_id)
        .map_or(zone_id, |z| z.domain.as_str());
    let mut condition = Condition::new();
    let all = condition.entry("ForAllValues:StringEquals").or_default();
    all.insert(
        "route53:ChangeResourceRecordSetsNormalizedRecordNames",
        names.iter().map(|n| Expr::str(*n)).collect(),
    );
    all.insert(
        "route53:ChangeResourceRecordSetsRecordTypes",
        vec![Expr::str("A")],
    );
    all.insert(
        "route53:ChangeResourceRecordSetsActions",
        vec![Expr::str("UPSERT")],
    );
    Statement {
        sid: format!("UpsertOwnRecordsIn{}", sid_part(zone)),
        effect: Effect::Allow,
        principal: None,
        action: vec!["route53:ChangeResourceRecordSets"],
        resource: vec![
            Expr::sub()
                .lit("arn:")
                .pseudo(Pseudo::Partition)
                .lit(&format!(":route53:::hostedzone/{zone_id}"))
                .build(),
        ],
        condition,
    }
}

/// `arn:PARTITION:ec2:REGION:ACCOUNT:`, to be completed with the resource.
pub(super) fn arn_ec2() -> SubBuilder {
    Expr::sub()
        .lit("arn:")
        .pseudo(Pseudo::Partition)
        .lit(":ec2:")
        .pseudo(Pseudo::Region)
        .lit(":")
        .pseudo(Pseudo::AccountId)
        .lit(":")
}

/// A Sid fragment from a domain: `example.com` → `ExampleCom`.
fn sid_part(domain: &str) -> String {
    domain
        .split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}
