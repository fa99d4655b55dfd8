//! Ops automation without servers: the alarm topic (`[stack] notify`), Data
//! Lifecycle Manager policies (`[backup]`) and SSM State Manager associations
//! (`[task]`). Backups and tasks find their instances by the tag that
//! [`target_tag`] names, which instances and fleet instances carry.

use crate::cfn::dlm::{
    CreateRule, CrossRegionCopyRule, CrossRegionRetainRule, LifecyclePolicy, LifecycleSchedule,
    PolicyDetails, PolicyParameters, RetainRule,
};
use crate::cfn::iam::{Condition, PolicyDocument, Role, Statement, aws_managed_policy};
use crate::cfn::sns::{Subscription, Topic};
use crate::cfn::ssm::{Association, AssociationTarget, RunShellScriptParameters};
use crate::cfn::{Expr, Resource, Tag, Template};
use crate::model::{Backup, BackupKind, Model, Target, Task};
use crate::naming::{ALARM_SUBSCRIPTION, ALARM_TOPIC, LogicalId, Part};

use super::{add, target_tag};

/// SNS's limit on a topic's display name.
const MAX_DISPLAY_NAME: usize = 100;

/// Adds the alarm topic and its e-mail subscription, when `[stack] notify`
/// is set. Every alarm's `AlarmActions`/`OKActions` refer to the topic.
pub(super) fn notify(t: &mut Template, model: &Model, stack_tags: &[Tag]) {
    let Some(email) = &model.stack.notify else {
        return;
    };
    let topic = LogicalId::fixed(ALARM_TOPIC);
    // No topic policy: the default one lets the owning account publish, and
    // CloudWatch alarms of the same account publish as that account. Only an
    // alarm in another account would need a statement for
    // cloudwatch.amazonaws.com.
    //
    // Not encrypted, on purpose. CloudWatch cannot publish to a topic under the
    // AWS managed `alias/aws/sns` key (its key policy cannot be changed to let
    // cloudwatch.amazonaws.com use it), so encryption would take a customer
    // managed key ($1/month per stack) whose key policy grants CloudWatch
    // kms:GenerateDataKey*/kms:Decrypt. It would protect an alarm's name, state
    // and metric for the seconds SNS holds them, before they leave AWS as
    // plain e-mail anyway; and a mistake in that key policy makes alarms fail
    // to notify without any error at deploy time. Not worth it for this topic.
    add(
        t,
        &topic,
        Resource::new(Topic {
            display_name: display_name(&model.stack.name),
            tags: stack_tags.to_vec(),
        })
        .skip_check(
            "CKV_AWS_26",
            "Alarm notifications only (alarm name, state, metric), delivered as plain e-mail; CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer managed key would cost more than it protects.",
        ),
    );
    add(
        t,
        &LogicalId::fixed(ALARM_SUBSCRIPTION),
        Resource::new(Subscription {
            topic_arn: Expr::Ref(topic),
            protocol: "email",
            endpoint: email.clone(),
        }),
    );
}

/// The topic's display name (the sender name of the e-mails): `STACK alarms`,
/// the stack name cut so that the whole fits SNS's limit.
fn display_name(stack: &str) -> String {
    const SUFFIX: &str = " alarms";
    let stack: String = stack
        .chars()
        .take(MAX_DISPLAY_NAME - SUFFIX.len())
        .collect();
    format!("{stack}{SUFFIX}")
}

