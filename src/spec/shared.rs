//! Tables that more than one kind writes: the launch settings of instances
//! and fleets, business hours, and an instance's DNS registration.

use super::{Field, Handle, Ref, Sp, SpList, Table, here};
use crate::kind::slot;

/// What an instance and a fleet both launch from: `ami`, `type`, `subnets`,
/// `security_groups` (written at the top of the block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Launch {
    /// `ami-…` or `ssm:/aws/service/…`.
    pub(crate) ami: Option<Sp<String>>,
    /// Instance type.
    pub(crate) instance_type: Option<Sp<String>>,
    /// Subnet ids.
    pub(crate) subnets: Option<SpList>,
    /// Security group ids.
    pub(crate) security_groups: Option<SpList>,
}

impl Launch {
    /// Every key set: the four are required, so the builder's
    /// constructors take them all.
    #[track_caller]
    pub(crate) fn new<S: Into<String>, G: Into<String>>(
        ami: impl Into<String>,
        instance_type: impl Into<String>,
        subnets: impl IntoIterator<Item = S>,
        security_groups: impl IntoIterator<Item = G>,
    ) -> Self {
        let mut launch = Launch {
            ami: Some(here(ami)),
            instance_type: Some(here(instance_type)),
            ..Launch::default()
        };
        super::extend(&mut launch.subnets, subnets);
        super::extend(&mut launch.security_groups, security_groups);
        launch
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

/// `hours = { days, start, stop, timezone }`: when an instance or a fleet runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours {
    /// `MON-FRI`, `SAT,SUN`, …
    pub(crate) days: Option<Sp<String>>,
    /// `HH:MM` start.
    pub(crate) start: Option<Sp<String>>,
    /// `HH:MM` stop.
    pub(crate) stop: Option<Sp<String>>,
    /// IANA time zone.
    pub(crate) timezone: Option<Sp<String>>,
}

impl Hours {
    /// Runs on `days` (`MON-FRI`, `SAT,SUN`, …) from `start` to `stop`
    /// (`HH:MM`) in `timezone` (IANA, e.g. `Asia/Tokyo`).
    #[track_caller]
    pub fn new(
        days: impl Into<String>,
        start: impl Into<String>,
        stop: impl Into<String>,
        timezone: impl Into<String>,
    ) -> Self {
        Hours {
            days: Some(here(days)),
            start: Some(here(start)),
            stop: Some(here(stop)),
            timezone: Some(here(timezone)),
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    /// The zone.
    pub(crate) zone: Option<Sp<Ref>>,
    /// The record name.
    pub(crate) record: Option<Sp<String>>,
    /// `"public"` or `"private"`.
    pub(crate) ip: Option<Sp<String>>,
}

impl Dns {
    /// The A record `record` in `zone`.
    #[track_caller]
    pub fn new(zone: &Handle<super::Zone>, record: impl Into<String>) -> Self {
        Dns {
            zone: Some(zone.to_ref()),
            record: Some(here(record)),
            ip: None,
        }
    }

    /// `ip`: which of the instance's addresses (default [`Ip::Public`]).
    #[must_use]
    #[track_caller]
    pub fn ip(mut self, ip: Ip) -> Self {
        let word = match ip {
            Ip::Public => "public",
            Ip::Private => "private",
        };
        self.ip = Some(here(word));
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
