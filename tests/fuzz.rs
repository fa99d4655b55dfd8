//! A bounded fuzz run (property-based, on stable, without a fuzzing
//! toolchain): every fixture is mutated at random with a fixed seed and
//! compiled, in two ways:
//!
//! - byte-level: lines dropped, duplicated, swapped or truncated, fragments
//!   of TOML and hostile text inserted (mostly rejected: it checks that
//!   nothing panics and that every diagnostic points inside the text);
//! - value-level: a key set to another value of its domain, a key removed,
//!   a reference pointed at another block (of any kind), a block duplicated
//!   under a new name (mostly accepted: it checks the output).
//!
//! Nothing may panic, and every diagnostic's spans must lie inside the
//! mutant's text. Every accepted mutant must pass the checks the fixtures
//! pass (`tests/common`: references, logical IDs, IAM, user-data equal to its
//! file, DNS and CloudFront rules, quotas), every distinct script must pass
//! `bash -n`, and a third of them shellcheck (installed by `.ci/tools.sh`).
//! `TOPOFORM_FUZZ_ITERATIONS` sets the number of byte-level mutants (default
//! 20,000, shared out over two shards that run in parallel); a quarter as
//! many value-level mutants are made, since each is more often accepted and
//! so more work to check.

mod common;

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::Command;

use toml::{Table, Value};
use topoform::{FilesIn, SourceFile, compile_toml};

/// What the run saw, for the report and the assertions.
#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: usize,
    /// Hashes of every accepted output, and of the seeds' own.
    outputs: BTreeSet<u64>,
    /// Accepted mutants whose output no seed and no earlier mutant had.
    new_outputs: usize,
    scripts: BTreeSet<u64>,
    /// The distinct scripts, for one shellcheck run at the end:
    /// `(mutant, path, script)`.
    to_lint: Vec<(String, String, String)>,
}

// Two shards, each with its own random stream and half the mutants, so the
// test harness runs them on two threads: one shard is over a minute of work.
const SHARDS: usize = 2;

/// Calls of `shellcheck`, for a directory of each one's own: the shards lint
/// at the same time.
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn fuzz_mutated_fixtures_shard_0() {
    fuzz_mutated_fixtures(0);
}

#[test]
fn fuzz_mutated_fixtures_shard_1() {
    fuzz_mutated_fixtures(1);
}

#[allow(clippy::disallowed_macros, reason = "a test reports its own totals")]
fn fuzz_mutated_fixtures(shard: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let mut seeds: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    seeds.sort();
    let iterations = std::env::var("TOPOFORM_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(20_000)
        .div_ceil(SHARDS);
    let files = FilesIn(dir.clone());
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ (shard as u64 + 1).wrapping_mul(0x2545_f491));
    let mut bytes = Tally::default();
    let mut values = Tally::default();
    for seed in &seeds {
        let output = compile_toml(seed, &files)
            .output
            .expect("a fixture compiles");
        bytes.outputs.insert(hash(&output));
        values.outputs.insert(hash(&output));
    }
    let docs: Vec<Table> = seeds.iter().map(|s| toml::from_str(s).unwrap()).collect();
    for i in 0..iterations {
        let seed = &seeds[rng.below(seeds.len())];
        let mutant = byte_mutant(seed, &mut rng);
        run(&format!("byte mutant {i}"), &mutant, &files, &mut bytes);
        if i % 4 == 0 {
            let doc = &docs[rng.below(docs.len())];
            let mutant = toml::to_string(&value_mutant(doc, &mut rng)).unwrap();
            run(
                &format!("value mutant {}", i / 4),
                &mutant,
                &files,
                &mut values,
            );
        }
    }
    let linted = [shellcheck(&bytes.to_lint), shellcheck(&values.to_lint)];
    let value_iterations = iterations.div_ceil(4);
    // Shown with `cargo test -- --nocapture`; the totals are in the issue notes.
    for ((kind, n, t), linted) in [
        ("byte", iterations, &bytes),
        ("value", value_iterations, &values),
    ]
    .into_iter()
    .zip(linted)
    {
        println!(
            "fuzz shard {shard}/{SHARDS}: {n} {kind}-level mutants: {} accepted ({} with an output never seen \
             before), {} rejected; {} distinct scripts parsed by bash -n, {linted} of them \
             shellchecked",
            t.accepted,
            t.new_outputs,
            t.rejected,
            t.scripts.len()
        );
    }
    assert!(bytes.rejected > 0 && bytes.accepted > 0);
    // Value-level mutants explore: many are accepted, and most of those
    // produce output that neither a seed nor an earlier mutant produced.
    assert!(
        values.accepted * 3 > value_iterations,
        "only {} of {value_iterations} value-level mutants accepted",
        values.accepted
    );
    assert!(
        values.new_outputs * 2 > values.accepted,
        "only {} of {} accepted value-level mutants produced new output",
        values.new_outputs,
        values.accepted
    );
}

