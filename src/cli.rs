//! The command line: the only module that prints, reads the environment or
//! the file system for input, and chooses exit codes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::machine::{Report, Stale};
use crate::emit::{self, Drift};
use crate::source::FilesIn;
use crate::source::SourceFile;
use crate::{compile_toml_over, diag};

/// Exit code: the topology is invalid (its diagnostics say why).
const EXIT_INVALID: u8 = 1;
/// `plan`: the deploy would change something, and replace or put at risk
/// nothing.
const EXIT_CHANGES: u8 = 3;
/// `plan`: the deploy would replace a resource (or may), or put an
/// instance, its disk, an address, a bucket or a record at risk.
const EXIT_AT_RISK: u8 = 4;
/// `synth --check`: the output directory is not what synth would write.
const EXIT_STALE: u8 = 5;
/// A file could not be read or written (the topology, the output
/// directory, a standard stream), or the output directory holds files that
/// are not topoform's.
const EXIT_IO: u8 = 6;

/// The exit codes, as `--help` shows them.
const EXIT_CODES: &str = "Exit codes:
  0  success (plan: no change)
  1  invalid topology: its diagnostics say why
  2  usage error
  3  plan: the deploy would change something, and replace nothing
  4  plan: the deploy would replace a resource, or put an instance, its disk, an address, a bucket or a record at risk
  5  synth --check: the output directory is stale
  6  a file could not be read or written, or the output directory holds files that are not topoform's";

/// The formats of `plan`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For a terminal (colour only on a terminal, and without NO_COLOR).
    Text,
    /// For a pull-request comment.
    Markdown,
    /// Documented, versioned JSON (README, "topoform plan"), with the
    /// diagnostics.
    Json,
    /// The diagnostics as SARIF 2.1.0, for code scanning; no preview.
    Sarif,
    /// The diagnostics as GitHub Actions annotations, then the text preview.
    Github,
}

/// How `validate` and `synth` report diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiagFormat {
    /// For a terminal, on standard error.
    Human,
    /// The documented JSON document (README, "Diagnostics for machines"),
    /// on standard output.
    Json,
    /// SARIF 2.1.0, for code scanning, on standard output.
    Sarif,
    /// GitHub Actions workflow commands (annotations), on standard output.
    Github,
}

/// The formats of `graph`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    /// A Mermaid flowchart, for Markdown (a ```mermaid block).
    Mermaid,
    /// A Graphviz digraph (`dot -Tsvg`).
    Dot,
}

