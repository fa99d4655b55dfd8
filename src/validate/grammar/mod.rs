//! The grammars of single values: AWS identifiers, DNS names, CIDRs, times,
//! schedules, and the words that reach generated scripts.
//!
//! Each check is a pure function from a written value to the value the model
//! holds, or to the one diagnostic that says what is wrong with it. They know
//! no block: the kind files call them and collect the diagnostics. Values
//! that end up in shell scripts (names, record names, tag keys, commands)
//! are held to strict grammars here; the templates quote them as well.

mod instance_types;
mod schedule;

use std::net::Ipv4Addr;

use crate::diag::{Code, Diagnostic, article, did_you_mean};
use crate::kind::Kind;
use crate::model::{Ami, DAY_NAMES, Ipv4Net};
use crate::spec::Sp;
use crate::tz;

/// A check's result: the checked value, or what is wrong with it.
pub(super) type Checked<T> = Result<T, Diagnostic>;

/// Regions this version knows (commercial partition).
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// A block name: `[a-z][a-z0-9-]*`, at most 32 characters.
pub(super) fn block_name(kind: Kind, name: &Sp<String>) -> Checked<()> {
    let n = &name.value;
    let ok = n.len() <= 32
        && n.starts_with(|c: char| c.is_ascii_lowercase())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::InvalidName,
        name.span,
        format!("invalid {kind} name `{n}`"),
    )
    .label("not a valid block name")
    .help("names match [a-z][a-z0-9-]* and have at most 32 characters"))
}

/// A CloudFormation stack name.
pub(super) fn stack_name(n: &Sp<String>) -> Checked<String> {
    let ok = n.value.len() <= 128
        && n.value.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        return Ok(n.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidName,
        n.span,
        format!("invalid stack name `{}`", n.value),
    )
    .label("not a CloudFormation stack name")
    .help("stack names match [A-Za-z][A-Za-z0-9-]* and have at most 128 characters"))
}

/// An AWS region of the commercial partition.
pub(super) fn region(r: &Sp<String>) -> Checked<String> {
    if REGIONS.contains(&r.value.as_str()) {
        return Ok(r.value.clone());
    }
    let d = Diagnostic::error(
        Code::InvalidRegion,
        r.span,
        format!("unknown region `{}`", r.value),
    )
    .label("not an AWS region");
    Err(match did_you_mean(&r.value, REGIONS.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("write a region code such as `ap-northeast-1`"),
    })
}

/// A tag key. Stack tags propagate to instances, whose tags are read from
/// IMDS, so keys must fit IMDS's stricter key grammar as well as
/// CloudFormation's.
pub(super) fn tag_key(k: &Sp<String>) -> Checked<String> {
    let key_ok = (1..=128).contains(&k.value.len())
        && k.value != "."
        && k.value != ".."
        && k.value != "_index"
        && k.value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-=._:@".contains(&b));
    if !key_ok {
        return Err(Diagnostic::error(Code::InvalidValue, k.span, format!("invalid tag key `{}`", k.value))
            .label("not usable as an instance tag")
            .help("tag keys have 1-128 of A-Z a-z 0-9 + - = . _ : @ (instance metadata allows no spaces or `/`)"));
    }
    if k.value.to_ascii_lowercase().starts_with("aws:") {
        return Err(Diagnostic::error(
            Code::InvalidValue,
            k.span,
            format!("tag key `{}` uses the reserved `aws:` prefix", k.value),
        )
        .label("reserved by AWS")
        .help("choose a key without the `aws:` prefix"));
    }
    Ok(k.value.clone())
}

/// The value of the tag `key`.
pub(super) fn tag_value(key: &str, v: &Sp<String>) -> Checked<String> {
    let ok = v.value.chars().count() <= 256
        && v.value
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c));
    if ok {
        return Ok(v.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidValue,
        v.span,
        format!("invalid value for tag `{key}`"),
    )
    .label("not a valid tag value")
    .help("tag values have at most 256 letters, digits, spaces and _ . : / = + - @"))
}

