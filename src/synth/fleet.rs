//! A `[fleet]`: one launch template shared by every client, and per client
//! an IAM role that can read only that client's parameters (and write only
//! that client's record), its instance profile and a plain EC2 instance. With
//! `hours`, EventBridge Scheduler starts and stops the instances through its
//! universal EC2 targets: no Lambda.
//!
//! Why a role per client: every client boots the same user-data, so what
//! keeps client A from reading client B's parameters must be IAM itself, and
//! IAM cannot map a shared role's caller to its client: the credentials carry
//! no instance tags (`ec2:SourceInstanceARN` names the instance, not the
//! client), and the client tag is only a tag, which the instance could not
//! prove anyway. One role per client scopes each to `/FLEET/CLIENT/…`.

use std::collections::BTreeMap;

use super::context::Context;
use super::shared::{
    RootVolume, arn, arn_ec2, image, instance_role, launch_template_data, root_device, target_tag,
    upsert_statement,
};
use super::stack::{notifies, notify_alarm, notify_status_checks};
use crate::cfn::cloudwatch::{AlarmSource, Dimension};
use crate::cfn::ec2::{Instance as Ec2Instance, LaunchTemplate, LaunchTemplateSpec};
use crate::cfn::iam::{
    Condition, Effect, InlinePolicy, InstanceProfile, Policy, PolicyDocument, Role, Statement,
};
use crate::cfn::scheduler::{
    FlexibleTimeWindow, RetryPolicy, Schedule, ScheduleGroup, ScheduleTarget, DeadLetterConfig,
};
use crate::cfn::sqs::Queue;
use crate::cfn::{Expr, Pseudo, Resource, Tag};
use crate::layout;
use crate::model::fleet::{Client, ClientPart, Part};
use crate::model::{Fleet, Hours, Target};
use crate::naming::LogicalId;
use crate::quota::MAX_TAG_VALUE;
use crate::userdata::{self, TAGS};

/// Adds a fleet's shared launch template, its clients' IAM and instances,
/// and its schedule, and writes its user-data.
pub(super) fn synth(cx: &mut Context<'_>, f: &Fleet) {
    let name = f.name.as_str();
    let user_data = cx.user_data(layout::user_data(name), || userdata::fleet_script(f));
    let lt = f.prefix.id(Part::LaunchTemplate);
    let what = format!("[fleet.{name}]");
    let image = image(cx, &f.prefix, Part::ImageId, &f.launch.ami, &what);
    let device = root_device(cx, f.prefix.id(Part::RootDevice), &what, &image, None, None);
    let root = RootVolume { device, size: None };
    // Only what no routine edit changes: every change to a launch template
    // is a new version, and an instance on a new version is a new instance.
    // The image, type and security groups go on each instance, where their
    // own update behaviour applies; names and tags too (the root volume
    // takes the instance's tags at launch).
    cx.add(
        &lt,
        Resource::new(LaunchTemplate {
            launch_template_data: launch_template_data(&root, Vec::new(), user_data),
        }),
    );
    let launch = ClientLaunch {
        template: lt,
        image: image.expr(),
    };
    let instances: Vec<(&Client, LogicalId)> = f
        .clients
        .iter()
        .map(|c| (c, client(cx, f, c, &launch)))
        .collect();
    if let Some(h) = &f.hours {
        schedule(cx, f, h, &instances);
    }
    if let Some(zone_id) = &f.dns_zone_id {
        cx.writes_into(zone_id);
    }
}

/// What every client's instance launches from.
struct ClientLaunch {
    /// The fleet's launch template.
    template: LogicalId,
    /// The image.
    image: Expr,
}

/// `words` as tags `key`, `key-2`, `key-3`, ...: each value at most 256
/// characters (an EC2 tag's limit), words separated by single spaces and
/// never split across two tags. Validation keeps every word shorter.
fn word_tags(key: &str, words: &[String]) -> Vec<Tag> {
    let mut values: Vec<String> = Vec::new();
    for word in words {
        match values.last_mut() {
            Some(v) if v.len() + 1 + word.len() <= MAX_TAG_VALUE => {
                v.push(' ');
                v.push_str(word);
            }
            _ => values.push(word.clone()),
        }
    }
    values
        .into_iter()
        .enumerate()
        .map(|(n, v)| {
            let key = if n == 0 {
                key.to_string()
            } else {
                format!("{key}-{}", n + 1)
            };
            Tag::new(&key, v.as_str())
        })
        .collect()
}

