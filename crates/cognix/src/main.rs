//! The `cognix` binary: parse the command line, run it, print the error and exit 1 when it
//! fails (clap exits 2 for usage errors).

use std::process::ExitCode;

fn main() -> ExitCode {
    match cognix::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
