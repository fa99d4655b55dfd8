//! `[stack]`: with `notify`, the alarm topic and its e-mail subscription,
//! and the helpers by which each block adds what notifies it: alarms (their
//! `AlarmActions`/`OKActions` refer to the topic) and EventBridge rules
//! (which the topic policy lets publish). A block adds them only for what
//! needs a person; nothing routine, such as a scheduled stop, notifies.

use std::collections::BTreeMap;

use super::context::Context;
use super::shared::arn;
use crate::cfn::cloudwatch::{Alarm, AlarmSource, Dimension};
use crate::cfn::events::{EventPattern, InputTransformer, Rule, RuleTarget};
use crate::cfn::iam::{Condition, Effect, PolicyDocument, Principal, Statement};
use crate::cfn::sns::{Subscription, Topic, TopicPolicy};
use crate::cfn::{Expr, Pseudo, Resource};
use crate::model::stack::{ALARM_SUBSCRIPTION, ALARM_TOPIC, ALARM_TOPIC_ARN, ALARM_TOPIC_POLICY};
use crate::naming::LogicalId;

/// Why the alarm topic is not encrypted (see `synth`).
const PLAIN_TOPIC_REASON: &str = "Alarm notifications only (alarm name, state, metric), delivered as plain e-mail; CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer managed key would cost more than it protects.";

/// SNS's limit on a topic's display name.
const MAX_DISPLAY_NAME: usize = 100;

