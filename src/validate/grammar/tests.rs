//! Each grammar, on values that break one of its clauses at a time (so a
//! clause dropped from a grammar fails a test), and on the values at its
//! limits.

use super::*;

fn sp(s: &str) -> Sp<String> {
    Sp::bare(s.to_string())
}

/// `check` accepts every value of `ok` and refuses every value of `bad`.
#[track_caller]
fn grammar<T>(check: impl Fn(&Sp<String>) -> Checked<T>, ok: &[&str], bad: &[&str]) {
    for v in ok {
        assert!(check(&sp(v)).is_ok(), "refused {v:?}");
    }
    for v in bad {
        assert!(check(&sp(v)).is_err(), "accepted {v:?}");
    }
}

#[test]
fn names() {
    let a32 = "a".repeat(32);
    let a33 = "a".repeat(33);
    grammar(
        |n| block_name(Kind::Instance, n),
        &["a", "web-1", "a9", &a32],
        &["", "1a", "-a", "Web", "a_b", "a.b", &a33, "ウェブ"],
    );
    let s128 = format!("S{}", "a".repeat(127));
    grammar(
        stack_name,
        &["a", "Shop-2", &s128],
        &["", "1a", "-a", "a_b", "a.b", &format!("{s128}a")],
    );
    let c32 = "c".repeat(32);
    grammar(
        client_id,
        &["a", "a-1", "1a", &c32],
        &["", "-a", "A", "a_b", "a.b", &format!("{c32}c")],
    );
    let p64 = format!("P{}", "9".repeat(63));
    grammar(
        shell_name,
        &["A", "_a1", "a_B", &p64],
        &["", "1a", "a-b", "a b", "$a", &format!("{p64}9")],
    );
}

#[test]
fn tags() {
    let k128 = "k".repeat(128);
    grammar(
        tag_key,
        &["a", "x:y", "+-=._:@", "A1", &k128, "awsx", "aws"],
        &[
            "",
            ".",
            "..",
            "_index",
            "a b",
            "a/b",
            "a$",
            &format!("{k128}k"),
            "aws:x",
            "AWS:x",
        ],
    );
    let v256 = "v".repeat(256);
    grammar(
        |v| tag_value("k", v),
        &["", "a b", "日本", "_.:/=+-@", &v256, &"日".repeat(256)],
        &["a<b", "a\nb", "$", "a;b", &format!("{v256}v")],
    );
}

#[test]
fn email_addresses() {
    let local64 = "a".repeat(64);
    let label63 = "b".repeat(63);
    // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters, the most SMTP allows.
    let long = format!("{local64}@{label63}.{label63}.{}", "c".repeat(61));
    assert_eq!(long.len(), 254);
    grammar(
        email,
        &["a@b.c", "a.b+c_%-@x-y.example.co.jp", &long, "a.b.c@x.io"],
        &[
            "",
            "@b.c",
            "a@",
            "a@b",
            "a@.c",
            "a@b..c",
            "a b@c.d",
            "a@b_c.d",
            "a@b.c@d",
            "a<@b.c",
            &format!("a{long}"),
            // What SNS refuses: dots out of place, hyphens at a label's
            // ends, labels over 63 characters, a local part over 64.
            "a..b@x.com",
            ".a@x.com",
            "a.@x.com",
            "a@-x.com",
            "a@x-.com",
            &format!("a@{label63}b.com"),
            &format!("{local64}a@x.com"),
        ],
    );
}

#[test]
fn aws_ids() {
    let z32 = format!("Z{}", "1".repeat(31));
    grammar(
        hosted_zone_id,
        &["Z2BEP1Z1Q3YA66", "Z", &z32],
        &[
            "",
            "z2",
            "Z2bep",
            "/hostedzone/Z2",
            "Z-1",
            "A1",
            &format!("{z32}1"),
        ],
    );
    grammar(
        |id| aws_id(id, "subnet-", "subnet id"),
        &["subnet-01234567", "subnet-0123456789abcdef0"],
        &[
            "subnet-0123456",
            "subnet-012345678",
            "subnet-0123456789abcdef",
            "subnet-0123456789abcdef01",
            "subnet-0123456A",
            "subnet-0123456g",
            "sg-01234567",
            "01234567",
            "",
        ],
    );
    let path = format!("ssm:/{}", "a".repeat(2047));
    grammar(
        ami,
        &["ami-01234567", "ssm:/aws/x", "ssm:/a/b.c_d-e", &path],
        &[
            "ssm:aws/x",
            "ssm:/",
            "ssm:/a//b",
            "ssm:/a/",
            "ssm:/a b",
            "ssm:/a$b",
            &format!("{path}a"),
            "ami-xyz",
            "ami-0123456789abcdef",
        ],
    );
    grammar(
        instance_type,
        &[
            "t3.small",
            "c6in.metal",
            "u-6tb1.112xlarge",
            "t3.2xlarge",
            "m7i-flex.large",
            "c7i.metal-24xl",
            "t4g.nano",
        ],
        &[
            "t3",
            ".small",
            "t3.",
            "T3.small",
            "t3.Small",
            "3t.small",
            "t3.sm all",
            "t3.s_m",
            "zz9.gigantic",
            "t3.gigantic",
            "t3.0xlarge",
            "t3.02xlarge",
            "t3.xxlarge",
            "c7i.metal-xl",
            "t3.small.large",
            // Family and size both exist, not together.
            "t3.48xlarge",
            "t3.metal",
            "a1.nano",
            "m5.metal-48xl",
        ],
    );
    grammar(
        ipv4,
        &["1.2.3.4", "0.0.0.0"],
        &["1.2.3", "1.2.3.256", "a.b.c.d"],
    );
}

