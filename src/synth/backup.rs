//! `[backup.NAME]`: a Data Lifecycle Manager policy and the role DLM acts
//! as. It finds its instances by the tag that `shared::target_tag` names,
//! which instances and fleet instances carry.

use std::collections::BTreeMap;

use super::context::Context;
use super::shared::target_tag;
use super::stack::{message, notifies, notify_alarm, notify_rule};
use crate::cfn::cloudwatch::{AlarmSource, Dimension, Metric, MetricDataQuery, MetricStat};
use crate::cfn::dlm::{
    CreateRule, CrossRegionCopyRule, CrossRegionRetainRule, LifecyclePolicy, LifecycleSchedule,
    PolicyDetails, PolicyParameters, RetainRule,
};
use crate::cfn::events::EventPattern;
use crate::cfn::iam::{Condition, PolicyDocument, Role, Statement, aws_managed_policy};
use crate::cfn::{Expr, Resource, Tag};
use crate::model::backup::{BackupKind, Part};
use crate::model::{Backup, Target};

/// What a backup of `kind` is called, the DLM policy type that makes it, and
/// the AWS managed policy made for that type.
fn kind_of(kind: BackupKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        BackupKind::Ami => (
            "AMIs",
            "IMAGE_MANAGEMENT",
            "AWSDataLifecycleManagerServiceRoleForAMIManagement",
        ),
        BackupKind::Snapshot => (
            "snapshots",
            "EBS_SNAPSHOT_MANAGEMENT",
            "AWSDataLifecycleManagerServiceRole",
        ),
    }
}

/// Adds a backup's Data Lifecycle Manager policy and the role DLM acts as.
pub(super) fn synth(cx: &mut Context<'_>, b: &Backup) {
    role(cx, b);
    policy(cx, b);
    error_rule(cx, b);
    failed_alarm(cx, b);
}

/// With `notify`: a backup that Data Lifecycle Manager failed to make, copy
/// or expire. DLM counts them per policy (namespace `AWS/EBS`, dimension
/// `DLMPolicyId`, EBS User Guide "Monitor your policies using CloudWatch");
/// the policy stays enabled, so only these counts tell.
fn failed_alarm(cx: &mut Context<'_>, b: &Backup) {
    if !notifies(cx) {
        return;
    }
    let metrics: [(&'static str, &'static str); 3] = match b.kind {
        BackupKind::Snapshot => [
            ("created", "SnapshotsCreateFailed"),
            ("deleted", "SnapshotsDeleteFailed"),
            ("copied", "SnapshotsCopiedRegionFailed"),
        ],
        BackupKind::Ami => [
            ("created", "ImagesCreateFailed"),
            ("deleted", "ImagesDeregisterFailed"),
            ("copied", "ImagesCopiedRegionFailed"),
        ],
    };
    let policy = b.prefix.id(Part::LifecyclePolicy);
    let mut queries: Vec<MetricDataQuery> = metrics
        .iter()
        .map(|(id, metric_name)| {
            MetricDataQuery::metric(
                id,
                MetricStat {
                    metric: Metric {
                        namespace: "AWS/EBS",
                        metric_name,
                        dimensions: vec![Dimension {
                            name: "DLMPolicyId",
                            value: Expr::Ref(policy.clone()),
                        }],
                    },
                    period: 300,
                    stat: "Sum",
                },
            )
        })
        .collect();
    queries.push(MetricDataQuery::value(
        "failed",
        "FILL(created, 0) + FILL(deleted, 0) + FILL(copied, 0)".into(),
        "failed backups".into(),
    ));
    let (noun, _, _) = kind_of(b.kind);
    notify_alarm(
        cx,
        &b.prefix.id(Part::FailedAlarm),
        format!(
            "[backup.{}]: Data Lifecycle Manager failed to create, copy or expire {noun}",
            b.name.as_str()
        ),
        AlarmSource::Math { metrics: queries },
        1,
    );
}

/// With `notify`: the policy has gone into error (its role cannot act, a
/// limit is reached): it makes no more backups until a person acts.
fn error_rule(cx: &mut Context<'_>, b: &Backup) {
    if !notifies(cx) {
        return;
    }
    let what = format!("[backup.{}]", b.name.as_str());
    notify_rule(
        cx,
        &b.prefix.id(Part::ErrorRule),
        format!("{what}: the Data Lifecycle Manager policy is in error (topoform)"),
        EventPattern {
            source: vec!["aws.dlm"],
            detail_type: vec!["DLM Policy State Change"],
            resources: vec![Expr::GetAtt(
                b.prefix.id(Part::LifecyclePolicy),
                "Arn".into(),
            )],
            detail: BTreeMap::from([("state", vec![Expr::str("ERROR")])]),
        },
        message(
            &format!(
                "{what} makes no backups: its Data Lifecycle Manager policy is in error: <cause>"
            ),
            &[("cause", "$.detail.cause")],
        ),
    );
}

/// The role Data Lifecycle Manager acts as.
fn role(cx: &mut Context<'_>, b: &Backup) {
    let name = b.name.as_str();
    let (noun, _, service_role_policy) = kind_of(b.kind);
    let tags = cx.tags_named(cx.display(name));
    cx.add(
        &b.prefix.id(Part::LifecycleRole),
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
            tags,
        }),
    );
}

