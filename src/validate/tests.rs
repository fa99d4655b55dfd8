//! Validation as a whole, on small topologies: what enters the model, and
//! the checks whose clauses no error fixture pins down (found by mutation
//! testing, `.ci/mutants.sh`).

use std::fmt::Write as _;

use crate::source::Files;

struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!("no file {path}"))
    }
}

fn model_of(toml: &str) -> Option<crate::model::Model> {
    let (topo, _) = crate::front::toml::parse(toml);
    super::validate(&topo, &NoFiles).0
}

const STACK: &str = "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\n";

fn instance(name: &str, subnets: &str) -> String {
    format!(
        "[instance.{name}]\nami = \"ami-0d0d0d0d0d0d0d0d0\"\ntype = \"t3.micro\"\nsubnets = [{subnets}]\nsecurity_groups = [\"sg-0c0c0c0c0c0c0c0c0\"]\n"
    )
}

/// A block with any error stays out of the model: here, one bad subnet
/// id among good ones.
#[test]
fn a_block_with_an_error_stays_out_of_the_model() {
    let good = "\"subnet-0a0a0a0a0a0a0a0a0\"";
    let model = model_of(&format!(
        "{STACK}{}{}",
        instance("a", good),
        instance("b", &format!("{good}, \"subnet-bad\""))
    ))
    .expect("[stack] is sound");
    let names: Vec<&str> = model
        .instances
        .keys()
        .map(crate::model::Name::as_str)
        .collect();
    assert_eq!(names, ["a"]);
}

/// A model is synthesized only when no logical IDs collide
/// (ARCHITECTURE.md): with a collision there is none, not even a partial
/// one for quotas.
#[test]
fn no_model_when_logical_ids_collide() {
    let good = "\"subnet-0a0a0a0a0a0a0a0a0\"";
    let sound = format!(
        "{STACK}{}{}",
        instance("web-1", good),
        instance("web2", good)
    );
    assert!(model_of(&sound).is_some());
    let colliding = format!(
        "{STACK}{}{}",
        instance("web-1", good),
        instance("web1", good)
    );
    assert!(model_of(&colliding).is_none());
}

/// What a block with an unreadable key would build is not known (a
/// misspelled `elastic_ip = "none"` would default to a new Elastic IP):
/// it stays out of the model that quotas are measured on.
#[test]
fn a_block_with_an_unreadable_key_stays_out_of_the_model() {
    let web = |eip: &str| {
        format!(
            "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\n[instance.web]\nami = \"ami-0d0d0d0d0d0d0d0d0\"\ntype = \"t3.micro\"\nsubnets = [\"subnet-0a0a0a0a0a0a0a0a0\"]\nsecurity_groups = [\"sg-0c0c0c0c0c0c0c0c0\"]\n{eip}\n"
        )
    };
    for (line, kept) in [
        ("elastic_ip = \"none\"", true),
        ("elastc_ip = \"none\"", false),
        ("elastic_ip = 5", false),
    ] {
        let (topo, _) = crate::front::toml::parse(&web(line));
        let (model, _) = super::validate(&topo, &NoFiles);
        let model = model.expect("[stack] is sound");
        assert_eq!(model.instances.len(), usize::from(kept), "{line}");
    }
}

/// The diagnostics of `toml` (front end and validation), as `code: message`.
fn diagnostics(toml: &str) -> Vec<String> {
    let (topo, mut diags) = crate::front::toml::parse(toml);
    diags.extend(super::validate(&topo, &NoFiles).1);
    crate::diag::sort(&mut diags);
    diags
        .iter()
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect()
}

/// The diagnostics of `toml`, as `code: message | help`.
fn helps(toml: &str) -> Vec<String> {
    let (topo, _) = crate::front::toml::parse(toml);
    super::validate(&topo, &NoFiles)
        .1
        .iter()
        .map(|d| format!("{}: {}", d.code.as_str(), d.help.as_deref().unwrap_or("")))
        .collect()
}

const GOOD: &str = "\"subnet-0a0a0a0a0a0a0a0a0\"";

#[test]
fn a_dangling_reference_says_how_to_define_a_missing_kind() {
    let toml = format!(
        "{STACK}{}[backup.b]\ntarget = \"fleet.app\"\nkind = \"ami\"\nat = \"03:00\"\nevery = 24\nkeep = 7\n",
        instance("web", GOOD)
    );
    assert_eq!(
        helps(&toml),
        ["dangling-reference: define it with `[fleet.app]`"]
    );
    let toml = toml.replace("fleet.app", "instance.db");
    assert_eq!(
        helps(&toml),
        ["dangling-reference: the instance blocks are: web"]
    );
}

