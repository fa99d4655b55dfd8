use topoform::builder::{Instance, Topology};

fn main() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    // `subnets` and `security_groups` are required: they are arguments of
    // `Instance::new`, so leaving them out does not compile.
    topo.instance("web", Instance::new("ami-0123456789abcdef0", "t3.small"));
}
