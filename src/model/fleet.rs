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
    /// The subnet this client's instance runs in: [`subnet_of`] its id.
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
        /// With `notify` and `hours`: the schedules' own group.
        ScheduleGroup = "ScheduleGroup",
        /// With `notify` and `hours`: a start or stop that failed.
        ScheduleAlarm = "ScheduleAlarm",
        /// With `notify` and `hours`: the failed calls, with their errors.
        ScheduleQueue = "ScheduleDeadLetters",
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
        /// With `hours`: its instance's start schedule.
        Start = "StartAction",
        /// With `hours`: its instance's stop schedule.
        Stop = "StopAction",
    }
}

/// The subnet of client `id` among `subnets`: rendezvous (highest random
/// weight) hashing. Each subnet's weight for the client is the SHA-256 of
/// `CLIENT "\n" SUBNET`, compared as a big-endian number; the heaviest wins.
///
/// Why not the client's position in the list: a subnet is create-only on an
/// instance, so a client that moves is replaced, and its root volume goes
/// with it. With a hash of the id alone, adding or removing a client moves
/// no other client; adding a subnet moves only the clients that now weigh it
/// heaviest (about 1 in N), and removing one moves only its own clients.
///
/// `subnets` is never empty (validation requires one).
pub fn subnet_of<'a>(id: &str, subnets: &'a [String]) -> &'a str {
    use sha2::{Digest, Sha256};
    subnets
        .iter()
        .map(|s| {
            let weight: [u8; 32] = Sha256::digest(format!("{id}\n{s}")).into();
            (weight, s)
        })
        .max()
        .map(|(_, s)| s.as_str())
        .expect("a fleet has at least one subnet")
}

#[cfg(test)]
mod tests {
    use super::subnet_of;

    fn subnets(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("subnet-0{i:016x}")).collect()
    }

    fn clients(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("client-{i}")).collect()
    }

    #[test]
    fn the_function_is_the_documented_one() {
        // printf 'acme\nsubnet-a' | sha256sum: 70b47d66…;
        // printf 'acme\nsubnet-b' | sha256sum: 86164ef6…, the heavier.
        let two = ["subnet-a".to_string(), "subnet-b".to_string()];
        assert_eq!(subnet_of("acme", &two), "subnet-b");
    }

    #[test]
    fn a_new_subnet_takes_only_its_share_and_a_removed_one_moves_only_its_own() {
        let all = clients(3000);
        let three = subnets(3);
        let four = subnets(4);
        let mut moved = 0;
        for c in &all {
            let (a, b) = (subnet_of(c, &three), subnet_of(c, &four));
            if a != b {
                // A client moves only to the new subnet.
                assert_eq!(b, four[3], "{c}");
                moved += 1;
            }
        }
        // About a quarter moves (750 expected).
        assert!((600..=900).contains(&moved), "{moved} of 3000 moved");
        let without_first: Vec<String> = three[1..].to_vec();
        for c in &all {
            let a = subnet_of(c, &three);
            if a != three[0] {
                assert_eq!(subnet_of(c, &without_first), a, "{c}");
            }
        }
    }

    #[test]
    fn clients_spread_over_the_subnets() {
        let s = subnets(3);
        let mut counts = [0usize; 3];
        for c in clients(3000) {
            let i = s.iter().position(|x| x == subnet_of(&c, &s)).unwrap();
            counts[i] += 1;
        }
        for n in counts {
            assert!((850..=1150).contains(&n), "{counts:?}");
        }
    }
}