#[derive(Parser)]
#[command(
    name = "topoform",
    version = crate::VERSION,
    about = "Compile a topology into CloudFormation, user-data, sorry pages and a deploy plan",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check topologies and write nothing: every error and warning, as
    /// `synth` would report them for a first deploy.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The topology files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How diagnostics are reported.
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
    },
    /// Compile FILE (a *.topo.toml) into DIR.
    #[command(after_help = EXIT_CODES)]
    Synth {
        /// The topology file.
        file: PathBuf,
        /// Output directory: created, or replaced as a whole, atomically, when
        /// everything in it is topoform's (listed in its .topoform-files).
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 5 (with a diff, in the human format) when DIR
        /// is not what synth would write.
        #[arg(long)]
        check: bool,
        /// How diagnostics (and, with --check, stale files) are reported.
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
    },
    /// Show what deploying FILE's output would change; write nothing.
    ///
    /// Compares what synth would write now with the golden files in DIR (what
    /// is deployed). Exit 0: no change; 3: changes; 4: a replacement, or an
    /// instance, disk, address, bucket or record at risk; 1: invalid input;
    /// 2: usage; 6: a file could not be read.
    #[command(after_help = EXIT_CODES)]
    Plan {
        /// The topology file.
        file: PathBuf,
        /// The golden output directory (what is deployed).
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Draw FILE's blocks, their main AWS resources and the references
    /// between them, as Mermaid (GitHub renders it) or DOT (Graphviz).
    #[command(after_help = EXIT_CODES)]
    Graph {
        /// The topology file.
        file: PathBuf,
        /// The diagram language.
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
    /// Write a commented starter topology, DIR/NAME.topo.toml; never
    /// overwrites a file.
    #[command(after_help = EXIT_CODES)]
    Init {
        /// The seed shape to start from.
        #[arg(long, value_name = "NAME", default_value = "autoheal", value_parser = examples())]
        example: String,
        /// Where to write it (created when absent).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print the JSON Schema of *.topo.toml files, for editors (taplo, Even
    /// Better TOML): keys and TOML types; `validate` checks the values.
    Schema,
    /// Print a shell's completion script, e.g. `topoform completions bash`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `topoform man | man -l -`.
    Man,
    /// Explain a diagnostic code, e.g. `topoform explain logical-id-collision`.
    Explain {
        /// The code, as shown in `error[CODE]`.
        #[arg(required_unless_present = "all")]
        code: Option<String>,
        /// Print every code's explanation (Markdown).
        #[arg(long, conflicts_with = "code")]
        all: bool,
    },
}

/// Runs the CLI with `args` (including the program name).
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 for usage errors and 0 for --help / --version;
            // help that could not be written is an I/O error like any other.
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return match e.print() {
                Err(_) if code == 0 => ExitCode::from(EXIT_IO),
                _ => ExitCode::from(code),
            };
        }
    };
    let result = match cli.command {
        Command::Validate { files, format } => validate(&files, format),
        Command::Synth {
            file,
            out,
            check,
            format,
        } => synth(&file, &out, check, format),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Graph { file, format } => graph(&file, format),
        Command::Init { example, dir } => init(&example, &dir),
        Command::Schema => print(crate::spec::schema::json_schema_text()),
        Command::Plan { file, out, format } => plan(&file, &out, format),
        Command::Explain { code, all } => explain(code.as_deref(), all),
    };
    // A closed or full standard stream (`| head -1`, `> /dev/full`) is an
    // I/O error like any other: exit 6, never a panic. Its reader is gone
    // when the pipe broke, so there is nobody to tell; otherwise say it on
    // standard error, if that still works.
    result.unwrap_or_else(|e| {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
        }
        ExitCode::from(EXIT_IO)
    })
}

fn explain(code: Option<&str>, all: bool) -> io::Result<ExitCode> {
    if all {
        return print(diag::explain_all());
    }
    let mut stdout = io::stdout().lock();
    let name = code.unwrap_or_default();
    if let Some(c) = diag::Code::from_name(name) {
        writeln!(
            stdout,
            "{}: {}\n\nFix: {}",
            c.as_str(),
            c.explanation(),
            c.remedy()
        )?;
        stdout.flush()?;
        Ok(ExitCode::SUCCESS)
    } else {
        let names: Vec<&str> = diag::Code::ALL.iter().map(|c| c.as_str()).collect();
        writeln!(
            io::stderr(),
            "error: unknown code `{name}`; the codes are: {}",
            names.join(", ")
        )?;
        Ok(ExitCode::from(2))
    }
}

/// A topology file that did not get as far as its parser: unreadable
/// (exit 6), or not UTF-8 (exit 1, a diagnostic at the first bad byte).
struct Unloaded {
    source: SourceFile,
    read_error: Option<String>,
    diagnostics: Vec<diag::Diagnostic>,
}

impl Unloaded {
    /// Reports it in `format`, for a command whose output directory is
    /// `out`; the exit code.
    fn report(&self, format: DiagFormat, out: Option<&Path>) -> io::Result<ExitCode> {
        report(
            format,
            &[Report {
                read_error: self.read_error.clone(),
                output_dir: out.map(|o| o.display().to_string()),
                ..single(&self.source, &self.diagnostics)
            }],
        )?;
        Ok(ExitCode::from(if self.read_error.is_some() {
            EXIT_IO
        } else {
            EXIT_INVALID
        }))
    }
}

