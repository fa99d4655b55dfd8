//! The command line: the only module that prints, reads the environment or
//! the file system for input, and chooses exit codes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::emit::{self, Drift};
use crate::source::FilesIn;
use crate::source::SourceFile;
use crate::{compile_toml_over, diag};

/// Exit code for invalid input, drift under `--check`, or a failed write.
const EXIT_INVALID: u8 = 1;
/// `plan`: the deploy would change something, and replace or put at risk
/// nothing.
const EXIT_CHANGES: u8 = 3;
/// `plan`: the deploy would replace a resource (or may), or put an
/// instance, its disk, an address, a bucket or a record at risk.
const EXIT_AT_RISK: u8 = 4;

/// The formats of `plan`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// For a terminal (colour only on a terminal, and without NO_COLOR).
    Text,
    /// For a pull-request comment.
    Markdown,
    /// Documented, versioned JSON (README, "topoform plan").
    Json,
}

#[derive(Parser)]
#[command(
    name = "topoform",
    version,
    about = "Compile a topology into CloudFormation, user-data, sorry pages and a deploy plan"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile FILE (a *.topo.toml) into DIR.
    Synth {
        /// The topology file.
        file: PathBuf,
        /// Output directory: created, or replaced as a whole, atomically, when
        /// everything in it is topoform's (listed in its .topoform-files).
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 1 with a diff when DIR is not what synth would write.
        #[arg(long)]
        check: bool,
    },
    /// Show what deploying FILE's output would change; write nothing.
    ///
    /// Compares what synth would write now with the golden files in DIR (what
    /// is deployed). Exit 0: no change; 3: changes; 4: a replacement, or an
    /// instance, disk, address, bucket or record at risk; 1: invalid input;
    /// 2: usage.
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
            // clap exits 2 for usage errors and 0 for --help / --version.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Synth { file, out, check } => synth(&file, &out, check),
        Command::Plan { file, out, format } => plan(&file, &out, format),
        Command::Explain { code, all } => explain(code.as_deref(), all),
    };
    // A closed or full standard stream (`| head -1`, `> /dev/full`) is an
    // I/O error like any other: exit 1, never a panic. Its reader is gone
    // when the pipe broke, so there is nobody to tell; otherwise say it on
    // standard error, if that still works.
    result.unwrap_or_else(|e| {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
        }
        ExitCode::from(EXIT_INVALID)
    })
}

fn explain(code: Option<&str>, all: bool) -> io::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    if all {
        stdout.write_all(diag::explain_all().as_bytes())?;
        stdout.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
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

/// The topology file as a source, and the directory the files it names are
/// read from; `None` when it cannot be read (said on `stderr`).
fn load(file: &Path, stderr: &mut impl Write) -> io::Result<Option<(SourceFile, FilesIn)>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            writeln!(stderr, "error: cannot read {}: {e}", file.display())?;
            return Ok(None);
        }
    };
    let base = file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(Some((
        SourceFile::new(file.display().to_string(), text),
        FilesIn(base),
    )))
}

fn synth(file: &Path, out: &Path, check: bool) -> io::Result<ExitCode> {
    let mut stderr = io::stderr().lock();
    let Some((source, files)) = load(file, &mut stderr)? else {
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    // Where the output holds nested stacks, which block each holds.
    let previous = match emit::read_previous(out) {
        Ok(p) => p,
        Err(e) => {
            writeln!(stderr, "error: cannot read {}: {e}", out.display())?;
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let compilation = compile_toml_over(&source.text, &files, &previous);
    if !compilation.diagnostics.is_empty() {
        stderr.write_all(diag::render(&compilation.diagnostics, &source).as_bytes())?;
    }
    let Some(output) = compilation.output else {
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    if check {
        return match emit::check(&output, out) {
            Ok(drift) if drift.is_empty() => {
                writeln!(
                    stderr,
                    "{} is up to date ({} files)",
                    out.display(),
                    output.len()
                )?;
                Ok(ExitCode::SUCCESS)
            }
            Ok(drift) => {
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
                writeln!(
                    stderr,
                    "error: {} is stale ({} differences): run `topoform synth {} -o {}`",
                    out.display(),
                    drift.len(),
                    file.display(),
                    out.display()
                )?;
                Ok(ExitCode::from(EXIT_INVALID))
            }
            Err(e) => {
                writeln!(stderr, "error: cannot read {}: {e}", out.display())?;
                Ok(ExitCode::from(EXIT_INVALID))
            }
        };
    }
    if let Some(why) = holds(out, file) {
        writeln!(stderr, "error: cannot write {}: {why}", out.display())?;
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    match emit::write_to(&output, out) {
        Ok(written) => {
            writeln!(stderr, "wrote {} files to {}", output.len(), out.display())?;
            if let Some((left, e)) = written.leftover {
                writeln!(
                    stderr,
                    "warning: the previous tree could not be removed ({e}): it is at {}; delete it",
                    left.display()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            writeln!(
                stderr,
                "error: cannot write {}: {e}; it was left as it was",
                out.display()
            )?;
            Ok(ExitCode::from(EXIT_INVALID))
        }
    }
}

fn plan(file: &Path, out: &Path, format: Format) -> io::Result<ExitCode> {
    use std::io::IsTerminal;
    let mut stderr = io::stderr().lock();
    let Some((source, files)) = load(file, &mut stderr)? else {
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    let golden = match emit::read(out) {
        Ok(g) => g,
        Err(e) => {
            writeln!(stderr, "error: cannot read {}: {e}", out.display())?;
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let (compilation, preview) = crate::plan_toml(&source.text, &files, &golden);
    if !compilation.diagnostics.is_empty() {
        stderr.write_all(diag::render(&compilation.diagnostics, &source).as_bytes())?;
    }
    let Some(preview) = preview else {
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    let mut stdout = io::stdout().lock();
    let shown = match format {
        Format::Text => {
            let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            crate::preview::render::text(&preview, colour)
        }
        Format::Markdown => crate::preview::render::markdown(&preview),
        Format::Json => crate::preview::render::json(&preview),
    };
    stdout.write_all(shown.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::from(if preview.is_empty() {
        0
    } else if preview.is_risky() {
        EXIT_AT_RISK
    } else {
        EXIT_CHANGES
    }))
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
