//! The `routetrend` binary: parses arguments and dispatches, nothing else.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = routetrend::cli::Cli::parse();
    std::process::ExitCode::from(routetrend::cli::main(cli))
}