/// `[stack]`, a zone, an instance, and sorry sites
/// `a` and `b`, each with a new certificate; `failovers` failover records in
/// the zone point at `a`.
fn sites(failovers: usize) -> String {
    let mut t = format!(
        "{STACK}[zone.z]\nid = \"Z2BEP1Z1Q3YA66\"\ndomain = \"example.com\"\n{}[sorry.a]\ncertificate = \"new\"\n[sorry.b]\ncertificate = \"new\"\n",
        instance("web", GOOD)
    );
    for n in 0..failovers {
        let _ = write!(
            t,
            "[failover.f{n}]\nrecord = \"r{n}.example.com\"\nzone = \"zone.z\"\nprimary = \"instance.web\"\nsecondary = \"sorry.a\"\n"
        );
    }
    t
}

#[test]
fn a_new_certificate_has_one_to_ten_names_of_its_own() {
    // `b` has none (the failovers point at `a`), `a` has ten: fine.
    assert_eq!(
        diagnostics(&sites(10)),
        ["missing-key: [sorry.b] has a new certificate but no name to put in it"]
    );
    let eleven = diagnostics(&sites(11));
    assert!(
        eleven.contains(
            &"invalid-value: [sorry.a]'s new certificate would need 11 names".to_string()
        ),
        "{eleven:?}"
    );
}

#[test]
fn derived_names_fit_their_aws_limits() {
    // STACK-NAME names the CloudFront Function (64) and the association (128).
    let stack = |name: &str| format!("[stack]\nname = \"{name}\"\nregion = \"eu-central-1\"\n");
    // A failover points at the site: an unused one is an error of its own.
    let sorry = |stack_name: &str, site: &str| {
        format!(
            "{}[sorry.{site}]\ncertificate = \"arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f\"\n\
             [zone.z]\nid = \"Z1\"\ndomain = \"example.com\"\n{}\
             [failover.f]\nrecord = \"www.example.com\"\nzone = \"zone.z\"\nprimary = \"instance.web\"\nsecondary = \"sorry.{site}\"\n",
            stack(stack_name),
            instance("web", GOOD)
        )
    };
    let s31 = format!("s{}", "a".repeat(30));
    let n32 = "n".repeat(32);
    assert!(
        diagnostics(&sorry(&s31, &n32)).is_empty(),
        "31 + 1 + 32 = 64"
    );
    assert_eq!(
        diagnostics(&sorry(&format!("{s31}a"), &n32)),
        [format!(
            "invalid-name: `{s31}a-{n32}` is longer than 64 characters"
        )]
    );
    let task = |stack_name: &str| {
        format!(
            "{}{}[task.{n32}]\ntarget = \"instance.web\"\nschedule = \"rate(1 day)\"\ncommands = [\"true\"]\n",
            stack(stack_name),
            instance("web", GOOD)
        )
    };
    let s95 = format!("s{}", "a".repeat(94));
    assert!(diagnostics(&task(&s95)).is_empty(), "95 + 1 + 32 = 128");
    assert_eq!(diagnostics(&task(&format!("{s95}a"))).len(), 1);
}

#[test]
fn a_stack_deploys_something_and_sites_are_used() {
    let stack = "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\n";
    let zone = "[zone.z]\nid = \"Z1\"\ndomain = \"example.com\"\n";
    assert_eq!(
        diagnostics(&format!("{stack}{zone}")),
        ["nothing-to-deploy: the topology deploys nothing"]
    );
    assert!(diagnostics(&format!("{stack}notify = \"ops@example.com\"\n")).is_empty());
    assert!(diagnostics(&format!("{stack}{}", instance("web", GOOD))).is_empty());
    let site = "[sorry.s]\ncertificate = \"arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f\"\n";
    assert_eq!(
        diagnostics(&format!("{stack}{site}")),
        ["unused-block: no failover points at [sorry.s]"]
    );
    // Another error first: the unused site is not reported on top of it.
    assert_eq!(
        diagnostics(&format!(
            "{stack}{site}[zone.bad]\nid = \"x\"\ndomain = \"example.com\"\n"
        )),
        ["invalid-id: invalid hosted zone id `x`"]
    );
    let other = "[zone.y]\nid = \"Z1\"\ndomain = \"example.org\"\n";
    let same = "[zone.w]\nid = \"Z1\"\ndomain = \"EXAMPLE.com.\"\n";
    assert_eq!(
        diagnostics(&format!(
            "{stack}{zone}{other}{same}{}",
            instance("web", GOOD)
        )),
        ["zone-conflict: hosted zone Z1 is `example.com` above, `example.org` here"]
    );
}

