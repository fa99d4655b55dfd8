// Every method of a topology takes `&mut self`: stack settings and blocks
// mix in any order, and nothing is silently dropped by a clone.
use topoform::builder::{Instance, Topology};

fn main() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    topo.tag("Team", "web");
    topo.instance(
        "web",
        Instance::new("ami-0123456789abcdef0", "t3.small", ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]),
    );
    topo.description("after a block").notify("ops@example.com");
    let output = topo.compile(&topoform::FilesIn(".".into())).into_result().unwrap();
    assert!(output["web.template.json"].contains("\"Key\": \"Team\""));
}
