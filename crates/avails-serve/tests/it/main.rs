//! The integration tests of avails-serve, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-serve --test it FILE::`.

mod support;

mod browser_drop_e2e;
mod browser_e2e;
mod guarded_e2e;
mod tls_e2e;
