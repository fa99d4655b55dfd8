//! Diagnostics: what went wrong, where, and what to do about it.
//!
//! Errors are data. Every problem is a [`Diagnostic`] with a stable [`Code`], a
//! primary span, an optional secondary label and a one-line hint; the text the
//! user sees is produced only by [`render`]. Stages collect diagnostics instead
//! of stopping at the first one, so a single run reports every problem.

use std::fmt::Write as _;

use crate::source::{SourceFile, Span};

/// Stable, kebab-case identifiers of every diagnostic. Renaming one is a
/// breaking change: `tests/snapshots.rs` snapshots the whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// The file is not valid TOML.
    TomlSyntax,
    /// A key that the block does not have.
    UnknownKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// A required key or block is absent.
    MissingKey,
    /// A top-level table that is not a block kind.
    UnknownKind,
    /// A block name outside `[a-z][a-z0-9-]*`, at most 32 characters.
    InvalidName,
    /// A reference that is not of the form `"kind.name"`.
    InvalidReference,
    /// A reference to a block that does not exist.
    DanglingReference,
    /// A reference to a block of a kind that is not allowed there.
    WrongReferenceKind,
    /// An AWS identifier (AMI, subnet, security group, ...) of the wrong shape.
    InvalidId,
    /// An unknown AWS region.
    InvalidRegion,
    /// A malformed CIDR block.
    InvalidCidr,
    /// An unknown IANA time zone.
    InvalidTimezone,
    /// A malformed day-of-week list.
    InvalidDays,
    /// A malformed `HH:MM` time.
    InvalidTime,
    /// A DNS name that Route 53 would reject.
    InvalidDnsName,
    /// A value out of range or not among the accepted ones.
    InvalidValue,
    /// An ACM certificate outside the region its user requires.
    CertificateRegion,
    /// A record name that does not lie inside its hosted zone.
    RecordOutsideZone,
    /// A failover record in a private hosted zone.
    PrivateZoneFailover,
    /// Two blocks that derive the same CloudFormation logical ID.
    LogicalIdCollision,
    /// Two blocks that claim the same DNS record.
    DuplicateRecord,
    /// A health check or record that needs the Elastic IP's address, which is unknown.
    AddressRequired,
    /// A value that cannot be embedded safely in a generated script or page.
    UnsafeValue,
    /// A file named by the topology cannot be read.
    UnreadableFile,
    /// The output would exceed an AWS quota (resources, user-data size, ...).
    QuotaExceeded,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: &'static [Code] = &[
        Code::TomlSyntax,
        Code::UnknownKey,
        Code::WrongType,
        Code::MissingKey,
        Code::UnknownKind,
        Code::InvalidName,
        Code::InvalidReference,
        Code::DanglingReference,
        Code::WrongReferenceKind,
        Code::InvalidId,
        Code::InvalidRegion,
        Code::InvalidCidr,
        Code::InvalidTimezone,
        Code::InvalidDays,
        Code::InvalidTime,
        Code::InvalidDnsName,
        Code::InvalidValue,
        Code::CertificateRegion,
        Code::RecordOutsideZone,
        Code::PrivateZoneFailover,
        Code::LogicalIdCollision,
        Code::DuplicateRecord,
        Code::AddressRequired,
        Code::UnsafeValue,
        Code::UnreadableFile,
        Code::QuotaExceeded,
    ];

    /// The stable kebab-case name shown as `error[NAME]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::TomlSyntax => "toml-syntax",
            Code::UnknownKey => "unknown-key",
            Code::WrongType => "wrong-type",
            Code::MissingKey => "missing-key",
            Code::UnknownKind => "unknown-kind",
            Code::InvalidName => "invalid-name",
            Code::InvalidReference => "invalid-reference",
            Code::DanglingReference => "dangling-reference",
            Code::WrongReferenceKind => "wrong-reference-kind",
            Code::InvalidId => "invalid-id",
            Code::InvalidRegion => "invalid-region",
            Code::InvalidCidr => "invalid-cidr",
            Code::InvalidTimezone => "invalid-timezone",
            Code::InvalidDays => "invalid-days",
            Code::InvalidTime => "invalid-time",
            Code::InvalidDnsName => "invalid-dns-name",
            Code::InvalidValue => "invalid-value",
            Code::CertificateRegion => "certificate-region",
            Code::RecordOutsideZone => "record-outside-zone",
            Code::PrivateZoneFailover => "private-zone-failover",
            Code::LogicalIdCollision => "logical-id-collision",
            Code::DuplicateRecord => "duplicate-record",
            Code::AddressRequired => "address-required",
            Code::UnsafeValue => "unsafe-value",
            Code::UnreadableFile => "unreadable-file",
            Code::QuotaExceeded => "quota-exceeded",
        }
    }
}