#[test]
fn certificate_arns() {
    let ok = "arn:aws:acm:eu-west-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";
    grammar(
        |c| certificate(c, Some("eu-west-1"), "the load balancer"),
        &[ok],
        &[
            "",
            &ok.replace("arn:", "urn:"),
            &ok.replace(":aws:", ":aws-cn:"),
            &ok.replace(":acm:", ":acm-pca:"),
            &ok.replace("123456789012", "12345678901"),
            &ok.replace("123456789012", "12345678901a"),
            &ok.replace("certificate/", "cert/"),
            &ok.replace("6ddf6b39-", "6ddf6b3-"),
            &ok.replace("6ddf6b39", "6ddf6b3g"),
            // Not a UUID: groups of the wrong lengths, or upper-case hex.
            &ok.replace("6ddf6b39-4bba", "6ddf6b394-bba"),
            &ok.replace("-3a694598b97f", "3a69-4598b97f"),
            &ok.replace("6ddf6b39-4bba-43ca-b22a-3a694598b97f", &"a".repeat(36)),
            &ok.replace("6ddf6b39", "6DDF6B39"),
            &format!("{ok}:x"),
            &ok.replace("eu-west-1", "us-east-1"),
        ],
    );
    // Without a known region, only the form is checked.
    let elsewhere = ok.replace("eu-west-1", "us-east-1");
    assert!(certificate(&sp(&elsewhere), None, "the load balancer").is_ok());
    assert!(certificate(&sp("arn:x"), None, "the load balancer").is_err());
}

#[test]
fn dns_names_and_paths() {
    let label63 = "a".repeat(63);
    let name253 = format!("{}.{}.{}.{}", label63, label63, label63, "b".repeat(61));
    assert_eq!(name253.len(), 253);
    grammar(
        record_name,
        &["a.b", "A.B.", "a-1.b", &format!("{label63}.b"), &name253],
        &[
            "a",
            "a..b",
            ".a.b",
            "-a.b",
            "a-.b",
            "a_b.c",
            &format!("{label63}a.b"),
            &format!("{name253}c"),
        ],
    );
    grammar(|n| dns_name(n, 1), &["local", "a.b"], &["", "-local"]);
    let path = format!("/{}", "p".repeat(254));
    grammar(
        |p| url_path(p, "path", 255),
        &["/", "/a?b=c", "/~x", &path],
        &[
            "",
            "a",
            "/a b",
            "/a\"b",
            "/a\\b",
            "/a\n",
            &format!("{path}p"),
        ],
    );
}

#[test]
fn ports_and_numbers() {
    for (n, ok) in [
        (0, false),
        (1, true),
        (65535, true),
        (65536, false),
        (-1, false),
    ] {
        assert_eq!(port(&Sp::bare(n)).is_ok(), ok, "{n}");
    }
    for (n, ok) in [(0, false), (1, true), (5, true), (6, false), (-1, false)] {
        assert_eq!(
            number(&Sp::bare(n), 1..=5, "k", "1 to 5").is_ok(),
            ok,
            "{n}"
        );
    }
    let w = |s: &str| word(&sp(s), "kind", &["ami", "snapshot"], "expected");
    assert_eq!(w("snapshot").unwrap(), "snapshot");
    assert!(w("Ami").is_err() && w("").is_err());
}

#[test]
fn days_are_ascending_ranges_sunday_first() {
    assert_eq!(days(&sp("MON-FRI")).unwrap(), [(1, 5)]);
    assert_eq!(days(&sp("sat,SUN")).unwrap(), [(6, 6), (0, 0)]);
    assert_eq!(days(&sp("SUN-SAT")).unwrap(), [(0, 6)]);
    assert_eq!(days(&sp("MON,WED-FRI")).unwrap(), [(1, 1), (3, 5)]);
    for bad in ["FRI-MON", "MON-MON", "MONDAY", "", "MON,,TUE"] {
        assert_eq!(days(&sp(bad)).unwrap_err().code, Code::InvalidDays, "{bad}");
    }
}

