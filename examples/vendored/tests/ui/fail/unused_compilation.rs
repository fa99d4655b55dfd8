// A compilation holds the diagnostics: dropping it unread is a warning,
// an error here.
#![deny(unused_must_use)]
use topoform::builder::Topology;

fn main() {
    let topo = Topology::new("web", "ap-northeast-1");
    topo.compile(&topoform::FilesIn(".".into()));
}
