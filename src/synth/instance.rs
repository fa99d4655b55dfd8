//! `[instance.NAME]`: its Auto Scaling group of exactly one, launch
//! template, IAM role with a least-privilege policy, Elastic IP and
//! business-hours schedule, and its user-data script.

use std::collections::BTreeMap;
use crate::cfn::ec2::UserData;

use super::context::Context;
use super::discover::{Check, Discovery, IPV4_PATTERN};
use super::shared::{
    RootVolume, arn, arn_ec2, image, instance_role, launch_template_data, root_device, target_tag,
    upsert_statement,
};
use super::stack::{message, notifies, notify_alarm, notify_rule, notify_status_checks};
use crate::cfn::autoscaling::{
    AsgTag, AutoScalingGroup, InstanceReusePolicy, LifecycleHook, MetricsCollection,
    NotificationConfiguration, RollingUpdate, ScheduledAction, ScheduledActionUpdate, UpdatePolicy,
    WarmPool,
};
use crate::cfn::cloudwatch::{AlarmSource, Dimension, Metric, MetricDataQuery, MetricStat};
use crate::cfn::events::EventPattern;
use crate::cfn::ec2::{
    Eip, IamInstanceProfile, LaunchTemplate, LaunchTemplateSpec, NetworkInterface, TagSpecification,
};
use crate::cfn::iam::{Condition, Effect, InstanceProfile, Policy, PolicyDocument, Statement};
use crate::cfn::route53::RecordSet;
use crate::cfn::{Expr, Parameter, Pseudo, Resource, Tag};
use crate::model::alb::Part as AlbPart;
use crate::model::failover::Part as FailoverPart;
use crate::model::instance::{self, Part, READY_HOOK};
use crate::model::stack::ALARM_TOPIC;
use crate::model::{Instance, Target};
use crate::naming::LogicalId;
use crate::userdata::{self, TAGS};

