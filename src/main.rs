//! The `cunyi` command: serve, demo, migrate, user, regions, audit.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's malloc: in the province exam on PostgreSQL, allocation
/// (`_int_malloc`, `free`, `realloc`) was the servers' largest cost, ~7% of the machine,
/// contended across the blocking threads. Built without transparent huge pages
/// (`no_thp`, Cargo.toml): the kernel zeroing them at first touch, again after each purge,
/// cost ~10% of the machine in that exam's wave of starts.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: .env ignored: {e}");
    }
    cunyi::cli::init_tracing();
    let cli = cunyi::cli::Cli::parse();
    match cunyi::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
