//! Diagnostics: what went wrong, where, and what to do about it.
//!
//! Errors are data. Every problem is a [`Diagnostic`] with a stable [`Code`], a
//! primary span, an optional secondary label and a one-line hint; the text the
//! user sees is produced only by [`render`]. Stages collect diagnostics instead
//! of stopping at the first one, so a single run reports every problem.

// The CLI's machine formats (JSON, SARIF, GitHub annotations).
#[cfg(feature = "cli")]
#[allow(unreachable_pub)]
pub(crate) mod machine;

use std::fmt::Write as _;

use crate::source::{LineIndex, SourceFile, Span};

/// Stable, kebab-case identifiers of every diagnostic. Renaming one is a
/// breaking change: `tests/snapshots.rs` snapshots the whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
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
    /// Two `[zone]` blocks with one hosted zone id and different domains.
    ZoneConflict,
    /// A topology with no block that deploys anything.
    NothingToDeploy,
    /// A block that nothing uses, so it would cost money and serve no one.
    UnusedBlock,
    /// An instance without an Elastic IP is the primary of two failovers.
    SharedPrimary,
    /// A value AWS cannot take as written, converted to the nearest it can.
    ConvertedValue,
    /// Two blocks of one kind with one name (the Rust builder; TOML refuses
    /// a table defined twice as a syntax error).
    DuplicateBlock,
    /// A builder handle used with a `Topology` other than the one that made it.
    ForeignHandle,
    /// An override (the builder's escape hatch) that cannot be applied.
    InvalidOverride,
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
        Code::ZoneConflict,
        Code::NothingToDeploy,
        Code::UnusedBlock,
        Code::ConvertedValue,
        Code::SharedPrimary,
        Code::DuplicateBlock,
        Code::ForeignHandle,
        Code::InvalidOverride,
    ];

    /// What the diagnostic means (for `topoform explain`).
    pub fn explanation(self) -> &'static str {
        match self {
            Code::TomlSyntax => "The file is not valid TOML.",
            Code::UnknownKey => "A block has a key that its kind does not have, often a typo.",
            Code::WrongType => {
                "A value has the wrong TOML type: a string where a list is expected, a number in quotes, …"
            }
            Code::MissingKey => {
                "A required key or block is absent (`[stack]`, an instance's `ami`, a fleet's clients, a name for a new certificate, …)."
            }
            Code::UnknownKind => "A top-level table is not a block kind of the language.",
            Code::InvalidName => {
                "A name breaks its grammar: block names are `[a-z][a-z0-9-]*` (at most 32 characters), client ids `[a-z0-9-]+`; names are unique within a kind; some derived AWS names (CloudFront Function, association) have length limits."
            }
            Code::InvalidReference => "A reference is not of the form `\"kind.name\"`.",
            Code::DanglingReference => "A reference names a block that does not exist.",
            Code::WrongReferenceKind => {
                "A reference names a block of a kind that is not allowed there, e.g. a zone as a failover primary."
            }
            Code::InvalidId => {
                "An AWS identifier has the wrong shape: AMI, subnet, security group, VPC, allocation, hosted zone ids, ACM ARNs, SSM parameter paths."
            }
            Code::InvalidRegion => "A region code is not a known AWS region.",
            Code::InvalidCidr => "An allow-list entry is not an IPv4 CIDR, or has host bits set.",
            Code::InvalidTimezone => "A time zone is not an IANA name.",
            Code::InvalidDays => "Business days are not a list of days or ascending ranges.",
            Code::InvalidTime => "A time is not a 24-hour `HH:MM`, or start equals stop.",
            Code::InvalidDnsName => {
                "A record name is not a host name Route 53 accepts (letters, digits, hyphens, dots), or a fleet record pattern lacks `{client}`."
            }
            Code::InvalidValue => {
                "A value is out of range or not one of the accepted words (instance type, volume size, TTL, status, port, kind, schedule, e-mail, …)."
            }
            Code::CertificateRegion => {
                "An ACM certificate is in the wrong region: CloudFront takes certificates from us-east-1 only, a load balancer from its own region."
            }
            Code::RecordOutsideZone => "A record name does not end with its zone's domain.",
            Code::PrivateZoneFailover => {
                "A failover record is in a private hosted zone; the sorry site is served from the internet."
            }
            Code::LogicalIdCollision => {
                "Two names derive the same CloudFormation logical ID (e.g. `web-1` and `web1`: punctuation is dropped), so one resource would replace the other."
            }
            Code::DuplicateRecord => "Two blocks write the same record name in the same zone.",
            Code::AddressRequired => {
                "An HTTP(S) health check or a PRIMARY record needs the Elastic IP's address, which CloudFormation cannot look up for an existing allocation."
            }
            Code::UnsafeValue => {
                "A value cannot be embedded safely in a generated script: a setup script containing the heredoc delimiter or a NUL byte, a parameter name that is not a shell identifier, a bootstrap with shell syntax."
            }
            Code::UnreadableFile => {
                "A file named by the topology (`setup`, `page`, `clients_file`) cannot be read, or may not be: a topology reads only regular UTF-8 files of at most 1 MiB inside its own directory tree (symbolic links resolved), since what it reads is published (a sorry page is a public web page)."
            }
            Code::ZoneConflict => {
                "Two `[zone]` blocks name the same hosted zone id with different domains: one zone has one domain, so one of them is wrong, and records checked against it would be written into the other."
            }
            Code::NothingToDeploy => {
                "The topology has a `[stack]` (and perhaps zones) but no block that makes a resource: the stack would be empty, which CloudFormation refuses."
            }
            Code::SharedPrimary => {
                "An instance without an Elastic IP is the primary of two failovers. Such an instance writes its failover's PRIMARY record itself at every boot, from tags that name one record: the second failover would never get its record."
            }
            Code::UnusedBlock => {
                "A block that nothing uses: a `[sorry]` site that no failover points at is a bucket and a distribution that nobody is ever sent to."
            }
            Code::ConvertedValue => {
                "A value AWS cannot take as written is converted to the nearest one it can, and the warning says what it became: `copy_to.keep` counts generations, but Data Lifecycle Manager keeps cross-region copies by age in whole days."
            }
            Code::DuplicateBlock => {
                "Two blocks of one kind with one name: their logical IDs, tags and records would be the same, so the second would silently replace the first. The Rust builder reports it at the second call that adds the name; in TOML a table defined twice is a syntax error."
            }
            Code::ForeignHandle => {
                "A block refers to another through a handle that a different `Topology` returned: the block it names does not exist in this one. The Rust builder reports it where the block holding the handle is added."
            }
            Code::InvalidOverride => {
                "An override, the Rust builder's escape hatch for a property topoform does not expose, that cannot be applied: its path is malformed, its value does not serialize, the block makes no resource of the type it names, or the path runs into a value that is not an object or an array."
            }
            Code::QuotaExceeded => {
                "The output would break an AWS quota: 500 resources, 200 parameters or outputs per template, a 1 MB template, 16 KB of user-data in base64, 10 KB of CloudFront Function code (a sorry site's allow-list), 50 tags per resource. Over 51,200 bytes a template is only a warning: deploy.sh uploads it through S3."
            }
        }
    }

    /// How to fix it.
    pub fn remedy(self) -> String {
        let fix = match self {
            Code::TomlSyntax => {
                "Fix the syntax at the position shown: quote strings, close tables and arrays, one key per line."
            }
            Code::UnknownKey => {
                "Use the suggested key, or remove it. The keys of each block are listed in the language reference."
            }
            Code::WrongType => "Write the value with the type the message names.",
            Code::MissingKey => "Add it.",
            Code::UnknownKind => {
                "Use the kind the hint suggests; when it suggests none, it lists every kind."
            }
            Code::InvalidName => "Rename.",
            Code::InvalidReference => "Write `\"instance.web\"`, `\"zone.public\"`, …",
            Code::DanglingReference => {
                "Fix the name (a close match is suggested) or define the block."
            }
            Code::WrongReferenceKind => "Refer to a block of the kind the message names.",
            Code::InvalidId => {
                "Copy the id from the console or the CLI; hosted zone ids have no `/hostedzone/` prefix."
            }
            Code::InvalidRegion => "Write a code such as `ap-northeast-1`.",
            Code::InvalidCidr => {
                "Write network addresses such as `203.0.113.0/24`; a single address is `/32`."
            }
            Code::InvalidTimezone => "Write e.g. `Asia/Tokyo`, `Europe/Berlin` or `UTC`.",
            Code::InvalidDays => {
                "Write `MON-FRI`, `SAT,SUN` or `MON,WED-FRI` (weeks start on SUN)."
            }
            Code::InvalidTime => "Write `09:00`, `19:30`.",
            Code::InvalidDnsName => {
                "Fix the name; values that reach scripts must match this grammar."
            }
            Code::InvalidValue => "Use a value from the range or list the message gives.",
            Code::CertificateRegion => {
                "Use a certificate from the region named, or `certificate = \"new\"` for a sorry site."
            }
            Code::RecordOutsideZone => "Use a name inside the zone, or another zone.",
            Code::PrivateZoneFailover => "Use a public zone.",
            Code::LogicalIdCollision => "Rename one of them.",
            Code::DuplicateRecord => {
                "Give the record one owner: a failover, an instance's `dns` or one fleet client."
            }
            Code::AddressRequired => {
                "Write `elastic_ip = { allocation = \"eipalloc-…\", address = \"…\" }`, or use `health = \"instance\"`."
            }
            Code::UnsafeValue => "Remove the offending characters; commands are plain words.",
            Code::UnreadableFile => {
                "Paths are relative to the topology file; keep the files beside it or below it."
            }
            Code::ZoneConflict => {
                "Use one `[zone]` block per hosted zone, with the domain `aws route53 get-hosted-zone --id ID` shows."
            }
            Code::NothingToDeploy => {
                "Add an instance, a load balancer, a fleet, a sorry site, a backup or a task."
            }
            Code::UnusedBlock => "Point a failover's `secondary` at it, or remove it.",
            Code::SharedPrimary => {
                "Give the instance an Elastic IP (the template then writes every record), or make it the primary of one failover only."
            }
            Code::ConvertedValue => {
                "Choose a value that converts exactly (the hint says which), or accept the conversion."
            }
            Code::DuplicateBlock => "Give one of the two blocks another name.",
            Code::ForeignHandle => {
                "Add the block to this topology and use the handle that call returns, or build both blocks in one `Topology`."
            }
            Code::InvalidOverride => {
                "Name a resource type the block makes (the message lists them) and a path of property names separated by dots, with array indices as numbers: `LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit`."
            }
            Code::QuotaExceeded => {
                "Split the topology into two stacks, shorten the setup script, or drop some stack tags."
            }
        };
        fix.to_string()
    }

    /// The code named `name`.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

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
            Code::ZoneConflict => "zone-conflict",
            Code::SharedPrimary => "shared-primary",
            Code::NothingToDeploy => "nothing-to-deploy",
            Code::UnusedBlock => "unused-block",
            Code::ConvertedValue => "converted-value",
            Code::DuplicateBlock => "duplicate-block",
            Code::ForeignHandle => "foreign-handle",
            Code::InvalidOverride => "invalid-override",
        }
    }
}

