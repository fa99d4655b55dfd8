//! The `topoform` binary: parses arguments and exits; everything else is in
//! the library.

fn main() -> std::process::ExitCode {
    topoform::cli::run(std::env::args_os())
}