fn hash(value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Compiles one mutant and checks everything that must hold of it.
fn run(name: &str, mutant: &str, files: &FilesIn, tally: &mut Tally) {
    let c = compile_toml(mutant, files);
    for d in &c.diagnostics {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let s = label.span;
            assert!(
                s.start <= s.end
                    && s.end <= mutant.len()
                    && mutant.is_char_boundary(s.start)
                    && mutant.is_char_boundary(s.end),
                "{name}: span {}..{} of {:?} is outside the text ({} bytes):\n{mutant}",
                s.start,
                s.end,
                d.message,
                mutant.len()
            );
        }
    }
    let rendered = topoform::diag::render(&c.diagnostics, &SourceFile::new("m.toml", mutant));
    assert!(
        c.diagnostics.is_empty() || rendered.contains("--> m.toml"),
        "{name}: {rendered}"
    );
    let Some(output) = c.output else {
        assert!(
            c.diagnostics.iter().any(topoform::Diagnostic::is_error),
            "{name}: no output, no error"
        );
        tally.rejected += 1;
        return;
    };
    tally.accepted += 1;
    if tally.outputs.insert(hash(&output)) {
        tally.new_outputs += 1;
    }
    common::check_output(name, &output);
    for (path, body) in output.iter().filter(|(p, _)| p.ends_with(".sh")) {
        if tally.scripts.insert(hash(body)) {
            let parses = Command::new("bash")
                .args(["-n", "-c", body])
                .status()
                .unwrap();
            assert!(parses.success(), "{name}: {path} does not parse:\n{mutant}");
            tally
                .to_lint
                .push((format!("{name}:\n{mutant}"), path.clone(), body.clone()));
        }
    }
}

