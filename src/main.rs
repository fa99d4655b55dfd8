//! The `topoform` binary: parses arguments and exits; everything else is in
//! the library.

fn main() -> std::process::ExitCode {
    topoform::cli::run(std::env::args_os())
}

// jemalloc, for the command only (the library leaves the allocator to the
// program that uses it): see its entry in Cargo.toml for the measurements.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