/// Adds a backup's Data Lifecycle Manager policy and the role DLM acts as.
pub(super) fn backup(t: &mut Template, model: &Model, b: &Backup, stack_tags: &[Tag]) {
    let stack = &model.stack.name;
    let name = b.name.as_str();
    let role = b.prefix.id(Part::LifecycleRole);
    let (policy_type, service_role_policy, noun) = match b.kind {
        BackupKind::Ami => (
            "IMAGE_MANAGEMENT",
            "AWSDataLifecycleManagerServiceRoleForAMIManagement",
            "AMIs",
        ),
        BackupKind::Snapshot => (
            "EBS_SNAPSHOT_MANAGEMENT",
            "AWSDataLifecycleManagerServiceRole",
            "snapshots",
        ),
    };
    let target = match &b.target {
        Target::Instance(n) => format!("instance {}", n.as_str()),
        Target::Fleet(n) => format!("fleet {}", n.as_str()),
    };

    let role_tags = std::iter::once(Tag::new("Name", format!("{stack}-{name}")))
        .chain(stack_tags.iter().cloned())
        .collect();
    add(
        t,
        &role,
        Resource::new(Role {
            description: format!(
                "[backup.{name}]: Data Lifecycle Manager creates and expires {noun} (topoform)"
            ),
            assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
                "DataLifecycleManagerAssumesRole",
                "dlm.amazonaws.com",
                Condition::new(),
            )]),
            // The AWS managed policy made for this policy type: what DLM
            // needs (create, copy, tag, delete/deregister its own backups)
            // and kept up to date by AWS as DLM gains features.
            managed_policy_arns: vec![aws_managed_policy(&format!(
                "service-role/{service_role_policy}"
            ))],
            policies: Vec::new(),
            tags: role_tags,
        }),
    );

    // DLM's Description allows only `[0-9A-Za-z _-]`, at most 500: stack and
    // block names are within that alphabet, and their lengths keep this short.
    let description = format!(
        "topoform {stack} backup {name} - {noun} of {target} every {} hours keeping {}",
        b.every, b.keep
    );
    debug_assert!(
        description.len() <= 500
            && description
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b" _-".contains(&c)),
        "bug in topoform: DLM description {description:?}"
    );
    let copies = b
        .copy_to
        .iter()
        .map(|c| CrossRegionCopyRule {
            // AMI policies name the region `TargetRegion`, snapshot policies `Target`.
            target_region: (b.kind == BackupKind::Ami).then(|| c.region.clone()),
            target: (b.kind == BackupKind::Snapshot).then(|| c.region.clone()),
            // Copies are encrypted with the target region's default EBS key,
            // also when the source is not.
            encrypted: true,
            copy_tags: true,
            retain_rule: CrossRegionRetainRule {
                interval: copy_retain_days(c.keep, b.every),
                interval_unit: "DAYS",
            },
        })
        .collect();

    add(
        t,
        &b.prefix.id(Part::LifecyclePolicy),
        Resource::new(LifecyclePolicy {
            description,
            state: "ENABLED",
            execution_role_arn: Expr::GetAtt(role, "Arn"),
            policy_details: PolicyDetails {
                policy_type,
                // AMI policies back up instances; for snapshot policies,
                // INSTANCE takes multi-volume (crash-consistent) snapshot sets
                // of every volume attached to the instance, so new volumes are
                // covered without being tagged themselves.
                resource_types: vec!["INSTANCE"],
                target_tags: vec![target_tag(model, &b.target)],
                schedules: vec![LifecycleSchedule {
                    // The schedule's name must not change when `every` or
                    // `keep` do: DLM stops managing (and so never expires) the
                    // backups made under a schedule name that is gone.
                    name: name.to_string(),
                    create_rule: CreateRule {
                        interval: b.every,
                        interval_unit: "HOURS",
                        times: vec![format!("{:02}:{:02}", b.at.0, b.at.1)],
                    },
                    retain_rule: RetainRule { count: b.keep },
                    copy_tags: true,
                    tags_to_add: vec![Tag::new("topoform:backup", format!("{stack}-{name}"))],
                    cross_region_copy_rules: copies,
                }],
                // Taken without a reboot: rebooting would take the service
                // down at every backup. The image is crash-consistent, like a
                // power cut, which journaling file systems recover from. Expired
                // AMIs are deregistered by DLM together with their snapshots.
                parameters: (b.kind == BackupKind::Ami)
                    .then_some(PolicyParameters { no_reboot: true }),
            },
            tags: stack_tags.to_vec(),
        }),
    );
}

/// How long cross-region copies are kept, in days, for `keep` generations
/// taken every `every` hours.
///
/// A cross-region retain rule takes an age, not a count: `keep` × `every`
/// hours, rounded up to whole days so that at least `keep` copies are kept
/// (up to a day's worth more).
fn copy_retain_days(keep: u32, every: u32) -> u32 {
    (keep * every).div_ceil(24).max(1)
}