/// Every code's explanation, as Markdown (`docs/diagnostics.md`).
#[cfg(any(test, feature = "cli"))]
pub(crate) fn explain_all() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\nGenerated by `topoform explain --all`; a test keeps it current.\n",
    );
    for code in Code::ALL {
        let _ = write!(
            out,
            "\n## `{}`\n\n{}\n\n**Fix:** {}\n",
            code.as_str(),
            code.explanation(),
            code.remedy()
        );
    }
    out
}

/// One line: `error[CODE]: message (at src/infra.rs:42:5) (help: …)`, with
/// the builder call's location when the diagnostic points at one. Without
/// the source text there is no line to show; [`render`] shows it, with
/// carets.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            self.severity.as_str(),
            self.code.as_str(),
            shown(&self.message)
        )?;
        if let Some(origin) = self.primary.span.origin {
            write!(f, " (at {origin})")?;
        }
        if let Some(help) = &self.help {
            write!(f, " (help: {})", shown(help))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Every diagnostic of a compilation that made no output: what
/// [`crate::Compilation::into_result`] returns, so that `?` works.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Errors {
    /// Every diagnostic, warnings included, in order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Errors {
    /// The diagnostics with their source lines and carets, as the CLI shows
    /// them; `file` is the TOML text they point into.
    pub fn render(&self, file: &SourceFile) -> String {
        render(&self.diagnostics, file)
    }

    /// The diagnostics of a builder topology, rustc-style: each points at
    /// the line of Rust that made it (`--> src/infra.rs:42:5`).
    pub fn render_builder(&self) -> String {
        render(&self.diagnostics, &SourceFile::new("the topology", ""))
    }
}

