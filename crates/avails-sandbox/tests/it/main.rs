//! The integration tests of avails-sandbox, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-sandbox --test it FILE::`.

mod common;

mod asset_status;
mod auth_logging;
mod limits;
mod mtls;
mod overload;
mod persistence;
mod scopes;
mod spec_examples;
