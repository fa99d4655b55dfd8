//! `[stack]`: with `notify`, the alarm topic and its e-mail subscription,
//! and the helpers by which each block adds what notifies it: alarms (their
//! `AlarmActions`/`OKActions` refer to the topic) and EventBridge rules
//! (which the topic policy lets publish). A block adds them only for what
//! needs a person; nothing routine, such as a scheduled stop, notifies.

use std::collections::BTreeMap;

use super::context::{self, Context};
use super::shared::arn;
use crate::cfn::cloudwatch::{Alarm, AlarmSource, Dimension};
use crate::cfn::events::{EventPattern, InputTransformer, Rule, RuleTarget};
use crate::cfn::iam::{Condition, Effect, PolicyDocument, Principal, Statement};
use crate::cfn::budgets::{
    Budget as BudgetResource, BudgetData, CostFilters, Notification, NotificationWithSubscribers,
    Spend, Subscriber,
};
use crate::cfn::chatbot::SlackChannelConfiguration;
use crate::cfn::iam::{InlinePolicy, Role};
use crate::cfn::sns::{Subscription, Topic, TopicPolicy};
use crate::cfn::{Expr, Output, Parameter, Pseudo, Resource};
use crate::model::stack::{
    ALARM_TOPIC, ALARM_TOPIC_ARN, ALARM_TOPIC_POLICY, BUDGET, BUDGET_TOPIC, BUDGET_TOPIC_ARN,
    BUDGET_TOPIC_POLICY, SLACK_CHANNEL, SLACK_CHANNEL_ROLE,
};
use crate::model::{Budget, Slack};
use crate::naming::LogicalId;

/// Why the alarm topic is not encrypted (see `synth`).
const PLAIN_TOPIC_REASON: &str = "Alarm notifications only (alarm name, state, metric), delivered as plain e-mail; CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer managed key would cost more than it protects.";

/// SNS's limit on a topic's display name.
const MAX_DISPLAY_NAME: usize = 100;

/// Adds the alarm topic and who it reaches, when `notify` is set: an
/// e-mail subscription per address, and a Slack channel through AWS
/// Chatbot; and the budget, which notifies the same topic.
pub(super) fn synth(cx: &mut Context<'_>) {
    let Some(notify) = cx.model.stack.notify.clone() else {
        return;
    };
    let topic = LogicalId::fixed(ALARM_TOPIC);
    // The topic's own policy is added once every block is synthesized
    // (`finish`): it names exactly the publishers the stack has.
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
    for (id, email) in notify.subscription_ids() {
        cx.add(
            &LogicalId::parse(&id).expect("bug in topoform: a subscription ID is alphanumeric"),
            Resource::new(Subscription {
                topic_arn: Expr::Ref(topic.clone()),
                protocol: "email",
                endpoint: email.to_string(),
            }),
        );
    }
    if let Some(slack) = &notify.slack {
        slack_channel(cx, slack);
    }
    cx.output(
        &LogicalId::fixed(ALARM_TOPIC_ARN),
        "The topic every alarm notifies: subscribe more endpoints to it".to_string(),
        Expr::Ref(topic),
        true,
    );
    if let Some(budget) = cx.model.stack.budget.clone() {
        monthly_budget(cx, &budget);
    }
}