/// Adds the alarm topic and its e-mail subscription, when `notify` is set.
pub(super) fn synth(cx: &mut Context<'_>) {
    let Some(email) = cx.model.stack.notify.clone() else {
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
    let resource = Resource::new(Topic {
        display_name: display_name(&cx.model.stack.name),
        tags: cx.stack_tags.clone(),
    })
    .skip_check("CKV_AWS_26", PLAIN_TOPIC_REASON)
    .skip_rule("SNS_ENCRYPTED_KMS", PLAIN_TOPIC_REASON);
    cx.add(&topic, resource);
    cx.add(
        &LogicalId::fixed(ALARM_SUBSCRIPTION),
        Resource::new(Subscription {
            topic_arn: Expr::Ref(topic.clone()),
            protocol: "email",
            endpoint: email,
        }),
    );
    cx.output(
        &LogicalId::fixed(ALARM_TOPIC_ARN),
        "The topic every alarm notifies: subscribe more endpoints to it".to_string(),
        Expr::Ref(topic),
        true,
    );
}

/// Whether the stack notifies anyone: whether blocks add their alarms.
pub(super) fn notifies(cx: &Context<'_>) -> bool {
    cx.model.stack.notify.is_some()
}

/// Adds an alarm that notifies the topic when it fires and when it clears:
/// when `source` is at least 1 for `periods` periods in a row. Missing data
/// is no alarm: an instance that is stopped, or a policy that made nothing,
/// publishes none.
pub(super) fn notify_alarm(
    cx: &mut Context<'_>,
    id: &LogicalId,
    description: String,
    source: AlarmSource,
    periods: u32,
) {
    assert!(
        notifies(cx),
        "bug in topoform: alarm {id} notifies, without `notify`"
    );
    let actions = alarm_actions(cx);
    cx.add(
        id,
        Resource::new(Alarm {
            alarm_description: description,
            source,
            evaluation_periods: periods,
            threshold: 1,
            comparison_operator: "GreaterThanOrEqualToThreshold",
            treat_missing_data: "notBreaching",
            alarm_actions: actions.clone(),
            ok_actions: actions,
        }),
    );
}

/// Adds the alarm on an instance (or a group's instances, by `dimension`)
/// failing its EC2 status checks for two minutes. EC2 publishes them every
/// minute, free, by instance and aggregated by group; a stopped or absent
/// instance publishes none, which is no alarm.
pub(super) fn notify_status_checks(
    cx: &mut Context<'_>,
    id: &LogicalId,
    description: String,
    dimension: Dimension,
) {
    let source = AlarmSource::Metric {
        namespace: "AWS/EC2",
        metric_name: "StatusCheckFailed",
        dimensions: vec![dimension],
        statistic: "Maximum",
        period: 60,
    };
    notify_alarm(cx, id, description, source, 2);
}

/// Adds an EventBridge rule that sends each event it matches to the topic,
/// as the one-line `message` (the raw event JSON is no e-mail for a person).
pub(super) fn notify_rule(
    cx: &mut Context<'_>,
    id: &LogicalId,
    description: String,
    event_pattern: EventPattern,
    message: InputTransformer,
) {
    assert!(
        notifies(cx),
        "bug in topoform: rule {id} notifies, without `notify`"
    );
    cx.add(
        id,
        Resource::new(Rule {
            description,
            event_pattern,
            state: "ENABLED",
            targets: vec![RuleTarget {
                arn: Expr::Ref(LogicalId::fixed(ALARM_TOPIC)),
                id: "AlarmTopic",
                input_transformer: Some(message),
            }],
        }),
    );
    cx.notify_rules.push(id.clone());
}

/// The text of a rule's message: `text`, with `<name>` for each field of
/// `paths` (name → JSON path in the event).
pub(super) fn message(text: &str, paths: &[(&'static str, &'static str)]) -> InputTransformer {
    InputTransformer {
        input_paths_map: paths.iter().copied().collect::<BTreeMap<_, _>>(),
        // A JSON string: EventBridge sends it to SNS as the message text.
        input_template: serde_json::to_string(text).expect("a string serializes"),
    }
}

/// Once every block is synthesized: the topic policy that lets the stack's
/// rules publish, when there are any. Without rules the topic keeps its
/// default policy, which admits the account's CloudWatch alarms; a topic
/// policy replaces it, so it must name the alarms too. Auto Scaling's
/// notifications need neither: its service-linked role's own policy allows
/// sns:Publish, and the topic is in the same account.
pub(super) fn finish(cx: &mut Context<'_>) {
    if cx.notify_rules.is_empty() {
        return;
    }
    let topic = Expr::Ref(LogicalId::fixed(ALARM_TOPIC));
    let mut from_alarms = Condition::new();
    from_alarms
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    from_alarms.entry("ArnLike").or_default().insert(
        "aws:SourceArn",
        vec![arn("cloudwatch").lit("alarm:*").build()],
    );
    let alarms = Statement {
        sid: "AccountAlarmsPublish".into(),
        effect: Effect::Allow,
        principal: Some(Principal::Service("cloudwatch.amazonaws.com")),
        action: vec!["sns:Publish"],
        resource: vec![topic.clone()],
        condition: from_alarms,
    };
    let mut condition = Condition::new();
    condition.entry("ArnEquals").or_default().insert(
        "aws:SourceArn",
        cx.notify_rules
            .iter()
            .map(|rule| Expr::GetAtt(rule.clone(), "Arn".into()))
            .collect(),
    );
    let statement = Statement {
        sid: "StackRulesPublish".into(),
        effect: Effect::Allow,
        principal: Some(Principal::Service("events.amazonaws.com")),
        action: vec!["sns:Publish"],
        resource: vec![topic.clone()],
        condition,
    };
    cx.add(
        &LogicalId::fixed(ALARM_TOPIC_POLICY),
        Resource::new(TopicPolicy {
            policy_document: PolicyDocument::new(vec![alarms, statement]),
            topics: vec![topic],
        }),
    );
}

/// What every alarm notifies: the alarm topic, when there is one.
pub(super) fn alarm_actions(cx: &Context<'_>) -> Vec<Expr> {
    cx.model
        .stack
        .notify
        .iter()
        .map(|_| Expr::Ref(LogicalId::fixed(ALARM_TOPIC)))
        .collect()
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::synth::tests::resources;

    #[test]
    fn notify_adds_an_email_subscribed_topic_only_when_set() {
        let without = resources(&format!(
            "[stack]\nname = \"ops\"\nregion = \"ap-northeast-1\"\n{}",
            crate::synth::tests::WEB
        ));
        assert!(without.get(ALARM_TOPIC).is_none());
        let r = resources(
            "[stack]\nname = \"ops\"\nregion = \"ap-northeast-1\"\nnotify = \"ops@example.com\"\ntags = { team = \"infra\" }\n",
        );
        let topic = &r[ALARM_TOPIC];
        assert_eq!(topic["Type"], "AWS::SNS::Topic");
        assert_eq!(topic["Properties"]["DisplayName"], "ops alarms");
        assert_eq!(
            topic["Properties"]["Tags"],
            json!([{"Key": "team", "Value": "infra"}])
        );
        let sub = &r[ALARM_SUBSCRIPTION]["Properties"];
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

#[cfg(test)]
mod notify_tests {
    use serde_json::json;

    use crate::synth::tests::{FAILOVER, WEB, resources};

    const STACK: &str =
        "[stack]\nname = \"ops\"\nregion = \"ap-northeast-1\"\nnotify = \"ops@example.com\"\n";
    const JOBS: &str = r#"
[backup.nightly]
target = "instance.web"
kind = "snapshot"
at = "00:30"
every = 24
keep = 7

[task.weekly]
target = "instance.web"
schedule = "cron(0 3 ? * SUN *)"
commands = ["true"]
"#;

    #[test]
    fn the_failover_alarm_mails_nobody_it_fires_at_every_scheduled_stop() {
        let r = resources(&format!("{STACK}{WEB}{FAILOVER}"));
        let alarm = &r["WwwAlarm"]["Properties"];
        assert_eq!(alarm["MetricName"], "GroupInServiceInstances");
        assert!(alarm.get("AlarmActions").is_none());
        assert!(alarm.get("OKActions").is_none());
        assert_eq!(
            r["WwwAlarm"]["Metadata"]["guard"]["SuppressedRules"],
            json!(["CLOUDWATCH_ALARM_ACTION_CHECK"])
        );
    }

    #[test]
    fn failed_backups_and_tasks_mail_and_only_their_rules_may_publish() {
        let r = resources(&format!("{STACK}{WEB}{JOBS}"));
        let backup = &r["NightlyErrorRule"]["Properties"];
        assert_eq!(backup["EventPattern"]["source"], json!(["aws.dlm"]));
        assert_eq!(
            backup["EventPattern"]["resources"],
            json!([{"Fn::GetAtt": ["NightlyLifecyclePolicy", "Arn"]}])
        );
        assert_eq!(backup["EventPattern"]["detail"]["state"], json!(["ERROR"]));
        assert_eq!(backup["Targets"][0]["Arn"], json!({"Ref": "AlarmTopic"}));
        let failed = &r["NightlyFailedAlarm"]["Properties"];
        let names: Vec<_> = failed["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["MetricStat"]["Metric"]["MetricName"].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "SnapshotsCreateFailed",
                "SnapshotsDeleteFailed",
                "SnapshotsCopiedRegionFailed"
            ]
        );
        let task = &r["WeeklyFailedRule"]["Properties"]["EventPattern"];
        assert_eq!(
            task["detail-type"],
            json!(["EC2 State Manager Instance Association State Change"])
        );
        assert_eq!(
            task["detail"],
            json!({"association-id": [{"Ref": "WeeklyAssociation"}], "status": ["Failed"]})
        );
        // The message is a JSON string EventBridge fills in.
        let template =
            r["WeeklyFailedRule"]["Properties"]["Targets"][0]["InputTransformer"]["InputTemplate"]
                .as_str()
                .unwrap();
        assert!(template.starts_with('"') && template.contains("<instance>"));

        let policy = &r["AlarmTopicPolicy"]["Properties"];
        assert_eq!(policy["Topics"], json!([{"Ref": "AlarmTopic"}]));
        // A topic policy replaces the default one: the alarms need their own.
        let alarms = &policy["PolicyDocument"]["Statement"][0];
        assert_eq!(
            alarms["Principal"],
            json!({"Service": "cloudwatch.amazonaws.com"})
        );
        assert_eq!(
            alarms["Condition"]["ArnLike"]["aws:SourceArn"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"}])
        );
        let s = &policy["PolicyDocument"]["Statement"][1];
        assert_eq!(s["Principal"], json!({"Service": "events.amazonaws.com"}));
        assert_eq!(s["Action"], json!(["sns:Publish"]));
        assert_eq!(
            s["Condition"]["ArnEquals"]["aws:SourceArn"],
            json!([
                {"Fn::GetAtt": ["NightlyErrorRule", "Arn"]},
                {"Fn::GetAtt": ["WeeklyFailedRule", "Arn"]},
            ])
        );
    }

    #[test]
    fn without_rules_there_is_no_topic_policy() {
        let r = resources(&format!("{STACK}{WEB}"));
        assert!(r.get("AlarmTopic").is_some());
        assert!(r.get("AlarmTopicPolicy").is_none());
    }
}