#[test]
fn a_day_listed_twice_is_refused() {
    for (twice, day) in [
        ("MON,MON", "MON"),
        ("MON-FRI,WED", "WED"),
        ("SAT,SUN-SAT", "SAT"),
        ("SUN-TUE,TUE-THU", "TUE"),
    ] {
        let d = days(&sp(twice)).unwrap_err();
        assert_eq!(d.code, Code::InvalidDays, "{twice}");
        assert_eq!(
            d.primary.message,
            format!("{day} is listed twice"),
            "{twice}"
        );
    }
    assert_eq!(
        days(&sp("SUN-TUE,WED-SAT")).unwrap(),
        [(0, 2), (3, 6)],
        "adjacent ranges are not twice"
    );
}

#[test]
fn times_are_strict_hh_mm() {
    assert_eq!(time(&sp("00:00")).unwrap(), (0, 0));
    assert_eq!(time(&sp("23:59")).unwrap(), (23, 59));
    for bad in ["24:00", "9:00", "09:60", "0900", "09:00:00", "+9:00"] {
        assert!(time(&sp(bad)).is_err(), "{bad}");
    }
}

#[test]
fn cidrs_must_be_network_addresses() {
    assert!(cidr(&sp("203.0.113.0/24")).is_ok());
    assert!(cidr(&sp("0.0.0.0/0")).is_ok());
    assert!(cidr(&sp("203.0.113.10/32")).is_ok());
    for bad in [
        "203.0.113.10/24",
        "203.0.113.0/33",
        "203.0.113.0",
        "::/0",
        "203.0.113.0/+8",
    ] {
        assert!(cidr(&sp(bad)).is_err(), "{bad}");
    }
}

#[test]
fn dns_names_are_normalized_and_strict() {
    assert_eq!(
        record_name(&sp("Redash.Example.COM.")).unwrap(),
        "redash.example.com"
    );
    for bad in [
        "example",
        "-a.example.com",
        "a_b.example.com",
        "$(x).example.com",
        "a..b.com",
        "a.example.com..",
    ] {
        assert!(record_name(&sp(bad)).is_err(), "{bad}");
    }
}

#[test]
fn certificates_must_be_in_their_users_region() {
    let ok = "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";
    assert!(certificate(&sp(ok), Some("us-east-1"), "CloudFront").is_ok());
    let elsewhere = certificate(
        &sp(&ok.replace("us-east-1", "eu-west-1")),
        Some("us-east-1"),
        "CloudFront",
    );
    assert_eq!(elsewhere.unwrap_err().code, Code::CertificateRegion);
}

#[test]
fn schedules() {
    for ok in [
        "cron(0 3 ? * SUN *)",
        "rate(30 minutes)",
        "rate(1 day)",
        "rate(45 minutes)",
        "rate(30 days)",
        "cron(0/30 * * * ? *)",
        "cron(0 3 * * ? *)",
        "cron(15 12 1 * ? *)",
        "cron(0 0 ? * THU#2 *)",
        "cron(0 0 ? * 6L *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 9-17 ? * MON-FRI *)",
        "cron(0,30 8 ? * 2-6 2026-2030)",
        "cron(0 12 ? * sun *)",
    ] {
        assert!(schedule(&sp(ok)).is_ok(), "{ok}: {:?}", schedule(&sp(ok)));
    }
    for (bad, why) in [
        ("rate(5 minutes)", "runs every 5 minutes"),
        ("rate(30 minute)", "write `30 minutes`"),
        ("rate(1 hours)", "write `1 hour`"),
        ("rate(0 days)", "not a positive whole number"),
        ("rate(4294967295 days)", "less than 31 days"),
        ("rate(31 days)", "less than 31 days"),
        ("cron(0 0 1 JAN,JUL ? *)", "takes no months"),
        ("rate(1 week)", "`week` is not minutes"),
        ("rate(1day)", "a number and a unit"),
        ("cron(0 3 * *)", "4 fields"),
        (
            "cron(0 3 * * SUN)",
            "both day-of-month and day-of-week are set",
        ),
        ("cron(0 3 * * ? * *)", "7 fields"),
        ("every day", "not `cron(…)` or `rate(…)`"),
        ("cron(99 99 ? * SUN *)", "`99` is not a minutes value"),
        ("cron(0 24 ? * SUN *)", "`24` is not a hours value"),
        (
            "cron(0 3 * * SUN *)",
            "both day-of-month and day-of-week are set",
        ),
        ("cron(0 3 ? * ? *)", "both day fields are `?`"),
        ("cron(0 3 ? * 8 *)", "`8` is not a day-of-week value"),
        ("cron(0 3 ? * MON#6 *)", "the week of the month is 1 to 5"),
        ("cron(0 3 32 * ? *)", "`32` is not a day-of-month value"),
        ("cron(0 3 1 * ? 1969)", "`1969` is not a year value"),
        ("cron(0 5-3 ? * MON *)", "descending range"),
        ("cron(0/0 3 ? * MON *)", "not a step"),
        ("cron(* 3 ? * MON *)", "runs 1 minutes apart"),
        ("cron(0/15 * * * ? *)", "runs 15 minutes apart"),
        ("cron(0,20 3 ? * MON *)", "runs 20 minutes apart"),
        // 23:50 and 00:10 the next day are 20 minutes apart.
        ("cron(10,50 0,23 * * ? *)", "runs 20 minutes apart"),
        ("cron($(x) * * * ? *)", "not a minutes value"),
    ] {
        let d = schedule(&sp(bad)).unwrap_err();
        assert_eq!(d.code, Code::InvalidValue, "{bad}");
        assert!(
            d.primary.message.contains(why),
            "{bad}: {}",
            d.primary.message
        );
    }
}

