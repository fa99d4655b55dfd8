//! `[fleet.NAME]`: one instance per client from a golden AMI.

use super::{Hours, Launch, Name};
use crate::naming::{Prefix, parts};

/// One client of a fleet.
#[derive(Clone, Debug)]
pub struct Client {
    /// Client id (`[a-z0-9-]+`).
    pub id: String,
    /// Logical ID prefix of the client's resources (fleet + client).
    pub prefix: Prefix,
    /// The subnet this client's instance runs in (round-robin over the fleet's).
    pub subnet: String,
    /// The client's private record, `{client}` substituted.
    pub record: Option<String>,
}

/// One instance per client from a golden AMI.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix of the shared resources.
    pub prefix: Prefix,
    /// What its instances launch from.
    pub launch: Launch,
    /// The clients, sorted by id.
    pub clients: Vec<Client>,
    /// The tag that carries the client id.
    pub tag: String,
    /// Hosted zone id of the clients' private records.
    pub dns_zone_id: Option<String>,
    /// Parameter names read from SSM `/FLEET/CLIENT/PARAM` at first boot.
    pub parameters: Vec<String>,
    /// The first-boot command, as words.
    pub bootstrap: Option<Vec<String>>,
    /// Start/stop schedule.
    pub hours: Option<Hours>,
}

parts! {
    /// What a `[fleet]` produces once, for all its clients.
    pub Part {
        /// The shared launch template.
        LaunchTemplate = "LaunchTemplate",
        /// The AMI parameter, for `ssm:` images.
        ImageId = "ImageId",
        /// The parameter that holds the image's root device name.
        RootDevice = "RootDevice",
        /// The role EventBridge Scheduler acts as.
        SchedulerRole = "SchedulerRole",
        /// The start schedule.
        Start = "StartAction",
        /// The stop schedule.
        Stop = "StopAction",
        /// With `notify` and `hours`: the schedules' own group.
        ScheduleGroup = "ScheduleGroup",
        /// With `notify` and `hours`: a start or stop that failed.
        ScheduleAlarm = "ScheduleAlarm",
    }
}

parts! {
    /// What each client of a fleet produces (prefix: fleet and client).
    pub ClientPart {
        /// Its role.
        Role = "Role",
        /// The role's policy.
        Policy = "Policy",
        /// Its instance profile.
        InstanceProfile = "InstanceProfile",
        /// Its instance.
        Instance = "Instance",
        /// With `notify`: its instance fails its EC2 status checks.
        StatusCheckAlarm = "StatusCheckAlarm",
    }
}
