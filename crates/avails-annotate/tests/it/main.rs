//! The integration tests of avails-annotate, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-annotate --test it FILE::`.

mod csv_columns;
mod package;
mod roundtrip;
