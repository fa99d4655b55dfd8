//! The embedded minijinja environment: text only (shell, HTML, JavaScript).
//!
//! Templates are compiled into the binary, undefined variables are errors, and
//! every value is escaped for the file it lands in: shell-quoted in `.sh`,
//! HTML-escaped in `.html`, JSON-encoded in `.js`. `|safe` is the visible
//! opt-out, used only for values that were validated against a grammar.

use std::borrow::Cow;
use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{
    AutoEscape, Environment, Error, Output, State, UndefinedBehavior, escape_formatter,
};
use serde::Serialize;

/// Every template, by name. `tests` renders each of them.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "user-data/_lib.sh.j2",
        include_str!("../templates/user-data/_lib.sh.j2"),
    ),
    (
        "user-data/instance.sh.j2",
        include_str!("../templates/user-data/instance.sh.j2"),
    ),
    (
        "user-data/fleet.sh.j2",
        include_str!("../templates/user-data/fleet.sh.j2"),
    ),
    (
        "sorry/index.html.j2",
        include_str!("../templates/sorry/index.html.j2"),
    ),
    (
        "sorry/function.js.j2",
        include_str!("../templates/sorry/function.js.j2"),
    ),
    ("deploy.sh.j2", include_str!("../templates/deploy.sh.j2")),
    (
        "plan/plan.txt.j2",
        include_str!("../templates/plan/plan.txt.j2"),
    ),
    (
        "plan/plan.md.j2",
        include_str!("../templates/plan/plan.md.j2"),
    ),
    (
        "graph/graph.mmd.j2",
        include_str!("../templates/graph/graph.mmd.j2"),
    ),
    (
        "graph/graph.dot.j2",
        include_str!("../templates/graph/graph.dot.j2"),
    ),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("static syntax config"),
        );
        env.set_auto_escape_callback(|name| {
            let name = name.trim_end_matches(".j2");
            if name.ends_with(".sh") {
                AutoEscape::Custom("sh".into())
            } else if name.ends_with(".js") {
                AutoEscape::Custom("js".into())
            } else if name.ends_with(".html") {
                AutoEscape::Html
            } else if name.ends_with(".txt") {
                AutoEscape::Custom("txt".into())
            } else if name.ends_with(".md") {
                AutoEscape::Custom("md".into())
            } else if name.ends_with(".mmd") {
                AutoEscape::Custom("mmd".into())
            } else if name.ends_with(".dot") {
                AutoEscape::Custom("dot".into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(format_value);
        env.add_filter("text", visible_text);
        // Each template is compiled when first asked for (and kept): a run
        // renders a few of them, and compiling all of them up front was a
        // third of a small synth. Parse errors surface at that first use, as
        // a panic in `render`; `every_template_is_known_and_parses` compiles
        // every one of them.
        env.set_loader(|name| {
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, source)| *source))
        });
        env
    })
}

fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    match state.auto_escape() {
        AutoEscape::Custom(kind) if kind == "sh" && !value.is_safe() => {
            // A string as it is: its text, without a copy first.
            match value.as_str() {
                Some(text) => out.write_str(&shell_quote(text))?,
                None => out.write_str(&shell_quote(&value.to_string()))?,
            }
            Ok(())
        }
        AutoEscape::Custom(kind) if kind == "js" && !value.is_safe() => {
            let json = serde_json::to_string(value)
                .map_err(|e| Error::new(minijinja::ErrorKind::BadSerialization, e.to_string()))?;
            out.write_str(&json)?;
            Ok(())
        }
        AutoEscape::Custom(kind) if kind == "txt" && !value.is_safe() => {
            out.write_str(&visible_controls(&value.to_string()))?;
            Ok(())
        }
        AutoEscape::Custom(kind) if kind == "md" && !value.is_safe() => {
            out.write_str(&markdown_text(&value.to_string()))?;
            Ok(())
        }
        AutoEscape::Custom(kind) if kind == "mmd" && !value.is_safe() => {
            out.write_str(&mermaid_text(&value.to_string()))?;
            Ok(())
        }
        AutoEscape::Custom(kind) if kind == "dot" && !value.is_safe() => {
            out.write_str(&dot_text(&value.to_string()))?;
            Ok(())
        }
        // minijinja's own: `|safe` values as they are, HTML escaped, and an
        // error for a value in a custom format this function does not know.
        _ => escape_formatter(out, state, value),
    }
}

/// Free text for a page (titles, messages): any Unicode, but without control
/// characters (other than newline and tab) or bidirectional embedding and
/// override characters, which could hide or reorder what a reader sees.
/// HTML escaping happens afterwards, in the formatter.
fn visible_text(s: &str) -> String {
    s.chars().filter(|c| !hides(*c)).collect()
}

/// A control character other than newline and tab, or a bidirectional
/// embedding or override: what can hide or reorder what a reader sees.
fn hides(c: char) -> bool {
    let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    bidi || (c.is_control() && c != '\n' && c != '\t')
}

