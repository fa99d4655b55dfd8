//! The three formats of a [`Preview`]: terminal text (colour only when the
//! caller asks, on a terminal), Markdown for a pull-request comment (the
//! summary and the risks first, the details folded), and JSON (the
//! [`Preview`] itself, version [`FORMAT_VERSION`](super::FORMAT_VERSION)).
//!
//! Text and Markdown come from minijinja templates; every value in them is
//! escaped for its format (control characters made visible in text,
//! Markdown's own characters in Markdown), and a diff in Markdown sits in a
//! fence longer than any run of backquotes it holds.

use serde::Serialize;

use super::{Preview, ResourceChange};
use crate::templates::render;

/// The preview as terminal text; `colour`: with ANSI colours.
pub fn text(p: &Preview, colour: bool) -> String {
    render("plan/plan.txt.j2", &Context::new(p, colour))
}

/// The preview as Markdown, for a pull-request comment.
pub fn markdown(p: &Preview) -> String {
    render("plan/plan.md.j2", &Context::new(p, false))
}

/// The preview as JSON (pretty, with a final newline).
pub fn json(p: &Preview) -> String {
    let mut s = serde_json::to_string_pretty(p).expect("a preview serializes");
    s.push('\n');
    s
}

#[cfg(feature = "cli")]
/// [`json`], with the topology's diagnostics (warnings: a preview is only
/// made of a valid topology) as a last field, `diagnostics`, in the form
/// of the diagnostics document's (`diag::machine`).
pub fn json_with(p: &Preview, diagnostics: serde_json::Value) -> String {
    let mut v = serde_json::to_value(p).expect("a preview serializes");
    if let Some(map) = v.as_object_mut() {
        map.insert("diagnostics".to_string(), diagnostics);
    }
    let mut s = serde_json::to_string_pretty(&v).expect("a preview serializes");
    s.push('\n');
    s
}

#[derive(Serialize)]
struct Context<'a> {
    empty: bool,
    stack: &'a str,
    s: &'a super::Summary,
    c: Colours,
    templates: Vec<TemplateView<'a>>,
    at_risk: &'a [super::Risk],
    files: Vec<FileView<'a>>,
}

#[derive(Serialize)]
struct Colours {
    green: &'static str,
    yellow: &'static str,
    red: &'static str,
    bold: &'static str,
    reset: &'static str,
}

#[derive(Serialize)]
struct TemplateView<'a> {
    file: &'a str,
    groups: Vec<Group<'a>>,
    other: &'a [String],
}

#[derive(Serialize)]
struct Group<'a> {
    block: &'a str,
    resources: Vec<ResourceView<'a>>,
}

#[derive(Serialize)]
struct ResourceView<'a> {
    logical_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    action: super::Action,
    symbol: &'static str,
    words: &'static str,
    properties: &'a [String],
    because: &'a [String],
}

#[derive(Serialize)]
struct FileView<'a> {
    path: &'a str,
    status: &'a str,
    diff: &'a str,
    /// A Markdown code fence longer than any run of backquotes in the diff.
    fence: String,
}

impl<'a> Context<'a> {
    fn new(p: &'a Preview, colour: bool) -> Self {
        let c = if colour {
            Colours {
                green: "\u{1b}[32m",
                yellow: "\u{1b}[33m",
                red: "\u{1b}[31m",
                bold: "\u{1b}[1m",
                reset: "\u{1b}[0m",
            }
        } else {
            Colours {
                green: "",
                yellow: "",
                red: "",
                bold: "",
                reset: "",
            }
        };
        let templates = p
            .templates
            .iter()
            .map(|t| {
                let mut groups: Vec<Group<'a>> = Vec::new();
                for r in &t.resources {
                    let view = view(r);
                    match groups.last_mut() {
                        Some(g) if g.block == r.block => g.resources.push(view),
                        _ => groups.push(Group {
                            block: &r.block,
                            resources: vec![view],
                        }),
                    }
                }
                TemplateView {
                    file: &t.file,
                    groups,
                    other: &t.other,
                }
            })
            .collect();
        let files = p
            .files
            .iter()
            .map(|f| FileView {
                path: &f.path,
                status: f.status,
                diff: &f.diff,
                fence: fence(&f.diff),
            })
            .collect();
        Context {
            empty: p.is_empty(),
            stack: &p.stack,
            s: &p.summary,
            c,
            templates,
            at_risk: &p.at_risk,
            files,
        }
    }
}

fn view(r: &ResourceChange) -> ResourceView<'_> {
    ResourceView {
        logical_id: &r.logical_id,
        kind: &r.kind,
        action: r.action,
        symbol: r.action.symbol(),
        words: r.action.words(),
        properties: &r.properties,
        because: &r.because,
    }
}

/// Backquotes, one more than the longest run in `text`, and at least three.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::fence;

    #[test]
    fn a_fence_is_longer_than_any_run_of_backquotes() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ``` b ```` c"), "`````");
    }
}
