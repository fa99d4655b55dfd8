//! Hostile values: every string field of a topology that can reach a script,
//! an HTML page or JSON is set, in turn, to each value of a corpus of
//! injection attempts. Compilation must either reject the value with a
//! diagnostic or produce output in which the value is inert: every script
//! still parses (`bash -n`) and contains no unquoted copy of the value, the
//! page shows it escaped, and the templates are valid JSON.

use std::path::Path;
use std::process::Command;

use topoform::{FilesIn, compile_toml};

fn corpus() -> Vec<String> {
    let mut c: Vec<String> = [
        "$(touch /tmp/topoform-pwned)",
        "`touch /tmp/topoform-pwned`",
        "'; touch /tmp/topoform-pwned; '",
        "\"; touch /tmp/topoform-pwned; \"",
        "a\nb",
        "a\0b",
        "a\rb",
        "\u{202e}evil\u{202c}",
        "<script>alert(1)</script>",
        "</title><img src=x onerror=alert(1)>",
        "{{ 7*7 }}{% raw %}",
        "${HOME}",
        "$HOME",
        "a b",
        "--help",
        "-",
        "*",
        "本日の運用は停止しました",
        "TOPOFORM_SETUP_EOF",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    c.push("x".repeat(10 * 1024));
    c.push("$(x)".repeat(2600));
    c
}

/// String fields of `fixtures/ok/everything.toml`, as paths into the document.
const FIELDS: &[&[&str]] = &[
    &["stack", "name"],
    &["stack", "description"],
    &["stack", "notify"],
    &["stack", "tags", "Owner"],
    &["zone", "public", "domain"],
    &["instance", "admin", "type"],
    &["instance", "admin", "ami"],
    &["instance", "admin", "dns", "record"],
    &["instance", "admin", "hours", "timezone"],
    &["instance", "admin", "hours", "days"],
    &["instance", "admin", "root_device"],
    &["alb", "shop", "health_path"],
    &["sorry", "outage", "title"],
    &["sorry", "outage", "message"],
    &["failover", "shop", "record"],
    &["failover", "admin", "health", "https"],
    &["fleet", "tenant", "tag"],
    &["fleet", "tenant", "dns", "record"],
    &["fleet", "tenant", "bootstrap"],
    &["backup", "shop-images", "at"],
    &["task", "rotate", "schedule"],
    &["task", "rotate", "commands"],
    &["fleet", "tenant", "parameters"],
];

fn set(doc: &mut toml::Table, path: &[&str], value: &str) {
    let (last, parents) = path.split_last().unwrap();
    let mut t = doc;
    for p in parents {
        t = t.get_mut(*p).and_then(toml::Value::as_table_mut).unwrap();
    }
    let v = if t.get(*last).is_some_and(toml::Value::is_array) {
        toml::Value::Array(vec![toml::Value::String(value.to_string())])
    } else {
        toml::Value::String(value.to_string())
    };
    t.insert((*last).to_string(), v);
}

/// The characters a shell never interprets: a value made of these (and
/// blanks, which split a bootstrap command into words) cannot do harm
/// unquoted.
fn inert(c: char) -> bool {
    c.is_ascii_alphanumeric() || "@%+=:,./_- \t".contains(c)
}

/// The value as one single-quoted shell word, the only form in which a value
/// with other characters may appear in a script.
fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// What a page shows of `value`: without controls (but newline and tab) and
/// direction overrides, HTML-escaped.
fn shown_in_page(value: &str) -> String {
    let visible: String = value
        .chars()
        .filter(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            !bidi && (!c.is_control() || *c == '\n' || *c == '\t')
        })
        .collect();
    let mut out = String::new();
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

fn bash_parses(script: &str) -> bool {
    let dir = std::env::temp_dir().join(format!("topoform-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("script.sh");
    std::fs::write(&path, script).unwrap();
    let ok = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap()
        .success();
    std::fs::remove_dir_all(&dir).unwrap();
    ok
}

#[test]
fn hostile_values_are_rejected_or_inert() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let base: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("everything.toml")).unwrap()).unwrap();
    let base_output = compile_toml(&toml::to_string(&base).unwrap(), &FilesIn(dir.clone()))
        .output
        .expect("everything.toml compiles");
    let (mut accepted, mut rejected) = (0, 0);
    for field in FIELDS {
        for value in corpus() {
            let mut doc = base.clone();
            set(&mut doc, field, &value);
            let text = toml::to_string(&doc).unwrap();
            let c = compile_toml(&text, &FilesIn(dir.clone()));
            let Some(output) = c.output else {
                assert!(
                    c.diagnostics.iter().any(topoform::Diagnostic::is_error),
                    "{field:?}: no output and no error"
                );
                rejected += 1;
                continue;
            };
            accepted += 1;
            let shown = format!(
                "{field:?} = {:?}",
                value.chars().take(60).collect::<String>()
            );
            for (path, body) in &output {
                if path.ends_with(".json") {
                    serde_json::from_str::<serde_json::Value>(body)
                        .unwrap_or_else(|e| panic!("{shown}: {path} is not JSON: {e}"));
                } else if path.ends_with(".sh") {
                    // Every copy of a value with a character the shell
                    // interprets, but the ones the script has anyway (a
                    // `*` in a comment), is inside its single-quoted form.
                    if !value.chars().all(inert) {
                        let outside = body.replace(&single_quoted(&value), "");
                        let before = base_output.get(path).map_or("", String::as_str);
                        assert!(
                            outside.matches(value.as_str()).count()
                                <= before.matches(value.as_str()).count(),
                            "{shown}: {path} contains the value unquoted"
                        );
                    }
                } else if path.ends_with(".html") {
                    assert!(
                        !body.contains("<script>"),
                        "{shown}: {path} has a raw <script>"
                    );
                    assert!(!body.contains("<img"), "{shown}: {path} has a raw <img>");
                    assert!(
                        !body.contains(['\u{202e}', '\0', '\r']),
                        "{shown}: {path} keeps a control or direction override"
                    );
                    // The page's own text fields show the value, escaped.
                    if matches!(field.last(), Some(&("title" | "message"))) {
                        assert!(
                            body.contains(&shown_in_page(&value)),
                            "{shown}: {path} does not show the value escaped"
                        );
                    }
                }
            }
            // bash -n on the scripts of the first values only: it is slow.
            if value.len() < 100 {
                for (path, body) in output.iter().filter(|(p, _)| p.ends_with(".sh")) {
                    assert!(bash_parses(body), "{shown}: {path} does not parse");
                }
            }
        }
    }
    // Both outcomes occur: titles take any text, names reject shell syntax.
    assert!(
        accepted > 0 && rejected > 0,
        "accepted {accepted}, rejected {rejected}"
    );
}