/// One diagnostic per line, then how many errors there were.
impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let plural = if errors == 1 { "" } else { "s" };
        write!(f, "{errors} error{plural}; nothing was made")
    }
}

impl std::error::Error for Errors {}

/// How bad a diagnostic is. Any error stops the pipeline before output is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted, but something deserves a look.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as every format writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with a short message shown under the caret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub message: String,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    pub(crate) fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// A new error at `span`.
    pub(crate) fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
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
    pub(crate) fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary location.
    #[must_use]
    pub(crate) fn also(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary = Some(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the one-line hint.
    #[must_use]
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic rejects the input.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position (then code), the order the user reads them in.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
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
    let name = shown(&file.name);
    // One index for every label: a position is then a binary search.
    let lines = LineIndex::new(&file.text);
    for d in diags {
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            d.severity.as_str(),
            d.code.as_str(),
            shown(&d.message)
        );
        render_label(&mut out, &lines, &name, &d.primary, '^');
        if let Some(secondary) = &d.secondary {
            render_label(&mut out, &lines, &name, secondary, '-');
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {}", shown(help));
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let plural = if errors == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "error: {name} has {errors} error{plural}; nothing was written"
        );
    }
    out
}

/// The most columns of a source line, or of a message, that a diagnostic
/// shows: a 50 MB value must not print 100 MB of text and carets.
const MAX_COLUMNS: usize = 160;