/// The Data Lifecycle Manager policy.
fn policy(cx: &mut Context<'_>, b: &Backup) {
    let name = b.name.as_str();
    let (_, policy_type, _) = kind_of(b.kind);
    let target_tags = vec![target_tag(cx.model, &b.target)];
    let resource = Resource::new(LifecyclePolicy {
        description: description(cx, b),
        state: "ENABLED",
        execution_role_arn: Expr::GetAtt(b.prefix.id(Part::LifecycleRole), "Arn".into()),
        policy_details: PolicyDetails {
            policy_type,
            // AMI policies back up instances; for snapshot policies,
            // INSTANCE takes multi-volume (crash-consistent) snapshot sets
            // of every volume attached to the instance, so new volumes are
            // covered without being tagged themselves.
            resource_types: vec!["INSTANCE"],
            target_tags,
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
                tags_to_add: vec![Tag::new("topoform:backup", cx.display(name))],
                cross_region_copy_rules: copies(b),
            }],
            // Taken without a reboot: rebooting would take the service
            // down at every backup. The image is crash-consistent, like a
            // power cut, which journaling file systems recover from. Expired
            // AMIs are deregistered by DLM together with their snapshots.
            parameters: (b.kind == BackupKind::Ami).then_some(PolicyParameters { no_reboot: true }),
        },
        tags: cx.stack_tags.clone(),
    });
    cx.add(&b.prefix.id(Part::LifecyclePolicy), resource);
}

/// The policy's description. DLM's Description allows only `[0-9A-Za-z _-]`,
/// at most 500: stack and block names are within that alphabet, and their
/// lengths keep this short.
fn description(cx: &Context<'_>, b: &Backup) -> String {
    let (noun, _, _) = kind_of(b.kind);
    let target = match &b.target {
        Target::Instance(n) => format!("instance {}", n.as_str()),
        Target::Fleet(n) => format!("fleet {}", n.as_str()),
    };
    let description = format!(
        "topoform {} backup {} - {noun} of {target} every {} hours keeping {}",
        cx.model.stack.name,
        b.name.as_str(),
        b.every,
        b.keep
    );
    debug_assert!(
        description.len() <= 500
            && description
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b" _-".contains(&c)),
        "bug in topoform: DLM description {description:?}"
    );
    description
}

/// The copies to another region, if any.
fn copies(b: &Backup) -> Vec<CrossRegionCopyRule> {
    b.copy_to
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
                interval: c.retain_days(b.every),
                interval_unit: "DAYS",
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::synth::tests::{CLIENTS, WEB, resources};

    /// An instance `web` and a fleet `clients` in stack `ops`, and `backup`.
    fn with(backup: &str) -> Value {
        resources(&format!(
            r#"[stack]
name = "ops"
region = "ap-northeast-1"
tags = {{ team = "infra" }}
{WEB}{CLIENTS}
[backup.nightly]
{backup}
"#
        ))
    }

    #[test]
    fn cross_region_retention_is_whole_days_rounded_up() {
        let days = |keep, every| {
            let c = crate::model::backup::CopyTo {
                region: "us-west-2".into(),
                keep,
            };
            (c.retain_days(every), c.copies_kept(every))
        };
        assert_eq!(days(7, 24), (7, 7));
        assert_eq!(days(3, 12), (2, 4)); // 36 hours
        assert_eq!(days(1, 1), (1, 24));
        assert_eq!(days(25, 1), (2, 48));
        assert_eq!(days(1000, 24), (1000, 1000));
        assert_eq!(days(4, 6), (1, 4));
    }

    #[test]
    fn ami_backup_keeps_a_count_here_and_an_age_there() {
        let r = with(
            "target = \"instance.web\"\nkind = \"ami\"\nat = \"03:05\"\nevery = 12\nkeep = 5\ncopy_to = { region = \"us-west-2\", keep = 4 }",
        );
        let p = &r["NightlyLifecyclePolicy"]["Properties"];
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
        let role = &r["NightlyLifecycleRole"]["Properties"];
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
        let r = with(
            "target = \"fleet.clients\"\nkind = \"snapshot\"\nat = \"03:05\"\nevery = 24\nkeep = 7\ncopy_to = { region = \"us-west-2\", keep = 7 }",
        );
        let details = &r["NightlyLifecyclePolicy"]["Properties"]["PolicyDetails"];
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
        let role = &r["NightlyLifecycleRole"]["Properties"];
        assert!(
            role["ManagedPolicyArns"][0]["Fn::Sub"]
                .as_str()
                .unwrap()
                .ends_with("/service-role/AWSDataLifecycleManagerServiceRole")
        );
    }

    #[test]
    fn backup_without_copy_has_no_copy_rules() {
        let r = with(
            "target = \"instance.web\"\nkind = \"snapshot\"\nat = \"03:05\"\nevery = 1\nkeep = 24",
        );
        let p = &r["NightlyLifecyclePolicy"]["Properties"];
        assert!(
            p["PolicyDetails"]["Schedules"][0]
                .get("CrossRegionCopyRules")
                .is_none()
        );
        assert_eq!(
            p["Description"],
            "topoform ops backup nightly - snapshots of instance web every 1 hours keeping 24"
        );
        assert_eq!(p["Tags"], json!([{"Key": "team", "Value": "infra"}]));
    }
}
