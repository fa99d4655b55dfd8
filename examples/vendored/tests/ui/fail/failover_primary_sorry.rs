use topoform::builder::{Failover, Sorry, Topology, Zone};

fn main() {
    let mut topo = Topology::new("demo", "ap-northeast-1");
    let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let sorry = topo.sorry("closed", Sorry::new("arn:aws:acm:us-east-1:1:certificate/x"));
    let _ = Failover::new("www.example.com", &zone, &sorry, &sorry);
}