/// An e-mail address as SNS takes it: a dot-atom local part of at most 64
/// characters (no leading, trailing or doubled dot) and a host name of two or
/// more labels.
pub(super) fn email(e: &Sp<String>) -> Checked<String> {
    let ok = e.value.len() <= 254
        && e.value.split_once('@').is_some_and(|(local, domain)| {
            (1..=64).contains(&local.len())
                && local
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
                && local.split('.').all(|atom| !atom.is_empty())
                && domain.contains('.')
                && domain.split('.').all(dns_label)
        });
    if ok {
        return Ok(e.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidValue,
        e.span,
        format!("`{}` is not an e-mail address", e.value),
    )
    .label("expected an address like ops@example.com"))
}

/// A Route 53 hosted zone id.
pub(super) fn hosted_zone_id(id: &Sp<String>) -> Checked<String> {
    let ok = id.value.len() <= 32
        && id.value.starts_with('Z')
        && id
            .value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        return Ok(id.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidId,
        id.span,
        format!("invalid hosted zone id `{}`", id.value),
    )
    .label("not a Route 53 hosted zone id")
    .help("hosted zone ids look like `Z2BEP1Z1Q3YA66` (without `/hostedzone/`)"))
}

/// A DNS name lower-cased and without its trailing dot, the form records
/// are compared and written in.
pub(super) fn normalize_dns(n: &str) -> String {
    // One trailing dot marks a fully qualified name; a second one is an
    // empty label, which the label check then refuses.
    n.strip_suffix('.').unwrap_or(n).to_ascii_lowercase()
}

/// One label of a host name: 1 to 63 letters, digits and hyphens, neither
/// first nor last a hyphen.
fn dns_label(l: &str) -> bool {
    (1..=63).contains(&l.len())
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

/// A record name: a DNS name of two or more labels, normalized.
pub(super) fn record_name(name: &Sp<String>) -> Checked<String> {
    dns_name(name, 2)
}

/// A DNS name of at least `min_labels` labels (a private zone may be a
/// single label, like `local`), normalized.
pub(super) fn dns_name(name: &Sp<String>, min_labels: usize) -> Checked<String> {
    let n = normalize_dns(&name.value);
    if n.len() <= 253 && n.split('.').count() >= min_labels && n.split('.').all(dns_label) {
        return Ok(n);
    }
    Err(Diagnostic::error(
        Code::InvalidDnsName,
        name.span,
        format!("invalid DNS name `{}`", name.value),
    )
    .label("not a host name")
    .help("use dot-separated labels of letters, digits and hyphens, e.g. `app.example.com`"))
}

/// An EC2-style id: `prefix` and 8 or 17 lower-case hex digits; `what`
/// names it in messages (`subnet id`).
pub(super) fn aws_id(id: &Sp<String>, prefix: &str, what: &str) -> Checked<String> {
    let hex = id.value.strip_prefix(prefix).unwrap_or("");
    let ok = (hex.len() == 8 || hex.len() == 17)
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        return Ok(id.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidId,
        id.span,
        format!("invalid {what} `{}`", id.value),
    )
    .label(format!("not {} {what}", article(what)))
    .help(format!(
        "{what}s look like `{prefix}0123456789abcdef0` (8 or 17 hex digits)"
    )))
}

/// An AMI: `ami-…`, or `ssm:/…`, a public SSM parameter resolved at deploy time.
pub(super) fn ami(a: &Sp<String>) -> Checked<Ami> {
    let Some(path) = a.value.strip_prefix("ssm:") else {
        return aws_id(a, "ami-", "AMI id").map(Ami::Id);
    };
    let ok = path.starts_with('/')
        && path.len() <= 2048
        && path[1..].split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        });
    if ok {
        return Ok(Ami::Ssm(path.to_string()));
    }
    Err(Diagnostic::error(
        Code::InvalidId,
        a.span,
        format!("invalid SSM parameter path `{path}`"),
    )
    .label("not an SSM parameter path")
    .help("write e.g. `ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`"))
}