/// shellcheck, as the external harness runs it on the fixtures' scripts, on
/// a third of the distinct scripts (chosen by hash, so the same ones every
/// run): it takes about 0.16 s a script, and most distinct scripts differ
/// only in names and values. Two processes at a time, a hundred scripts
/// each. Returns how many were checked.
fn shellcheck(scripts: &[(String, String, String)]) -> usize {
    let sample: Vec<&(String, String, String)> = scripts
        .iter()
        .filter(|(_, _, body)| hash(body) % 3 == 0)
        .collect();
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("topoform-fuzz-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chunks: Vec<_> = sample.chunks(100).enumerate().collect();
    for pair in chunks.chunks(2) {
        let runs: Vec<_> = pair
            .iter()
            .map(|(c, chunk)| {
                let files: Vec<_> = chunk
                    .iter()
                    .enumerate()
                    .map(|(n, (_, _, body))| {
                        let file = dir.join(format!("{c}-{n}.sh"));
                        std::fs::write(&file, body).unwrap();
                        file
                    })
                    .collect();
                let child = Command::new("shellcheck")
                    .args(&files)
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|e| {
                        panic!("shellcheck must be installed (bash .ci/tools.sh): {e}")
                    });
                (c, chunk, child)
            })
            .collect();
        for (c, chunk, child) in runs {
            let lint = child.wait_with_output().unwrap();
            if !lint.status.success() {
                let report = String::from_utf8_lossy(&lint.stdout);
                let (mutant, path, _) = chunk
                    .iter()
                    .enumerate()
                    .find(|(n, _)| report.contains(&format!("/{c}-{n}.sh ")))
                    .map_or(chunk[0], |(_, s)| *s);
                panic!("shellcheck on {path} of {mutant}\n{report}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    sample.len()
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One to three random edits: drop, duplicate or swap lines, replace a byte,
/// insert a fragment of TOML or of hostile text, truncate.
fn byte_mutant(text: &str, rng: &mut XorShift) -> String {
    const FRAGMENTS: &[&str] = &[
        "\"",
        "'",
        "$(x)",
        "`x`",
        "\n",
        "[",
        "]",
        "=",
        "{",
        "}",
        ",",
        "0",
        "-1",
        "999999999999",
        "\"\"",
        "[]",
        "ami-",
        "zone.",
        "instance.",
        "\u{202e}",
        "é",
        "本",
        "\\",
        "#",
        ".",
        "a-b",
        "A",
        "[instance.x]\n",
        "[failover.y]\nprimary = \"instance.x\"\n",
        "hours = { days = \"SUN\" }\n",
    ];
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let at = rng.below(lines.len());
        match rng.below(6) {
            0 => {
                lines.remove(at);
            }
            1 => {
                let l = lines[at].clone();
                lines.insert(at, l);
            }
            2 => {
                let other = rng.below(lines.len());
                lines.swap(at, other);
            }
            3 | 4 => {
                let chars: Vec<char> = lines[at].chars().collect();
                let pos = rng.below(chars.len() + 1);
                let fragment = *rng.pick(FRAGMENTS);
                let mut new: String = chars[..pos].iter().collect();
                new.push_str(fragment);
                if rng.below(2) == 0 && pos < chars.len() {
                    new.extend(&chars[pos + 1..]);
                } else {
                    new.extend(&chars[pos..]);
                }
                lines[at] = new;
            }
            _ => lines.truncate(at),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Values of each key's domain (by key name), as TOML arrays: mostly valid,
/// with a few that validation must refuse. References are made by
/// [`retarget`].
const DOMAINS: &[(&str, &str)] = &[
    ("name", r#"["shop", "web-autoheal", "a", "Stack-2"]"#),
    (
        "region",
        r#"["ap-northeast-1", "us-east-1", "eu-west-1", "ap-southeast-5"]"#,
    ),
    ("description", r#"["Shop", "", "説明 with ünïcode"]"#),
    (
        "notify",
        r#"["ops@example.com", "a.b+c@sub.example.co.jp"]"#,
    ),
    (
        "tags",
        r#"[{ Team = "web" }, { a = "b", Cost-Center = "42", "x:y" = "z" }]"#,
    ),
    ("id", r#"["Z2BEP1Z1Q3YA66", "Z0PRIVATE1", "ZX"]"#),
    (
        "domain",
        r#"["example.com", "example.org", "internal", "tenants.internal.example.org"]"#,
    ),
    ("private", "[true, false]"),
    ("access_logs", "[true, false]"),
    (
        "ami",
        r#"["ami-0123456789abcdef0", "ami-01234567", "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"]"#,
    ),
    ("type", r#"["t3.micro", "m7g.large", "c6in.metal"]"#),
    (
        "subnets",
        r#"[["subnet-0a0a0a0a0a0a0a0a0"], ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"], ["subnet-01234567", "subnet-0b0b0b0b0b0b0b0b0", "subnet-0c0c0c0c0c0c0c0c0"]]"#,
    ),
    (
        "security_groups",
        r#"[["sg-0c0c0c0c0c0c0c0c0"], ["sg-01234567", "sg-0d0d0d0d0d0d0d0d0"]]"#,
    ),
    (
        "elastic_ip",
        r#"["new", "none", "eipalloc-0123456789abcdef0", { allocation = "eipalloc-0123456789abcdef0", address = "203.0.113.7" }]"#,
    ),
    (
        "hours",
        r#"[{ days = "MON-FRI", start = "09:00", stop = "18:00", timezone = "Asia/Tokyo" }, { days = "SAT,SUN", start = "22:30", stop = "06:00", timezone = "UTC" }]"#,
    ),
    ("volume_gb", "[1, 8, 100, 16384]"),
    (
        "root_device",
        r#"["/dev/xvda", "/dev/sda1", "/dev/nvme0n1"]"#,
    ),
    (
        "record",
        r#"["www.example.com", "a.example.org", "admin.internal.example.org", "{client}.tenants.internal.example.org", "{client}.internal"]"#,
    ),
    ("ip", r#"["public", "private"]"#),
    (
        "health",
        r#"["instance", { http = "/health" }, { https = "/status", port = 8443 }]"#,
    ),
    ("ttl", "[0, 60, 300, 86400]"),
    (
        "certificate",
        r#"["new", "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f", "arn:aws:acm:eu-central-1:123456789012:certificate/3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b"]"#,
    ),
    (
        "title",
        r#"["Closed", "本日の運用は停止しました", "<b>Back</b> & \"soon\""]"#,
    ),
    ("message", r#"["Back at 9.", "line one\nline two"]"#),
    (
        "allow",
        r#"[["203.0.113.0/24"], ["0.0.0.0/0"], ["198.51.100.7/32", "203.0.113.0/24"]]"#,
    ),
    ("status", "[200, 403, 503, 504]"),
    ("vpc", r#"["vpc-0e0e0e0e0e0e0e0e0", "vpc-01234567"]"#),
    ("port", "[80, 443, 8080, 65535]"),
    ("health_path", r#"["/", "/healthz", "/a/b?c=d"]"#),
    (
        "clients",
        r#"[["acme"], ["acme", "globex", "initech"], ["a-1", "b2"]]"#,
    ),
    ("tag", r#"["ClientId", "TenantId", "client:id"]"#),
    (
        "parameters",
        r#"[["API_KEY"], ["DB_PASSWORD", "HOGE", "_X1"], []]"#,
    ),
    (
        "bootstrap",
        r#"["/opt/app/bootstrap.sh", "bootstrap --env=prod --all", "run.sh a,b"]"#,
    ),
    ("kind", r#"["ami", "snapshot"]"#),
    ("at", r#"["00:00", "03:30", "23:59"]"#),
    ("every", "[1, 2, 4, 12, 24]"),
    ("keep", "[1, 7, 30, 1000]"),
    ("copy_to", r#"[{ region = "us-west-2", keep = 3 }]"#),
    (
        "schedule",
        r#"["cron(0 3 ? * SUN *)", "rate(30 minutes)", "rate(1 day)"]"#,
    ),
    (
        "commands",
        r#"[["echo hi"], ["systemctl restart app", "journalctl --vacuum-time=7d"]]"#,
    ),
];

/// The values of `key`'s domain; none for a key that only refers.
fn domain(key: &str) -> Vec<Value> {
    DOMAINS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(Vec::new, |(_, values)| {
            let doc: Table = toml::from_str(&format!("v = {values}")).unwrap();
            doc["v"].as_array().unwrap().clone()
        })
}

/// The `kind.name` of every block of `doc`.
fn block_refs(doc: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, blocks) in doc {
        if let (false, Value::Table(blocks)) = (kind == "stack", blocks) {
            out.extend(blocks.keys().map(|name| format!("{kind}.{name}")));
        }
    }
    out
}

/// One to three value-level edits of a topology document.
fn value_mutant(doc: &Table, rng: &mut XorShift) -> Table {
    let mut doc = doc.clone();
    for _ in 0..=rng.below(3) {
        match rng.below(8) {
            0 => duplicate_block(&mut doc, rng),
            1 => retarget(&mut doc, rng),
            2 => remove_key(&mut doc, rng),
            _ => set_key(&mut doc, rng),
        }
    }
    doc
}

/// Sets a key of a random block to a value of its domain: a key it has
/// (inline tables included), or any key of its kind.
fn set_key(doc: &mut Table, rng: &mut XorShift) {
    let picked = if rng.below(2) == 0 {
        random_key(doc, rng)
    } else {
        any_key(doc, rng)
    };
    let Some((path, key)) = picked else {
        return;
    };
    let values = domain(&key);
    if values.is_empty() {
        return retarget(doc, rng);
    }
    let value = rng.pick(&values).clone();
    if let Some(t) = table_at(doc, &path) {
        t.insert(key, value);
    }
}

/// Removes a random key of a random block (a default applies, or validation
/// says it is required).
fn remove_key(doc: &mut Table, rng: &mut XorShift) {
    if let Some((path, key)) = random_key(doc, rng) {
        if let Some(t) = table_at(doc, &path) {
            t.remove(&key);
        }
    }
}

/// Points a random reference at another block, of any kind.
fn retarget(doc: &mut Table, rng: &mut XorShift) {
    let targets = block_refs(doc);
    let refs: Vec<(Vec<String>, String)> = key_paths(doc)
        .into_iter()
        .filter(|(path, key)| {
            table_at_ref(doc, path)
                .and_then(|t| t.get(key))
                .and_then(Value::as_str)
                .is_some_and(|v| targets.iter().any(|t| t == v))
        })
        .collect();
    if refs.is_empty() || targets.is_empty() {
        return;
    }
    let (path, key) = rng.pick(&refs).clone();
    let target = rng.pick(&targets).clone();
    if let Some(t) = table_at(doc, &path) {
        t.insert(key, Value::String(target));
    }
}

/// Copies a random block under a new name.
fn duplicate_block(doc: &mut Table, rng: &mut XorShift) {
    let blocks = block_refs(doc);
    if blocks.is_empty() {
        return;
    }
    let block = rng.pick(&blocks).clone();
    let (kind, name) = block.split_once('.').unwrap();
    let Some(Value::Table(of_kind)) = doc.get_mut(kind) else {
        return;
    };
    let copy = of_kind[name].clone();
    of_kind.insert(format!("{name}-{}", rng.below(100)), copy);
}

/// Every `(table path, key)` of `doc` below the kind level: `(["instance",
/// "web"], "ami")`, `(["instance", "web", "hours"], "start")`.
fn key_paths(doc: &Table) -> Vec<(Vec<String>, String)> {
    fn walk(t: &Table, path: &[String], out: &mut Vec<(Vec<String>, String)>) {
        for (k, v) in t {
            out.push((path.to_vec(), k.clone()));
            if let Value::Table(inner) = v {
                let mut p = path.to_vec();
                p.push(k.clone());
                walk(inner, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    for (kind, blocks) in doc {
        let Value::Table(blocks) = blocks else {
            continue;
        };
        if kind == "stack" {
            walk(blocks, std::slice::from_ref(kind), &mut out);
            continue;
        }
        for (name, body) in blocks {
            if let Value::Table(body) = body {
                walk(body, &[kind.clone(), name.clone()], &mut out);
            }
        }
    }
    out
}

/// A random block and a random key of its kind (see `spec::Topology::keys`).
fn any_key(doc: &Table, rng: &mut XorShift) -> Option<(Vec<String>, String)> {
    let mut blocks = vec![vec!["stack".to_string()]];
    for r in block_refs(doc) {
        let (kind, name) = r.split_once('.').unwrap();
        blocks.push(vec![kind.to_string(), name.to_string()]);
    }
    let path = rng.pick(&blocks).clone();
    let kind = topoform::kind::Kind::from_name(&path[0])?;
    let keys = topoform::spec::Topology::keys(kind);
    let key = (*rng.pick(&keys)).to_string();
    table_at_ref(doc, &path).map(|_| (path, key))
}

fn random_key(doc: &Table, rng: &mut XorShift) -> Option<(Vec<String>, String)> {
    let paths = key_paths(doc);
    (!paths.is_empty()).then(|| rng.pick(&paths).clone())
}

fn table_at<'a>(doc: &'a mut Table, path: &[String]) -> Option<&'a mut Table> {
    let mut t = doc;
    for p in path {
        t = t.get_mut(p)?.as_table_mut()?;
    }
    Some(t)
}

fn table_at_ref<'a>(doc: &'a Table, path: &[String]) -> Option<&'a Table> {
    let mut t = doc;
    for p in path {
        t = t.get(p)?.as_table()?;
    }
    Some(t)
}