/// Adds one client's role, policy, profile and instance; returns the
/// instance's logical ID.
fn client(cx: &mut Context<'_>, f: &Fleet, c: &Client, launch: &ClientLaunch) -> LogicalId {
    let p = &c.prefix;
    let (role, policy, profile, instance) = (
        p.id(ClientPart::Role),
        p.id(ClientPart::Policy),
        p.id(ClientPart::InstanceProfile),
        p.id(ClientPart::Instance),
    );
    let what = format!("client {} of [fleet.{}]", c.id, f.name.as_str());
    let display = cx.display(&format!("{}-{}", f.name.as_str(), c.id));

    cx.add(
        &role,
        Resource::new(instance_role(
            format!("Instance role of {what} (topoform)"),
            cx.tags_named(display.clone()),
        )),
    );
    let statements = client_statements(cx, f, c);
    let has_policy = !statements.is_empty();
    if has_policy {
        cx.add(
            &policy,
            Resource::new(Policy {
                policy_name: format!("topoform-{}-{}", f.name.as_str(), c.id),
                policy_document: PolicyDocument::new(statements),
                roles: vec![Expr::Ref(role.clone())],
            }),
        );
    }
    cx.add(
        &profile,
        Resource::new(InstanceProfile {
            roles: vec![Expr::Ref(role)],
        }),
    );

    // What the user-data reads through IMDS, and what backups and tasks
    // select the fleet's instances by.
    let mut tags = cx.tags_named(display);
    tags.push(Tag::new(f.tag.as_str(), c.id.as_str()));
    tags.push(Tag::new(TAGS.client, c.id.as_str()));
    tags.push(target_tag(cx.model, &Target::Fleet(f.name.clone())));
    if let (Some(zone_id), Some(record)) = (&f.dns_zone_id, &c.record) {
        tags.push(Tag::new(TAGS.dns_zone_id, zone_id.as_str()));
        tags.push(Tag::new(TAGS.dns_record, record.as_str()));
        tags.push(Tag::new(TAGS.dns_ip, "private"));
    }
    // The first-boot steps, as tags: a new command or parameter list is an
    // in-place tag update, for the clients launched after it.
    if let Some(bootstrap) = &f.bootstrap {
        tags.extend(word_tags(TAGS.bootstrap, bootstrap));
        tags.extend(word_tags(TAGS.parameters, &f.parameters));
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));

    let mut resource = Resource::new(Ec2Instance {
        launch_template: LaunchTemplateSpec {
            launch_template_id: Expr::Ref(launch.template.clone()),
            version: Expr::GetAtt(launch.template.clone(), "LatestVersionNumber".into()),
        },
        image_id: launch.image.clone(),
        instance_type: f.launch.instance_type.clone(),
        security_group_ids: f.launch.security_groups.clone(),
        subnet_id: c.subnet.clone(),
        iam_instance_profile: Expr::Ref(profile),
        propagate_tags_to_volume_on_creation: true,
        tags,
    });
    // IAM is eventually consistent: boot only once the policy is attached,
    // or the first-boot reads fail.
    if has_policy {
        resource = resource.depends_on(&policy);
    }
    cx.add(&instance, resource);
    status_check_alarm(cx, c, &what, &instance);
    instance
}

/// With `notify`: the client's instance fails its EC2 status checks. Nothing
/// replaces a fleet instance, so a person must act (or EC2's automatic
/// recovery does first, for a failed system check on a type that has it).
fn status_check_alarm(cx: &mut Context<'_>, c: &Client, what: &str, instance: &LogicalId) {
    if !notifies(cx) {
        return;
    }
    notify_status_checks(
        cx,
        &c.prefix.id(ClientPart::StatusCheckAlarm),
        format!("{what}: the instance fails its EC2 status checks"),
        Dimension {
            name: "InstanceId",
            value: Expr::Ref(instance.clone()),
        },
    );
}

/// The longest `arn:PARTITION:ssm:REGION:ACCOUNT:` as IAM stores it
/// (`aws-us-gov`, `ap-southeast-7`, 12 digits).
const MAX_SSM_ARN_PREFIX: usize = "arn:aws-us-gov:ssm:ap-southeast-7:123456789012:".len();

/// The most characters a client's list of parameter ARNs may take (each
/// quoted, with its comma): under half of IAM's 10,240 for a role's inline
/// policies, which the client's other statements (its record) share.
const MAX_LISTED_PARAMETERS: usize = 4096;

/// The client role's own statements: exactly the calls its script makes.
fn client_statements(cx: &Context<'_>, f: &Fleet, c: &Client) -> Vec<Statement> {
    let mut out = Vec::new();
    // Only when the script reads them: without a bootstrap command nothing
    // does. SecureString values under the AWS managed key aws/ssm need no
    // kms statement: that key's policy lets Parameter Store decrypt for any
    // principal of the account allowed to read the parameter. A customer
    // managed key would need kms:Decrypt on it.
    //
    // ssm:GetParameter is authorized on the `parameter` resource type, ARN
    // `parameter/NAME` without the name's leading slash (Service
    // Authorization Reference, AWS Systems Manager).
    //
    // Each parameter by its ARN, while the list stays well inside IAM's
    // 10,240 characters of inline policy per role; past that, the client's
    // own path (`parameter/FLEET/CLIENT/*`): the same namespace, which no
    // other client's path falls in, in one ARN whatever the count.
    if f.bootstrap.is_some() && !f.parameters.is_empty() {
        let path = format!("parameter/{}/{}/", f.name.as_str(), c.id);
        let listed: usize = f
            .parameters
            .iter()
            .map(|p| MAX_SSM_ARN_PREFIX + path.len() + p.len() + 3)
            .sum();
        let resource = if listed <= MAX_LISTED_PARAMETERS {
            f.parameters
                .iter()
                .map(|param| arn("ssm").lit(format!("{path}{param}")).build())
                .collect()
        } else {
            vec![arn("ssm").lit(format!("{path}*")).build()]
        };
        out.push(Statement {
            sid: "ReadOwnParameters".into(),
            effect: Effect::Allow,
            principal: None,
            action: vec!["ssm:GetParameter"],
            resource,
            condition: BTreeMap::new(),
        });
    }
    if let (Some(zone_id), Some(record)) = (&f.dns_zone_id, &c.record) {
        out.push(upsert_statement(cx.model, zone_id, &[record.as_str()]));
    }
    out
}