/// AWS Chatbot's configuration of the Slack channel, subscribed to the
/// alarm topic, and the role it acts as.
///
/// Chatbot only posts: nobody runs commands from the channel. The role may
/// read the alarms and metrics that Chatbot shows beside a notification,
/// and nothing else; the guardrail (the most any channel member may do,
/// whatever role they bring) is AWS's read-only CloudWatch policy, because
/// without one AWS applies `AdministratorAccess`.
fn slack_channel(cx: &mut Context<'_>, slack: &Slack) {
    let role = LogicalId::fixed(SLACK_CHANNEL_ROLE);
    // A budget in the edge stack notifies a topic there, whose ARN the
    // deploy plan passes on: the channel posts it too.
    let edge_budget_topic = cx
        .model
        .stack
        .budget
        .as_ref()
        .filter(|b| !b.in_main_region)
        .map(|_| {
            let param = LogicalId::fixed(BUDGET_TOPIC_ARN);
            cx.main.parameters.insert(
                param.clone(),
                Parameter {
                    kind: "String",
                    default: None,
                    allowed_pattern: Some(BUDGET_TOPIC_ARN_PATTERN),
                    description: "ARN of the budget's topic, which the edge stack created in us-east-1".into(),
                },
            );
            Expr::Ref(param)
        });
    // No aws:SourceAccount condition: Chatbot's documented trust policies
    // have none, and a condition on a key the service does not send would
    // deny every AssumeRole. Nobody else can make Chatbot act as this role:
    // a role is passed only within its own account (iam:PassRole).
    let condition = Condition::new();
    let stack_name = cx.model.stack.name.clone();
    cx.add(
        &role,
        Resource::new(Role {
            description: format!(
                "AWS Chatbot reads the alarms it posts to Slack for {stack_name} (topoform)"
            ),
            assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
                "ChatbotAssumesRole",
                "chatbot.amazonaws.com",
                condition,
            )]),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "topoform-chatbot-read-alarms".into(),
                policy_document: PolicyDocument::new(vec![
                    Statement {
                        sid: "ReadAccountAlarms".into(),
                        effect: Effect::Allow,
                        principal: None,
                        action: vec!["cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms"],
                        resource: vec![arn("cloudwatch").lit("alarm:*").build()],
                        condition: Condition::new(),
                    },
                    // These actions have no resource type (Service
                    // Authorization Reference, Amazon CloudWatch): `*` is
                    // the only resource they take.
                    Statement {
                        sid: "ReadMetrics".into(),
                        effect: Effect::Allow,
                        principal: None,
                        action: vec![
                            "cloudwatch:GetMetricData",
                            "cloudwatch:GetMetricStatistics",
                            "cloudwatch:GetMetricWidgetImage",
                        ],
                        resource: vec![Expr::str("*")],
                        condition: Condition::new(),
                    },
                ]),
            }],
            tags: cx.tags_named(cx.display("slack")),
        })
        .skip_rule(
            "IAM_NO_INLINE_POLICY_CHECK",
            "Read-only and used by this role alone; a managed policy would outlive the role for nothing.",
        )
        .skip_rule(
            "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
            "cloudwatch:GetMetricData, GetMetricStatistics and GetMetricWidgetImage have no resource type: `*` is the only resource they accept; the alarm reads are scoped to the account's alarms.",
        ),
    );
    cx.add(
        &LogicalId::fixed(SLACK_CHANNEL),
        Resource::new(SlackChannelConfiguration {
            configuration_name: chatbot_name(&stack_name, &cx.model.stack.region, &slack.workspace),
            iam_role_arn: Expr::GetAtt(role, "Arn".into()),
            slack_workspace_id: slack.workspace.clone(),
            slack_channel_id: slack.channel.clone(),
            sns_topic_arns: std::iter::once(Expr::Ref(LogicalId::fixed(ALARM_TOPIC)))
                .chain(edge_budget_topic)
                .collect(),
            // Chatbot logs what it could not deliver (a message it cannot
            // parse, a channel it may not post to) to CloudWatch Logs.
            logging_level: "ERROR",
            guardrail_policies: vec![Expr::sub()
                .lit("arn:")
                .pseudo(Pseudo::Partition)
                .lit(":iam::aws:policy/CloudWatchReadOnlyAccess")
                .build()],
            tags: cx.stack_tags.clone(),
        }),
    );
}

/// Chatbot's limit on a configuration name.
const MAX_CHATBOT_NAME: usize = 128;

