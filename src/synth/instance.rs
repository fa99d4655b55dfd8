//! `[instance.NAME]`: its Auto Scaling group of exactly one, launch
//! template, IAM role with a least-privilege policy, Elastic IP and
//! business-hours schedule, and its user-data script.

use std::collections::BTreeMap;

use super::context::Context;
use super::discover::{Check, Discovery, IPV4_PATTERN};
use super::shared::{
    RootVolume, arn_ec2, image, instance_role, launch_template_data, root_device, target_tag,
    upsert_statement,
};
use crate::cfn::autoscaling::{
    AsgTag, AutoScalingGroup, MetricsCollection, RollingUpdate, ScheduledAction,
    ScheduledActionUpdate, UpdatePolicy,
};
use crate::cfn::ec2::{
    Eip, IamInstanceProfile, LaunchTemplate, LaunchTemplateSpec, NetworkInterface, TagSpecification,
};
use crate::cfn::iam::{Condition, Effect, InstanceProfile, Policy, PolicyDocument, Statement};
use crate::cfn::route53::RecordSet;
use crate::cfn::{Expr, Parameter, Pseudo, Resource};
use crate::layout;
use crate::model::alb::Part as AlbPart;
use crate::model::failover::Part as FailoverPart;
use crate::model::instance::{self, Part};
use crate::model::{Instance, Target};
use crate::userdata::{self, TAGS};

/// Adds everything an instance needs.
pub(super) fn synth(cx: &mut Context<'_>, i: &Instance) {
    let script = userdata::instance_script(i);
    let (allocation, address) = elastic_ip(cx, i);
    static_record(cx, i, address);
    let has_policy = iam(cx, i, allocation.as_ref());
    launch_template(cx, i, &script);
    group(cx, i, allocation, has_policy);
    schedule(cx, i);
    cx.file(layout::user_data(i.name.as_str()), script);
    if let Some(d) = &i.dns {
        cx.writes_into(&d.zone_id);
    }
}

/// The `dns` record of an Elastic IP: written by CloudFormation, so it is
/// right before the instance boots and needs no Route 53 permission on it.
fn static_record(cx: &mut Context<'_>, i: &Instance, address: Option<Expr>) {
    let (Some(d), Some(address)) = (i.static_dns(), address) else {
        return;
    };
    cx.add(
        &i.prefix.id(Part::DnsRecord),
        Resource::new(RecordSet {
            hosted_zone_id: d.zone_id.clone(),
            name: format!("{}.", d.record),
            kind: "A",
            set_identifier: None,
            failover: None,
            ttl: Some(STATIC_TTL.to_string()),
            resource_records: vec![address],
            health_check_id: None,
            alias_target: None,
        }),
    );
}

/// The TTL of a record CloudFormation writes: it changes only with a stack
/// update.
const STATIC_TTL: u32 = 300;

/// The Elastic IP the instance attaches at boot: its allocation id, and its
/// address when the template knows it or `dns` needs it.
fn elastic_ip(cx: &mut Context<'_>, i: &Instance) -> (Option<Expr>, Option<Expr>) {
    let what = format!("[instance.{}]", i.name.as_str());
    let (allocation, address) = match &i.eip {
        instance::Eip::New => {
            let eip = i.prefix.id(Part::Eip);
            let tags = cx.tags_named(cx.display(i.name.as_str()));
            cx.add(
                &eip,
                Resource::new(Eip {
                    domain: "vpc",
                    tags,
                }),
            );
            (
                Expr::GetAtt(eip.clone(), "AllocationId"),
                Some(Expr::Ref(eip)),
            )
        }
        instance::Eip::Existing {
            allocation,
            address: Some(address),
        } => {
            cx.check(Check::ElasticIpAddress {
                what: what.clone(),
                allocation: allocation.clone(),
                address: address.to_string(),
            });
            (Expr::str(allocation), Some(Expr::str(address.to_string())))
        }
        instance::Eip::Existing {
            allocation,
            address: None,
        } => {
            // Only `dns` needs the address; deploy.sh reads it then.
            let address = i.static_dns().map(|_| {
                let parameter = Parameter {
                    kind: "String",
                    default: None,
                    allowed_pattern: Some(IPV4_PATTERN),
                    description: format!(
                        "{what}: the address of its Elastic IP {allocation}, found by deploy.sh"
                    ),
                };
                let how = Discovery::ElasticIpAddress {
                    what: what.clone(),
                    allocation: allocation.clone(),
                };
                cx.discover(i.prefix.id(Part::ElasticIpAddress), parameter, how)
            });
            (Expr::str(allocation), address)
        }
        instance::Eip::None => return (None, None),
    };
    if let Some(address) = &address {
        cx.output(
            &i.prefix.id(Part::ElasticIp),
            format!("{what}: its Elastic IP address"),
            address.clone(),
            true,
        );
    }
    (Some(allocation), address)
}

