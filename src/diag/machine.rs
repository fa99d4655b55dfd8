//! Diagnostics for machines: a documented JSON document, SARIF 2.1.0 (for
//! code scanning), and GitHub Actions workflow commands (annotations on the
//! pull request's diff).
//!
//! Each format is built from the same [`Report`]s: one per topology file,
//! with its diagnostics, the error that kept it from being read, and what
//! `synth --check` found stale in its output directory. Positions are
//! 1-based lines and columns in characters (Unicode code points); an end
//! column is the one after the last character, as SARIF defines it.
//!
//! The JSON document is versioned (`"version": 1`): a later version may add
//! fields; renaming or removing one, or changing its meaning, makes a new
//! version. README.md ("Diagnostics for machines") documents it field by
//! field.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Code, Diagnostic, Label};
use crate::source::{LineIndex, SourceFile};

/// The JSON document's version.
pub const JSON_VERSION: u32 = 1;

/// The longest message a machine format carries, in characters: a hostile
/// 50 MB value must not become a 50 MB report.
const MAX_MESSAGE: usize = 2_000;

/// What one topology file came to.
#[derive(Debug)]
pub struct Report<'a> {
    /// The file, as it was named on the command line, and its text.
    pub file: &'a SourceFile,
    /// Its diagnostics, in order.
    pub diagnostics: &'a [Diagnostic],
    /// Why it could not be read, if it could not (its text is then empty).
    pub read_error: Option<String>,
    /// The output directory (`-o DIR`), for the commands that have one.
    pub output_dir: Option<String>,
    /// Why the output directory could not be read or written.
    pub output_error: Option<String>,
    /// What `synth --check` found stale in the output directory.
    pub stale: Vec<Stale>,
}

/// A file of an output directory that is not what `synth` would write.
#[derive(Debug, Clone, Serialize)]
pub struct Stale {
    /// The file's path: the output directory joined with its name.
    pub path: String,
    /// `changed`, `missing`, `extra` (not topoform's), `not-a-file`,
    /// `not-executable`.
    pub reason: &'static str,
}

impl Report<'_> {
    /// Whether the file was read and has no error.
    pub fn valid(&self) -> bool {
        self.read_error.is_none() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The rule of a stale output directory, which only the machine formats
/// name (on a terminal, `synth --check` prints the diff).
const STALE_RULE: &str = "stale-output";
const STALE_TEXT: &str =
    "A file of the output directory is not what `topoform synth` would write from the topology.";
const STALE_HELP: &str =
    "Run `topoform synth FILE -o DIR` and commit the result, or revert the edit to the topology.";

/// The rule of a file that could not be read or written: the topology, or
/// the output directory. GitHub code scanning ignores tool notifications,
/// so these are results too: a mistyped path must not look like a clean run.
const IO_RULE: &str = "io-error";
const IO_TEXT: &str = "A file could not be read or written: the topology, or the output directory.";
const IO_HELP: &str = "Check the path and its permissions; the exit code is 6.";

impl Report<'_> {
    /// The command that brings the output directory up to date.
    fn synth_command(&self) -> String {
        format!(
            "topoform synth {} -o {}",
            self.file.name,
            self.output_dir.as_deref().unwrap_or("DIR")
        )
    }
}

/// Where `label` is, in the text `lines` indexes.
fn region(lines: &LineIndex<'_>, label: &Label) -> Region {
    let start = lines.line_col(label.span.start);
    let end = lines.line_col(label.span.end.max(label.span.start));
    Region {
        line: start.line,
        column: start.col,
        end_line: end.line,
        end_column: end.col,
    }
}

