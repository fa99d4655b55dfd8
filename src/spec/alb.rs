//! `[alb.NAME]`: an HTTPS load balancer in front of an instance.

use super::{Blank, Body, Field, Handle, Instance, Ref, Sp, SpList, Table, here, extend, int, push};
use crate::kind::{Kind, slot};

/// The body of an `[alb.NAME]` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alb {
    /// VPC id of the subnets (extension; without it, `deploy.sh` finds it
    /// from the subnets).
    pub(crate) vpc: Option<Sp<String>>,
    /// Two or more subnet ids in distinct AZs.
    pub(crate) subnets: Option<SpList>,
    /// ACM certificate ARN in the stack's region.
    pub(crate) certificate: Option<Sp<String>>,
    /// The instance behind it.
    pub(crate) target: Option<Sp<Ref>>,
    /// Instance port.
    pub(crate) port: Option<Sp<i64>>,
    /// Target group health check path.
    pub(crate) health_path: Option<Sp<String>>,
    /// CIDRs allowed to reach 443.
    pub(crate) allow: Option<SpList>,
}

impl Table for Alb {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("vpc", Field::Text(&mut self.vpc)),
            ("subnets", Field::List(&mut self.subnets)),
            ("certificate", Field::Text(&mut self.certificate)),
            ("target", Field::Ref(&mut self.target, &slot::ALB_TARGET)),
            ("port", Field::Int(&mut self.port)),
            ("health_path", Field::Text(&mut self.health_path)),
            ("allow", Field::List(&mut self.allow)),
        ]
    }
}

impl Body for Alb {
    const KIND: Kind = Kind::Alb;
}

impl Alb {
    /// A load balancer serving HTTPS with `certificate`, an ACM certificate
    /// ARN in the stack's region, in front of the instance `target`, in
    /// `subnets`: two or more, in distinct Availability Zones.
    #[track_caller]
    pub fn new<S: Into<String>>(
        certificate: impl Into<String>,
        target: &Handle<Instance>,
        subnets: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut alb = Alb {
            certificate: Some(here(certificate)),
            target: Some(target.to_ref()),
            ..Alb::blank()
        };
        extend(&mut alb.subnets, subnets);
        alb
    }

    /// `vpc`: the VPC of the subnets (`vpc-…`). Without it, `deploy.sh`
    /// finds it from the subnets; with it, `deploy.sh` checks that the
    /// subnets are in it.
    #[must_use]
    #[track_caller]
    pub fn vpc(mut self, id: impl Into<String>) -> Self {
        self.vpc = Some(here(id));
        self
    }

    /// `port`: the instance port (default 80).
    #[must_use]
    #[track_caller]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(int(port));
        self
    }

    /// `health_path`: the target group's health check path (default `/`).
    #[must_use]
    #[track_caller]
    pub fn health_path(mut self, path: impl Into<String>) -> Self {
        self.health_path = Some(here(path));
        self
    }

    /// Adds a CIDR to `allow`, who may reach port 443 (default
    /// `0.0.0.0/0`). Call once per CIDR.
    #[must_use]
    #[track_caller]
    pub fn allow(mut self, cidr: impl Into<String>) -> Self {
        push(&mut self.allow, cidr);
        self
    }
}