/// `STACK-REGION-WORKSPACE`, the stack name cut to fit Chatbot's limit.
/// Configuration names are unique in the account, and stack names only in
/// their region, hence the region; the name and the workspace are both
/// create-only, and a replacement under an unchanged name fails, hence the
/// workspace: a new workspace is a new name.
fn chatbot_name(stack: &str, region: &str, workspace: &str) -> String {
    fit_name(stack, &format!("-{region}-{workspace}"), MAX_CHATBOT_NAME)
}

/// `STACK` then `suffix`, in at most `max` characters. A stack name too
/// long for it is cut, and keeps 8 hex digits of SHA-256 of the whole name
/// (`STACKPREFIX-1A2B3C4D`): two stacks whose names share the first 100
/// characters still get different names, which Budgets and Chatbot need to
/// be unique in the account. A name that fits is left as it is.
fn fit_name(stack: &str, suffix: &str, max: usize) -> String {
    if stack.len() + suffix.len() <= max {
        return format!("{stack}{suffix}");
    }
    // Stack names are ASCII: characters are bytes.
    let keep = max.saturating_sub(suffix.len() + 9).min(stack.len());
    format!(
        "{}-{}{suffix}",
        &stack[..keep],
        crate::naming::short_hash(stack)
    )
}

/// Budgets' limit on a budget name.
const MAX_BUDGET_NAME: usize = 100;

/// The budget: a monthly cost limit on what carries the stack tag, which
/// notifies the alarm topic when the actual spend and the month's forecast
/// pass their percentages of it.
///
/// A change of the notifications replaces the budget (they are
/// create-only), and so does a change of its name; a replacement under the
/// same name fails, because the new budget is created before the old one
/// is deleted. So the name says the notifications
/// (`ops (ap-northeast-1) monthly, actual 80%, forecast 100%`): it changes
/// exactly when they do, and the replacement succeeds. The limit, the currency and the
/// tag change in place.
fn monthly_budget(cx: &mut Context<'_>, b: &Budget) {
    // Budget names are unique in the account, stack names in their region.
    let suffix = format!(
        " ({}) monthly, actual {}%, forecast {}%",
        cx.model.stack.region, b.actual, b.forecast
    );
    let (topic, policy) = if b.in_main_region {
        (ALARM_TOPIC, ALARM_TOPIC_POLICY)
    } else {
        edge_budget_topic(cx);
        (BUDGET_TOPIC, BUDGET_TOPIC_POLICY)
    };
    let subscriber = || Subscriber {
        subscription_type: "SNS",
        address: Expr::Ref(LogicalId::fixed(topic)),
    };
    let notification = |notification_type, threshold| NotificationWithSubscribers {
        notification: Notification {
            notification_type,
            comparison_operator: "GREATER_THAN",
            threshold,
            threshold_type: "PERCENTAGE",
        },
        subscribers: vec![subscriber()],
    };
    let (key, value) = &b.tag;
    let resource = Resource::new(BudgetResource {
        budget: BudgetData {
            budget_name: fit_name(&cx.model.stack.name, &suffix, MAX_BUDGET_NAME),
            budget_limit: Spend {
                amount: b.limit,
                unit: b.currency.clone(),
            },
            budget_type: "COST",
            time_unit: "MONTHLY",
            cost_filters: CostFilters {
                tag_key_value: vec![format!("user:{key}${value}")],
            },
        },
        notifications_with_subscribers: vec![
            notification("ACTUAL", b.actual),
            notification("FORECASTED", b.forecast),
        ],
        resource_tags: cx.stack_tags.clone(),
    })
    // Budgets must be allowed to publish before it can notify.
    .depends_on(&LogicalId::fixed(policy));
    let id = LogicalId::fixed(BUDGET);
    if b.in_main_region {
        cx.add(&id, resource);
    } else {
        context::add(cx.edge(), &id, resource);
    }
}