/// An EC2 instance type: `family.size`.
pub(super) fn instance_type(t: &Sp<String>) -> Checked<String> {
    let Some((family, size)) = t.value.split_once('.') else {
        return Err(Diagnostic::error(
            Code::InvalidValue,
            t.span,
            format!("invalid instance type `{}`", t.value),
        )
        .label("not an EC2 instance type")
        .help("write a type such as `t3.small`: a family, a dot and a size"));
    };
    if instance_types::exists(&t.value) {
        return Ok(t.value.clone());
    }
    let d = Diagnostic::error(
        Code::InvalidValue,
        t.span,
        format!("invalid instance type `{}`", t.value),
    );
    let sizes = instance_types::sizes(family);
    if sizes.is_empty() {
        let d = d.label(format!("`{family}` is not an EC2 instance family"));
        return Err(
            match did_you_mean(family, instance_types::families()) {
                Some(s) => d.help(format!("did you mean `{s}.{size}`?")),
                None => d.help("write a type such as `t3.small`; a family newer than this topoform is refused until topoform knows it"),
            },
        );
    }
    Err(d
        .label(format!("`{family}` has no size `{size}`"))
        .help(format!("`{family}` comes in {}", sizes.join(", "))))
}

/// Whether `region` offers an instance type that exists
/// ([`instance_type`]): a warning when AWS's price list, as the pinned
/// cfn-lint ships it, has no price for it there. A warning, not an error:
/// a region that gained the type after that list was made is not refused;
/// one that lacks it fails the launch, and so the deploy.
pub(super) fn instance_type_in(t: &Sp<String>, region: &str) -> Option<Diagnostic> {
    match instance_types::offered_in(&t.value, region) {
        Some(false) => Some(
            Diagnostic::warning(
                Code::InvalidValue,
                t.span,
                format!("instance type `{}` may not be offered in {region}", t.value),
            )
            .label("AWS's price list has no price for it in the stack's region")
            .help(format!(
                "`aws ec2 describe-instance-type-offerings --region {region}` lists the types the region has; where it lacks this one, the launch fails"
            )),
        ),
        _ => None,
    }
}

/// An IPv4 address.
pub(super) fn ipv4(s: &Sp<String>) -> Checked<Ipv4Addr> {
    s.value.parse::<Ipv4Addr>().map_err(|_| {
        Diagnostic::error(
            Code::InvalidValue,
            s.span,
            format!("`{}` is not an IPv4 address", s.value),
        )
        .label("expected an address like 198.51.100.7")
    })
}

/// A public IPv4 address, as an Elastic IP's is: Route 53 health checkers
/// probe it from the internet, so a private, shared (carrier-grade NAT),
/// loopback, link-local, multicast or reserved address can never be healthy.
pub(super) fn public_ipv4(s: &Sp<String>) -> Checked<Ipv4Addr> {
    let a = ipv4(s)?;
    let [first, second, ..] = a.octets();
    let kind = if a.is_private() {
        Some("a private address (RFC 1918)")
    } else if first == 100 && (64..128).contains(&second) {
        Some("a shared carrier-grade NAT address (100.64.0.0/10)")
    } else if a.is_loopback() {
        Some("a loopback address")
    } else if a.is_link_local() {
        Some("a link-local address")
    } else if a.is_multicast() {
        Some("a multicast address")
    } else if a.is_unspecified() || a.is_broadcast() || first == 0 || first >= 240 {
        Some("a reserved address")
    } else {
        None
    };
    match kind {
        None => Ok(a),
        Some(kind) => Err(Diagnostic::error(
            Code::InvalidValue,
            s.span,
            format!("`{a}` is not a public address"),
        )
        .label(format!("{kind}: no Elastic IP has it"))
        .help("give the Elastic IP's public address, as `aws ec2 describe-addresses` shows it")),
    }
}