/// Adds the start and stop schedules of every client, and the role and
/// (with `notify`) the group they share.
///
/// Each client has its own pair of schedules, on its own instance:
/// - a start or stop of many instances in one call fails as a whole when
///   one of them cannot take it (one terminated or still stopping), and
///   one client's trouble must not keep the others down;
/// - the schedules move with their client into a nested stack, so a fleet
///   of thousands splits like instances do (one schedule naming every
///   instance would hold every client in the parent);
/// - EventBridge Scheduler allows a million schedules per account and
///   Region and bills invocations, not schedules.
fn schedule(cx: &mut Context<'_>, f: &Fleet, h: &Hours, instances: &[(&Client, LogicalId)]) {
    let name = f.name.as_str();
    let role = f.prefix.id(Part::SchedulerRole);
    scheduler_role(cx, f, &role);
    let group = schedule_group(cx, f);
    let dead_letters = group
        .is_some()
        .then(|| Expr::GetAtt(f.prefix.id(Part::ScheduleQueue), "Arn".into()));
    for (c, instance) in instances {
        // {"InstanceIds":["${Instance}"]}: an instance id needs no JSON escaping.
        let input = Expr::sub()
            .lit(r#"{"InstanceIds":[""#)
            .reference(instance)
            .lit(r#""]}"#)
            .build();
        for (part, verb, action, (hour, minute), days) in [
            (
                ClientPart::Start,
                "Starts",
                "startInstances",
                h.start,
                h.named_days(),
            ),
            (
                ClientPart::Stop,
                "Stops",
                "stopInstances",
                h.stop,
                h.named_stop_days(),
            ),
        ] {
            cx.add(
                &c.prefix.id(part),
                Resource::new(Schedule {
                    description: format!(
                        "{verb} the instance of client {} of [fleet.{name}] at {hour:02}:{minute:02} {days} {} (topoform)",
                        c.id, h.timezone
                    ),
                    schedule_expression: format!("cron({minute} {hour} ? * {days} *)"),
                    schedule_expression_timezone: h.timezone.clone(),
                    flexible_time_window: FlexibleTimeWindow { mode: "OFF" },
                    state: "ENABLED",
                    group_name: group.clone(),
                    target: ScheduleTarget {
                        arn: Expr::sub()
                            .lit("arn:")
                            .pseudo(Pseudo::Partition)
                            .lit(format!(":scheduler:::aws-sdk:ec2:{action}"))
                            .build(),
                        role_arn: Expr::GetAtt(role.clone(), "Arn".into()),
                        input: input.clone(),
                        // A start or stop that is an hour late is no longer
                        // wanted: the next one may be due.
                        retry_policy: RetryPolicy {
                            maximum_event_age_in_seconds: 3600,
                            maximum_retry_attempts: 10,
                        },
                        dead_letter_config: dead_letters
                            .clone()
                            .map(|arn| DeadLetterConfig { arn }),
                    },
                }),
            );
        }
    }
}

/// Why the dead-letter queue is encrypted with SQS's keys rather than KMS.
const DEAD_LETTERS_SSE_REASON: &str = "Encrypted at rest with SQS-managed keys (SSE-SQS); it holds only failed start/stop calls (instance ids, error codes), and a KMS key would add a key policy for the scheduler's role that, if wrong, loses the failures silently.";

/// With `notify`: the fleet's schedules get a group of their own, an
/// alarm on the group's failed calls (the scheduler's metrics have no
/// dimension finer than the group), and a dead-letter queue that keeps each
/// failed call, with its error, for whoever answers the alarm. Returns the
/// group's name.
///
/// It counts calls the scheduler gave up on: refused for good (the role, a
/// limit, `InsufficientInstanceCapacity` through every retry) or still
/// failing when its retries ran out. A call that failed once and then
/// succeeded needs nobody, and a start or stop that succeeds says nothing. A start that EC2 accepts but that does not come up
/// (a volume key the role cannot use) is no failed call: the instance stops
/// again, and no metric of the scheduler shows it.
fn schedule_group(cx: &mut Context<'_>, f: &Fleet) -> Option<Expr> {
    if !notifies(cx) {
        return None;
    }
    let name = f.name.as_str();
    let group = f.prefix.id(Part::ScheduleGroup);
    cx.add(
        &group,
        Resource::new(ScheduleGroup {
            tags: cx.tags_named(cx.display(name)),
        }),
    );
    let queue = f.prefix.id(Part::ScheduleQueue);
    cx.add(
        &queue,
        Resource::new(Queue {
            // The most SQS keeps: two weeks to read why a call failed.
            message_retention_period: 1_209_600,
            sqs_managed_sse_enabled: true,
            tags: cx.tags_named(cx.display(name)),
        })
        .skip_check("CKV_AWS_27", DEAD_LETTERS_SSE_REASON)
        .skip_rule("SQS_QUEUE_KMS_MASTER_KEY_ID_RULE", DEAD_LETTERS_SSE_REASON),
    );
    notify_alarm(
        cx,
        &f.prefix.id(Part::ScheduleAlarm),
        format!(
            "[fleet.{name}]: a scheduled start or stop of its instances failed; the call and its error are in the queue {queue}"
        ),
        AlarmSource::Metric {
            namespace: "AWS/Scheduler",
            metric_name: "InvocationDroppedCount",
            dimensions: vec![Dimension {
                name: "ScheduleGroup",
                value: Expr::Ref(group.clone()),
            }],
            statistic: "Sum",
            period: 300,
        },
        1,
    );
    Some(Expr::Ref(group))
}

/// The role EventBridge Scheduler acts as: start and stop the fleet's
/// instances, and no others.
///
/// Which instances, by their tags rather than by their ids: a list of ids
/// grows with the clients, and IAM takes at most 10,240 characters of inline
/// policy per role (about 140 clients). An instance qualifies when it
/// carries this fleet's target tag, which every client's instance has, and
/// was created by this stack or by one of its nested stacks: its
/// `aws:cloudformation:stack-name` tag, which CloudFormation puts on every
/// instance it creates and nobody else can write (the `aws:` prefix is
/// reserved), is this stack's name, or a nested stack's
/// (`STACK-ShardNNN-SUFFIX`, where the split puts clients). The schedules'
/// inputs name each instance.
fn scheduler_role(cx: &mut Context<'_>, f: &Fleet, role: &LogicalId) {
    let name = f.name.as_str();
    let fleet_tag = target_tag(cx.model, &Target::Fleet(f.name.clone()));
    debug_assert_eq!(fleet_tag.key, TAGS.fleet);
    let mut own = Condition::new();
    own.entry("StringEquals")
        .or_default()
        .insert("aws:ResourceTag/topoform:fleet", vec![fleet_tag.value]);
    own.entry("StringLike").or_default().insert(
        "aws:ResourceTag/aws:cloudformation:stack-name",
        vec![
            Expr::Pseudo(Pseudo::StackName),
            Expr::sub()
                .pseudo(Pseudo::StackName)
                .lit(format!("-{}*", crate::shard::CHILD_PREFIX))
                .build(),
        ],
    );
    let mut condition = Condition::new();
    condition
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    cx.add(
        role,
        Resource::new(Role {
            description: format!("Starts and stops the instances of [fleet.{name}] (topoform)"),
            assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
                "SchedulerAssumesRole",
                "scheduler.amazonaws.com",
                condition,
            )]),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: format!("topoform-{name}-schedule"),
                policy_document: PolicyDocument::new(vec![
                    // ec2:StartInstances and ec2:StopInstances are authorized
                    // on the `instance` resource type (Service Authorization
                    // Reference, Amazon EC2): exactly the fleet's instances.
                    Statement {
                        sid: "StartStopFleetInstances".into(),
                        effect: Effect::Allow,
                        principal: None,
                        action: vec!["ec2:StartInstances", "ec2:StopInstances"],
                        resource: vec![arn_ec2().lit("instance/*").build()],
                        condition: own,
                    },
                    kms_grant_for_ebs(),
                ]
                .into_iter()
                .chain(notifies(cx).then(|| Statement {
                    sid: "SendFailedCallsToDeadLetters".into(),
                    effect: Effect::Allow,
                    principal: None,
                    action: vec!["sqs:SendMessage"],
                    resource: vec![Expr::GetAtt(f.prefix.id(Part::ScheduleQueue), "Arn".into())],
                    condition: Condition::new(),
                }))
                .collect()),
            }],
            tags: cx.tags_named(cx.display(name)),
        })
        .skip_rule(
            "IAM_NO_INLINE_POLICY_CHECK",
            "Scoped to this stack's instances of this fleet, so no other role could reuse it; a managed policy would outlive the role for nothing.",
        ),
    );
}

