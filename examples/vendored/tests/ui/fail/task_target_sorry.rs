use topoform::builder::{Sorry, Task, Topology};

fn main() {
    let mut topo = Topology::new("ops", "ap-northeast-1");
    let sorry = topo.sorry("down", Sorry::new_certificate());
    let _ = Task::new(&sorry, "rate(1 day)", ["true"]);
}