/// A topology file as a source, and the directory the files it names are
/// read from.
fn load(file: &Path) -> Result<(SourceFile, FilesIn), Unloaded> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| Unloaded {
        source: SourceFile::new(name.clone(), String::new()),
        read_error: Some(e.to_string()),
        diagnostics: Vec::new(),
    })?;
    let text = crate::front::toml::decode(bytes).map_err(|(text, d)| Unloaded {
        source: SourceFile::new(name.clone(), text),
        read_error: None,
        diagnostics: vec![d],
    })?;
    let base = file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((SourceFile::new(name, text), FilesIn(base)))
}

/// Writes the reports in a machine format on standard output, or in the
/// human format on standard error (which `synth --check` follows with its
/// diff on standard output).
fn report(format: DiagFormat, reports: &[Report<'_>]) -> io::Result<()> {
    let text = match format {
        DiagFormat::Human => {
            let mut stderr = io::stderr().lock();
            for r in reports {
                if let Some(e) = &r.read_error {
                    writeln!(stderr, "error: cannot read {}: {e}", r.file.name)?;
                }
                if !r.diagnostics.is_empty() {
                    // An empty file's one position is 1:1: rendered against
                    // one empty line, its diagnostics say so, as they do for
                    // any other file. (Without text, `render` takes them for
                    // the Rust builder's, which have no lines.)
                    let one_line;
                    let file = if r.file.text.is_empty() && r.read_error.is_none() {
                        one_line = SourceFile::new(r.file.name.clone(), "\n");
                        &one_line
                    } else {
                        r.file
                    };
                    stderr.write_all(diag::render(r.diagnostics, file).as_bytes())?;
                }
            }
            return Ok(());
        }
        DiagFormat::Json => diag::machine::json(reports),
        DiagFormat::Sarif => diag::machine::sarif(reports),
        DiagFormat::Github => diag::machine::github(reports),
    };
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// A report of `file` alone.
fn single<'a>(file: &'a SourceFile, diagnostics: &'a [diag::Diagnostic]) -> Report<'a> {
    Report {
        file,
        diagnostics,
        read_error: None,
        output_dir: None,
        output_error: None,
        stale: Vec::new(),
    }
}

/// A report of `file` for a command that writes to or reads `out`.
fn with_out<'a>(
    file: &'a SourceFile,
    diagnostics: &'a [diag::Diagnostic],
    out: &Path,
) -> Report<'a> {
    Report {
        output_dir: Some(out.display().to_string()),
        ..single(file, diagnostics)
    }
}

/// Reports that the output directory `out` cannot be read or written
/// (`what` says why), in `format`: in a machine format, inside the one
/// document; exit 6.
fn out_failed(
    format: DiagFormat,
    source: &SourceFile,
    diagnostics: &[diag::Diagnostic],
    out: &Path,
    what: &str,
) -> io::Result<ExitCode> {
    report(
        format,
        &[Report {
            output_error: Some(what.to_string()),
            ..with_out(source, diagnostics, out)
        }],
    )?;
    if format == DiagFormat::Human {
        writeln!(io::stderr(), "error: {}: {what}", out.display())?;
    }
    Ok(ExitCode::from(EXIT_IO))
}

fn validate(files: &[PathBuf], format: DiagFormat) -> io::Result<ExitCode> {
    // Each file on its own: a monorepo's topologies do not know each other.
    let loaded: Vec<_> = files
        .iter()
        .map(|f| match load(f) {
            Ok((source, base)) => {
                let diagnostics =
                    compile_toml_over(&source.text, &base, &emit::Output::new()).diagnostics;
                (source, diagnostics, None)
            }
            Err(u) => (u.source, u.diagnostics, u.read_error),
        })
        .collect();
    let reports: Vec<Report<'_>> = loaded
        .iter()
        .map(|(source, diagnostics, read_error)| Report {
            read_error: read_error.clone(),
            ..single(source, diagnostics)
        })
        .collect();
    report(format, &reports)?;
    let invalid = reports.iter().filter(|r| !r.valid()).count();
    if format == DiagFormat::Human {
        let mut stderr = io::stderr().lock();
        if invalid == 0 {
            writeln!(
                stderr,
                "{} valid",
                plural(reports.len(), "topology is", "topologies are")
            )?;
        } else {
            writeln!(
                stderr,
                "{} of {} invalid",
                invalid,
                plural(reports.len(), "topology is", "topologies are")
            )?;
        }
    }
    Ok(ExitCode::from(
        if reports.iter().any(|r| r.read_error.is_some()) {
            EXIT_IO
        } else if invalid > 0 {
            EXIT_INVALID
        } else {
            0
        },
    ))
}

