//! `[instance.NAME]`: one auto-healing instance.

use super::{Body, Dns, Field, Hours, Launch, Sp, Table, WordOr, bare, int};
use crate::kind::Kind;

/// The body of an `[instance.NAME]` block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Instance {
    /// `ami`, `type`, `subnets`, `security_groups`.
    pub launch: Launch,
    /// `elastic_ip`: `"new"`, `"none"`, `"eipalloc-…"` or a table.
    pub elastic_ip: Option<Sp<WordOr<EipTable>>>,
    /// Business hours.
    pub hours: Option<Sp<Hours>>,
    /// Per-boot DNS registration.
    pub dns: Option<Sp<Dns>>,
    /// Root volume size in GiB.
    pub volume_gb: Option<Sp<i64>>,
    /// Root device name of the AMI (extension; without it, `deploy.sh` reads
    /// it from the image).
    pub root_device: Option<Sp<String>>,
    /// Path of an extra first-boot script, relative to the topology file.
    pub setup: Option<Sp<String>>,
}

/// `elastic_ip = { allocation = "eipalloc-…", address = "198.51.100.7" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EipTable {
    /// The allocation id.
    pub allocation: Option<Sp<String>>,
    /// Its public address.
    pub address: Option<Sp<String>>,
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
    /// public SSM parameter) of `instance_type` (`t3.small`, …).
    pub fn new(ami: impl Into<String>, instance_type: impl Into<String>) -> Self {
        Instance {
            launch: Launch::new(ami, instance_type),
            ..Instance::default()
        }
    }

    super::shared::launch_builder!();

    /// `elastic_ip` (default [`ElasticIp::New`]).
    #[must_use]
    pub fn elastic_ip(mut self, eip: ElasticIp) -> Self {
        let written = match eip {
            ElasticIp::New => WordOr::Word("new".into()),
            ElasticIp::None => WordOr::Word("none".into()),
            ElasticIp::Existing(allocation) => WordOr::Word(allocation),
            ElasticIp::WithAddress {
                allocation,
                address,
            } => WordOr::Table(EipTable {
                allocation: Some(bare(allocation)),
                address: Some(bare(address)),
            }),
        };
        self.elastic_ip = Some(Sp::bare(written));
        self
    }

    /// `hours`: business hours, outside which the instance is stopped.
    #[must_use]
    pub fn hours(mut self, hours: Hours) -> Self {
        self.hours = Some(Sp::bare(hours));
        self
    }

    /// `dns`: a record that the instance registers at every boot.
    #[must_use]
    pub fn dns(mut self, dns: Dns) -> Self {
        self.dns = Some(Sp::bare(dns));
        self
    }

    /// `volume_gb`: the root volume size in GiB.
    #[must_use]
    pub fn volume_gb(mut self, gib: u32) -> Self {
        self.volume_gb = Some(int(gib));
        self
    }

    /// `root_device`: the AMI's root device name. Without it, `deploy.sh`
    /// reads it from the image; with it, `deploy.sh` checks it.
    #[must_use]
    pub fn root_device(mut self, device: impl Into<String>) -> Self {
        self.root_device = Some(bare(device));
        self
    }

    /// `setup`: the path of an extra first-boot script, read through the
    /// `Files` given to the compiler.
    #[must_use]
    pub fn setup(mut self, path: impl Into<String>) -> Self {
        self.setup = Some(bare(path));
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
