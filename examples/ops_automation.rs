//! `fixtures/ok/ops-automation.toml` written with the Rust builder. The
//! ops-automation seed, without servers: Data Lifecycle Manager takes daily
//! AMIs of the web server (expired ones are deregistered with their
//! snapshots) and copies them to another region; hourly snapshots of the
//! batch server, which runs in business hours only; State Manager runs the
//! weekly maintenance commands; every alarm mails ops and posts to Slack, and
//! so does the monthly budget.
//!
//! `cargo run --example ops_automation -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/ops-automation.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{
    Backup, BackupKind, Budget, ElasticIp, Failover, Hours, Instance, Notify, Sorry, Task,
    Topology, Zone,
};

/// The topology of `fixtures/ok/ops-automation.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("ops", "ap-northeast-1");
    topo.tag("cost-center", "ops-1234")
        .notify_to(
            Notify::new()
                .email("ops@example.com")
                .email("oncall@example.com")
                .slack("T0123ABCDE", "C0123ABCDEF"),
        )
        .budget(Budget::monthly(500).actual(80).forecast(100));
    let public = topo.zone("public", Zone::new("Z2OPSZONE00001", "example.net"));
    let web = topo.instance(
        "web",
        Instance::new(
            "ami-0a1b2c3d4e5f60718",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        ),
    );
    let batch = topo.instance(
        "batch",
        Instance::new(
            "ami-0a1b2c3d4e5f60718",
            "t3.large",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        )
        .elastic_ip(ElasticIp::None)
        .volume_gb(100)
        .hours(Hours::new("MON-FRI", "08:00", "20:00", "Asia/Tokyo")),
    );
    let down = topo.sorry(
        "down",
        Sorry::new(
            "arn:aws:acm:us-east-1:123456789012:certificate/2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809",
        ),
    );
    topo.failover(
        "web",
        Failover::new("web.example.net", &public, &web, &down),
    );
    topo.backup(
        "web-images",
        Backup::new(&web, BackupKind::Ami, "17:00", 24, 7).copy_to("ap-southeast-1", 3),
    );
    topo.backup(
        "batch-disks",
        Backup::new(&batch, BackupKind::Snapshot, "00:30", 6, 12),
    );
    topo.task(
        "weekly-maintenance",
        Task::new(
            &batch,
            "cron(0 3 ? * SUN *)",
            ["journalctl --vacuum-time=14d", "dnf -y upgrade --security"],
        ),
    );
    topo
}

fn main() -> ExitCode {
    common::run("ops_automation", topology())
}