/// Starting an instance whose EBS volumes are encrypted under a customer
/// managed KMS key: the caller of StartInstances (here the scheduler's role)
/// needs kms:CreateGrant on that key, for EC2 to decrypt the volumes; without
/// it the instance goes from pending back to stopped (`Client.InternalError`)
/// while the call itself succeeds (AWS re:Post Knowledge Center,
/// `kms-iam-ec2-permission`; EBS User Guide, "Requirements for Amazon EBS
/// encryption", which scopes the grant with `kms:GrantIsForAWSResource`).
/// The Knowledge Center names only kms:CreateGrant for the starting caller.
///
/// Which key is a fact of the account (its default EBS key, or the AMI's
/// snapshots' key), not of the topology, so the grant names any key of this
/// account and region, and only for a grant that EC2 itself requests on an
/// AWS resource. The AWS managed key `aws/ebs` needs nothing: its key policy
/// admits every principal of the account through EC2.
fn kms_grant_for_ebs() -> Statement {
    let mut condition = Condition::new();
    condition
        .entry("Bool")
        .or_default()
        .insert("kms:GrantIsForAWSResource", vec![Expr::str("true")]);
    condition.entry("StringEquals").or_default().insert(
        "kms:ViaService",
        vec![
            Expr::sub()
                .lit("ec2.")
                .pseudo(Pseudo::Region)
                .lit(".amazonaws.com")
                .build(),
        ],
    );
    Statement {
        sid: "GrantEc2UseOfEncryptedVolumes".into(),
        effect: Effect::Allow,
        principal: None,
        action: vec!["kms:CreateGrant"],
        resource: vec![arn("kms").lit("key/*").build()],
        condition,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use crate::model::Name;
    use crate::synth::tests::{model, templates};

    fn name(s: &str) -> Name {
        Name(s.into())
    }

    /// A stack with an instance behind a load balancer and a three-client
    /// fleet with parameters, private DNS and business hours.
    pub(in crate::synth) const SHOP: &str = r#"
[stack]
name = "shop"
region = "ap-northeast-1"
tags = { team = "web" }

[zone.internal]
id = "Z0INTERNAL1"
domain = "corp.internal"
private = true

[zone.public]
id = "Z2BEP1Z1Q3YA66"
domain = "example.com"

[instance.web]
ami = "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
type = "t3.small"
subnets = ["subnet-0a1b2c3d4e5f60718"]
security_groups = ["sg-04b4e7642a8fc6efe"]
elastic_ip = "none"

[alb.front]
vpc = "vpc-0123456789abcdef0"
subnets = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1b2c3d4e5f60718"]
certificate = "arn:aws:acm:ap-northeast-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f"
target = "instance.web"
port = 8080
health_path = "/health"

[fleet.app]
ami = "ami-0064e711cbc7a825e"
type = "t3.micro"
subnets = ["subnet-0c1b2c3d4e5f60718", "subnet-0d1b2c3d4e5f60718"]
security_groups = ["sg-0a4b4e7642a8fc6ef"]
clients = ["acme", "globex", "initech"]
dns = { zone = "zone.internal", record = "{client}.corp.internal" }
parameters = ["DB_PASSWORD", "API_KEY"]
bootstrap = "/home/hoge/scripts/bootstrap.sh --all"
hours = { days = "MON-FRI", start = "09:00", stop = "19:30", timezone = "Asia/Tokyo" }
"#;

    /// The main template of `toml`, as JSON.
    pub(in crate::synth) fn template(toml: &str) -> Value {
        let stack = model(toml).stack.name;
        templates(toml)[&crate::layout::main_template(&stack)].clone()
    }

    fn sub(v: &Value) -> &str {
        v["Fn::Sub"].as_str().unwrap()
    }

    /// The `Fn::Sub` texts of a statement's `Resource` list.
    fn resources_of(statement: &Value) -> Vec<&str> {
        statement["Resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(sub)
            .collect()
    }

    /// Every shell variable the fleet script assigns, and every tag key the
    /// scripts read, is on the lists validation refuses user names from: a
    /// new variable or tag in a template must be added there.
    #[test]
    fn the_reserved_names_cover_the_scripts() {
        use crate::model::reserved::{SCRIPT_VARIABLES, is_reserved_tag, is_reserved_variable};
        use crate::userdata::TAGS;
        let m = model(SHOP);
        let script = crate::userdata::fleet_script(m.fleets.values().next().unwrap());
        let mut assigned = std::collections::BTreeSet::new();
        for line in script.lines() {
            let line = line.trim_start();
            let line = line
                .strip_prefix("readonly ")
                .or_else(|| line.strip_prefix("local "))
                .unwrap_or(line);
            for word in line.split_whitespace() {
                if let Some((name, _)) = word.split_once('=') {
                    if !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                    {
                        assigned.insert(name.to_string());
                    }
                }
            }
        }
        assert!(
            assigned.contains("CLIENT") && assigned.contains("NAME"),
            "{assigned:?}"
        );
        for name in &assigned {
            assert!(
                is_reserved_variable(name),
                "the fleet script sets {name}, which a parameter could overwrite"
            );
        }
        for name in SCRIPT_VARIABLES {
            assert!(
                script.contains(&format!("${name}")) || script.contains(&format!("${{{name}")),
                "{name} is listed but the script does not use it"
            );
        }
        for key in [
            TAGS.allocation_id,
            TAGS.dns_zone_id,
            TAGS.dns_record,
            TAGS.dns_ip,
            TAGS.failover_zone_id,
            TAGS.failover_record,
            TAGS.failover_set_id,
            TAGS.failover_health_check_id,
            TAGS.failover_ttl,
            TAGS.instance,
            TAGS.fleet,
            TAGS.client,
            TAGS.bootstrap,
            TAGS.parameters,
        ] {
            assert!(is_reserved_tag(key), "{key}");
        }
    }

    #[test]
    fn hours_across_midnight_stop_on_the_next_day() {
        let night = r#"hours = { days = "MON-FRI", start = "22:00", stop = "02:00", timezone = "Asia/Tokyo" }"#;
        let toml = SHOP
            .replace(
                r#"hours = { days = "MON-FRI", start = "09:00", stop = "19:30", timezone = "Asia/Tokyo" }"#,
                night,
            )
            .replace("elastic_ip = \"none\"\n", &format!("elastic_ip = \"none\"\n{night}\n"));
        let t = template(&toml);
        let r = &t["Resources"];
        // The fleet's Scheduler cron and the instance's Auto Scaling cron:
        // Friday's 22:00 start stops on Saturday at 02:00, not on Monday.
        for (id, key, want) in [
            (
                "AppAcmeStartAction",
                "ScheduleExpression",
                "cron(0 22 ? * MON-FRI *)",
            ),
            (
                "AppAcmeStopAction",
                "ScheduleExpression",
                "cron(0 2 ? * TUE-SAT *)",
            ),
            ("WebStartAction", "Recurrence", "0 22 * * 1-5"),
            ("WebStopAction", "Recurrence", "0 2 * * 2-6"),
        ] {
            assert_eq!(r[id]["Properties"][key], want, "{id}");
        }
    }

    #[test]
    fn many_parameters_are_read_by_the_clients_path_in_one_arn() {
        let names: Vec<String> = (0..90)
            .map(|i| format!("\"P{i:02}{}\"", "X".repeat(61)))
            .collect();
        let fleet = |names: &[String]| {
            format!(
                "[stack]\nname = \"s\"\nregion = \"ap-northeast-1\"\n\n[fleet.app]\nami = \"ami-0123456789abcdef0\"\ntype = \"t3.small\"\nsubnets = [\"subnet-0a1b2c3d4e5f60718\"]\nsecurity_groups = [\"sg-04b4e7642a8fc6efe\"]\nclients = [\"acme\"]\nbootstrap = \"/opt/x\"\nparameters = [{}]\n",
                names.join(", ")
            )
        };
        let arns = |text: &str| {
            let t = template(text);
            let statement =
                &t["Resources"]["AppAcmePolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
            resources_of(statement)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let prefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/acme/";
        // 30 names of 64 characters fit the list; 90 take the path.
        assert_eq!(arns(&fleet(&names[..30])).len(), 30);
        assert_eq!(arns(&fleet(&names)), [format!("{prefix}*")]);
    }

    #[test]
    fn each_client_reads_exactly_its_own_parameters_and_record() {
        let t = template(SHOP);
        let r = &t["Resources"];
        for (client, other) in [
            ("Acme", "globex"),
            ("Globex", "initech"),
            ("Initech", "acme"),
        ] {
            let policy = &r[format!("App{client}Policy")]["Properties"];
            assert_eq!(
                policy["Roles"],
                json!([{"Ref": format!("App{client}Role")}])
            );
            let statements = policy["PolicyDocument"]["Statement"].as_array().unwrap();
            assert_eq!(statements.len(), 2, "{statements:?}");
            let ssm = &statements[0];
            assert_eq!(ssm["Action"], json!(["ssm:GetParameter"]));
            let id = client.to_ascii_lowercase();
            let arns = resources_of(ssm);
            assert_eq!(
                arns,
                ["DB_PASSWORD", "API_KEY"].map(|p| format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/app/{id}/{p}"
                ))
            );
            let route53 = &statements[1];
            assert_eq!(
                route53["Action"],
                json!(["route53:ChangeResourceRecordSets"])
            );
            let all = &route53["Condition"]["ForAllValues:StringEquals"];
            assert_eq!(
                all["route53:ChangeResourceRecordSetsNormalizedRecordNames"],
                json!([format!("{id}.corp.internal")])
            );
            assert_eq!(
                all["route53:ChangeResourceRecordSetsRecordTypes"],
                json!(["A"])
            );
            assert_eq!(
                all["route53:ChangeResourceRecordSetsActions"],
                json!(["UPSERT"])
            );
            assert!(
                !policy.to_string().contains(other),
                "{client} mentions {other}"
            );
        }
    }

    #[test]
    fn client_instances_share_the_launch_template_and_carry_their_tags() {
        let t = template(SHOP);
        let r = &t["Resources"];
        let lt = &r["AppLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(lt["MetadataOptions"]["HttpTokens"], "required");
        assert_eq!(lt["MetadataOptions"]["InstanceMetadataTags"], "enabled");
        assert_eq!(lt["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true);
        assert!(lt.get("IamInstanceProfile").is_none());
        let script = crate::userdata::fleet_script(&model(SHOP).fleets[&name("app")]);
        assert_eq!(
            crate::userdata::decode(lt["UserData"].as_str().unwrap()),
            Some(script)
        );

        let acme = &r["AppAcmeInstance"];
        assert_eq!(acme["DependsOn"], json!(["AppAcmePolicy"]));
        let p = &acme["Properties"];
        assert_eq!(
            p["LaunchTemplate"]["LaunchTemplateId"],
            json!({"Ref": "AppLaunchTemplate"})
        );
        assert_eq!(
            p["IamInstanceProfile"],
            json!({"Ref": "AppAcmeInstanceProfile"})
        );
        // What a user edits is on the instance, not in the shared template.
        assert!(lt.get("ImageId").is_none() && lt.get("InstanceType").is_none());
        assert!(lt.get("TagSpecifications").is_none());
        assert_eq!(p["ImageId"], "ami-0064e711cbc7a825e");
        assert_eq!(p["InstanceType"], "t3.micro");
        assert_eq!(p["SecurityGroupIds"], json!(["sg-0a4b4e7642a8fc6ef"]));
        assert_eq!(p["PropagateTagsToVolumeOnCreation"], true);
        // Each client's subnet from its id alone.
        let subnets = ["subnet-0c1b2c3d4e5f60718", "subnet-0d1b2c3d4e5f60718"].map(String::from);
        for client in ["acme", "globex", "initech"] {
            let id = format!("App{}Instance", heck::AsUpperCamelCase(client));
            assert_eq!(
                r[&id]["Properties"]["SubnetId"],
                crate::model::fleet::subnet_of(client, &subnets),
                "{client}"
            );
        }
        let tags: BTreeMap<&str, &str> = p["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
            .collect();
        assert_eq!(
            tags,
            BTreeMap::from([
                ("ClientId", "acme"),
                ("Name", "shop-app-acme"),
                ("team", "web"),
                (
                    "topoform:bootstrap",
                    "/home/hoge/scripts/bootstrap.sh --all"
                ),
                ("topoform:client", "acme"),
                ("topoform:dns-ip", "private"),
                ("topoform:dns-record", "acme.corp.internal"),
                ("topoform:dns-zone-id", "Z0INTERNAL1"),
                ("topoform:fleet", "shop-app"),
                ("topoform:parameters", "DB_PASSWORD API_KEY"),
            ])
        );
    }

    #[test]
    fn the_schedule_starts_and_stops_exactly_the_fleet() {
        let t = template(SHOP);
        let r = &t["Resources"];
        // One pair of schedules per client, each on its own instance.
        let schedules = r
            .as_object()
            .unwrap()
            .values()
            .filter(|v| v["Type"] == "AWS::Scheduler::Schedule")
            .count();
        assert_eq!(schedules, 6);
        for (client, (part, expression, action)) in
            ["Acme", "Globex", "Initech"].into_iter().flat_map(|c| {
                [
                    ("StartAction", "cron(0 9 ? * MON-FRI *)", "startInstances"),
                    ("StopAction", "cron(30 19 ? * MON-FRI *)", "stopInstances"),
                ]
                .map(move |p| (c, p))
            })
        {
            let id = format!("App{client}{part}");
            let input = format!(r#"{{"InstanceIds":["${{App{client}Instance}}"]}}"#);
            let p = &r[&id]["Properties"];
            assert_eq!(r[&id]["Type"], "AWS::Scheduler::Schedule");
            assert_eq!(p["ScheduleExpression"], expression);
            assert_eq!(p["ScheduleExpressionTimezone"], "Asia/Tokyo");
            assert_eq!(p["FlexibleTimeWindow"]["Mode"], "OFF");
            assert_eq!(
                sub(&p["Target"]["Arn"]),
                format!("arn:${{AWS::Partition}}:scheduler:::aws-sdk:ec2:{action}")
            );
            assert_eq!(sub(&p["Target"]["Input"]), input);
            assert_eq!(
                p["Target"]["RoleArn"],
                json!({"Fn::GetAtt": ["AppSchedulerRole", "Arn"]})
            );
        }
        let role = &r["AppSchedulerRole"]["Properties"];
        let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(
            trust["Principal"],
            json!({"Service": "scheduler.amazonaws.com"})
        );
        assert_eq!(
            trust["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!([{"Ref": "AWS::AccountId"}])
        );
        let allow = &role["Policies"][0]["PolicyDocument"]["Statement"][0];
        assert_eq!(
            allow["Action"],
            json!(["ec2:StartInstances", "ec2:StopInstances"])
        );
        // Instances by tags, so that the policy does not grow with the
        // clients: this stack's (a tag only CloudFormation writes) and
        // this fleet's, which every client's instance carries.
        assert_eq!(
            resources_of(allow),
            ["arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"]
        );
        // Created by this stack or one of its nested stacks (a tag only
        // CloudFormation writes), and of this fleet.
        assert_eq!(
            allow["Condition"]["StringLike"],
            json!({"aws:ResourceTag/aws:cloudformation:stack-name": [
                {"Ref": "AWS::StackName"},
                {"Fn::Sub": "${AWS::StackName}-Shard*"},
            ]})
        );
        let own = &allow["Condition"]["StringEquals"];
        assert_eq!(own.as_object().unwrap().len(), 1);
        let fleet = &own["aws:ResourceTag/topoform:fleet"][0];
        for c in ["Acme", "Globex", "Initech"] {
            let tags = r[&format!("App{c}Instance")]["Properties"]["Tags"]
                .as_array()
                .unwrap();
            assert!(
                tags.iter()
                    .any(|t| t["Key"] == "topoform:fleet" && t["Value"] == *fleet),
                "{c}'s instance carries the fleet's tag {fleet}"
            );
        }
        assert_eq!(allow["Condition"].as_object().unwrap().len(), 2);
        // Starting an instance whose volumes use a customer managed key:
        // a grant EC2 requests on an AWS resource, through EC2 only.
        let grant = &role["Policies"][0]["PolicyDocument"]["Statement"][1];
        assert_eq!(grant["Action"], json!(["kms:CreateGrant"]));
        assert_eq!(
            grant["Condition"],
            json!({
                "Bool": {"kms:GrantIsForAWSResource": true},
                "StringEquals": {"kms:ViaService": [{"Fn::Sub": "ec2.${AWS::Region}.amazonaws.com"}]},
            })
        );
        assert_eq!(
            resources_of(grant),
            ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"]
        );
        // Without notify, the schedules stay in the default group.
        assert!(r.get("AppScheduleGroup").is_none());
        assert!(
            r["AppAcmeStartAction"]["Properties"]
                .get("GroupName")
                .is_none()
        );
    }

    #[test]
    fn with_notify_a_failed_start_or_stop_mails() {
        let toml = SHOP.replacen("[stack]\n", "[stack]\nnotify = \"ops@example.com\"\n", 1);
        let r = &template(&toml)["Resources"];
        for id in ["AppAcmeStartAction", "AppInitechStopAction"] {
            assert_eq!(
                r[id]["Properties"]["GroupName"],
                json!({"Ref": "AppScheduleGroup"})
            );
        }
        let alarm = &r["AppScheduleAlarm"]["Properties"];
        assert_eq!(alarm["AlarmActions"], json!([{"Ref": "AlarmTopic"}]));
        assert_eq!(alarm["Namespace"], "AWS/Scheduler");
        // Given up, not merely retried.
        assert_eq!(alarm["MetricName"], "InvocationDroppedCount");
        assert_eq!(
            alarm["Dimensions"],
            json!([{"Name": "ScheduleGroup", "Value": {"Ref": "AppScheduleGroup"}}])
        );
        // And each client's instance, on its status checks.
        let status = &r["AppAcmeStatusCheckAlarm"]["Properties"];
        assert_eq!(
            status["Dimensions"],
            json!([{"Name": "InstanceId", "Value": {"Ref": "AppAcmeInstance"}}])
        );
    }

    #[test]
    fn without_bootstrap_dns_or_hours_a_client_has_no_policy() {
        let plain = SHOP
            .replace("bootstrap = \"/home/hoge/scripts/bootstrap.sh --all\"\n", "")
            .replace("dns = { zone = \"zone.internal\", record = \"{client}.corp.internal\" }\n", "")
            .replace("hours = { days = \"MON-FRI\", start = \"09:00\", stop = \"19:30\", timezone = \"Asia/Tokyo\" }\n", "");
        let m = model(&plain);
        let t = template(&plain);
        let r = t["Resources"].as_object().unwrap();
        assert!(!r.contains_key("AppAcmePolicy"));
        assert!(!r.contains_key("AppSchedulerRole"));
        assert!(!r.contains_key("AppAcmeStartAction"));
        assert!(r["AppAcmeInstance"].get("DependsOn").is_none());
        // Nothing for the script to do at first boot but install itself.
        let tags = r["AppAcmeInstance"]["Properties"]["Tags"].to_string();
        for key in [
            "topoform:bootstrap",
            "topoform:parameters",
            "topoform:dns-record",
        ] {
            assert!(!tags.contains(key), "{key}: {tags}");
        }
        assert!(m.fleets[&name("app")].bootstrap.is_none());
    }

    #[test]
    fn the_script_is_the_same_whatever_the_first_boot_settings() {
        // What the first boot does travels in tags: editing it must not
        // change the script, whose change would replace every client.
        let f = model(SHOP).fleets[&name("app")].clone();
        let script = crate::userdata::fleet_script(&f);
        let mut other = f.clone();
        other.bootstrap = None;
        other.parameters = Vec::new();
        other.dns_zone_id = None;
        other.tag = "Customer".into();
        assert_eq!(crate::userdata::fleet_script(&other), script);
        assert!(script.contains(r#"--name "/$NAME/$CLIENT/$1" --with-decryption"#));
        assert!(script.contains("CLIENT=$(required_tag topoform:client '^[a-z0-9-]+$')"));
        assert!(script.contains("tag_words topoform:bootstrap '^[A-Za-z0-9_./=:,@%+-]+$'"));
        assert!(script.contains("tag_words topoform:parameters '^[A-Za-z_][A-Za-z0-9_]*$'"));
    }

    #[test]
    fn long_word_lists_continue_in_more_tags_without_splitting_a_word() {
        let words: Vec<String> = (0..40).map(|n| format!("--option-{n:02}=value")).collect();
        let tags = super::word_tags("topoform:bootstrap", &words);
        let keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "topoform:bootstrap",
                "topoform:bootstrap-2",
                "topoform:bootstrap-3"
            ]
        );
        let values: Vec<String> = tags
            .iter()
            .map(|t| match &t.value {
                crate::cfn::Expr::Str(s) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        for v in &values {
            assert!(
                v.len() <= 256 && !v.starts_with(' ') && !v.ends_with(' '),
                "{v:?}"
            );
        }
        // Joined with spaces, as the script joins them: the same words.
        assert_eq!(values.join(" "), words.join(" "));
        assert!(super::word_tags("topoform:parameters", &[]).is_empty());
    }
}
