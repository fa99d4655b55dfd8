use topoform::builder::{Fleet, Topology};

fn main() {
    let mut topo = Topology::new("app-layer", "ap-northeast-1");
    // A fleet needs `clients` or `clients_file`: the `Clients` argument of
    // `Fleet::new`, so leaving it out does not compile.
    topo.fleet(
        "app",
        Fleet::new(
            "ami-0123456789abcdef0",
            "t3.medium",
            ["subnet-0aaaaaaaaaaaaaaaa"],
            ["sg-0abcdefabcdefabcd"],
        ),
    );
}