/// An IPv4 CIDR block whose host bits are zero.
pub(super) fn cidr(c: &Sp<String>) -> Checked<Ipv4Net> {
    let parsed = c.value.split_once('/').and_then(|(a, bits)| {
        let addr: Ipv4Addr = a.parse().ok()?;
        let bits: u8 = bits
            .parse()
            .ok()
            .filter(|b| *b <= 32 && !bits.starts_with('+'))?;
        Some(Ipv4Net { addr, bits })
    });
    let Some(net) = parsed else {
        return Err(Diagnostic::error(
            Code::InvalidCidr,
            c.span,
            format!("invalid CIDR `{}`", c.value),
        )
        .label("expected an IPv4 CIDR like 203.0.113.0/24")
        .help("the allow-list is IPv4 only: the sorry site answers over IPv4"));
    };
    if u32::from(net.addr) & !net.mask() != 0 {
        let network = Ipv4Addr::from(u32::from(net.addr) & net.mask());
        return Err(Diagnostic::error(
            Code::InvalidCidr,
            c.span,
            format!("`{}` has host bits set", c.value),
        )
        .label("not a network address")
        .help(format!("did you mean `{network}/{}`?", net.bits)));
    }
    Ok(net)
}

/// An ACM certificate ARN in `region`; `user` says who requires that region.
/// With no region (the stack's, when `[stack]` has an error of its own) only
/// the ARN's form is checked.
pub(super) fn certificate(c: &Sp<String>, region: Option<&str>, user: &str) -> Checked<String> {
    let parts: Vec<&str> = c.value.split(':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && parts[1] == "aws"
        && parts[2] == "acm"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("certificate/").is_some_and(is_uuid);
    if !well_formed {
        return Err(
            Diagnostic::error(Code::InvalidId, c.span, "invalid ACM certificate ARN")
                .label("not an ACM certificate ARN")
                .help(format!(
                    "write `arn:aws:acm:{}:ACCOUNT:certificate/ID`, where ID is a lower-case UUID (8-4-4-4-12 hex digits)",
                    region.unwrap_or("REGION")
                )),
        );
    }
    match region {
        Some(region) if parts[3] != region => Err(Diagnostic::error(
            Code::CertificateRegion,
            c.span,
            format!("the certificate is in {}, not {region}", parts[3]),
        )
        .label(format!("{user} only uses certificates from {region}"))
        .help(format!("request or import the certificate in {region}"))),
        _ => Ok(c.value.clone()),
    }
}

/// A certificate id: a UUID in lower-case hex, 8-4-4-4-12.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// A TCP port, 1 to 65535.
pub(super) fn port(p: &Sp<i64>) -> Checked<u16> {
    match u16::try_from(p.value) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Diagnostic::error(
            Code::InvalidValue,
            p.span,
            format!("port {} is out of range", p.value),
        )
        .label("ports are 1 to 65535")),
    }
}

/// A URL path of at most `max` printable ASCII characters, for an HTTP
/// health check; `what` names the key in messages.
pub(super) fn url_path(p: &Sp<String>, what: &str, max: usize) -> Checked<String> {
    let ok = p.value.starts_with('/')
        && p.value.len() <= max
        && p.value
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if ok {
        return Ok(p.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidValue,
        p.span,
        format!("invalid {what} `{}`", p.value),
    )
    .label("expected a URL path such as /health")
    .help(format!(
        "paths start with `/` and have at most {max} printable ASCII characters"
    )))
}