/// Text for a terminal: what [`hides`] (an escape sequence in a page or a
/// script could repaint the screen) is shown as `\u{..}`.
fn visible_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if hides(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Text inside a Markdown table cell or list item: Markdown's and HTML's
/// special characters backslash-escaped or as entities, newlines as spaces.
fn markdown_text(s: &str) -> String {
    let mut out = String::new();
    for c in visible_controls(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Mermaid label (`["…"]`, `|…|`): what would end the
/// label or be read as HTML is written as a Mermaid entity code, and what
/// [`hides`] is dropped. Ids (`[a-z0-9_]`) are unchanged.
fn mermaid_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| !hides(*c)) {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '&' => out.push_str("#amp;"),
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a double-quoted DOT string: `\` and `"` escaped, a newline
/// as DOT's `\n`, and what [`hides`] dropped.
fn dot_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| !hides(*c)) {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Quotes `s` as one shell word. Words made only of characters that the
/// shell never interprets are left bare, so generated scripts read well. A
/// comma is quoted although the shell takes it literally: in an array,
/// shellcheck reads a bare `a,b` as a mistaken separator (SC2054).
pub(crate) fn shell_quote(s: &str) -> Cow<'_, str> {
    let bare = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'@' | b'%' | b'+' | b'=' | b':' | b'.' | b'/' | b'_' | b'-'
                )
        });
    if bare {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")))
    }
}

/// Renders template `name` with `context`. A failure is a bug in topoform
/// (the contexts are typed and the templates embedded), and says so.
pub(crate) fn render<C: Serialize>(name: &str, context: &C) -> String {
    let template = env()
        .get_template(name)
        .unwrap_or_else(|e| panic!("bug in topoform: template {name} cannot be loaded: {e:#}"));
    template
        .render(Value::from(minijinja::value::Serde(context)))
        .unwrap_or_else(|e| panic!("bug in topoform: template {name} failed to render: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagram_labels_cannot_be_closed_by_their_text() {
        assert_eq!(
            mermaid_text("a\"]; x-->y[\"<b>|#&"),
            "a#quot;]; x--#gt;y[#quot;#lt;b#gt;#124;#35;#amp;"
        );
        assert_eq!(mermaid_text("two\nlines\u{1b}[31m"), "two lines[31m");
        assert_eq!(
            dot_text("a\"]; b -> c [label=\"\\"),
            "a\\\"]; b -> c [label=\\\"\\\\"
        );
        assert_eq!(dot_text("two\nlines"), "two\\nlines");
    }

    #[test]
    fn shell_quote_neutralizes_everything() {
        assert_eq!(shell_quote("redash"), "redash");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("`x`;\n"), "'`x`;\n'");
        assert_eq!(shell_quote("a,b"), "'a,b'");
    }

    #[test]
    fn every_template_is_known_and_parses() {
        for (name, _) in TEMPLATES {
            assert!(env().get_template(name).is_ok(), "{name}");
        }
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))
            .unwrap()
            .flat_map(|d| {
                let d = d.unwrap().path();
                if d.is_dir() {
                    std::fs::read_dir(d)
                        .unwrap()
                        .map(|f| f.unwrap().path())
                        .collect()
                } else {
                    vec![d]
                }
            })
            // templates/init holds topologies that `init` copies as they
            // are (src/init.rs), not minijinja templates.
            .filter(|p| p.extension().is_some_and(|e| e == "j2"))
            .count();
        assert_eq!(
            on_disk,
            TEMPLATES.len(),
            "a template file is not listed in TEMPLATES"
        );
    }

    #[test]
    fn html_and_js_values_are_escaped() {
        #[derive(Serialize)]
        struct Page<'a> {
            title: &'a str,
            message: &'a str,
        }
        let html = render(
            "sorry/index.html.j2",
            &Page {
                title: "<script>alert(1)</script>",
                message: "\"&'<b>",
            },
        );
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(html.contains("&quot;&amp;&#x27;&lt;b&gt;"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );

        // In a .js template a value is written as a JSON literal: a string
        // cannot close its quotes, whatever it holds.
        let mut js = env().clone();
        js.add_template("probe.js.j2", "var x = {{ v }};\n")
            .unwrap();
        let hostile = "\"; alert(1); var y = '\n\u{2028}</script>";
        let out = js
            .get_template("probe.js.j2")
            .unwrap()
            .render(minijinja::context! { v => hostile })
            .unwrap();
        let literal = out
            .strip_prefix("var x = ")
            .unwrap()
            .strip_suffix(";\n")
            .unwrap();
        assert_eq!(serde_json::from_str::<String>(literal).unwrap(), hostile);
        let numbers = js
            .get_template("probe.js.j2")
            .unwrap()
            .render(minijinja::context! { v => vec![(3_232_235_776_u32, 4_294_967_040_u32)] })
            .unwrap();
        assert_eq!(numbers, "var x = [[3232235776,4294967040]];\n");
    }

    #[test]
    fn page_text_drops_controls_and_direction_overrides() {
        assert_eq!(visible_text("a\u{202e}b\0c\u{2067}d\ne\tf"), "abcd\ne\tf");
        assert_eq!(
            visible_text("本日の運用は停止しました"),
            "本日の運用は停止しました"
        );
    }
}
