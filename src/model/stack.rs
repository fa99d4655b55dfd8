//! `[stack]`: the main stack, and the stack-wide alarm topic.

use std::collections::BTreeMap;

/// The main stack.
#[derive(Clone, Debug, Default)]
pub struct Stack {
    /// Stack name.
    pub name: String,
    /// Region of the main stack.
    pub region: String,
    /// Template description.
    pub description: Option<String>,
    /// Tags for every taggable resource, sorted by key.
    pub tags: BTreeMap<String, String>,
    /// E-mail address that every alarm notifies (through one SNS topic).
    pub notify: Option<String>,
}

/// Stack-wide IDs: the alarm topic and its subscription (`[stack] notify`).
pub const ALARM_TOPIC: &str = "AlarmTopic";
/// See [`ALARM_TOPIC`].
pub const ALARM_SUBSCRIPTION: &str = "AlarmTopicSubscription";
/// The output of the alarm topic's ARN.
pub const ALARM_TOPIC_ARN: &str = "AlarmTopicArn";
/// The topic policy that lets the stack's EventBridge rules publish.
pub const ALARM_TOPIC_POLICY: &str = "AlarmTopicPolicy";