/// `MON-FRI`, `SAT,SUN`, `MON,WED-FRI` → inclusive day ranges, 0 = Sunday.
pub(super) fn days(d: &Sp<String>) -> Checked<Vec<(u8, u8)>> {
    let day = |s: &str| {
        DAY_NAMES
            .iter()
            .position(|d| d.eq_ignore_ascii_case(s.trim()))
            .and_then(|i| u8::try_from(i).ok())
    };
    let mut fields = Vec::new();
    let mut seen = 0u8;
    for item in d.value.split(',') {
        let field = match item.split_once('-') {
            Some((a, b)) => match (day(a), day(b)) {
                (Some(a), Some(b)) if a < b => Some((a, b)),
                _ => None,
            },
            None => day(item).map(|a| (a, a)),
        };
        let Some(f) = field else {
            return Err(Diagnostic::error(Code::InvalidDays, d.span, format!("invalid days `{}`", d.value))
                .label(format!("`{}` is not a day or an ascending range of days", item.trim()))
                .help("write days as MON TUE WED THU FRI SAT SUN, ranges as `MON-FRI` (SUN first), lists as `SAT,SUN`"));
        };
        // A day listed twice is a slip (`MON,MON`, `MON-FRI,WED`): say so
        // rather than guess what was meant.
        if let Some(twice) = (f.0..=f.1).find(|&day| seen & 1 << day != 0) {
            return Err(Diagnostic::error(
                Code::InvalidDays,
                d.span,
                format!("invalid days `{}`", d.value),
            )
            .label(format!("{} is listed twice", DAY_NAMES[usize::from(twice)]))
            .help("list each day once"));
        }
        seen |= (f.0..=f.1).fold(0u8, |m, day| m | 1 << day);
        fields.push(f);
    }
    Ok(fields)
}

/// A 24-hour `HH:MM` time.
pub(super) fn time(t: &Sp<String>) -> Checked<(u8, u8)> {
    let two = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u8>().ok())
            .flatten()
    };
    let parsed = t.value.split_once(':').and_then(|(h, m)| {
        let (h, m) = (two(h)?, two(m)?);
        (h < 24 && m < 60).then_some((h, m))
    });
    parsed.ok_or_else(|| {
        Diagnostic::error(
            Code::InvalidTime,
            t.span,
            format!("invalid time `{}`", t.value),
        )
        .label("expected HH:MM")
        .help("write a 24-hour time such as `09:00` or `19:30`")
    })
}

/// An IANA time zone.
pub(super) fn timezone(t: &Sp<String>) -> Checked<String> {
    if tz::is_known(&t.value) {
        return Ok(t.value.clone());
    }
    let d = Diagnostic::error(
        Code::InvalidTimezone,
        t.span,
        format!("unknown time zone `{}`", t.value),
    )
    .label("not an IANA time zone");
    Err(match did_you_mean(&t.value, tz::ZONES.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("write an IANA name such as `Asia/Tokyo` or `UTC`"),
    })
}

/// A State Manager schedule: `cron(…)` or `rate(…)` (see `schedule`).
pub(super) fn schedule(s: &Sp<String>) -> Checked<String> {
    match schedule::check(&s.value) {
        Ok(()) => Ok(s.value.clone()),
        Err(problem) => Err(Diagnostic::error(
            Code::InvalidValue,
            s.span,
            format!("invalid schedule `{}`", s.value),
        )
        .label(problem)
        .help("write e.g. `cron(0 3 ? * SUN *)` (UTC: minutes hours day-of-month month day-of-week [year], one day field `?`) or `rate(1 day)`, at least 30 minutes apart")),
    }
}

/// A command run by a script: words of a strict alphabet, no shell syntax.
pub(super) fn command(c: &Sp<String>) -> Checked<Vec<String>> {
    use crate::quota::MAX_TAG_VALUE;
    let words: Vec<String> = c.value.split_whitespace().map(str::to_string).collect();
    let ok = !words.is_empty()
        && c.value.len() <= 1024
        && words.iter().all(|w| {
            w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_./=:,@%+-".contains(&b))
        });
    // The command reaches the instance in tags, whose values hold 256
    // characters; a word never straddles two of them.
    if let Some(long) = words.iter().find(|w| w.len() > MAX_TAG_VALUE) {
        return Err(Diagnostic::error(
            Code::InvalidValue,
            c.span,
            format!(
                "a word of `{}…` is {} characters long",
                long.chars().take(32).collect::<String>(),
                long.len()
            ),
        )
        .label(format!("at most {MAX_TAG_VALUE} characters a word"))
        .help("the command travels in instance tags, which hold 256 characters: use a shorter path, or a wrapper script"));
    }
    if ok {
        return Ok(words);
    }
    Err(Diagnostic::error(
        Code::UnsafeValue,
        c.span,
        format!("`{}` cannot be run safely", c.value),
    )
    .label("contains shell syntax or is empty")
    .help("write a command and its arguments: words of letters, digits and _ . / = : , @ % + -"))
}