/// The bash regular expression of the edge budget topic's ARN.
const BUDGET_TOPIC_ARN_PATTERN: &str = "^arn:aws[a-z-]*:sns:us-east-1:[0-9]{12}:[A-Za-z0-9_-]+$";

/// Where CloudFormation has no budgets in the main region: the budget's own
/// topic in the edge stack, mailing the same addresses (each confirms it
/// once more), with a policy that lets the account's budgets publish, and
/// its ARN as an output for the main stack's Slack channel.
fn edge_budget_topic(cx: &mut Context<'_>) {
    let stack = cx.model.stack.name.clone();
    let tags = cx.stack_tags.clone();
    let emails: Vec<(String, String)> = cx
        .model
        .stack
        .notify
        .iter()
        .flat_map(|n| {
            n.budget_subscription_ids()
                .into_iter()
                .map(|(id, e)| (id, e.to_string()))
        })
        .collect();
    let topic = LogicalId::fixed(BUDGET_TOPIC);
    let edge = cx.edge();
    context::add(
        edge,
        &topic,
        Resource::new(Topic {
            display_name: display_name_with(&stack, " budget"),
            tags,
        })
        .skip_check("CKV_AWS_26", PLAIN_BUDGET_TOPIC_REASON)
        .skip_rule("SNS_ENCRYPTED_KMS", PLAIN_BUDGET_TOPIC_REASON),
    );
    for (id, email) in emails {
        context::add(
            edge,
            &LogicalId::parse(&id).expect("bug in topoform: a subscription ID is alphanumeric"),
            Resource::new(Subscription {
                topic_arn: Expr::Ref(topic.clone()),
                protocol: "email",
                endpoint: email,
            }),
        );
    }
    context::add(
        edge,
        &LogicalId::fixed(BUDGET_TOPIC_POLICY),
        Resource::new(TopicPolicy {
            policy_document: PolicyDocument::new(vec![budgets_publish(Expr::Ref(topic.clone()))]),
            topics: vec![Expr::Ref(topic.clone())],
        }),
    );
    edge.outputs.insert(
        LogicalId::fixed(BUDGET_TOPIC_ARN),
        Output {
            description: "The budget's topic: the main stack's parameter of the same name".into(),
            value: Expr::Ref(topic),
            export: None,
        },
    );
}

/// Why the edge budget topic is not encrypted.
const PLAIN_BUDGET_TOPIC_REASON: &str = "Budget notifications only (budget name, amounts), delivered as plain e-mail; Budgets cannot publish to a topic under the AWS managed SNS key, and a customer managed key would cost more than it protects.";

