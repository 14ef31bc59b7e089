//! The integration tests of avails-cli, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-cli --test it FILE::`.

mod support;

mod annotate_e2e;
mod broken_pipe;
mod convert_validate_cli;
mod diff_e2e;
mod e2e_commands;
mod e2e_concurrency;
mod e2e_crash_resume;
mod e2e_credentials;
mod e2e_faults;
mod e2e_network;
mod e2e_submit_roundtrip;
mod export_mddf;
mod findings_e2e;
mod fuzz;
mod hostile_input;
mod hostile_limits;
mod integrity_e2e;
mod output_errors;
mod serve_cli;
mod submit_report_csv_e2e;
mod submit_report_e2e;
mod validate_remote_e2e;