/// The role, its policy (when the script calls any API) and the instance
/// profile; returns whether there is a policy.
fn iam(cx: &mut Context<'_>, i: &Instance, allocation: Option<&Expr>) -> bool {
    let p = &i.prefix;
    let role = p.id(Part::Role);
    let tags = cx.tags_named(cx.display(i.name.as_str()));
    cx.add(
        &role,
        Resource::new(instance_role(
            format!("Instance role of [instance.{}] (topoform)", i.name.as_str()),
            tags,
        )),
    );
    let statements = statements(cx, i, allocation);
    let has_policy = !statements.is_empty();
    if has_policy {
        cx.add(
            &p.id(Part::Policy),
            Resource::new(Policy {
                policy_name: format!("topoform-{}", i.name.as_str()),
                policy_document: PolicyDocument::new(statements),
                roles: vec![Expr::Ref(role.clone())],
            }),
        );
    }
    cx.add(
        &p.id(Part::InstanceProfile),
        Resource::new(InstanceProfile {
            roles: vec![Expr::Ref(role)],
        }),
    );
    has_policy
}

/// The instance role's own statements: exactly the calls its script makes.
fn statements(cx: &Context<'_>, i: &Instance, allocation: Option<&Expr>) -> Vec<Statement> {
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
    if let Some(d) = i.dns_at_boot() {
        records.entry(&d.zone_id).or_default().push(&d.record);
    }
    if let Some(o) = &i.owned_primary {
        records.entry(&o.zone_id).or_default().push(&o.record);
    }
    for (zone_id, mut names) in records {
        names.sort_unstable();
        names.dedup();
        out.push(upsert_statement(cx.model, zone_id, &names));
    }
    out
}

/// The launch template: the user's security groups plus one per load
/// balancer in front of the instance, and a public IP at launch.
fn launch_template(cx: &mut Context<'_>, i: &Instance, script: &str) {
    let p = &i.prefix;
    let what = format!("[instance.{}]", i.name.as_str());
    let image = image(&mut cx.main, p, Part::ImageId, &i.launch.ami, &what);
    let tags = cx.tags_named(cx.display(i.name.as_str()));
    let tag_specifications = ["instance", "volume"]
        .into_iter()
        .map(|kind| TagSpecification {
            resource_type: kind,
            tags: tags.clone(),
        })
        .collect();
    let device = root_device(
        cx,
        p.id(Part::RootDevice),
        &what,
        &i.launch.ami,
        i.root_device.as_deref(),
        i.volume_gb,
    );
    let root = RootVolume {
        device,
        size: i.volume_gb,
    };
    let mut data = launch_template_data(image, &i.launch, &root, tag_specifications, script);
    data.iam_instance_profile = Some(IamInstanceProfile {
        arn: Expr::GetAtt(p.id(Part::InstanceProfile), "Arn"),
    });
    // A public IP at launch: the instance calls the EC2 API to attach its
    // Elastic IP before it has one.
    data.network_interfaces = vec![NetworkInterface {
        device_index: 0,
        associate_public_ip_address: true,
        // The user's groups, then one per load balancer that lets it reach
        // the instance.
        groups: i
            .launch
            .security_groups
            .iter()
            .map(Expr::str)
            .chain(i.albs.iter().map(|a| {
                Expr::GetAtt(
                    cx.model.albs[a].prefix.id(AlbPart::TargetSecurityGroup),
                    "GroupId",
                )
            }))
            .collect(),
        delete_on_termination: true,
    }];
    cx.add(
        &p.id(Part::LaunchTemplate),
        Resource::new(LaunchTemplate {
            launch_template_data: data,
        })
        .skip_check(
            "CKV_AWS_88",
            "The instance needs a public IP at launch to call the EC2 API and attach its Elastic IP.",
        ),
    );
}

