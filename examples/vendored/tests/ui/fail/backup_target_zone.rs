use topoform::builder::{Backup, BackupKind, Topology, Zone};

fn main() {
    let mut topo = Topology::new("ops", "ap-northeast-1");
    let zone = topo.zone("public", Zone::new("Z2OPSZONE00001", "example.net"));
    let _ = Backup::new(&zone, BackupKind::Ami, "17:00", 24, 7);
}