/// Adds a task's State Manager association.
pub(super) fn task(t: &mut Template, model: &Model, task: &Task, stack_tags: &[Tag]) {
    let tag = target_tag(model, &task.target);
    add(
        t,
        &task.prefix.id(Part::Association),
        Resource::new(Association {
            name: "AWS-RunShellScript",
            association_name: format!("{}-{}", model.stack.name, task.name.as_str()),
            schedule_expression: task.schedule.clone(),
            // A cron task runs at its times only, not also once when the stack
            // creates or updates the association (a nightly restart must not
            // happen during a deploy). State Manager rejects the flag for rate
            // expressions: those run at creation and then at every interval.
            apply_only_at_cron_interval: task.schedule.starts_with("cron("),
            targets: vec![AssociationTarget {
                key: format!("tag:{}", tag.key),
                values: vec![tag.value],
            }],
            parameters: RunShellScriptParameters {
                commands: task.commands.clone(),
            },
            // Like cron on each host: every instance of a fleet runs the task
            // at the same time, and one failing instance does not keep it from
            // the others (each one's result is in the association's status
            // and in Compliance).
            max_concurrency: "100%",
            max_errors: "100%",
            compliance_severity: "MEDIUM",
            tags: stack_tags.to_vec(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::*;
    use crate::model::{CopyTo, Name, Stack};
    use crate::naming::Prefix;

    fn model(notify: Option<&str>) -> Model {
        Model {
            stack: Stack {
                name: "ops".into(),
                region: "ap-northeast-1".into(),
                description: None,
                tags: BTreeMap::from([("team".to_string(), "infra".to_string())]),
                notify: notify.map(str::to_string),
            },
            zones: BTreeMap::new(),
            instances: BTreeMap::new(),
            failovers: BTreeMap::new(),
            sorries: BTreeMap::new(),
            albs: BTreeMap::new(),
            fleets: BTreeMap::new(),
            backups: BTreeMap::new(),
            tasks: BTreeMap::new(),
            origins: crate::model::Origins::default(),
        }
    }

    fn template() -> Template {
        super::super::new_template(&model(None), None, "ap-northeast-1", Vec::new())
    }

    fn backup(kind: BackupKind, every: u32, keep: u32, copy_to: Option<CopyTo>) -> Backup {
        Backup {
            name: Name("nightly".into()),
            prefix: Prefix::of("nightly").unwrap(),
            target: Target::Instance(Name("web".into())),
            kind,
            at: (3, 5),
            every,
            keep,
            copy_to,
        }
    }

    /// The properties of resource `id`, as JSON.
    fn properties(t: &Template, id: &'static str) -> Value {
        let mut resource = serde_json::to_value(&t.resources[&LogicalId::fixed(id)]).unwrap();
        resource["Properties"].take()
    }

    #[test]
    fn cross_region_retention_is_whole_days_rounded_up() {
        assert_eq!(copy_retain_days(7, 24), 7);
        assert_eq!(copy_retain_days(3, 12), 2); // 36 hours
        assert_eq!(copy_retain_days(1, 1), 1);
        assert_eq!(copy_retain_days(25, 1), 2);
        assert_eq!(copy_retain_days(1000, 24), 1000);
    }

    #[test]
    fn ami_backup_keeps_a_count_here_and_an_age_there() {
        let m = model(None);
        let mut t = template();
        let b = backup(
            BackupKind::Ami,
            12,
            5,
            Some(CopyTo {
                region: "us-west-2".into(),
                keep: 3,
            }),
        );
        backup_into(&mut t, &m, &b);
        let p = properties(&t, "NightlyLifecyclePolicy");
        let details = &p["PolicyDetails"];
        assert_eq!(details["PolicyType"], "IMAGE_MANAGEMENT");
        assert_eq!(details["ResourceTypes"], json!(["INSTANCE"]));
        assert_eq!(
            details["TargetTags"],
            json!([{"Key": "topoform:instance", "Value": "ops-web"}])
        );
        assert_eq!(details["Parameters"], json!({"NoReboot": true}));
        let schedule = &details["Schedules"][0];
        assert_eq!(schedule["Name"], "nightly");
        assert_eq!(
            schedule["CreateRule"],
            json!({"Interval": 12, "IntervalUnit": "HOURS", "Times": ["03:05"]})
        );
        assert_eq!(schedule["RetainRule"], json!({"Count": 5}));
        assert_eq!(
            schedule["CrossRegionCopyRules"],
            // 3 copies 12 hours apart: 36 hours, kept 2 days.
            json!([{
                "TargetRegion": "us-west-2",
                "Encrypted": true,
                "CopyTags": true,
                "RetainRule": {"Interval": 2, "IntervalUnit": "DAYS"}
            }])
        );
        assert_eq!(
            p["ExecutionRoleArn"],
            json!({"Fn::GetAtt": ["NightlyLifecycleRole", "Arn"]})
        );
        let role = properties(&t, "NightlyLifecycleRole");
        assert_eq!(
            role["ManagedPolicyArns"][0]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRoleForAMIManagement"
        );
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "dlm.amazonaws.com"})
        );
    }

    #[test]
    fn snapshot_backup_of_a_fleet() {
        let m = model(None);
        let mut t = template();
        let b = Backup {
            target: Target::Fleet(Name("clients".into())),
            ..backup(
                BackupKind::Snapshot,
                24,
                7,
                Some(CopyTo {
                    region: "us-west-2".into(),
                    keep: 7,
                }),
            )
        };
        backup_into(&mut t, &m, &b);
        let p = properties(&t, "NightlyLifecyclePolicy");
        let details = &p["PolicyDetails"];
        assert_eq!(details["PolicyType"], "EBS_SNAPSHOT_MANAGEMENT");
        assert_eq!(
            details["TargetTags"],
            json!([{"Key": "topoform:fleet", "Value": "ops-clients"}])
        );
        assert!(details.get("Parameters").is_none());
        let copy = &details["Schedules"][0]["CrossRegionCopyRules"][0];
        assert_eq!(copy["Target"], "us-west-2");
        assert!(copy.get("TargetRegion").is_none());
        assert_eq!(
            copy["RetainRule"],
            json!({"Interval": 7, "IntervalUnit": "DAYS"})
        );
        let role = properties(&t, "NightlyLifecycleRole");
        assert!(
            role["ManagedPolicyArns"][0]["Fn::Sub"]
                .as_str()
                .unwrap()
                .ends_with("/service-role/AWSDataLifecycleManagerServiceRole")
        );
    }

    #[test]
    fn backup_without_copy_has_no_copy_rules() {
        let m = model(None);
        let mut t = template();
        backup_into(&mut t, &m, &backup(BackupKind::Snapshot, 1, 24, None));
        let p = properties(&t, "NightlyLifecyclePolicy");
        assert!(
            p["PolicyDetails"]["Schedules"][0]
                .get("CrossRegionCopyRules")
                .is_none()
        );
        assert_eq!(
            p["Description"],
            "topoform ops backup nightly - snapshots of instance web every 1 hours keeping 24"
        );
    }

    fn backup_into(t: &mut Template, m: &Model, b: &Backup) {
        super::backup(t, m, b, &[Tag::new("team", "infra")]);
    }

    fn task(schedule: &str) -> Task {
        Task {
            name: Name("rotate-logs".into()),
            prefix: Prefix::of("rotate-logs").unwrap(),
            target: Target::Fleet(Name("clients".into())),
            schedule: schedule.into(),
            commands: vec![
                "logrotate -f /etc/logrotate.conf".into(),
                "echo \"done\"".into(),
            ],
        }
    }

    #[test]
    fn cron_task_runs_only_at_its_times() {
        let m = model(None);
        let mut t = template();
        super::task(&mut t, &m, &task("cron(0 3 * * ? *)"), &[]);
        let p = properties(&t, "RotateLogsAssociation");
        assert_eq!(p["Name"], "AWS-RunShellScript");
        assert_eq!(p["AssociationName"], "ops-rotate-logs");
        assert_eq!(p["ScheduleExpression"], "cron(0 3 * * ? *)");
        assert_eq!(p["ApplyOnlyAtCronInterval"], true);
        assert_eq!(
            p["Targets"],
            json!([{"Key": "tag:topoform:fleet", "Values": ["ops-clients"]}])
        );
        assert_eq!(
            p["Parameters"],
            json!({"commands": ["logrotate -f /etc/logrotate.conf", "echo \"done\""]})
        );
        assert!(p.get("Tags").is_none());
    }

    #[test]
    fn rate_task_leaves_the_cron_flag_out() {
        let m = model(None);
        let mut t = template();
        super::task(&mut t, &m, &task("rate(30 minutes)"), &[]);
        let p = properties(&t, "RotateLogsAssociation");
        assert!(p.get("ApplyOnlyAtCronInterval").is_none());
    }

    #[test]
    fn notify_adds_an_email_subscribed_topic_only_when_set() {
        let mut t = template();
        notify(&mut t, &model(None), &[]);
        assert!(t.resources.is_empty());

        let m = model(Some("ops@example.com"));
        notify(&mut t, &m, &[Tag::new("team", "infra")]);
        let topic = &t.resources[&LogicalId::fixed(ALARM_TOPIC)];
        assert_eq!(topic.kind, "AWS::SNS::Topic");
        assert_eq!(properties(&t, ALARM_TOPIC)["DisplayName"], "ops alarms");
        let sub = properties(&t, ALARM_SUBSCRIPTION);
        assert_eq!(sub["Protocol"], "email");
        assert_eq!(sub["Endpoint"], "ops@example.com");
        assert_eq!(sub["TopicArn"], json!({"Ref": ALARM_TOPIC}));
    }

    #[test]
    fn display_name_fits_sns() {
        let long = "a".repeat(128);
        let name = display_name(&long);
        assert_eq!(name.len(), MAX_DISPLAY_NAME);
        assert!(name.ends_with(" alarms"));
    }
}