#[test]
fn stack_description_and_lost_stack() {
    let described = |n: usize| {
        format!(
            "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\ndescription = \"{}\"\n{}",
            "d".repeat(n),
            instance("web", GOOD)
        )
    };
    assert!(diagnostics(&described(1024)).is_empty());
    assert_eq!(
        diagnostics(&described(1025)),
        ["invalid-value: the stack description is longer than 1024 bytes"]
    );
    let text = |d: &str| {
        format!(
            "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\ndescription = \"{d}\"\n{}",
            instance("web", GOOD)
        )
    };
    assert!(diagnostics(&text("two\\r\\nlines\\tand a tab, ünïcode")).is_empty());
    for bad in ["a\\u0000b", "bell\\u0007", "del\\u007f", "esc\\u001b[31m"] {
        assert_eq!(
            diagnostics(&text(bad)),
            ["invalid-value: the stack description holds a control character"],
            "{bad}"
        );
    }
    // A [stack] of the wrong type is that one error, not also "no [stack]".
    assert_eq!(
        diagnostics("stack = 5\n"),
        ["wrong-type: [stack] must be a table, not an integer"]
    );
    assert_eq!(
        diagnostics(""),
        ["missing-key: the topology has no [stack] block"]
    );
}

/// A fleet `app` in zone `z` (`local`, private), with `extra` keys.
fn fleet(stack_extra: &str, extra: &str) -> String {
    format!(
        "[stack]\nname = \"q\"\nregion = \"eu-central-1\"\n{stack_extra}[zone.z]\nid = \"Z0PRIVATE1\"\ndomain = \"local\"\nprivate = true\n[fleet.app]\nami = \"ami-0d0d0d0d0d0d0d0d0\"\ntype = \"t3.micro\"\nsubnets = [{GOOD}]\nsecurity_groups = [\"sg-0c0c0c0c0c0c0c0c0\"]\nclients = [\"acme\"]\n{extra}"
    )
}

#[test]
fn a_fleet_tag_is_its_own() {
    assert!(diagnostics(&fleet("", "tag = \"Team\"\n")).is_empty());
    let taken = "invalid-value: tag `Team` is already used on the instances";
    assert_eq!(
        diagnostics(&fleet("tags = { Team = \"web\" }\n", "tag = \"Team\"\n")),
        [taken]
    );
    for tag in ["Name", "topoform:x"] {
        assert_eq!(
            diagnostics(&fleet("", &format!("tag = \"{tag}\"\n"))),
            [format!(
                "invalid-value: tag `{tag}` is already used on the instances"
            )]
        );
    }
}

#[test]
fn each_fleet_record_lies_in_its_zone() {
    let dns = |record: &str| format!("dns = {{ zone = \"zone.z\", record = \"{record}\" }}\n");
    assert!(diagnostics(&fleet("", &dns("{client}.local"))).is_empty());
    assert_eq!(
        diagnostics(&fleet("", &dns("{client}.example.com"))),
        ["record-outside-zone: `acme.example.com` is not inside the zone `local`"]
    );
}

#[test]
fn an_unreadable_probe_protocol_is_not_also_missing() {
    let failover = |health: &str| {
        format!(
            "{STACK}[zone.z]\nid = \"Z2BEP1Z1Q3YA66\"\ndomain = \"example.com\"\n{}[sorry.s]\ncertificate = \"arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f\"\n[failover.f]\nrecord = \"www.example.com\"\nzone = \"zone.z\"\nprimary = \"instance.web\"\nsecondary = \"sorry.s\"\nhealth = {health}\n",
            instance("web", GOOD)
        )
    };
    assert_eq!(
        diagnostics(&failover("{ port = 80 }")),
        ["missing-key: `health` in [failover.f] needs `http` or `https`"]
    );
    for broken in ["{ http = 5 }", "{ https = 5 }"] {
        let d = diagnostics(&failover(broken));
        assert_eq!(d.len(), 1, "{broken}: {d:?}");
        assert!(d[0].starts_with("wrong-type"), "{broken}: {d:?}");
    }
}

