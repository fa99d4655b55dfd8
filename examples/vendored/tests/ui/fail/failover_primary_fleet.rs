use topoform::builder::{Clients, Failover, Fleet, Sorry, Topology, Zone};

fn main() {
    let mut topo = Topology::new("demo", "ap-northeast-1");
    let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let fleet = topo.fleet(
        "app",
        Fleet::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
            Clients::ids(["acme"]),
        ),
    );
    let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    let _ = Failover::new("www.example.com", &zone, &fleet, &sorry);
}
