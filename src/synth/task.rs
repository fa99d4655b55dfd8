//! `[task.NAME]`: an SSM State Manager association running shell commands
//! on the instances that carry the target's tag (`shared::target_tag`).

use std::collections::BTreeMap;

use super::context::Context;
use super::shared::target_tag;
use super::stack::{message, notifies, notify_rule};
use crate::cfn::events::EventPattern;
use crate::cfn::ssm::{Association, AssociationTarget, RunShellScriptParameters};
use crate::cfn::{Expr, Resource};
use crate::model::Task;
use crate::model::task::Part;

/// Adds a task's State Manager association.
pub(super) fn synth(cx: &mut Context<'_>, task: &Task) {
    let tag = target_tag(cx.model, &task.target);
    cx.add(
        &task.prefix.id(Part::Association),
        Resource::new(Association {
            name: "AWS-RunShellScript",
            association_name: cx.display(task.name.as_str()),
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
            tags: cx.stack_tags.clone(),
        }),
    );
    failed_rule(cx, task);
}

/// With `notify`: a run that failed on an instance. State Manager reports
/// each instance's result as an event; the association's id (its `Ref`)
/// picks this task's.
fn failed_rule(cx: &mut Context<'_>, task: &Task) {
    if !notifies(cx) {
        return;
    }
    let what = format!("[task.{}]", task.name.as_str());
    let detail = BTreeMap::from([
        (
            "association-id",
            vec![Expr::Ref(task.prefix.id(Part::Association))],
        ),
        ("status", vec![Expr::str("Failed")]),
    ]);
    notify_rule(
        cx,
        &task.prefix.id(Part::FailedRule),
        format!("{what}: a run failed on an instance (topoform)"),
        EventPattern {
            source: vec!["aws.ssm"],
            detail_type: vec!["EC2 State Manager Instance Association State Change"],
            resources: Vec::new(),
            detail,
        },
        message(
            &format!(
                "{what} failed on instance <instance> at <time>: see the association's history in Systems Manager, State Manager."
            ),
            &[("instance", "$.detail.instance-id"), ("time", "$.time")],
        ),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::synth::tests::{CLIENTS, resources};

    /// The association of a task on fleet `clients` of stack `ops`.
    fn association(schedule: &str) -> Value {
        let r = resources(&format!(
            r#"[stack]
name = "ops"
region = "ap-northeast-1"
{CLIENTS}
[task.rotate-logs]
target = "fleet.clients"
schedule = "{schedule}"
commands = ["logrotate -f /etc/logrotate.conf", 'echo "done"']
"#
        ));
        r["RotateLogsAssociation"]["Properties"].clone()
    }

    #[test]
    fn cron_task_runs_only_at_its_times() {
        let p = association("cron(0 3 * * ? *)");
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
        assert!(
            association("rate(30 minutes)")
                .get("ApplyOnlyAtCronInterval")
                .is_none()
        );
    }
}
