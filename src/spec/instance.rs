//! `[instance.NAME]`: one auto-healing instance.

use super::{Blank, Body, Dns, Field, Hours, Launch, Sp, Table, WordOr, here, int};
use crate::kind::Kind;

/// The body of an `[instance.NAME]` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// `ami`, `type`, `subnets`, `security_groups`.
    pub(crate) launch: Launch,
    /// `elastic_ip`: `"new"`, `"none"`, `"eipalloc-…"` or a table.
    pub(crate) elastic_ip: Option<Sp<WordOr<EipTable>>>,
    /// Business hours.
    pub(crate) hours: Option<Sp<Hours>>,
    /// Per-boot DNS registration.
    pub(crate) dns: Option<Sp<Dns>>,
    /// Root volume size in GiB.
    pub(crate) volume_gb: Option<Sp<i64>>,
    /// Root device name of the AMI (extension; without it, `deploy.sh` reads
    /// it from the image).
    pub(crate) root_device: Option<Sp<String>>,
    /// Path of an extra first-boot script, relative to the topology file.
    pub(crate) setup: Option<Sp<String>>,
}

/// `elastic_ip = { allocation = "eipalloc-…", address = "198.51.100.7" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EipTable {
    /// The allocation id.
    pub(crate) allocation: Option<Sp<String>>,
    /// Its public address.
    pub(crate) address: Option<Sp<String>>,
}

impl Table for EipTable {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("allocation", Field::Text(&mut self.allocation)),
            ("address", Field::Text(&mut self.address)),
        ]
    }
}

impl Table for Instance {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        let mut fields = self.launch.fields();
        fields.extend([
            ("elastic_ip", Field::WordOrTable(&mut self.elastic_ip)),
            ("hours", Field::Table(&mut self.hours)),
            ("dns", Field::Table(&mut self.dns)),
            ("volume_gb", Field::Int(&mut self.volume_gb)),
            ("root_device", Field::Text(&mut self.root_device)),
            ("setup", Field::Text(&mut self.setup)),
        ]);
        fields
    }
}

impl Body for Instance {
    const KIND: Kind = Kind::Instance;
}

impl Instance {
    /// An instance from `ami` (`ami-…`, or `ssm:/aws/service/…` for a
    /// public SSM parameter) of `instance_type` (`t3.small`, …), launched
    /// into one of `subnets` (`subnet-…`, one or more) with
    /// `security_groups` (`sg-…`, one or more): the four keys the language
    /// requires.
    #[track_caller]
    pub fn new<S: Into<String>, G: Into<String>>(
        ami: impl Into<String>,
        instance_type: impl Into<String>,
        subnets: impl IntoIterator<Item = S>,
        security_groups: impl IntoIterator<Item = G>,
    ) -> Self {
        Instance {
            launch: Launch::new(ami, instance_type, subnets, security_groups),
            ..Instance::blank()
        }
    }

    /// `elastic_ip` (default [`ElasticIp::New`]).
    #[must_use]
    #[track_caller]
    pub fn elastic_ip(mut self, eip: ElasticIp) -> Self {
        let written = match eip {
            ElasticIp::New => WordOr::Word("new".into()),
            ElasticIp::None => WordOr::Word("none".into()),
            ElasticIp::Existing(allocation) => WordOr::Word(allocation),
            ElasticIp::WithAddress {
                allocation,
                address,
            } => WordOr::Table(EipTable {
                allocation: Some(here(allocation)),
                address: Some(here(address)),
            }),
        };
        self.elastic_ip = Some(Sp::here(written));
        self
    }

    /// `hours`: business hours, outside which the instance is stopped.
    #[must_use]
    #[track_caller]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.hours = Some(Sp::here(hours));
        self
    }

    /// `dns`: a record that the instance registers at every boot.
    #[must_use]
    #[track_caller]
    pub fn dns(mut self, dns: Dns) -> Self {
        self.dns = Some(Sp::here(dns));
        self
    }

    /// `volume_gb`: the root volume size in GiB.
    #[must_use]
    #[track_caller]
    pub fn volume_gb(mut self, gib: u32) -> Self {
        self.volume_gb = Some(int(gib));
        self
    }

    /// `root_device`: the AMI's root device name. Without it, `deploy.sh`
    /// reads it from the image; with it, `deploy.sh` checks it.
    #[must_use]
    #[track_caller]
    pub fn root_device(mut self, device: impl Into<String>) -> Self {
        self.root_device = Some(here(device));
        self
    }

    /// `setup`: the path of an extra first-boot script, read through the
    /// `Files` given to the compiler.
    #[must_use]
    #[track_caller]
    pub fn setup(mut self, path: impl Into<String>) -> Self {
        self.setup = Some(here(path));
        self
    }
}

/// `elastic_ip` of an instance, for the builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElasticIp {
    /// `"new"`: the template allocates one.
    New,
    /// `"none"`: the instance keeps its launch-time public IP.
    None,
    /// `"eipalloc-…"`: an existing allocation, whose address is unknown.
    Existing(String),
    /// `{ allocation, address }`: an existing allocation and its address,
    /// needed by a failover primary or an HTTP(S) health check.
    WithAddress {
        /// The allocation id, `eipalloc-…`.
        allocation: String,
        /// Its public IPv4 address.
        address: String,
    },
}
