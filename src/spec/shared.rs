//! Tables that more than one kind writes: the launch settings of instances
//! and fleets, business hours, and an instance's DNS registration.

use super::{Field, Handle, Ref, Sp, SpList, Table, bare};
use crate::kind::slot;

/// What an instance and a fleet both launch from: `ami`, `type`, `subnets`,
/// `security_groups` (written at the top of the block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Launch {
    /// `ami-…` or `ssm:/aws/service/…`.
    pub ami: Option<Sp<String>>,
    /// Instance type.
    pub instance_type: Option<Sp<String>>,
    /// Subnet ids.
    pub subnets: Option<SpList>,
    /// Security group ids.
    pub security_groups: Option<SpList>,
}

impl Launch {
    /// `ami` and `type` set.
    pub(crate) fn new(ami: impl Into<String>, instance_type: impl Into<String>) -> Self {
        Launch {
            ami: Some(bare(ami)),
            instance_type: Some(bare(instance_type)),
            ..Launch::default()
        }
    }
}

impl Table for Launch {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("ami", Field::Text(&mut self.ami)),
            ("type", Field::Text(&mut self.instance_type)),
            ("subnets", Field::List(&mut self.subnets)),
            ("security_groups", Field::List(&mut self.security_groups)),
        ]
    }
}

/// The builder methods of the launch settings, for a body with a `launch`
/// field (instances and fleets).
macro_rules! launch_builder {
    () => {
        /// Adds one of `subnets`. Call once per subnet.
        #[must_use]
        pub fn subnet(mut self, id: impl Into<String>) -> Self {
            crate::spec::push(&mut self.launch.subnets, id);
            self
        }

        /// Adds every subnet of `ids` to `subnets`.
        #[must_use]
        pub fn subnets<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
            crate::spec::extend(&mut self.launch.subnets, ids);
            self
        }

        /// Adds one of `security_groups`. Call once per group.
        #[must_use]
        pub fn security_group(mut self, id: impl Into<String>) -> Self {
            crate::spec::push(&mut self.launch.security_groups, id);
            self
        }

        /// Adds every group of `ids` to `security_groups`.
        #[must_use]
        pub fn security_groups<S: Into<String>>(
            mut self,
            ids: impl IntoIterator<Item = S>,
        ) -> Self {
            crate::spec::extend(&mut self.launch.security_groups, ids);
            self
        }
    };
}
pub(crate) use launch_builder;

/// `hours = { days, start, stop, timezone }`: when an instance or a fleet runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hours {
    /// `MON-FRI`, `SAT,SUN`, …
    pub days: Option<Sp<String>>,
    /// `HH:MM` start.
    pub start: Option<Sp<String>>,
    /// `HH:MM` stop.
    pub stop: Option<Sp<String>>,
    /// IANA time zone.
    pub timezone: Option<Sp<String>>,
}

impl Hours {
    /// Runs on `days` (`MON-FRI`, `SAT,SUN`, …) from `start` to `stop`
    /// (`HH:MM`) in `timezone` (IANA, e.g. `Asia/Tokyo`).
    pub fn new(
        days: impl Into<String>,
        start: impl Into<String>,
        stop: impl Into<String>,
        timezone: impl Into<String>,
    ) -> Self {
        Hours {
            days: Some(bare(days)),
            start: Some(bare(start)),
            stop: Some(bare(stop)),
            timezone: Some(bare(timezone)),
        }
    }
}

impl Table for Hours {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("days", Field::Text(&mut self.days)),
            ("start", Field::Text(&mut self.start)),
            ("stop", Field::Text(&mut self.stop)),
            ("timezone", Field::Text(&mut self.timezone)),
        ]
    }
}

/// `dns = { zone, record, ip }` of an instance: an A record it UPSERTs with
/// its own IP at every boot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dns {
    /// The zone.
    pub zone: Option<Sp<Ref>>,
    /// The record name.
    pub record: Option<Sp<String>>,
    /// `"public"` or `"private"`.
    pub ip: Option<Sp<String>>,
}

impl Dns {
    /// The A record `record` in `zone`.
    pub fn new(zone: &Handle<super::Zone>, record: impl Into<String>) -> Self {
        Dns {
            zone: Some(zone.to_ref()),
            record: Some(bare(record)),
            ip: None,
        }
    }

    /// `ip`: which of the instance's addresses (default [`Ip::Public`]).
    #[must_use]
    pub fn ip(mut self, ip: Ip) -> Self {
        let word = match ip {
            Ip::Public => "public",
            Ip::Private => "private",
        };
        self.ip = Some(bare(word));
        self
    }
}

impl Table for Dns {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("zone", Field::Ref(&mut self.zone, &slot::INSTANCE_DNS_ZONE)),
            ("record", Field::Text(&mut self.record)),
            ("ip", Field::Text(&mut self.ip)),
        ]
    }
}

/// Which address of an instance a [`Dns`] record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    /// `"public"`: its public IPv4 address.
    Public,
    /// `"private"`: its private IPv4 address.
    Private,
}