#[test]
fn commands_are_words() {
    assert_eq!(
        command(&sp("/home/hoge/scripts/bootstrap.sh --env=prod")).unwrap(),
        ["/home/hoge/scripts/bootstrap.sh", "--env=prod"]
    );
    for bad in ["a; rm -rf /", "$(reboot)", "a|b", "", "`x`"] {
        assert!(command(&sp(bad)).is_err(), "{bad}");
    }
}

#[test]
fn more_schedules_and_commands() {
    grammar(
        schedule,
        &["rate(1 hour)", "rate(2 days)", "cron(0 3 * * ?)"],
        &[
            "cron(0 3 * * ? * *)",
            "cron()",
            "cron(0  3 * * ? *)",
            "rate(29 minutes)",
            "rate(x days)",
            "rate(1)",
            "rate(0 hours)",
            "rate(1 day",
            "(1 day)",
        ],
    );
    // At most 1024 characters, and 256 a word (a tag value's limit).
    let words = |n: usize, len: usize| vec!["b".repeat(len); n].join(" ");
    assert!(command(&sp(&format!("a {}", words(4, 254)))).is_ok());
    assert!(command(&sp(&format!("a {}", words(4, 255)))).is_err());
    assert!(command(&sp(&format!("a {}", "b".repeat(256)))).is_ok());
    assert!(command(&sp(&format!("a {}", "b".repeat(257)))).is_err());
    assert!(command(&sp("   ")).is_err());
}

#[test]
fn regions_and_time_zones() {
    grammar(
        region,
        &["ap-northeast-1", "us-east-1", "mx-central-1"],
        &["tokyo", "", "ap-northeast-9", "AP-NORTHEAST-1"],
    );
    grammar(
        timezone,
        &["Asia/Tokyo", "UTC"],
        &["Asia/Tokio", "", "asia/tokyo"],
    );
}

#[test]
fn instance_families_are_suggested_and_sizes_listed() {
    let d = instance_type(&sp("t3x.small")).unwrap_err();
    assert_eq!(d.primary.message, "`t3x` is not an EC2 instance family");
    assert_eq!(d.help.as_deref(), Some("did you mean `t3.small`?"));
    let d = instance_type(&sp("t3.48xlarge")).unwrap_err();
    assert_eq!(d.primary.message, "`t3` has no size `48xlarge`");
    assert_eq!(
        d.help.as_deref(),
        Some("`t3` comes in nano, micro, small, medium, large, xlarge, 2xlarge")
    );
}

#[test]
fn instance_types_by_region() {
    // Everywhere, and in some regions only (AWS's price list).
    assert!(instance_type_in(&sp("t3.micro"), "me-south-1").is_none());
    assert!(instance_type_in(&sp("a1.large"), "us-east-1").is_none());
    let d = instance_type_in(&sp("a1.large"), "af-south-1").unwrap();
    assert_eq!(d.severity, crate::diag::Severity::Warning);
    assert_eq!(d.message, "instance type `a1.large` may not be offered in af-south-1");
    // Retired types stay out, although the price list still has them.
    for retired in ["cc2.8xlarge", "cr1.8xlarge", "hs1.8xlarge", "g2.2xlarge"] {
        assert!(instance_type(&sp(retired)).is_err(), "{retired}");
    }
    // Every region topoform accepts has a column.
    for region in REGIONS {
        assert!(
            instance_types::offered_in("t3.micro", region).is_some(),
            "{region}"
        );
    }
}

#[test]
fn elastic_ip_addresses_are_public() {
    grammar(
        public_ipv4,
        &[
            "198.51.100.7",
            "203.0.113.10",
            "54.64.0.1",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "223.255.255.255",
        ],
        &[
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "239.255.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "240.0.0.1",
            "255.255.255.255",
            "not an address",
        ],
    );
}
