//! The integration tests of avails-client, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-client --test it FILE::`.

mod common;

mod client;
mod sandbox;
mod secrets;
mod tls;