#[test]
fn root_devices() {
    let with = |device: &str| {
        format!(
            "{STACK}{}root_device = \"{device}\"\n",
            instance("web", GOOD)
        )
    };
    for ok in [
        "/dev/xvda",
        "/dev/sda1",
        "/dev/nvme0n1",
        &format!("/dev/{}", "a".repeat(32)),
    ] {
        assert!(diagnostics(&with(ok)).is_empty(), "{ok}");
        let model = model_of(&with(ok)).unwrap();
        let device = &model.instances.values().next().unwrap().root_device;
        assert_eq!(device.as_deref(), Some(ok));
    }
    for bad in [
        "xvda",
        "/dev/",
        "/dev/Xvda",
        "/dev/xv-da",
        "/dev/../x",
        &format!("/dev/{}", "a".repeat(33)),
    ] {
        assert_eq!(
            diagnostics(&with(bad)),
            [format!("invalid-value: invalid root_device `{bad}`")],
            "{bad}"
        );
    }
}

#[test]
fn notify_tables_and_budgets_are_checked_key_by_key() {
    let stack = "[stack]\nname = \"q\"\nregion = \"ap-northeast-1\"\n";
    let web = instance("web", GOOD);
    let ok = |extra: &str| diagnostics(&format!("{stack}{extra}{web}"));
    assert!(ok("notify = { email = [\"a@example.com\", \"b@example.com\"] }\n").is_empty());
    assert!(ok("notify = { slack = { workspace = \"T0123ABCDE\", channel = \"G0123ABCDE\" } }\n").is_empty());
    assert_eq!(
        ok("notify = {}\n"),
        ["missing-key: `notify` names nobody"]
    );
    assert_eq!(
        ok("notify = { email = [] }\n"),
        ["invalid-value: `email` is empty"]
    );
    assert_eq!(
        ok("notify = { email = [\"a@example.com\", \"A@example.com\"] }\n"),
        ["invalid-value: `A@example.com` is listed twice"]
    );
    assert_eq!(
        ok("notify = { slack = { workspace = \"T0123ABCDE\" } }\n"),
        ["missing-key: `slack` in `notify` in [stack] has no `channel`"]
    );
    assert_eq!(
        ok("notify = { slack = { workspace = \"t0123abcde\", channel = \"D0123ABCDE\" } }\n"),
        [
            "invalid-id: invalid Slack workspace id `t0123abcde`",
            "invalid-id: invalid Slack channel id `D0123ABCDE`"
        ]
    );
    let notify = "notify = \"ops@example.com\"\n";
    let one_tag = "tags = { team = \"web\" }\n";
    assert!(ok(&format!("{one_tag}{notify}budget = {{ limit = 10 }}\n")).is_empty());
    assert!(
        ok(&format!(
            "tags = {{ team = \"web\", env = \"prod\" }}\n{notify}budget = {{ limit = 10, tag = \"env\", currency = \"USD\" }}\n"
        ))
        .is_empty()
    );
    assert_eq!(
        ok(&format!("{one_tag}{notify}budget = {{ limit = 10, tag = \"env\" }}\n")),
        ["invalid-value: `env` is not one of the stack's tags"]
    );
    assert_eq!(
        ok(&format!("{notify}budget = {{ limit = 10 }}\n")),
        ["missing-key: the budget does not say which stack tag scopes it"]
    );
    assert_eq!(
        ok(&format!("{one_tag}budget = {{ limit = 10 }}\n")),
        ["missing-key: a budget with nobody to notify"]
    );
    assert_eq!(
        ok(&format!("{one_tag}{notify}budget = {{ currency = \"usd\", actual = 1001 }}\n")),
        [
            "missing-key: `budget` in [stack] has no `limit`",
            "invalid-value: unsupported currency `usd`",
            "invalid-value: actual 1001 is out of range"
        ]
    );
    // Where CloudFormation has no budgets, the edge stack takes it.
    let north = "[stack]\nname = \"q\"\nregion = \"eu-north-1\"\n";
    assert!(
        diagnostics(&format!("{north}{one_tag}{notify}budget = {{ limit = 10 }}\n{web}"))
            .is_empty()
    );
}