/// The Auto Scaling group of one, and the tags its instance reads.
fn group(cx: &mut Context<'_>, i: &Instance, allocation: Option<Expr>, has_policy: bool) {
    let p = &i.prefix;
    let lt = p.id(Part::LaunchTemplate);
    let mut resource = Resource::new(AutoScalingGroup {
        auto_scaling_group_name: group_name(i),
        min_size: "1".into(),
        max_size: "1".into(),
        // With hours, the schedule owns the capacity: a stack update must not reset it.
        desired_capacity: i.hours.is_none().then(|| "1".into()),
        launch_template: LaunchTemplateSpec {
            launch_template_id: Expr::Ref(lt.clone()),
            version: Expr::GetAtt(lt, "LatestVersionNumber"),
        },
        vpc_zone_identifier: i.launch.subnets.clone(),
        target_group_arns: i
            .albs
            .iter()
            .map(|a| Expr::Ref(cx.model.albs[a].prefix.id(AlbPart::TargetGroup)))
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
        tags: group_tags(cx, i, allocation),
    });
    // IAM is eventually consistent: launch only once the policy is attached.
    if has_policy {
        resource = resource.depends_on(&p.id(Part::Policy));
    }
    resource.update_policy = Some(UpdatePolicy {
        auto_scaling_rolling_update: RollingUpdate {
            min_instances_in_service: 0,
            max_batch_size: 1,
        },
        auto_scaling_scheduled_action: i.hours.as_ref().map(|_| ScheduledActionUpdate {
            ignore_unmodified_group_size_properties: true,
        }),
    });
    cx.add(&p.id(Part::Group), resource);
}

/// The group's tags, sorted by key: its name, and what the instance reads
/// through IMDS and backups and tasks select it by, propagated at launch.
fn group_tags(cx: &Context<'_>, i: &Instance, allocation: Option<Expr>) -> Vec<AsgTag> {
    let mut tags = vec![AsgTag {
        key: "Name".into(),
        value: Expr::str(cx.display(i.name.as_str())),
        propagate_at_launch: false,
    }];
    let mut propagate = |key: &str, value: Expr| {
        tags.push(AsgTag {
            key: key.into(),
            value,
            propagate_at_launch: true,
        });
    };
    let target = target_tag(cx.model, &Target::Instance(i.name.clone()));
    propagate(&target.key, target.value);
    if let Some(a) = allocation {
        propagate(TAGS.allocation_id, a);
    }
    if let Some(d) = i.dns_at_boot() {
        propagate(TAGS.dns_zone_id, Expr::str(&d.zone_id));
        propagate(TAGS.dns_record, Expr::str(&d.record));
        propagate(TAGS.dns_ip, Expr::str(d.ip.as_str()));
    }
    if let Some(o) = &i.owned_primary {
        let failover = &cx.model.failovers[&o.failover];
        propagate(TAGS.failover_zone_id, Expr::str(&o.zone_id));
        propagate(TAGS.failover_record, Expr::str(&o.record));
        propagate(TAGS.failover_set_id, Expr::str(&o.set_identifier));
        propagate(
            TAGS.failover_health_check_id,
            Expr::Ref(failover.prefix.id(FailoverPart::HealthCheck)),
        );
        propagate(TAGS.failover_ttl, Expr::str(o.ttl.to_string()));
    }
    for tag in &cx.stack_tags {
        propagate(&tag.key, tag.value.clone());
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    tags
}

/// Business hours: start and stop actions on the group.
fn schedule(cx: &mut Context<'_>, i: &Instance) {
    let Some(h) = &i.hours else {
        return;
    };
    let group = i.prefix.id(Part::Group);
    for (part, (hour, minute), days, capacity, min) in [
        (Part::Start, h.start, h.unix_days(), 1, 1),
        (Part::Stop, h.stop, h.unix_stop_days(), 0, 0),
    ] {
        cx.add(
            &i.prefix.id(part),
            Resource::new(ScheduledAction {
                auto_scaling_group_name: Expr::Ref(group.clone()),
                min_size: min,
                max_size: 1,
                desired_capacity: capacity,
                recurrence: format!("{minute} {hour} * * {days}"),
                time_zone: h.timezone.clone(),
            }),
        );
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