/// A message as a machine format carries it: whole, up to [`MAX_MESSAGE`].
fn capped(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[derive(Serialize)]
struct Region {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl Region {
    /// A file as a whole, for a result that has no finer place: GitHub
    /// code scanning requires a region.
    fn whole() -> Region {
        Region {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        }
    }
}

// ---------------------------------------------------------------- JSON

#[derive(Serialize)]
struct JsonDocument<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    valid: bool,
    errors: usize,
    warnings: usize,
    read_error: Option<&'a str>,
    diagnostics: Vec<JsonDiagnostic>,
    output_error: Option<&'a str>,
    stale: &'a [Stale],
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: &'static str,
    message: String,
    location: Region,
    label: Option<String>,
    related: Option<JsonRelated>,
    help: Option<String>,
}

#[derive(Serialize)]
struct JsonRelated {
    location: Region,
    message: Option<String>,
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| capped(s))
}

fn json_diagnostic_list(r: &Report<'_>) -> Vec<JsonDiagnostic> {
    let lines = LineIndex::new(&r.file.text);
    r.diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code.as_str(),
            severity: d.severity.as_str(),
            message: capped(&d.message),
            location: region(&lines, &d.primary),
            label: non_empty(&d.primary.message),
            related: d.secondary.as_ref().map(|s| JsonRelated {
                location: region(&lines, s),
                message: non_empty(&s.message),
            }),
            help: d.help.as_deref().map(capped),
        })
        .collect()
}

/// The diagnostics of one report, as the JSON document lists them (for
/// `plan --format json`, whose preview carries them).
pub fn json_diagnostics(r: &Report<'_>) -> serde_json::Value {
    serde_json::to_value(json_diagnostic_list(r)).expect("diagnostics serialize")
}

