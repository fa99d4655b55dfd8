//! Runs the `topoform` binary: help text, exit codes, `--check`, and that
//! invalid input writes nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn topoform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_topoform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("topoform-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help() {
    let out = topoform(&["--help"]);
    assert!(out.status.success());
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli-help", text(&out.stdout));
        insta::assert_snapshot!("cli-synth-help", text(&topoform(&["synth", "--help"]).stdout));
    });
}

#[test]
fn plan_exit_codes_tell_changes_from_risks() {
    let dir = scratch("plan");
    let golden = dir.join("out");
    let out = golden.to_str().unwrap();
    // No golden files yet: everything is added, nothing is at risk.
    let first = topoform(&["plan", "fixtures/ok/per-client.toml", "-o", out]);
    assert_eq!(first.status.code(), Some(3), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("+ AppAcmeInstance"));
    let synth = topoform(&["synth", "fixtures/ok/per-client.toml", "-o", out]);
    assert!(synth.status.success());
    let same = topoform(&["plan", "fixtures/ok/per-client.toml", "-o", out]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    // A client removed: its instance is at risk.
    let topology = std::fs::read_to_string("fixtures/ok/per-client.toml")
        .unwrap()
        .replace(r#""acme", "#, "");
    let edited = dir.join("edited.toml");
    std::fs::write(&edited, topology).unwrap();
    let plan_as = |format: &str| {
        topoform(&[
            "plan",
            edited.to_str().unwrap(),
            "-o",
            out,
            "--format",
            format,
        ])
    };
    let json = plan_as("json");
    assert_eq!(json.status.code(), Some(4), "{}", text(&json.stderr));
    let preview: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(preview["version"], 1);
    assert_eq!(preview["at_risk"][0]["logical_id"], "AppAcmeInstance");
    // Not a terminal: no colour.
    let plain = topoform(&["plan", edited.to_str().unwrap(), "-o", out]);
    assert!(!text(&plain.stdout).contains('\u{1b}'));
    // The preview carries the topology's diagnostics (here none).
    assert_eq!(preview["diagnostics"], serde_json::json!([]));
    // SARIF: the diagnostics alone, and the same exit code.
    let sarif = plan_as("sarif");
    assert_eq!(sarif.status.code(), Some(4));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    // GitHub: annotations (none), then the text preview, without colour.
    let github = plan_as("github");
    assert_eq!(github.status.code(), Some(4));
    assert!(text(&github.stdout).contains("AppAcmeInstance"));
    assert!(!text(&github.stdout).contains('\u{1b}'));
    // Invalid input: 1, and nothing on stdout.
    std::fs::write(&edited, "[stack]\nname = 1\n").unwrap();
    let bad = topoform(&["plan", edited.to_str().unwrap(), "-o", out]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    // In JSON, invalid input is the diagnostics document.
    let bad = plan_as("json");
    assert_eq!(bad.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(doc["files"][0]["valid"], false);
    let codes: Vec<&str> = doc["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"wrong-type"), "{codes:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_checks_several_files_and_writes_nothing() {
    let dir = scratch("validate");
    let before: Vec<_> = std::fs::read_dir(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let ok = topoform(&[
        "validate",
        "fixtures/ok/redash.toml",
        "fixtures/ok/per-client.toml",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stderr).contains("2 topologies are valid"));
    assert!(ok.stdout.is_empty());
    // One invalid among valid ones: 1, and its diagnostics.
    let bad = topoform(&[
        "validate",
        "fixtures/ok/redash.toml",
        "fixtures/err/many-errors.toml",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let e = text(&bad.stderr);
    assert!(e.contains("--> fixtures/err/many-errors.toml:4:10"), "{e}");
    assert!(e.contains("1 of 2 topologies are invalid"), "{e}");
    // An unreadable one: 6 (I/O), whatever else is wrong.
    let gone = dir.join("gone.topo.toml");
    let gone = gone.to_str().unwrap();
    let io = topoform(&["validate", "fixtures/err/many-errors.toml", gone]);
    assert_eq!(io.status.code(), Some(6));
    assert!(text(&io.stderr).contains(&format!("cannot read {gone}")));
    // No file at all is a usage error.
    assert_eq!(topoform(&["validate"]).status.code(), Some(2));
    // Nothing was written anywhere.
    let after: Vec<_> = std::fs::read_dir(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn github_annotations_locate_every_diagnostic() {
    let out = topoform(&[
        "validate",
        "--format",
        "github",
        "fixtures/err/many-errors.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("cli-validate-github", text(&out.stdout));
    });
}

#[test]
fn version_names_the_commit_of_a_checkout() {
    let out = text(&topoform(&["--version"]).stdout);
    let version = env!("CARGO_PKG_VERSION");
    let rest = out
        .trim_end()
        .strip_prefix(&format!("topoform {version}"))
        .unwrap_or_else(|| panic!("{out}"));
    // Built from this repository's checkout: the commit, 12 hex digits.
    let ours = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| {
            std::fs::canonicalize(text(&o.stdout).trim()).ok()
                == std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).ok()
        });
    if ours {
        let commit = rest
            .strip_prefix(" (commit ")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or_else(|| panic!("{out}"));
        assert_eq!(commit.len(), 12, "{out}");
        assert!(commit.bytes().all(|b| b.is_ascii_hexdigit()), "{out}");
    } else {
        assert_eq!(rest, "", "{out}");
    }
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = topoform(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("validate") && script.contains("format"),
            "{shell}"
        );
    }
    assert_eq!(topoform(&["completions", "tcsh"]).status.code(), Some(2));
    let man = text(&topoform(&["man"]).stdout);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH topoform"),
        "{man}"
    );
    assert!(man.contains("Exit codes"), "{man}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(topoform(&[]).status.code(), Some(2));
    assert_eq!(topoform(&["synth"]).status.code(), Some(2));
    assert_eq!(
        topoform(&["synth", "fixtures/ok/redash.toml", "--bogus"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn synth_then_check() {
    let dir = scratch("check");
    let out_dir = dir.join("out");
    let out = out_dir.to_str().unwrap();
    let synth = topoform(&["synth", "fixtures/ok/redash.toml", "-o", out]);
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    for f in [
        "redash.template.json",
        "userdata/instance.eip.hours.sh",
        "sorry/closed/index.html",
        "deploy.sh",
    ] {
        assert!(out_dir.join(f).is_file(), "{f} missing");
    }

    let check = topoform(&["synth", "fixtures/ok/redash.toml", "-o", out, "--check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));

    // Drift: a changed file gives a unified diff and exit 5 (not 1, which is
    // an invalid topology); nothing is written.
    let page = out_dir.join("sorry/closed/index.html");
    std::fs::write(&page, "edited by hand\n").unwrap();
    let check = topoform(&["synth", "fixtures/ok/redash.toml", "-o", out, "--check"]);
    assert_eq!(check.status.code(), Some(5));
    let diff = text(&check.stdout);
    assert!(diff.contains("--- a/sorry/closed/index.html"), "{diff}");
    assert!(diff.contains("-edited by hand"), "{diff}");
    assert!(text(&check.stderr).contains("is stale"));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "edited by hand\n");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn invalid_input_exits_1_and_writes_nothing() {
    let dir = scratch("invalid");
    let out_dir = dir.join("out");
    let run = topoform(&[
        "synth",
        "fixtures/err/many-errors.toml",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("--> fixtures/err/many-errors.toml:4:10"),
        "{stderr}"
    );
    assert!(
        stderr.contains("has 5 errors; nothing was written"),
        "{stderr}"
    );
    assert!(!out_dir.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing may be left beside DIR"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Synth writes templates into its staging tree as it serializes them:
/// whichever stage finds the error (the front end, validation, the split,
/// a template's quotas measured on its text), the tree is removed, and
/// what was beside the output directory is left as it was.
#[test]
fn every_error_fixture_leaves_nothing_beside_the_output() {
    let dir = scratch("err-fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("fixtures/err")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 50, "{} fixtures", fixtures.len());
    let out_dir = dir.join("out");
    // The previous tree of a run that could not remove it (no process has
    // this pid: it is above Linux's largest): a failed run leaves it too.
    std::fs::create_dir_all(dir.join(".out.old-4294967-0")).unwrap();
    for f in &fixtures {
        let run = topoform(&[
            "synth",
            f.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(
            run.status.code(),
            Some(1),
            "{}: {}",
            f.display(),
            text(&run.stderr)
        );
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [".out.old-4294967-0"], "{}", f.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A topology split into nested stacks, written by the command (its
/// templates staged as they are serialized) and written again over itself,
/// is what the library builds in memory: `--check` finds no drift, and the
/// manifest lists every file, the nested templates included.
#[test]
fn a_split_topology_written_by_synth_is_what_check_expects() {
    let dir = scratch("split");
    let mut t = String::from(
        "[stack]\nname = \"Scale\"\nregion = \"ap-northeast-1\"\n\n\
         [zone.main]\nid = \"Z0123456789ABCDEFGHIJ\"\ndomain = \"example.com\"\n",
    );
    for i in 0..120 {
        write!(
            t,
            "\n[instance.client{i:03}]\nami = \"ami-0123456789abcdef0\"\ntype = \"t3.small\"\n\
             subnets = [\"subnet-0aaaaaaaaaaaaaaa1\"]\nsecurity_groups = [\"sg-0123456789abcdef0\"]\n\
             dns = {{ zone = \"zone.main\", record = \"client{i:03}.example.com\" }}\n"
        )
        .unwrap();
    }
    let topology = dir.join("scale.toml");
    std::fs::write(&topology, t).unwrap();
    let out_dir = dir.join("out");
    let (topology, out) = (topology.to_str().unwrap(), out_dir.to_str().unwrap());
    for _ in 0..2 {
        let synth = topoform(&["synth", topology, "-o", out]);
        assert!(synth.status.success(), "{}", text(&synth.stderr));
        let check = topoform(&["synth", topology, "-o", out, "--check"]);
        assert!(
            check.status.success(),
            "{}{}",
            text(&check.stdout),
            text(&check.stderr)
        );
    }
    let nested: Vec<_> = std::fs::read_dir(out_dir.join("nested")).unwrap().collect();
    assert!(nested.len() > 1, "{} nested templates", nested.len());
    let manifest = std::fs::read_to_string(out_dir.join(".topoform-files")).unwrap();
    assert!(
        manifest.contains("\nnested/Shard001.template.json\n"),
        "{manifest}"
    );
    assert!(manifest.contains("\nScale.template.json\n"), "{manifest}");
    let beside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_empty_file_is_located_at_1_1() {
    let dir = scratch("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("empty.toml");
    std::fs::write(&file, "").unwrap();
    let run = topoform(&["validate", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains(&format!("--> {}:1:1", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("has no [stack] block"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_input_file_exits_6() {
    let run = topoform(&["synth", "no/such.toml", "-o", "/nonexistent-out"]);
    assert_eq!(run.status.code(), Some(6));
    assert!(text(&run.stderr).contains("cannot read no/such.toml"));
    assert!(!Path::new("/nonexistent-out").exists());
}

#[test]
fn output_is_identical_across_runs() {
    let dir = scratch("determinism");
    for n in ["a", "b"] {
        let out = dir.join(n);
        let run = topoform(&[
            "synth",
            "fixtures/ok/failover-https.toml",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(run.status.success());
    }
    let check = topoform(&[
        "synth",
        "fixtures/ok/failover-https.toml",
        "-o",
        dir.join("a").to_str().unwrap(),
        "--check",
    ]);
    assert!(check.status.success());
    let read = |n: &str| std::fs::read(dir.join(n).join("portal.template.json")).unwrap();
    assert_eq!(read("a"), read("b"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn explain_codes() {
    let out = topoform(&["explain", "logical-id-collision"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("logical-id-collision: "));
    assert_eq!(
        topoform(&["explain", "no-such-code"]).status.code(),
        Some(2)
    );
    // docs/diagnostics.md is `topoform explain --all`, kept current.
    let all = topoform(&["explain", "--all"]);
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    assert_eq!(
        text(&all.stdout),
        docs,
        "regenerate with: topoform explain --all > docs/diagnostics.md"
    );
}

/// Output does not depend on the working directory, the environment, the
/// locale or the time zone.
#[test]
fn output_is_independent_of_cwd_env_and_locale() {
    let dir = scratch("environment");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok/everything.toml");
    let run = |out: &str, cwd: &Path, env: &[(&str, &str)]| {
        let status = Command::new(env!("CARGO_BIN_EXE_topoform"))
            .args([
                "synth",
                fixture.to_str().unwrap(),
                "-o",
                dir.join(out).to_str().unwrap(),
            ])
            .current_dir(cwd)
            .env_clear()
            .envs(env.iter().copied())
            .status()
            .unwrap();
        assert!(status.success());
    };
    run("a", Path::new(env!("CARGO_MANIFEST_DIR")), &[]);
    run(
        "b",
        &dir,
        &[
            ("LANG", "ja_JP.UTF-8"),
            ("LC_ALL", "tr_TR.UTF-8"),
            ("TZ", "Pacific/Chatham"),
            ("HOME", "/nonexistent"),
        ],
    );
    let check = topoform(&[
        "synth",
        fixture.to_str().unwrap(),
        "-o",
        dir.join("b").to_str().unwrap(),
        "--check",
    ]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    // Every file, byte for byte, not only the file names.
    let (a, b) = (tree(&dir.join("a")), tree(&dir.join("b")));
    assert!(a.len() > 3, "{:?}", a.keys());
    assert!(a == b, "the two runs differ");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every file under `root`, by relative path, with its bytes.
fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Two synths racing into one DIR: afterwards DIR holds exactly one of the
/// two outputs, never a mix, and no staging directory is left behind.
#[test]
fn racing_synths_never_mix() {
    let dir = scratch("race");
    let out = dir.join("out");
    let fixtures = ["fixtures/ok/redash.toml", "fixtures/ok/per-client.toml"];
    for _ in 0..20 {
        let children: Vec<_> = fixtures
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_topoform"))
                    .args(["synth", f, "-o", out.to_str().unwrap()])
                    .current_dir(env!("CARGO_MANIFEST_DIR"))
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let ok: Vec<bool> = children
            .into_iter()
            .map(|mut c| c.wait().unwrap().success())
            .collect();
        assert!(ok.iter().any(|s| *s), "both synths failed");
        let matches: Vec<bool> = fixtures
            .iter()
            .map(|f| {
                topoform(&["synth", f, "-o", out.to_str().unwrap(), "--check"])
                    .status
                    .success()
            })
            .collect();
        assert_eq!(
            matches.iter().filter(|m| **m).count(),
            1,
            "{} is a mix of both outputs",
            out.display()
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs the binary with standard output (`stdout`) and error (`stderr`)
/// going to the given files.
fn topoform_to(args: &[&str], stdout: std::fs::File, stderr: std::fs::File) -> Output {
    Command::new(env!("CARGO_BIN_EXE_topoform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap()
}

#[test]
fn a_full_or_closed_stream_is_an_error_not_a_panic() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let null = || std::fs::File::create("/dev/null").unwrap();
    // Standard output full: exit 6, and standard error says why.
    let dir = scratch("full");
    let log = dir.join("stderr");
    let out = topoform_to(
        &["explain", "--all"],
        full(),
        std::fs::File::create(&log).unwrap(),
    );
    assert_eq!(out.status.code(), Some(6));
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("cannot write the output")
    );
    // Standard error full too: still exit 6, no panic (101).
    let out = topoform_to(&["explain", "--all"], full(), full());
    assert_eq!(out.status.code(), Some(6));
    let out = topoform_to(&["explain", "no-such-code"], null(), full());
    assert_eq!(out.status.code(), Some(6));
    // Help and the version too.
    for args in [["--help"], ["--version"]] {
        let out = topoform_to(&args, full(), null());
        assert_eq!(out.status.code(), Some(6), "{args:?}");
    }
    // A reader that stops early: `--check | head -c 1`, with a diff far
    // larger than a pipe's buffer (the whole template changed).
    let stale = dir.join("stale");
    let stale_arg = stale.to_str().unwrap();
    let wrote = topoform(&["synth", "fixtures/ok/everything.toml", "-o", stale_arg]);
    assert!(wrote.status.success());
    std::fs::write(stale.join("all-in-one.template.json"), "{}\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_topoform"))
        .args(["synth", "fixtures/ok/everything.toml", "--check", "-o"])
        .arg(&stale)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut pipe, &mut first).unwrap();
    drop(pipe);
    assert_eq!(child.wait().unwrap().code(), Some(6));
}

#[test]
fn synth_never_deletes_what_topoform_did_not_write() {
    let dir = scratch("users-files");
    // A project: the topology and its page, a README, a .git.
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(dir.join("README.md"), "mine\n").unwrap();
    let topology = dir.join("infra.topo.toml");
    std::fs::copy("fixtures/ok/eip-autohealing.toml", &topology).unwrap();
    let run = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_topoform"))
            .arg("synth")
            .arg(&topology)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap()
    };
    // The project itself, however it is spelled: refused, nothing touched.
    for out in [dir.clone(), dir.join(".git/.."), dir.join("./")] {
        let o = run(&out);
        assert_eq!(o.status.code(), Some(6), "{}", out.display());
        assert!(
            text(&o.stderr).contains("holds the topology file"),
            "{}",
            text(&o.stderr)
        );
    }
    // A folder with the user's notes: refused, and says how to proceed.
    let notes = dir.join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("todo.txt"), "call ops\n").unwrap();
    let o = run(&notes);
    assert_eq!(o.status.code(), Some(6));
    let e = text(&o.stderr);
    assert!(
        e.contains("todo.txt") && e.contains("new or empty directory"),
        "{e}"
    );
    // A fresh directory works, and so does writing it again.
    let out = dir.join("out");
    assert!(run(&out).status.success());
    assert!(run(&out).status.success());
    assert!(out.join(".topoform-files").exists());
    for (path, want) in [
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("README.md", "mine\n"),
        ("notes/todo.txt", "call ops\n"),
    ] {
        assert_eq!(std::fs::read_to_string(dir.join(path)).unwrap(), want);
    }
    assert!(topology.exists());
}

#[test]
fn init_writes_a_starter_that_validates_and_never_overwrites() {
    let dir = scratch("init");
    let d = dir.join("new/infra");
    let d = d.to_str().unwrap();
    for name in ["autoheal", "business-hours", "alb-failover", "fleet", "ops"] {
        let run = topoform(&["init", "--example", name, d]);
        assert!(run.status.success(), "{name}: {}", text(&run.stderr));
        let file = format!("{d}/{name}.topo.toml");
        assert!(text(&run.stderr).contains(&format!("topoform validate {file}")));
        let valid = topoform(&["validate", &file]);
        assert!(valid.status.success(), "{name}: {}", text(&valid.stderr));
    }
    // A second init of the same starter: refused, the file untouched.
    let file = format!("{d}/ops.topo.toml");
    std::fs::write(&file, "mine\n").unwrap();
    let again = topoform(&["init", "--example", "ops", d]);
    assert_eq!(again.status.code(), Some(6));
    assert!(text(&again.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");
    // Nothing else was left in the directory.
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 5);
    // An unknown starter is a usage error.
    assert_eq!(
        topoform(&["init", "--example", "nope", d]).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_draws_the_graph_that_graph_draws() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let drawn = text(&topoform(&["graph", "fixtures/ok/redash.toml"]).stdout);
    assert!(
        readme.contains(&format!("```mermaid\n{drawn}```")),
        "regenerate the README's diagram with: topoform graph fixtures/ok/redash.toml"
    );
}

#[test]
fn a_topology_that_is_not_utf8_is_invalid_input_with_a_location() {
    let dir = scratch("latin1");
    let file = dir.join("latin1.topo.toml");
    std::fs::write(&file, b"[stack]\nname = \"caf\xe9\"\n").unwrap();
    let run = topoform(&["validate", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let e = text(&run.stderr);
    assert!(
        e.contains("error[toml-syntax]") && e.contains("latin1.topo.toml:2:12"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_for_github_never_runs_a_previewed_line_as_a_command() {
    let dir = scratch("plan-github");
    let topology = dir.join("web.topo.toml");
    std::fs::copy("fixtures/ok/new-eip-dns-setup.toml", &topology).unwrap();
    for f in std::fs::read_dir("fixtures/ok/files").unwrap() {
        let f = f.unwrap();
        std::fs::create_dir_all(dir.join("files")).unwrap();
        std::fs::copy(f.path(), dir.join("files").join(f.file_name())).unwrap();
    }
    let out = dir.join("out");
    let synth = topoform(&[
        "synth",
        topology.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    // A setup script edited to hold workflow commands.
    let setup = std::fs::read_dir(dir.join("files"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sh"))
        .expect("the fixture has a setup script");
    let mut script = std::fs::read_to_string(&setup).unwrap();
    script.push_str("  ::warning file=README.md::forged\necho '##[error]legacy'\n");
    std::fs::write(&setup, script).unwrap();
    let plan = topoform(&[
        "plan",
        topology.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "github",
    ]);
    let shown = text(&plan.stdout);
    assert!(shown.contains("forged"), "{shown}");
    let first = shown.lines().next().unwrap();
    let token = first.strip_prefix("::stop-commands::").expect(&shown);
    assert!(
        shown.trim_end().ends_with(&format!("::{token}::")),
        "{shown}"
    );
    assert_eq!(shown.matches(token).count(), 2, "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_never_writes_through_a_link() {
    let dir = scratch("init-link");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "mine\n").unwrap();
    let d = dir.join("d");
    std::fs::create_dir_all(&d).unwrap();
    std::os::unix::fs::symlink(&victim, d.join("autoheal.topo.toml")).unwrap();
    let run = topoform(&["init", d.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(6));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
    // DIR is a file: said so, not "exists".
    let run = topoform(&["init", victim.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(6));
    assert!(
        text(&run.stderr).contains("cannot create"),
        "{}",
        text(&run.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
