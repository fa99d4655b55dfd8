//! `[stack]`: with `notify`, the alarm topic and its e-mail subscription.
//! Every alarm's `AlarmActions`/`OKActions` refer to the topic.

use super::context::Context;
use crate::cfn::sns::{Subscription, Topic};
use crate::cfn::{Expr, Resource};
use crate::model::stack::{ALARM_SUBSCRIPTION, ALARM_TOPIC, ALARM_TOPIC_ARN};
use crate::naming::LogicalId;

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
    .skip_check(
        "CKV_AWS_26",
        "Alarm notifications only (alarm name, state, metric), delivered as plain e-mail; CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer managed key would cost more than it protects.",
    );
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