/// The JSON document (version [`JSON_VERSION`]), pretty, with a final newline.
pub fn json(reports: &[Report<'_>]) -> String {
    let files = reports
        .iter()
        .map(|r| JsonFile {
            path: &r.file.name,
            valid: r.valid(),
            errors: r.diagnostics.iter().filter(|d| d.is_error()).count(),
            warnings: r.diagnostics.iter().filter(|d| !d.is_error()).count(),
            read_error: r.read_error.as_deref(),
            diagnostics: json_diagnostic_list(r),
            output_error: r.output_error.as_deref(),
            stale: &r.stale,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&JsonDocument {
        version: JSON_VERSION,
        files,
    })
    .expect("a report serializes");
    s.push('\n');
    s
}

// ---------------------------------------------------------------- SARIF

/// A path as a SARIF artifact URI: relative paths stay relative (GitHub
/// resolves them against the repository), with `/` separators and every
/// byte outside RFC 3986's unreserved set percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let relative = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    if relative.starts_with('/') {
        out.push_str("file://");
    }
    for b in relative.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[derive(Serialize)]
struct Sarif {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun {
    tool: SarifTool,
    column_kind: &'static str,
    invocations: [SarifInvocation; 1],
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    short_description: SarifText,
    full_description: SarifText,
    help: SarifText,
}

fn rule(id: &'static str, text: &str, help: String) -> SarifRule {
    // The short description is the explanation's first sentence.
    let short = text.split_inclusive(". ").next().unwrap_or(text).trim_end();
    SarifRule {
        id,
        short_description: SarifText {
            text: short.to_string(),
        },
        full_description: SarifText {
            text: text.to_string(),
        },
        help: SarifText { text: help },
    }
}

#[derive(Serialize)]
struct SarifText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifInvocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<SarifNotification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifNotification {
    level: &'static str,
    message: SarifText,
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifText,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: SarifPhysical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysical {
    artifact_location: SarifArtifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

impl From<Region> for SarifRegion {
    fn from(r: Region) -> Self {
        SarifRegion {
            start_line: r.line,
            start_column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
        }
    }
}

fn location(path: &str, region: Option<Region>, message: Option<String>) -> SarifLocation {
    SarifLocation {
        id: None,
        physical_location: SarifPhysical {
            artifact_location: SarifArtifact { uri: uri(path) },
            region: region.map(SarifRegion::from),
        },
        message: message.map(|text| SarifText { text }),
    }
}

/// Every rule: the diagnostic codes in their documented order, then
/// `stale-output` and `io-error`, with those two's indexes.
fn rules() -> (Vec<SarifRule>, usize, usize) {
    let mut rules: Vec<SarifRule> = Code::ALL
        .iter()
        .map(|c| rule(c.as_str(), c.explanation(), c.remedy()))
        .collect();
    let stale_index = rules.len();
    rules.push(rule(STALE_RULE, STALE_TEXT, STALE_HELP.to_string()));
    let io_index = rules.len();
    rules.push(rule(IO_RULE, IO_TEXT, IO_HELP.to_string()));
    (rules, stale_index, io_index)
}

/// A SARIF 2.1.0 log of one run, pretty, with a final newline. Its rules
/// are every diagnostic code, in their documented order, then
/// `stale-output`; a file that could not be read is a tool execution
/// notification, and makes the run unsuccessful.
pub fn sarif(reports: &[Report<'_>]) -> String {
    let (rules, stale_index, io_index) = rules();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for r in reports {
        let name = r.file.name.as_str();
        let mut failed = Vec::new();
        if let Some(e) = &r.read_error {
            failed.push((name, format!("cannot read {name}: {}", capped(e))));
        }
        if let (Some(dir), Some(e)) = (&r.output_dir, &r.output_error) {
            failed.push((dir.as_str(), format!("{dir}: {}", capped(e))));
        }
        for (path, text) in failed {
            notifications.push(SarifNotification {
                level: "error",
                message: SarifText { text: text.clone() },
                locations: vec![location(path, None, None)],
            });
            results.push(SarifResult {
                rule_id: IO_RULE,
                rule_index: io_index,
                level: "error",
                message: SarifText { text },
                locations: vec![location(path, Some(Region::whole()), None)],
                related_locations: Vec::new(),
            });
        }
        let lines = LineIndex::new(&r.file.text);
        for d in r.diagnostics {
            let mut text = capped(&d.message);
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(&capped(help));
            }
            results.push(SarifResult {
                rule_id: d.code.as_str(),
                rule_index: Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                level: d.severity.as_str(),
                message: SarifText { text },
                locations: vec![location(
                    name,
                    Some(region(&lines, &d.primary)),
                    non_empty(&d.primary.message),
                )],
                related_locations: d
                    .secondary
                    .iter()
                    .map(|s| SarifLocation {
                        id: Some(1),
                        ..location(name, Some(region(&lines, s)), non_empty(&s.message))
                    })
                    .collect(),
            });
        }
        for s in &r.stale {
            results.push(SarifResult {
                rule_id: STALE_RULE,
                rule_index: stale_index,
                level: "error",
                message: SarifText {
                    text: format!(
                        "{} is stale ({}): run `{}`",
                        s.path,
                        s.reason,
                        r.synth_command()
                    ),
                },
                locations: vec![location(&s.path, Some(Region::whole()), None)],
                related_locations: Vec::new(),
            });
        }
    }
    let log = Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "topoform",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            invocations: [SarifInvocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("a SARIF log serializes");
    s.push('\n');
    s
}

// ---------------------------------------------------------------- GitHub

/// A workflow command's message: GitHub decodes `%25`, `%0D` and `%0A`.
/// Other control characters are shown as visible glyphs, as on a
/// terminal, so that no escape sequence reaches the log.
fn github_data(text: &str) -> String {
    let mut out = String::new();
    for c in capped(text).chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => match super::glyph(c) {
                Some(g) => out.push_str(&g),
                None => out.push(c),
            },
        }
    }
    out
}

/// A workflow command's property: as a message, and `:` and `,` too.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`), one
/// line per diagnostic, per file that could not be read and per stale
/// file: the runner turns them into annotations on the pull request.
pub fn github(reports: &[Report<'_>]) -> String {
    let mut out = String::new();
    for r in reports {
        let file = github_property(&r.file.name);
        if let Some(e) = &r.read_error {
            let _ = writeln!(
                out,
                "::error file={file},title={}::{}",
                github_property(&format!("topoform {IO_RULE}")),
                github_data(&format!("cannot read {}: {e}", r.file.name))
            );
        }
        if let (Some(dir), Some(e)) = (&r.output_dir, &r.output_error) {
            let _ = writeln!(
                out,
                "::error file={},title={}::{}",
                github_property(dir),
                github_property(&format!("topoform {IO_RULE}")),
                github_data(&format!("{dir}: {e}"))
            );
        }
        let lines = LineIndex::new(&r.file.text);
        for d in r.diagnostics {
            let at = region(&lines, &d.primary);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let _ = writeln!(
                out,
                "::{} file={file},line={},col={},endLine={},endColumn={},title={}::{}",
                d.severity.as_str(),
                at.line,
                at.column,
                at.end_line,
                at.end_column,
                github_property(&format!("topoform {}", d.code.as_str())),
                github_data(&message),
            );
        }
        for s in &r.stale {
            let _ = writeln!(
                out,
                "::error file={},title={}::{}",
                github_property(&s.path),
                github_property(&format!("topoform {STALE_RULE}")),
                github_data(&format!(
                    "{} is stale ({}): run `{}`",
                    s.path,
                    s.reason,
                    r.synth_command()
                )),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn report<'a>(file: &'a SourceFile, diags: &'a [Diagnostic]) -> Report<'a> {
        Report {
            file,
            diagnostics: diags,
            read_error: None,
            output_dir: None,
            output_error: None,
            stale: Vec::new(),
        }
    }

    #[test]
    fn positions_count_characters_from_one_and_end_after_the_last() {
        let text = "[stack]\nnäme = \"x\"\n";
        let lines = LineIndex::new(text);
        let at = |o| {
            let p = lines.line_col(o);
            (p.line, p.col)
        };
        assert_eq!(at(0), (1, 1));
        // `=` after `näme ` (ä is two bytes, one character).
        let eq = text.find('=').unwrap();
        assert_eq!(at(eq), (2, 6));
        // Inside a character: its start.
        assert_eq!(at(10), (2, 2));
        assert_eq!(at(text.len()), (3, 1));
        assert_eq!(at(text.len() + 10), (3, 1));
    }

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(uri("./a b/x.topo.toml"), "a%20b/x.topo.toml");
        assert_eq!(uri("/abs/x.toml"), "file:///abs/x.toml");
        assert_eq!(uri("dir\\x.toml"), "dir/x.toml");
        assert_eq!(uri("ü.toml"), "%C3%BC.toml");
    }

    #[test]
    fn workflow_commands_cannot_be_broken_by_a_message() {
        let file = SourceFile::new("a,b:c.toml", "x = 1\n");
        let d = [Diagnostic::error(
            Code::UnknownKey,
            Span::new(0..1),
            "bad\n::error::forged %0A",
        )
        .help("a\rb\u{1b}[31m")];
        let out = github(&[report(&file, &d)]);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("::error file=a%2Cb%3Ac.toml,line=1,col=1,endLine=1,endColumn=2,title=topoform unknown-key::bad%0A::error::forged %250A%0Ahelp: a"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn a_huge_message_is_capped() {
        let file = SourceFile::new("a.toml", "x = 1\n");
        let d = [Diagnostic::error(
            Code::InvalidValue,
            Span::new(0..1),
            "v".repeat(1_000_000),
        )];
        for out in [json(&[report(&file, &d)]), sarif(&[report(&file, &d)])] {
            assert!(out.len() < 100_000 + 2 * MAX_MESSAGE, "{}", out.len());
        }
    }

    #[test]
    fn every_code_is_a_rule_at_its_index() {
        let file = SourceFile::new("a.toml", "x = 1\n");
        let d: Vec<Diagnostic> = Code::ALL
            .iter()
            .map(|&c| Diagnostic::warning(c, Span::new(0..1), "m"))
            .collect();
        let log: serde_json::Value = serde_json::from_str(&sarif(&[report(&file, &d)])).unwrap();
        let run = &log["runs"][0];
        for result in run["results"].as_array().unwrap() {
            let i = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(run["tool"]["driver"]["rules"][i]["id"], result["ruleId"]);
        }
    }
}