/// The statement that lets the account's budgets publish to `topic`, as
/// AWS's Budgets guide writes it (`arn:aws:budgets::ACCOUNT:*`: a budget's
/// ARN has no region).
fn budgets_publish(topic: Expr) -> Statement {
    let mut from_budgets = Condition::new();
    from_budgets
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    from_budgets.entry("ArnLike").or_default().insert(
        "aws:SourceArn",
        vec![Expr::sub()
            .lit("arn:")
            .pseudo(Pseudo::Partition)
            .lit(":budgets::")
            .pseudo(Pseudo::AccountId)
            .lit(":*")
            .build()],
    );
    Statement {
        sid: "AccountBudgetsPublish".into(),
        effect: Effect::Allow,
        principal: Some(Principal::Service("budgets.amazonaws.com")),
        action: vec!["sns:Publish"],
        resource: vec![topic],
        condition: from_budgets,
    }
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
    message: Message,
) {
    let message = input_transformer(cx, message);
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

/// A rule's message: `text`, with `<name>` for each field of `paths`
/// (name → JSON path in the event).
pub(super) struct Message {
    text: String,
    paths: BTreeMap<&'static str, &'static str>,
}

/// See [`Message`].
pub(super) fn message(text: &str, paths: &[(&'static str, &'static str)]) -> Message {
    Message {
        text: text.to_string(),
        paths: paths.iter().copied().collect(),
    }
}

/// How EventBridge sends a message to the topic. For e-mail alone, a JSON
/// string: SNS mails it as the text. With a Slack channel, AWS Chatbot's
/// custom notification (`{"version":"1.0","source":"custom","content":
/// {"description": …}}`), because Chatbot drops a message it cannot parse;
/// the e-mail then carries that JSON, the sentence inside it.
fn input_transformer(cx: &Context<'_>, m: Message) -> InputTransformer {
    let slack = cx
        .model
        .stack
        .notify
        .as_ref()
        .is_some_and(|n| n.slack.is_some());
    let input_template = if slack {
        serde_json::json!({
            "version": "1.0",
            "source": "custom",
            "content": {"description": m.text},
        })
        .to_string()
    } else {
        serde_json::to_string(&m.text).expect("a string serializes")
    };
    InputTransformer {
        input_paths_map: m.paths,
        input_template,
    }
}

/// Once every block is synthesized: the topic policy that lets the stack's
/// rules and its budget publish, when there are any: exactly those
/// publishers. Without them the topic keeps its default policy, which
/// admits the account's CloudWatch alarms; a topic policy replaces it, so
/// it must name the alarms too. Auto Scaling's
/// notifications need neither: its service-linked role's own policy allows
/// sns:Publish, and the topic is in the same account.
pub(super) fn finish(cx: &mut Context<'_>) {
    let budget = cx
        .model
        .stack
        .budget
        .as_ref()
        .is_some_and(|b| b.in_main_region);
    if cx.notify_rules.is_empty() && !budget {
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
    let mut statements = vec![alarms];
    if !cx.notify_rules.is_empty() {
        statements.push(statement);
    }
    if budget {
        statements.push(budgets_publish(topic.clone()));
    }
    cx.add(
        &LogicalId::fixed(ALARM_TOPIC_POLICY),
        Resource::new(TopicPolicy {
            policy_document: PolicyDocument::new(statements),
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
    display_name_with(stack, " alarms")
}

/// `STACK` and `suffix`, the stack name cut to fit SNS's limit.
fn display_name_with(stack: &str, suffix: &str) -> String {
    let stack: String = stack
        .chars()
        .take(MAX_DISPLAY_NAME - suffix.len())
        .collect();
    format!("{stack}{suffix}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::stack::ALARM_SUBSCRIPTION;
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

    #[test]
    fn names_cut_to_fit_stay_unique_and_names_that_fit_stay_whole() {
        let suffix = " (eu-west-1) monthly, actual 80%, forecast 100%";
        assert_eq!(fit_name("ops", suffix, 100), format!("ops{suffix}"));
        let base = "platform-billing-backoffice-production-eu-west-1-service";
        let (blue, green) = (
            fit_name(&format!("{base}-blue"), suffix, 100),
            fit_name(&format!("{base}-green"), suffix, 100),
        );
        assert_ne!(blue, green);
        for name in [&blue, &green] {
            assert_eq!(name.len(), 100, "{name}");
            assert!(name.starts_with("platform-billing"), "{name}");
            assert!(name.ends_with(suffix), "{name}");
        }
        // Just over: cut, with the hash; at the limit: whole.
        let at = "a".repeat(100 - suffix.len());
        assert_eq!(fit_name(&at, suffix, 100), format!("{at}{suffix}"));
        assert_eq!(fit_name(&format!("{at}b"), suffix, 100).len(), 100);
        let chatbot = chatbot_name(&"s".repeat(128), "ap-northeast-1", "T0123ABCDE");
        assert_eq!(chatbot.len(), MAX_CHATBOT_NAME);
        assert!(chatbot.ends_with("-ap-northeast-1-T0123ABCDE"));
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

#[cfg(test)]
mod budget_and_slack_tests {
    use serde_json::json;

    use crate::model::stack::extra_subscription_id;
    use crate::synth::tests::{WEB, resources};

    const STACK: &str = "[stack]\nname = \"ops\"\nregion = \"ap-northeast-1\"\ntags = { team = \"infra\" }\n";
    const NOTIFY: &str = "notify = { email = [\"ops@example.com\", \"Lead@example.com\"], slack = { workspace = \"T0123ABCDE\", channel = \"C0123ABCDEF\" } }\n";

    #[test]
    fn every_address_has_its_own_subscription_and_the_first_keeps_the_old_id() {
        let r = resources(&format!("{STACK}{NOTIFY}{WEB}"));
        assert_eq!(
            r["AlarmTopicSubscription"]["Properties"]["Endpoint"],
            "ops@example.com"
        );
        let second = extra_subscription_id("lead@example.com");
        assert_eq!(second, extra_subscription_id("LEAD@example.com"));
        assert_eq!(r[&second]["Properties"]["Endpoint"], "Lead@example.com");
        assert_eq!(r[&second]["Properties"]["TopicArn"], json!({"Ref": "AlarmTopic"}));
    }

    #[test]
    fn slack_posts_the_topic_with_a_read_only_role_and_guardrail() {
        let r = resources(&format!("{STACK}{NOTIFY}{WEB}"));
        let c = &r["SlackChannel"];
        assert_eq!(c["Type"], "AWS::Chatbot::SlackChannelConfiguration");
        let p = &c["Properties"];
        assert_eq!(p["ConfigurationName"], "ops-ap-northeast-1-T0123ABCDE");
        assert_eq!(p["SlackWorkspaceId"], "T0123ABCDE");
        assert_eq!(p["SlackChannelId"], "C0123ABCDEF");
        assert_eq!(p["SnsTopicArns"], json!([{"Ref": "AlarmTopic"}]));
        assert_eq!(
            p["GuardrailPolicies"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/CloudWatchReadOnlyAccess"}])
        );
        let role = &r["SlackChannelRole"]["Properties"];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "chatbot.amazonaws.com"})
        );
        let actions: Vec<&str> = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap())
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            actions
                .iter()
                .all(|a| a.starts_with("cloudwatch:Describe") || a.starts_with("cloudwatch:Get")),
            "{actions:?}"
        );
    }

    #[test]
    fn with_slack_rule_messages_are_chatbot_custom_notifications() {
        let jobs = "[task.weekly]\ntarget = \"instance.web\"\nschedule = \"cron(0 3 ? * SUN *)\"\ncommands = [\"true\"]\n";
        let r = resources(&format!("{STACK}{NOTIFY}{WEB}{jobs}"));
        let template = r["WeeklyFailedRule"]["Properties"]["Targets"][0]["InputTransformer"]
            ["InputTemplate"]
            .as_str()
            .unwrap();
        let parsed: serde_json::Value =
            serde_json::from_str(&template.replace("<instance>", "i-0").replace(['<', '>'], ""))
                .unwrap();
        assert_eq!(parsed["version"], "1.0");
        assert_eq!(parsed["source"], "custom");
        assert!(parsed["content"]["description"].as_str().unwrap().contains("i-0"));
    }

    #[test]
    fn a_budget_notifies_the_topic_scoped_by_the_stack_tag() {
        let budget = "budget = { limit = 300, actual = 90 }\n";
        let r = resources(&format!("{STACK}{NOTIFY}{budget}{WEB}"));
        let b = &r["MonthlyBudget"];
        assert_eq!(b["Type"], "AWS::Budgets::Budget");
        assert_eq!(b["DependsOn"], json!(["AlarmTopicPolicy"]));
        let p = &b["Properties"];
        assert_eq!(
            p["Budget"]["BudgetName"],
            "ops (ap-northeast-1) monthly, actual 90%, forecast 100%"
        );
        assert_eq!(p["Budget"]["BudgetLimit"], json!({"Amount": 300, "Unit": "USD"}));
        assert_eq!(p["Budget"]["TimeUnit"], "MONTHLY");
        assert_eq!(p["Budget"]["BudgetType"], "COST");
        assert_eq!(
            p["Budget"]["CostFilters"],
            json!({"TagKeyValue": ["user:team$infra"]})
        );
        let kinds: Vec<_> = p["NotificationsWithSubscribers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                assert_eq!(
                    n["Subscribers"],
                    json!([{"SubscriptionType": "SNS", "Address": {"Ref": "AlarmTopic"}}])
                );
                (
                    n["Notification"]["NotificationType"].as_str().unwrap().to_string(),
                    n["Notification"]["Threshold"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [("ACTUAL".to_string(), 90), ("FORECASTED".to_string(), 100)]
        );
        // The alarms', the rules' (the Slack channel's scaling errors) and
        // the budgets'.
        let statements = &r["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"];
        let principals: Vec<_> = statements
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Principal"]["Service"].as_str().unwrap())
            .collect();
        assert_eq!(
            principals,
            [
                "cloudwatch.amazonaws.com",
                "events.amazonaws.com",
                "budgets.amazonaws.com"
            ]
        );
        assert_eq!(
            statements[2]["Condition"]["ArnLike"]["aws:SourceArn"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:budgets::${AWS::AccountId}:*"}])
        );
    }

    #[test]
    fn where_cloudformation_has_no_budgets_the_budget_goes_to_the_edge_stack() {
        let north = STACK.replace("ap-northeast-1", "eu-north-1");
        let budget = "budget = { limit = 300 }\n";
        let t = crate::synth::tests::templates(&format!("{north}{NOTIFY}{budget}{WEB}"));
        let edge = &t["ops-edge.template.json"];
        assert_eq!(edge["Metadata"]["topoform"]["region"], "us-east-1");
        assert_eq!(
            edge["Description"],
            "Edge stack of ops: the cost budget, which CloudFormation does not offer in eu-north-1"
        );
        let r = &edge["Resources"];
        assert_eq!(
            r["MonthlyBudget"]["Properties"]["NotificationsWithSubscribers"][0]["Subscribers"],
            json!([{"SubscriptionType": "SNS", "Address": {"Ref": "BudgetTopic"}}])
        );
        assert_eq!(r["MonthlyBudget"]["DependsOn"], json!(["BudgetTopicPolicy"]));
        let policy = &r["BudgetTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"];
        assert_eq!(policy.as_array().unwrap().len(), 1);
        assert_eq!(policy[0]["Principal"], json!({"Service": "budgets.amazonaws.com"}));
        // Every address mails from this topic too, under its own IDs.
        assert_eq!(
            r["BudgetTopicSubscription"]["Properties"]["Endpoint"],
            "ops@example.com"
        );
        let ids: Vec<_> = r.as_object().unwrap().keys().collect();
        assert_eq!(ids.len(), 5, "{ids:?}");
        assert_eq!(edge["Outputs"]["BudgetTopicArn"]["Value"], json!({"Ref": "BudgetTopic"}));
        // The main stack: no budget, no budget statement; the channel posts
        // the edge topic through a parameter.
        let main = &t["ops.template.json"];
        assert!(main["Resources"].get("MonthlyBudget").is_none());
        let statements = main["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]
            ["Statement"]
            .as_array()
            .unwrap();
        assert!(
            statements
                .iter()
                .all(|s| s["Principal"]["Service"] != "budgets.amazonaws.com")
        );
        assert_eq!(
            main["Resources"]["SlackChannel"]["Properties"]["SnsTopicArns"],
            json!([{"Ref": "AlarmTopic"}, {"Ref": "BudgetTopicArn"}])
        );
        assert_eq!(main["Parameters"]["BudgetTopicArn"]["Type"], "String");
    }
}