/// A name that becomes an exported shell variable and an SSM path part.
pub(super) fn shell_name(p: &Sp<String>) -> Checked<String> {
    let ok = p.value.len() <= 64
        && p.value
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && p.value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        return Ok(p.value.clone());
    }
    Err(Diagnostic::error(
        Code::UnsafeValue,
        p.span,
        format!("parameter `{}` cannot be a shell variable", p.value),
    )
    .label("exported to the bootstrap command under this name")
    .help("parameter names match [A-Za-z_][A-Za-z0-9_]* (at most 64 characters)"))
}

/// A fleet's client id, `[a-z0-9-]+`, written at `span`.
pub(super) fn client_id(id: &Sp<String>) -> Checked<String> {
    let ok = !id.value.is_empty()
        && id.value.len() <= 32
        && id
            .value
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !id.value.starts_with('-');
    if ok {
        return Ok(id.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidName,
        id.span,
        format!("invalid client id `{}`", id.value),
    )
    .label("not a client id")
    .help("client ids match [a-z0-9-]+ (at most 32 characters, not starting with `-`)"))
}

/// A whole number in `range`; `key` and `limits` word the message
/// (`volume_gb`, "gp3 volumes are 1 to 16384 GiB").
pub(super) fn number(
    n: &Sp<i64>,
    range: std::ops::RangeInclusive<u32>,
    key: &str,
    limits: &str,
) -> Checked<u32> {
    match u32::try_from(n.value) {
        Ok(v) if range.contains(&v) => Ok(v),
        _ => Err(Diagnostic::error(
            Code::InvalidValue,
            n.span,
            format!("{key} {} is out of range", n.value),
        )
        .label(limits.to_string())),
    }
}

/// One of `words`, or an error labelled `expected`.
pub(super) fn word<'w>(
    w: &Sp<String>,
    key: &str,
    words: &[&'w str],
    expected: &str,
) -> Checked<&'w str> {
    words
        .iter()
        .find(|x| **x == w.value)
        .copied()
        .ok_or_else(|| {
            Diagnostic::error(
                Code::InvalidValue,
                w.span,
                format!("invalid {key} `{}`", w.value),
            )
            .label(expected.to_string())
        })
}

/// A Slack id: `first` (one of its letters) and 8 to 20 more upper-case
/// letters and digits. Slack's workspace (team) ids start with `T`, channel
/// ids with `C` (public) or `G` (private); AWS Chatbot takes them as the
/// console's "Copy link" shows them.
pub(super) fn slack_id(id: &Sp<String>, first: &[u8], what: &str, example: &str) -> Checked<String> {
    let b = id.value.as_bytes();
    let ok = (9..=21).contains(&b.len())
        && first.contains(&b[0])
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        return Ok(id.value.clone());
    }
    let starts: Vec<String> = first.iter().map(|c| format!("`{}`", *c as char)).collect();
    Err(Diagnostic::error(
        Code::InvalidId,
        id.span,
        format!("invalid Slack {what} id `{}`", id.value),
    )
    .label(format!("not a Slack {what} id"))
    .help(format!(
        "Slack {what} ids start with {} and have 9 to 21 upper-case letters and digits, like `{example}`",
        starts.join(" or ")
    )))
}

/// A budget's currency: `USD`, the only unit AWS Budgets accepts for a
/// cost budget ("… is not in the supported unit set: [USD]").
pub(super) fn currency(c: &Sp<String>) -> Checked<String> {
    if c.value == "USD" {
        return Ok(c.value.clone());
    }
    Err(Diagnostic::error(
        Code::InvalidValue,
        c.span,
        format!("unsupported currency `{}`", c.value),
    )
    .label("AWS Budgets accepts only USD")
    .help("write the limit in US dollars (`currency = \"USD\"`, the default)"))
}

#[cfg(test)]
mod tests;