/// How many columns of a long line a diagnostic shows before the span.
const LEAD: usize = 16;

/// How a character of the input is shown: control characters (C0, DEL, C1:
/// ESC, BEL, the start of OSC sequences, …) escaped, so that input cannot
/// drive the terminal; a tab as four spaces.
fn glyph(c: char) -> Option<std::borrow::Cow<'static, str>> {
    match c {
        '\t' => Some("    ".into()),
        c if c.is_control() => Some(c.escape_unicode().to_string().into()),
        _ => None,
    }
}

/// Text from the input, or built from it, as a diagnostic shows it: control
/// characters escaped, and cut to [`MAX_COLUMNS`] characters with `…`.
fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut columns = 0;
    for (i, c) in text.char_indices() {
        let g = if c == '\n' {
            "\\n".into()
        } else {
            glyph(c).unwrap_or(std::borrow::Cow::Borrowed(&text[i..i + c.len_utf8()]))
        };
        columns += g.chars().count();
        if columns > MAX_COLUMNS {
            out.push('…');
            break;
        }
        out.push_str(&g);
    }
    out
}

fn render_label(out: &mut String, lines: &LineIndex<'_>, name: &str, label: &Label, marker: char) {
    let message = if label.message.is_empty() {
        String::new()
    } else {
        format!(" {}", shown(&label.message))
    };
    if let Some(origin) = label.span.origin {
        // Written with the Rust builder: the caller's line of Rust.
        let _ = writeln!(out, " --> {}", shown(&origin.to_string()));
        if !message.is_empty() {
            let _ = writeln!(out, "  = note:{message}");
        }
        return;
    }
    if lines.is_empty() {
        // No text to point into, and no line of Rust either.
        let _ = writeln!(out, " --> {name}");
        if !message.is_empty() {
            let _ = writeln!(out, "  = note:{message}");
        }
        return;
    }
    let start = lines.line_col(label.span.start);
    let line = lines.line_text(start.line);
    let gutter = start.line.to_string().len();
    let _ = writeln!(out, "{:gutter$}--> {name}:{}:{}", "", start.line, start.col);
    let _ = writeln!(out, "{:gutter$} |", "");
    // The caret runs to the end of the span or of the line, whichever is
    // first, over the line as shown (escapes are wider than the character).
    // Lines can be huge: nothing here allocates per character.
    let end = lines.line_col(label.span.end.max(label.span.start));
    let chars = line.chars().count();
    let last_col = if end.line == start.line {
        end.col.min(chars + 1)
    } else {
        chars + 1
    };
    let first = start.col.min(chars + 1) - 1;
    let width = |c: char| glyph(c).map_or(1, |g| g.chars().count());
    let columns_of = |from: usize, count: usize| -> usize {
        line.chars().skip(from).take(count).map(width).sum()
    };
    // A long line shows a window that starts a little before the span.
    let skip = if columns_of(0, first) > MAX_COLUMNS / 2 {
        let mut skip = first;
        let mut lead = 0;
        let before = line
            .chars()
            .skip(first.saturating_sub(LEAD))
            .take(first.min(LEAD));
        for c in before.collect::<Vec<_>>().into_iter().rev() {
            if lead + width(c) > LEAD {
                break;
            }
            lead += width(c);
            skip -= 1;
        }
        skip
    } else {
        0
    };
    let mut shown_line = String::from(if skip > 0 { "…" } else { "" });
    let mut columns = usize::from(skip > 0);
    let mut cut = chars;
    for (i, c) in line.chars().enumerate().skip(skip) {
        let w = width(c);
        if columns + w > MAX_COLUMNS {
            cut = i;
            shown_line.push('…');
            break;
        }
        match glyph(c) {
            Some(g) => shown_line.push_str(&g),
            None => shown_line.push(c),
        }
        columns += w;
    }
    let _ = writeln!(out, "{} | {shown_line}", start.line);
    let pad = " ".repeat(usize::from(skip > 0) + columns_of(skip, first - skip));
    let span_end = (last_col - 1).clamp(first, cut.max(first));
    let carets: String =
        std::iter::repeat_n(marker, columns_of(first, span_end - first).max(1)).collect();
    let _ = writeln!(out, "{:gutter$} | {pad}{carets}{message}", "");
}

