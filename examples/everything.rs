//! `fixtures/ok/everything.toml` written with the Rust builder. Every block
//! of the language in one topology: an ALB-fronted shop and an
//! instance-primary admin site failing over to one sorry site with a new
//! certificate, a per-client fleet with parameters, private DNS and hours,
//! backups, a maintenance task and alarm mail.
//!
//! `cargo run --example everything -- OUT_DIR` writes what `topoform synth
//! fixtures/ok/everything.toml -o OUT_DIR` writes, byte for byte
//! (`tests/dsl_parity.rs` checks it).

#[path = "common/mod.rs"]
mod common;

use std::process::ExitCode;

use topoform::builder::{
    Alb, Backup, BackupKind, Clients, Dns, ElasticIp, Failover, Fleet, FleetDns, Health, Hours,
    Instance, Ip, Sorry, Task, Topology, Zone,
};

/// The topology of `fixtures/ok/everything.toml`.
pub fn topology() -> Topology {
    let mut topo = Topology::new("all-in-one", "eu-central-1");
    topo.description("Every topoform block at once")
        .notify("oncall@example.org")
        .tag("Owner", "platform")
        .tag("Environment", "staging");
    let public = topo.zone("public", Zone::new("Z3EVERYTHING01", "example.org"));
    let internal = topo.zone(
        "internal",
        Zone::new("Z4EVERYTHING02", "internal.example.org").private(true),
    );
    let shop = topo.instance(
        "shop",
        Instance::new(
            "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            "t3.small",
            ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"],
            ["sg-0c0c0c0c0c0c0c0c0"],
        )
        .elastic_ip(ElasticIp::None)
        .volume_gb(20),
    );
    let admin = topo.instance(
        "admin",
        Instance::new(
            "ami-0d0d0d0d0d0d0d0d0",
            "t3.micro",
            ["subnet-0a0a0a0a0a0a0a0a0"],
            ["sg-0c0c0c0c0c0c0c0c0"],
        )
        .dns(Dns::new(&internal, "admin.internal.example.org").ip(Ip::Private))
        .hours(Hours::new("MON-FRI", "07:00", "22:00", "Europe/Berlin"))
        .setup("files/install-app.sh"),
    );
    let shop_alb = topo.alb(
        "shop",
        Alb::new(
            "arn:aws:acm:eu-central-1:123456789012:certificate/3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b",
            &shop,
            ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"],
        )
        .vpc("vpc-0e0e0e0e0e0e0e0e0")
        .allow("0.0.0.0/0"),
    );
    let outage = topo.sorry(
        "outage",
        Sorry::new_certificate()
            .title("Back soon")
            .message("We are working on it.")
            .allow("198.51.100.0/24"),
    );
    topo.failover(
        "shop",
        Failover::new("shop.example.org", &public, &shop_alb, &outage),
    );
    topo.failover(
        "admin",
        Failover::new("admin.example.org", &public, &admin, &outage).health(Health::Https {
            path: "/status".into(),
            port: None,
        }),
    );
    let tenant = topo.fleet(
        "tenant",
        Fleet::new(
            "ami-0f0f0f0f0f0f0f0f0",
            "t3.medium",
            ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"],
            ["sg-0c0c0c0c0c0c0c0c0"],
            Clients::file("files/tenants.txt"),
        )
        .tag("TenantId")
        .dns(FleetDns::new(
            &internal,
            "{client}.tenants.internal.example.org",
        ))
        .parameter("API_KEY")
        .bootstrap(
            "/opt/tenant/bootstrap.sh --tenant-from-env --config=/etc/tenant/tenant.conf --log-dir=/var/log/tenant --data-dir=/srv/tenant/data --cache-dir=/var/cache/tenant --features=billing,reports,exports,audit-log --region-from-imds --retries=5 --timeout=300 --owner=tenant:tenant --umask=0027 --notify=ops@example.org",
        )
        .hours(Hours::new("MON-SAT", "06:00", "23:30", "Europe/Berlin")),
    );
    topo.backup(
        "shop-images",
        Backup::new(&shop, BackupKind::Ami, "02:00", 24, 14).copy_to("eu-west-1", 7),
    );
    topo.backup(
        "tenant-disks",
        Backup::new(&tenant, BackupKind::Snapshot, "01:15", 12, 6),
    );
    topo.task(
        "rotate",
        Task::new(&tenant, "rate(1 day)", ["logrotate -f /etc/logrotate.conf"]),
    );
    topo
}

fn main() -> ExitCode {
    common::run("everything", topology())
}
