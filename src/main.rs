//! The `careplan` binary: parses arguments and hands over to [`careplan::cmd`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = careplan::cmd::Cli::parse();
    let exit = careplan::cmd::run(cli);
    ExitCode::from(exit as u8)
}
