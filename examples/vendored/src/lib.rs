//! The infrastructure of a small analytics team, as code: one Redash
//! instance on business hours, a failover to a sorry page when it is
//! stopped, and a fleet with one instance per client.

use topoform::builder::{Clients, Failover, Fleet, Handle, Hours, Instance, Sorry, Topology, Zone};

/// The certificate of the sorry site (us-east-1, for CloudFront).
const SORRY_CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";

/// What the tests look up after building.
pub struct Infra {
    /// The topology, to compile.
    pub topology: Topology,
    /// The Redash instance.
    pub redash: Handle<Instance>,
    /// The per-client fleet.
    pub clients: Handle<Fleet>,
}

/// The team's topology, with one fleet instance per client.
pub fn infra(clients: &[String]) -> Infra {
    let mut topo = Topology::new("analytics", "ap-northeast-1");
    topo.description("Redash on business hours, and one instance per client")
        .tag("Team", "analytics")
        .notify("ops@example.com");
    let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let redash = topo.instance(
        "redash",
        Instance::new(
            "ami-0064e711cbc7a825e",
            "t3.small",
            ["subnet-0b99e52d17314979d"],
            ["sg-04b4e7642a8fc6efe"],
        )
        .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
    );
    let closed = topo.sorry("closed", Sorry::new(SORRY_CERT).title("Closed for today"));
    topo.failover(
        "redash",
        Failover::new("redash.example.com", &public, &redash, &closed),
    );
    let clients = topo.fleet(
        "clients",
        Fleet::new(
            "ami-0064e711cbc7a825e",
            "t3.micro",
            ["subnet-0b99e52d17314979d", "subnet-0c1a2b3c4d5e6f708"],
            ["sg-04b4e7642a8fc6efe"],
            Clients::ids(clients.iter().cloned()),
        ),
    );
    // The escape hatch: a property topoform does not expose. Containers
    // on the Redash host need a second hop to reach IMDSv2.
    topo.override_property(
        &redash,
        "AWS::EC2::LaunchTemplate",
        "LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit",
        2,
    );
    Infra {
        topology: topo,
        redash,
        clients,
    }
}