/// `n` and the noun phrase for it.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn synth(file: &Path, out: &Path, check: bool, format: DiagFormat) -> io::Result<ExitCode> {
    let (source, files) = match load(file) {
        Ok(loaded) => loaded,
        Err(u) => return u.report(format, Some(out)),
    };
    // Where the output holds nested stacks, which block each holds.
    let previous = match emit::read_previous(out) {
        Ok(p) => p,
        Err(e) => return out_failed(format, &source, &[], out, &format!("cannot read: {e}")),
    };
    // The templates go into the staging tree (or are compared with DIR's
    // files, for `--check`) as they are serialized, and never all sit in
    // memory (160 MB at 10,000 clients). When the output directory would be
    // refused, nothing is staged: the compilation's diagnostics come first,
    // then the refusal, as without staging. Nor is a missing parent
    // directory made before the topology is known to be sound: that output
    // is written whole at the end. Likewise a directory `--check` cannot
    // read is reported after the diagnostics, by `check_out`.
    let checking = if check {
        emit::Checking::new(out).ok()
    } else {
        None
    };
    let staging = if check || holds(out, file).is_some() {
        None
    } else {
        emit::Staging::beside(out).ok()
    };
    let sink = match (&staging, &checking) {
        (Some(s), _) => emit::Sink::Stage(s),
        (None, Some(c)) => emit::Sink::Check(c),
        (None, None) => emit::Sink::Keep,
    };
    let (compilation, model) = crate::compile_toml_into(&source.text, &files, &previous, sink);
    // The process ends after the write: freeing the model, a few hundred
    // thousand small allocations at 10,000 clients (about 50 ms), would
    // only delay it.
    std::mem::forget(model);
    let Some(output) = compilation.output else {
        // A dropped staging tree is removed.
        drop(staging);
        report(format, &[with_out(&source, &compilation.diagnostics, out)])?;
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    if check {
        return check_out(
            file,
            out,
            format,
            &source,
            &compilation.diagnostics,
            &output,
            checking,
        );
    }
    if let Some(why) = holds(out, file) {
        return out_failed(
            format,
            &source,
            &compilation.diagnostics,
            out,
            &format!("cannot write: {why}"),
        );
    }
    let files = output.len() + staging.as_ref().map_or(0, emit::Staging::files);
    let written = match staging {
        Some(staging) => staging.finish(&output),
        None => emit::write_to(&output, out),
    };
    if let Err(e) = &written {
        return out_failed(
            format,
            &source,
            &compilation.diagnostics,
            out,
            &format!("cannot write: {e}; it was left as it was"),
        );
    }
    report(format, &[with_out(&source, &compilation.diagnostics, out)])?;
    let mut stderr = io::stderr().lock();
    match written {
        Ok(written) => {
            writeln!(stderr, "wrote {files} files to {}", out.display())?;
            if let Some((left, e)) = written.leftover {
                writeln!(
                    stderr,
                    "warning: the previous tree could not be removed ({e}): it is at {}; delete it",
                    left.display()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(_) => unreachable!("reported above"),
    }
}

/// `synth --check`: compares `output` with `out` (or, when its templates
/// were compared as they were made, the rest of it), and reports what
/// differs.
fn check_out(
    file: &Path,
    out: &Path,
    format: DiagFormat,
    source: &SourceFile,
    diagnostics: &[diag::Diagnostic],
    output: &emit::Output,
    checking: Option<emit::Checking>,
) -> io::Result<ExitCode> {
    let files = output.len() + checking.as_ref().map_or(0, emit::Checking::files);
    let checked = match checking {
        Some(checking) => checking.finish(output),
        None => emit::check(output, out),
    };
    let drift = match checked {
        Ok(drift) => drift,
        Err(e) => {
            return out_failed(
                format,
                source,
                diagnostics,
                out,
                &format!("cannot read: {e}"),
            );
        }
    };
    report(
        format,
        &[Report {
            stale: drift.iter().map(|d| stale(out, d)).collect(),
            ..with_out(source, diagnostics, out)
        }],
    )?;
    let mut stderr = io::stderr().lock();
    if drift.is_empty() {
        writeln!(stderr, "{} is up to date ({files} files)", out.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    if format == DiagFormat::Human {
        let mut stdout = io::stdout().lock();
        for d in &drift {
            match d {
                Drift::Missing(p) => writeln!(stdout, "missing: {p}")?,
                Drift::Extra(p) => writeln!(stdout, "not generated by topoform: {p}")?,
                Drift::Changed(_, diff) => stdout.write_all(diff.as_bytes())?,
                Drift::NotAFile(p) => {
                    writeln!(stdout, "not a file (links are never followed): {p}")?;
                }
                Drift::NotExecutable(p) => writeln!(stdout, "not executable: {p}")?,
            }
        }
        stdout.flush()?;
    }
    writeln!(
        stderr,
        "error: {} is stale ({} differences): run `topoform synth {} -o {}`",
        out.display(),
        drift.len(),
        file.display(),
        out.display()
    )?;
    Ok(ExitCode::from(EXIT_STALE))
}

/// A difference `synth --check` found, as the machine formats name it.
fn stale(out: &Path, d: &Drift) -> Stale {
    let (p, reason) = match d {
        Drift::Missing(p) => (p, "missing"),
        Drift::Changed(p, _) => (p, "changed"),
        Drift::Extra(p) => (p, "extra"),
        Drift::NotAFile(p) => (p, "not-a-file"),
        Drift::NotExecutable(p) => (p, "not-executable"),
    };
    Stale {
        path: out.join(p).display().to_string(),
        reason,
    }
}

fn plan(file: &Path, out: &Path, format: Format) -> io::Result<ExitCode> {
    use std::io::IsTerminal;
    let diag_format = match format {
        Format::Text | Format::Markdown => DiagFormat::Human,
        Format::Json => DiagFormat::Json,
        Format::Sarif => DiagFormat::Sarif,
        Format::Github => DiagFormat::Github,
    };
    let (source, files) = match load(file) {
        Ok(loaded) => loaded,
        Err(u) => return u.report(diag_format, Some(out)),
    };
    let golden = match emit::read(out) {
        Ok(g) => g,
        Err(e) => {
            return out_failed(diag_format, &source, &[], out, &format!("cannot read: {e}"));
        }
    };
    let (compilation, plan) = crate::plan_toml(&source.text, &files, &golden);
    let preview = plan.map(crate::Plan::into_preview);
    let diagnostics = with_out(&source, &compilation.diagnostics, out);
    // JSON: the preview carries the diagnostics; without a preview (an
    // invalid topology), the diagnostics document stands alone.
    if format != Format::Json || preview.is_none() {
        report(diag_format, std::slice::from_ref(&diagnostics))?;
    }
    let Some(preview) = preview else {
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    let mut stdout = io::stdout().lock();
    let shown = match format {
        Format::Text => {
            let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            Some(crate::preview::render::text(&preview, colour))
        }
        // The preview quotes the user's files (scripts, pages): the runner
        // must not read a line of them as a workflow command.
        Format::Github => Some(github_quoted(&crate::preview::render::text(
            &preview, false,
        ))),
        Format::Markdown => Some(crate::preview::render::markdown(&preview)),
        Format::Json => Some(crate::preview::render::json_with(
            &preview,
            diag::machine::json_diagnostics(&diagnostics),
        )),
        Format::Sarif => None,
    };
    if let Some(shown) = shown {
        stdout.write_all(shown.as_bytes())?;
        stdout.flush()?;
    }
    Ok(ExitCode::from(if preview.is_empty() {
        0
    } else if preview.is_risky() {
        EXIT_AT_RISK
    } else {
        EXIT_CHANGES
    }))
}

/// `text` between `::stop-commands::TOKEN` and `::TOKEN::`, so that GitHub
/// Actions runs none of its lines as a workflow command. The token is a
/// hash of the text, longer if a shorter one occurs in it.
fn github_quoted(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
            hex
        });
    let token = (16..=hash.len())
        .map(|n| format!("topoform-{}", &hash[..n]))
        .find(|t| !text.contains(t.as_str()))
        .unwrap_or_else(|| format!("topoform-{hash}-end"));
    format!("::stop-commands::{token}\n{text}::{token}::\n")
}

fn completions(shell: clap_complete::Shell) -> io::Result<ExitCode> {
    use clap::CommandFactory;
    // Into memory first: clap_complete panics when its writer fails (a
    // closed pipe), and topoform never panics.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "topoform", &mut script);
    print(script)
}

fn graph(file: &Path, format: GraphFormat) -> io::Result<ExitCode> {
    let (source, files) = match load(file) {
        Ok(loaded) => loaded,
        Err(u) => return u.report(DiagFormat::Human, None),
    };
    let format = match format {
        GraphFormat::Mermaid => crate::graph::Format::Mermaid,
        GraphFormat::Dot => crate::graph::Format::Dot,
    };
    let (compilation, drawn) = crate::graph::graph_toml(&source.text, &files, format);
    report(
        DiagFormat::Human,
        &[single(&source, &compilation.diagnostics)],
    )?;
    match drawn {
        Some(text) => print(text),
        None => Ok(ExitCode::from(EXIT_INVALID)),
    }
}

/// The starters' names, with what each builds, for `--help`.
fn examples() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::init::EXAMPLES
            .iter()
            .map(|e| clap::builder::PossibleValue::new(e.name).help(e.summary)),
    )
}

fn init(name: &str, dir: &Path) -> io::Result<ExitCode> {
    let mut stderr = io::stderr().lock();
    let Some(example) = crate::init::example(name) else {
        // clap accepts only the starters' names.
        writeln!(stderr, "error: no starter named {name}")?;
        return Ok(ExitCode::from(2));
    };
    let path = dir.join(format!("{}.topo.toml", example.name));
    if let Err(e) = std::fs::create_dir_all(dir) {
        writeln!(stderr, "error: cannot create {}: {e}", dir.display())?;
        return Ok(ExitCode::from(EXIT_IO));
    }
    match write_new(&path, example.text) {
        Ok(()) => {
            writeln!(
                stderr,
                "wrote {path}: {summary}

Next: replace the ids marked REPLACE, then
  topoform validate {path}
  topoform synth {path} -o out/{name}
  out/{name}/deploy.sh",
                path = path.display(),
                summary = example.summary,
                name = example.name,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            writeln!(
                stderr,
                "error: {} exists; topoform init never overwrites a file: move it, or write into another directory",
                path.display()
            )?;
            Ok(ExitCode::from(EXIT_IO))
        }
        Err(e) => {
            writeln!(stderr, "error: cannot write {}: {e}", path.display())?;
            Ok(ExitCode::from(EXIT_IO))
        }
    }
}

/// Writes `text` to `path`, which must not exist: a file that appears
/// meanwhile is not overwritten either, and a failed write leaves nothing.
fn write_new(path: &Path, text: &str) -> io::Result<()> {
    // create_new fails on anything at `path`, a dangling symbolic link
    // included, and never follows one.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let written = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
    if written.is_err() {
        // Ours, and partial: never leave half a topology behind.
        drop(f);
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Writes `text` on standard output.
fn print(text: impl AsRef<[u8]>) -> io::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_ref())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn man() -> io::Result<ExitCode> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    print(page)
}

/// Why `out` must not be replaced as a whole because it holds the topology
/// file itself (however the two paths are spelled), if it does.
fn holds(out: &Path, topology: &Path) -> Option<String> {
    let out = std::fs::canonicalize(out).ok()?;
    let topology = std::fs::canonicalize(topology).ok()?;
    topology.starts_with(&out).then(|| {
        format!(
            "it holds the topology file {}: write the output to a directory of its own",
            topology.display()
        )
    })
}
