//! The integration tests of avails-rules, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-rules --test it FILE::`.

mod edge_cases;
mod rules;
mod spec_examples;