/// "a" or "an", for messages built from a noun: `article("instance")` is "an".
pub(crate) fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a likely typo (used for "did you mean" hints).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two adjacent characters as one edit
/// (optimal string alignment): `tpye` is one edit from `type`, as a typist
/// would count it.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the table: two rows back, the last, and this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_are_rust_errors_with_one_line_each() {
        let d = Diagnostic::error(
            Code::DanglingReference,
            Span::default(),
            "there is no [instance.db]",
        )
        .help("the instance blocks are: web");
        assert_eq!(
            d.to_string(),
            "error[dangling-reference]: there is no [instance.db] (help: the instance blocks are: web)"
        );
        let w = Diagnostic::warning(Code::UnusedBlock, Span::default(), "x\u{1b}[31m");
        assert_eq!(w.to_string(), "warning[unused-block]: x\\u{1b}[31m");
        let errors = Errors {
            diagnostics: vec![d.clone(), w],
        };
        let shown = errors.to_string();
        assert_eq!(shown.lines().count(), 3, "{shown}");
        assert!(shown.ends_with("1 error; nothing was made"), "{shown}");
        let boxed: Box<dyn std::error::Error> = Box::new(errors);
        assert!(boxed.to_string().starts_with("error[dangling-reference]"));
        // Without source text (the Rust builder): no carets, no line numbers.
        let rendered = render(&[d], &SourceFile::new("infra", ""));
        assert!(rendered.contains(" --> infra\n"), "{rendered}");
        assert!(
            !rendered.contains('^') && !rendered.contains(" | "),
            "{rendered}"
        );
    }

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

    /// The rendering of one error at `needle` (its span) in `text`.
    fn rendered(text: &str, needle: &str, message: &str) -> String {
        let start = text.find(needle).unwrap();
        let span = Span::new(start..start + needle.len());
        let file = SourceFile::new("t\u{1b}]0;x\u{7}.toml", text);
        render(
            &[Diagnostic::error(Code::InvalidValue, span, message).label(message)],
            &file,
        )
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let text = "[stack]\nname = \"a\u{1b}[2J\u{7}\u{9b}b\"\n";
        let out = rendered(text, "\"a\u{1b}[2J\u{7}\u{9b}b\"", "`a\u{1b}[2J` is bad");
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("a\\u{1b}[2J\\u{7}\\u{9b}b"), "{out}");
        // The carets run under the escaped text, as wide as it is shown.
        let lines: Vec<&str> = out.lines().collect();
        let source = lines.iter().position(|l| l.starts_with("2 | ")).unwrap();
        let carets = lines[source + 1];
        let at = lines[source].find("\"a").unwrap();
        assert_eq!(carets.find('^'), Some(at));
        assert_eq!(
            carets.matches('^').count(),
            "\"a\\u{1b}[2J\\u{7}\\u{9b}b\"".len()
        );
    }

    #[test]
    fn a_huge_value_prints_a_bounded_window_around_its_span() {
        let value = "x".repeat(5_000_000);
        let text = format!("[stack]\nname = \"ok\"\ntags = {{ k = \"{value}\", bad = 1 }}\n");
        let out = rendered(&text, "bad", &format!("`{value}` is too long"));
        assert!(out.len() < 2_000, "{} bytes", out.len());
        let lines: Vec<&str> = out.lines().collect();
        let source = lines.iter().position(|l| l.starts_with("3 | ")).unwrap();
        // In characters: the `…` that opens the window is one column.
        let column = |line: &str, at: usize| line[..at].chars().count();
        let at = column(lines[source], lines[source].find("bad").unwrap());
        assert!(lines[source].starts_with("3 | …"));
        let carets = lines[source + 1];
        assert_eq!(column(carets, carets.find('^').unwrap()), at);
        assert_eq!(lines[source + 1].matches('^').count(), 3);
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        assert_eq!(did_you_mean("amii", ["ami", "type"]), Some("ami"));
        assert_eq!(did_you_mean("subnet", ["subnets", "type"]), Some("subnets"));
        assert_eq!(did_you_mean("zzzz", ["ami", "type"]), None);
        assert_eq!(did_you_mean("tpye", ["ami", "type"]), Some("type"));
        assert_eq!(distance("instnace", "instance"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
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