/// Adds everything an instance needs.
pub(super) fn synth(cx: &mut Context<'_>, i: &Instance) {
    let script = userdata::instance_script(i);
    let user_data = cx.user_data(script.path.clone(), || script.render());
    let (allocation, address) = elastic_ip(cx, i);
    static_record(cx, i, address);
    let has_policy = iam(cx, i, allocation.as_ref());
    launch_template(cx, i, user_data, allocation.as_ref());
    group(cx, i, allocation, has_policy);
    schedule(cx, i);
    alarms(cx, i);
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
    cx.add_record(
        &i.prefix.id(Part::DnsRecord),
        format!("[instance.{}]", i.name.as_str()),
        RecordSet {
            hosted_zone_id: d.zone_id.clone(),
            name: format!("{}.", d.record),
            kind: "A",
            set_identifier: None,
            failover: None,
            ttl: Some(STATIC_TTL.to_string()),
            resource_records: vec![address],
            health_check_id: None,
            alias_target: None,
        },
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
                Expr::GetAtt(eip.clone(), "AllocationId".into()),
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
        // ec2:AssociateAddress on the address: the `elastic-ip` resource
        // type, ARN `elastic-ip/ALLOCATION-ID` (Service Authorization
        // Reference, Amazon EC2). --allow-reassociation has no IAM key of
        // its own.
        out.push(Statement {
            sid: "AssociateOwnElasticIp".into(),
            effect: Effect::Allow,
            principal: None,
            action: vec!["ec2:AssociateAddress"],
            resource: vec![match allocation {
                Expr::GetAtt(eip, attr) => {
                    arn_ec2().lit("elastic-ip/").attr(eip, attr.clone()).build()
                }
                Expr::Str(id) => arn_ec2().lit("elastic-ip/").lit(id.clone()).build(),
                other => {
                    unreachable!("bug in topoform: unexpected allocation expression {other:?}")
                }
            }],
            condition: BTreeMap::new(),
        });
        // The instance side of the call: only instances that carry this
        // Elastic IP's allocation-id tag, i.e. this group's instances, and
        // their network interfaces, which the launch template tags alike.
        //
        // Why the interface too: the Service Authorization Reference lists
        // three resource types for ec2:AssociateAddress (elastic-ip,
        // instance, network-interface), none marked required, and says
        // nothing on which of them a call with --instance-id is checked
        // against; EC2 associates the address with the instance's primary
        // interface. AWS documents no answer, and a policy without the
        // interface has been reported to fail (aws-quickstart
        // quickstart-linux-bastion, PR 131 and issue 133). Granting the
        // interface, scoped by the same tag, works either way and lets the
        // role touch nothing of another group.
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
            resource: vec![
                arn_ec2().lit("instance/*").build(),
                arn_ec2().lit("network-interface/*").build(),
            ],
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
    if i.holds_launches() {
        out.push(complete_launch_statement(i));
    }
    out
}

/// The instance completes its own group's launch lifecycle action.
///
/// `autoscaling:CompleteLifecycleAction` is authorized on the
/// `autoScalingGroup` resource type, whose ARN ends in
/// `autoScalingGroupName/NAME` (Service Authorization Reference, Amazon EC2
/// Auto Scaling, "Actions defined"; the group id in the ARN is unknown
/// before creation, hence `*`). The group's name is fixed by the template,
/// so the grant names exactly this group and needs no condition.
fn complete_launch_statement(i: &Instance) -> Statement {
    Statement {
        sid: "CompleteOwnLaunch".into(),
        effect: Effect::Allow,
        principal: None,
        action: vec!["autoscaling:CompleteLifecycleAction"],
        resource: vec![
            arn("autoscaling")
                .lit("autoScalingGroup:*:autoScalingGroupName/")
                .pseudo(Pseudo::StackName)
                .lit(format!("-{}", i.name.as_str()))
                .build(),
        ],
        condition: BTreeMap::new(),
    }
}

/// The launch template: the user's security groups plus one per load
/// balancer in front of the instance, and a public IP at launch.
fn launch_template(
    cx: &mut Context<'_>,
    i: &Instance,
    user_data: UserData,
    allocation: Option<&Expr>,
) {
    let p = &i.prefix;
    let what = format!("[instance.{}]", i.name.as_str());
    let image = image(cx, p, Part::ImageId, &i.launch.ami, &what);
    // Only the name, which only a new block changes: a launch template that
    // changes is a new version, and the group's rolling update replaces the
    // instance for it. The stack's tags reach the instance through the
    // group (propagated at launch), never through here, so that editing them
    // replaces nothing. Auto Scaling does not tag volumes: the root volume
    // has the name only.
    let tags = vec![Tag::new("Name", cx.display(i.name.as_str()))];
    let mut tag_specifications: Vec<TagSpecification> = ["instance", "volume"]
        .into_iter()
        .map(|kind| TagSpecification {
            resource_type: kind,
            tags: tags.clone(),
        })
        .collect();
    // The interface carries the allocation-id tag that the role's
    // AssociateAddress grant requires of it (Auto Scaling propagates the
    // group's tags to instances and volumes only).
    if let Some(allocation) = allocation {
        let mut tags = tags.clone();
        tags.push(Tag::new(TAGS.allocation_id, allocation.clone()));
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        tag_specifications.push(TagSpecification {
            resource_type: "network-interface",
            tags,
        });
    }
    let device = root_device(
        cx,
        p.id(Part::RootDevice),
        &what,
        &image,
        i.root_device.as_deref(),
        i.volume_gb,
    );
    let root = RootVolume {
        device,
        size: i.volume_gb,
    };
    let mut data = launch_template_data(&root, tag_specifications, user_data);
    data.image_id = Some(image.expr());
    data.instance_type = Some(i.launch.instance_type.clone());
    data.iam_instance_profile = Some(IamInstanceProfile {
        arn: Expr::GetAtt(p.id(Part::InstanceProfile), "Arn".into()),
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
                    "GroupId".into(),
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
            version: Expr::GetAtt(lt, "LatestVersionNumber".into()),
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
        metrics_collection: metrics_collection(cx, i),
        // The user-data completes it once the instance has its address and
        // records. Thirty minutes: each of its calls (four at most) is tried
        // five times a minute apart; a launch that cannot finish is
        // abandoned, and Auto Scaling launches another.
        lifecycle_hook_specification_list: if i.holds_launches() {
            vec![LifecycleHook {
                lifecycle_hook_name: READY_HOOK,
                lifecycle_transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                heartbeat_timeout: READY_TIMEOUT,
                default_result: "ABANDON",
            }]
        } else {
            Vec::new()
        },
        // A group that cannot launch (a scheduled start included: the warm
        // pool's instance that does not resume is a launch error) or cannot
        // let an instance go needs a person; Auto Scaling publishes
        // as its service-linked role, which the topic's default policy admits.
        notification_configurations: if notifies(cx) && !to_slack(cx) {
            vec![NotificationConfiguration {
                topic_arn: Expr::Ref(LogicalId::fixed(ALARM_TOPIC)),
                notification_types: vec![
                    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
                    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
                ],
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

/// Seconds a new instance has to complete [`READY_HOOK`].
const READY_TIMEOUT: u32 = 1800;

/// The group metrics its alarms read: the in-service count for a failover's
/// health, and with `notify` the desired capacity too.
fn metrics_collection(cx: &Context<'_>, i: &Instance) -> Vec<MetricsCollection> {
    let mut metrics = Vec::new();
    if notifies(cx) {
        metrics.push("GroupDesiredCapacity");
    }
    if i.collects_metrics || notifies(cx) {
        metrics.push("GroupInServiceInstances");
    }
    if notifies(cx) && i.hours.is_some() {
        metrics.push("WarmPoolPendingCapacity");
    }
    if metrics.is_empty() {
        return Vec::new();
    }
    vec![MetricsCollection {
        granularity: "1Minute",
        metrics,
    }]
}

/// With `notify`, what needs a person: the group has had no instance in
/// service for a while although it should have one (the capacity it wants
/// is 1, so neither a scheduled stop nor the night counts), and the
/// instance failing its status checks.
fn alarms(cx: &mut Context<'_>, i: &Instance) {
    if !notifies(cx) {
        return;
    }
    let what = format!("[instance.{}]", i.name.as_str());
    let group = || Dimension {
        name: "AutoScalingGroupName",
        value: group_name(i),
    };
    let stat = |metric_name| MetricStat {
        metric: Metric {
            namespace: "AWS/AutoScaling",
            metric_name,
            dimensions: vec![group()],
        },
        period: 60,
        stat: "Minimum",
    };
    // A missing point counts as 0: the wanted capacity then gives no alarm,
    // and a wanted instance that reports nothing is not in service.
    notify_alarm(
        cx,
        &i.prefix.id(Part::NotServingAlarm),
        format!(
            "{what}: no instance in service for {NOT_SERVING_MINUTES} minutes while one should be (a failover serves its sorry site)"
        ),
        AlarmSource::Math {
            metrics: vec![
                MetricDataQuery::metric("wanted", stat("GroupDesiredCapacity")),
                MetricDataQuery::metric("serving", stat("GroupInServiceInstances")),
                MetricDataQuery::value(
                    "missing",
                    "IF(FILL(wanted, 0) >= 1 AND FILL(serving, 0) < 1, 1, 0)".into(),
                    "wanted but not in service".into(),
                ),
            ],
        },
        NOT_SERVING_MINUTES,
    );
    if to_slack(cx) {
        scaling_error_rule(cx, i, &what);
    }
    if i.hours.is_some() {
        // A scheduled stop moves the instance into the warm pool, where it
        // is pending until it has stopped: still in service, or still
        // pending, well after the group wants none is a stop that did not
        // happen (and an instance that is billed all night).
        notify_alarm(
            cx,
            &i.prefix.id(Part::NotStoppedAlarm),
            format!(
                "{what}: the instance has not stopped {NOT_STOPPED_MINUTES} minutes after the group stopped wanting it (a scheduled stop that did not happen)"
            ),
            AlarmSource::Math {
                metrics: vec![
                    MetricDataQuery::metric("wanted", stat("GroupDesiredCapacity")),
                    MetricDataQuery::metric("serving", stat("GroupInServiceInstances")),
                    MetricDataQuery::metric("stopping", stat("WarmPoolPendingCapacity")),
                    MetricDataQuery::value(
                        "running",
                        "IF(FILL(wanted, 1) < 1 AND FILL(serving, 0) + FILL(stopping, 0) >= 1, 1, 0)".into(),
                        "not wanted but not stopped".into(),
                    ),
                ],
            },
            NOT_STOPPED_MINUTES,
        );
    }
    notify_status_checks(
        cx,
        &i.prefix.id(Part::StatusCheckAlarm),
        format!("{what}: the instance fails its EC2 status checks (Auto Scaling replaces it)"),
        group(),
    );
}

/// Minutes an instance may still run, or be pending in the warm pool, after
/// the group stopped wanting it: longer than the launch lifecycle hook's
/// timeout, because an instance launched into the pool at night (after a
/// replacement) waits there for its user-data before it stops, and that is
/// no failed stop.
const NOT_STOPPED_MINUTES: u32 = READY_TIMEOUT / 60 + 5;

/// With a Slack channel: the group's launch and terminate errors as an
/// EventBridge rule, whose message AWS Chatbot can post, instead of the
/// group's own SNS notifications (raw Auto Scaling JSON, which Chatbot
/// drops). A scheduled start whose warm-pool instance does not come back
/// is a launch error.
fn scaling_error_rule(cx: &mut Context<'_>, i: &Instance, what: &str) {
    let detail = BTreeMap::from([("AutoScalingGroupName", vec![group_name(i)])]);
    notify_rule(
        cx,
        &i.prefix.id(Part::ScalingErrorRule),
        format!("{what}: the group cannot launch or terminate an instance (topoform)"),
        EventPattern {
            source: vec!["aws.autoscaling"],
            detail_type: vec![
                "EC2 Instance Launch Unsuccessful",
                "EC2 Instance Terminate Unsuccessful",
            ],
            resources: Vec::new(),
            detail,
        },
        message(
            &format!("{what}: <what> at <time>: <status>"),
            &[
                ("what", "$.detail-type"),
                ("time", "$.time"),
                ("status", "$.detail.StatusMessage"),
            ],
        ),
    );
}

/// Whether a Slack channel hears of what the topic does.
fn to_slack(cx: &Context<'_>) -> bool {
    cx.model
        .stack
        .notify
        .as_ref()
        .is_some_and(|n| n.slack.is_some())
}

/// Minutes without an instance in service, while one is wanted, before a
/// person hears of it: longer than a launch takes when all goes well (a few
/// minutes, the lifecycle hook included), shorter than the hook's timeout,
/// so that a launch stuck on failing calls is heard of while it retries.
const NOT_SERVING_MINUTES: u32 = 20;

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
    if i.holds_launches() {
        propagate(TAGS.group, group_name(i));
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

/// Business hours: start and stop actions on the group, and the warm pool
/// that keeps the instance, stopped, while the group wants none.
///
/// The stop action scales the group in to 0; with `ReuseOnScaleIn` the
/// instance goes back to the pool and is stopped there, not terminated, so
/// its root volume, its Elastic IP association and its instance id survive
/// the night. The start action takes it out again, through the launch
/// lifecycle hook, which the user-data completes once the address and the
/// records are in place. The pool holds at most one: `MinSize` 0 and
/// `MaxGroupPreparedCapacity` 1 keep none during the day (a second, stopped
/// instance would cost its volume for nothing) and the one at night.
fn schedule(cx: &mut Context<'_>, i: &Instance) {
    let Some(h) = &i.hours else {
        return;
    };
    let group = i.prefix.id(Part::Group);
    cx.add(
        &i.prefix.id(Part::WarmPool),
        Resource::new(WarmPool {
            auto_scaling_group_name: Expr::Ref(group.clone()),
            min_size: 0,
            max_group_prepared_capacity: 1,
            pool_state: "Stopped",
            instance_reuse_policy: InstanceReusePolicy {
                reuse_on_scale_in: true,
            },
        }),
    );
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
        .lit(format!("-{}", i.name.as_str()))
        .build()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::synth::tests::{WEB, resources};

    const STACK: &str = "[stack]\nname = \"ops\"\nregion = \"ap-northeast-1\"\n";
    const NOTIFY: &str = "notify = \"ops@example.com\"\n";

    fn statement<'a>(r: &'a Value, sid: &str) -> &'a Value {
        r["WebPolicy"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"))
    }

    #[test]
    fn an_instance_with_an_address_to_attach_is_in_service_only_once_it_says_so() {
        let r = resources(&format!("{STACK}{WEB}"));
        let group = &r["WebGroup"]["Properties"];
        assert_eq!(
            group["LifecycleHookSpecificationList"],
            json!([{
                "LifecycleHookName": "topoform-ready",
                "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
                "HeartbeatTimeout": 1800,
                "DefaultResult": "ABANDON",
            }])
        );
        let tag = group["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["Key"] == "topoform:group")
            .expect("the group's name reaches the instance");
        assert_eq!(tag["Value"], json!({"Fn::Sub": "${AWS::StackName}-web"}));
        assert_eq!(tag["PropagateAtLaunch"], true);
        // Exactly its own group, by the name the template gives it.
        let s = statement(&r, "CompleteOwnLaunch");
        assert_eq!(s["Action"], json!(["autoscaling:CompleteLifecycleAction"]));
        assert_eq!(
            s["Resource"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${AWS::StackName}-web"}])
        );
        assert_eq!(group["AutoScalingGroupName"], tag["Value"]);
    }

    #[test]
    fn an_instance_with_nothing_to_do_at_boot_has_no_hook() {
        let toml = format!("{STACK}{WEB}elastic_ip = \"none\"\n");
        let r = resources(&toml);
        let group = &r["WebGroup"]["Properties"];
        assert!(group.get("LifecycleHookSpecificationList").is_none());
        assert!(r.get("WebPolicy").is_none(), "no call, no policy");
    }

    #[test]
    fn the_address_grant_covers_the_interface_the_template_tags() {
        let r = resources(&format!("{STACK}{WEB}"));
        let s = statement(&r, "AssociateToTaggedInstance");
        assert_eq!(
            s["Resource"],
            json!([
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"},
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*"},
            ])
        );
        let allocation = json!({"Fn::GetAtt": ["WebEip", "AllocationId"]});
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:ResourceTag/allocation-id"],
            json!([allocation])
        );
        let specs = r["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]["TagSpecifications"]
            .as_array()
            .unwrap();
        let eni = specs
            .iter()
            .find(|s| s["ResourceType"] == "network-interface")
            .expect("the interface is tagged at launch");
        assert!(
            eni["Tags"]
                .as_array()
                .unwrap()
                .contains(&json!({"Key": "allocation-id", "Value": allocation}))
        );
    }

    #[test]
    fn hours_keep_the_instance_stopped_in_a_warm_pool_at_night() {
        let hours = "hours = { days = \"MON-FRI\", start = \"09:00\", stop = \"19:00\", timezone = \"Asia/Tokyo\" }\n";
        // Even with nothing to attach at boot: every morning's start passes
        // the hook, which the user-data completes.
        let toml = format!("{STACK}{WEB}elastic_ip = \"none\"\n{hours}");
        let r = resources(&toml);
        assert_eq!(
            r["WebWarmPool"],
            json!({
                "Type": "AWS::AutoScaling::WarmPool",
                "Properties": {
                    "AutoScalingGroupName": {"Ref": "WebGroup"},
                    "MinSize": 0,
                    "MaxGroupPreparedCapacity": 1,
                    "PoolState": "Stopped",
                    "InstanceReusePolicy": {"ReuseOnScaleIn": true},
                }
            })
        );
        // The night is a scale-in to 0, which the pool turns into a stop.
        let stop = &r["WebStopAction"]["Properties"];
        assert_eq!(stop["DesiredCapacity"], 0);
        assert_eq!(
            stop["MaxSize"], 1,
            "the pool's capacity needs the group's maximum"
        );
        let group = &r["WebGroup"]["Properties"];
        assert_eq!(
            group["LifecycleHookSpecificationList"][0]["LifecycleHookName"],
            "topoform-ready"
        );
        // The script tells a launch into the pool from a start out of it.
        let model = crate::synth::tests::model(&toml);
        let script =
            crate::userdata::instance_script(&model.instances[&crate::model::Name("web".into())])
                .render();
        assert!(script.contains("autoscaling/target-lifecycle-state"));
        assert!(
            !script.contains("[[ $0 != \"$PER_BOOT_DIR"),
            "every boot completes"
        );
        // Without hours: no pool.
        assert!(
            resources(&format!("{STACK}{WEB}"))
                .get("WebWarmPool")
                .is_none()
        );
    }

    #[test]
    fn notify_alarms_only_on_what_needs_a_person() {
        let without = resources(&format!("{STACK}{WEB}"));
        assert!(without.get("WebNotServingAlarm").is_none());
        assert!(
            without["WebGroup"]["Properties"]
                .get("NotificationConfigurations")
                .is_none()
        );

        let hours = "hours = { days = \"MON-FRI\", start = \"09:00\", stop = \"19:00\", timezone = \"Asia/Tokyo\" }\n";
        let r = resources(&format!("{STACK}{NOTIFY}{WEB}{hours}"));
        let topic = json!([{"Ref": "AlarmTopic"}]);
        let group = &r["WebGroup"]["Properties"];
        assert_eq!(
            group["NotificationConfigurations"],
            json!([{
                "TopicARN": {"Ref": "AlarmTopic"},
                "NotificationTypes": [
                    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
                    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
                ],
            }])
        );
        assert_eq!(
            group["MetricsCollection"][0]["Metrics"],
            json!(["GroupDesiredCapacity", "GroupInServiceInstances", "WarmPoolPendingCapacity"])
        );
        // A scheduled stop that did not happen: not wanted, still running.
        let stopped = &r["WebNotStoppedAlarm"]["Properties"];
        assert_eq!(stopped["AlarmActions"], topic);
        let value: Vec<_> = stopped["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["ReturnData"] == true)
            .collect();
        assert_eq!(
            value[0]["Expression"],
            "IF(FILL(wanted, 1) < 1 AND FILL(serving, 0) + FILL(stopping, 0) >= 1, 1, 0)"
        );
        // Longer than the launch hook's 30 minutes: an instance launched
        // into the pool at night waits there for its user-data.
        assert_eq!(stopped["EvaluationPeriods"], 35);
        // Without hours, no stop to check.
        let always = resources(&format!("{STACK}{NOTIFY}{WEB}"));
        assert!(always.get("WebNotStoppedAlarm").is_none());
        // Not in service while wanted: the wanted capacity is 0 after a
        // scheduled stop, so the night is no alarm.
        let alarm = &r["WebNotServingAlarm"]["Properties"];
        assert_eq!(alarm["AlarmActions"], topic);
        assert_eq!(alarm["OKActions"], topic);
        let metrics = alarm["Metrics"].as_array().unwrap();
        let value: Vec<_> = metrics.iter().filter(|m| m["ReturnData"] == true).collect();
        assert_eq!(value.len(), 1);
        assert_eq!(
            value[0]["Expression"],
            "IF(FILL(wanted, 0) >= 1 AND FILL(serving, 0) < 1, 1, 0)"
        );
        let names: Vec<_> = metrics
            .iter()
            .filter_map(|m| m["MetricStat"]["Metric"]["MetricName"].as_str())
            .collect();
        assert_eq!(names, ["GroupDesiredCapacity", "GroupInServiceInstances"]);
        assert_eq!(alarm["EvaluationPeriods"], 20);
        let status = &r["WebStatusCheckAlarm"]["Properties"];
        assert_eq!(status["MetricName"], "StatusCheckFailed");
        assert_eq!(status["Dimensions"][0]["Name"], "AutoScalingGroupName");
        assert_eq!(status["TreatMissingData"], "notBreaching");
        assert_eq!(status["AlarmActions"], topic);
    }

    #[test]
    fn with_slack_scaling_errors_are_a_rule_chatbot_can_post() {
        let slack = "notify = { slack = { workspace = \"T0123ABCDE\", channel = \"C0123ABCDEF\" } }\n";
        let r = resources(&format!("{STACK}{slack}{WEB}"));
        assert!(
            r["WebGroup"]["Properties"]
                .get("NotificationConfigurations")
                .is_none(),
            "the group's own notifications are raw JSON that Chatbot drops"
        );
        let rule = &r["WebScalingErrorRule"]["Properties"];
        assert_eq!(rule["EventPattern"]["source"], json!(["aws.autoscaling"]));
        assert_eq!(
            rule["EventPattern"]["detail-type"],
            json!(["EC2 Instance Launch Unsuccessful", "EC2 Instance Terminate Unsuccessful"])
        );
        assert_eq!(
            rule["EventPattern"]["detail"]["AutoScalingGroupName"],
            json!([{"Fn::Sub": "${AWS::StackName}-web"}])
        );
        assert_eq!(rule["Targets"][0]["Arn"], json!({"Ref": "AlarmTopic"}));
        let policy = &r["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"][1];
        assert_eq!(
            policy["Condition"]["ArnEquals"]["aws:SourceArn"],
            json!([{"Fn::GetAtt": ["WebScalingErrorRule", "Arn"]}])
        );
    }
}