/// How bad a diagnostic is. Any error stops the pipeline before output is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted, but something deserves a look.
    Warning,
}

/// A span with a short message shown under the caret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub message: String,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable identifier.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One-line statement of the problem.
    pub message: String,
    /// The main location.
    pub primary: Label,
    /// Another location involved (the first of two colliding names, say).
    pub secondary: Option<Label>,
    /// One-line hint on how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new warning at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// A new error at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: None,
            help: None,
        }
    }

    /// Sets the text under the primary caret.
    #[must_use]
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary location.
    #[must_use]
    pub fn also(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary = Some(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the one-line hint.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic rejects the input.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position (then code), the order the user reads them in.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.primary.span, a.code, &a.message).cmp(&(b.primary.span, b.code, &b.message))
    });
}

/// Renders diagnostics as the user sees them, rustc-style:
///
/// ```text
/// error[unknown-key]: unknown key `amii` in [instance.web]
///  --> web.topo.toml:4:1
///   |
/// 4 | amii = "ami-0123456789abcdef0"
///   | ^^^^ not a key of an instance
///   = help: did you mean `ami`?
/// ```
pub fn render(diags: &[Diagnostic], file: &SourceFile) -> String {
    let mut out = String::new();
    for d in diags {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{severity}[{}]: {}", d.code.as_str(), d.message);
        render_label(&mut out, file, &d.primary, '^');
        if let Some(secondary) = &d.secondary {
            render_label(&mut out, file, secondary, '-');
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let plural = if errors == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "error: {} has {errors} error{plural}; nothing was written",
            file.name
        );
    }
    out
}

fn render_label(out: &mut String, file: &SourceFile, label: &Label, marker: char) {
    if file.text.is_empty() {
        // Built with the Rust builder API: there is no text to point into.
        let _ = writeln!(out, " --> {}", file.name);
        if !label.message.is_empty() {
            let _ = writeln!(out, "  = note: {}", label.message);
        }
        return;
    }
    let start = file.line_col(label.span.start);
    let line = file.line_text(start.line);
    let gutter = start.line.to_string().len();
    let _ = writeln!(
        out,
        "{:gutter$}--> {}:{}:{}",
        "", file.name, start.line, start.col
    );
    let _ = writeln!(out, "{:gutter$} |", "");
    let _ = writeln!(out, "{} | {line}", start.line);
    // The caret runs to the end of the span or of the line, whichever is first.
    let end = file.line_col(label.span.end.max(label.span.start));
    let line_chars = line.chars().count();
    let last_col = if end.line == start.line {
        end.col
    } else {
        line_chars + 1
    };
    let width = last_col.saturating_sub(start.col).max(1);
    let carets: String = std::iter::repeat_n(marker, width).collect();
    let pad = " ".repeat(start.col - 1);
    let message = if label.message.is_empty() {
        String::new()
    } else {
        format!(" {}", label.message)
    };
    let _ = writeln!(out, "{:gutter$} | {pad}{carets}{message}", "");
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a likely typo (used for "did you mean" hints).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let names: std::collections::BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for n in names {
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{n}"
            );
        }
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        assert_eq!(did_you_mean("amii", ["ami", "type"]), Some("ami"));
        assert_eq!(did_you_mean("subnet", ["subnets", "type"]), Some("subnets"));
        assert_eq!(did_you_mean("zzzz", ["ami", "type"]), None);
    }

    #[test]
    fn render_points_at_line_and_column() {
        let f = SourceFile::new("t.toml", "[stack]\nnmae = \"x\"\n");
        let d = Diagnostic::error(Code::UnknownKey, Span::new(8..12), "unknown key `nmae`")
            .label("here")
            .help("did you mean `name`?");
        let text = render(&[d], &f);
        assert!(text.contains(" --> t.toml:2:1\n"), "{text}");
        assert!(text.contains("2 | nmae = \"x\"\n  | ^^^^ here\n"), "{text}");
        assert!(text.contains("= help: did you mean `name`?"), "{text}");
    }
}
