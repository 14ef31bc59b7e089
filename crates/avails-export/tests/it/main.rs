//! The integration tests of avails-export, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-export --test it FILE::`.

mod support;

mod kinds;
mod mddf;
mod mddf_validator;
mod roundtrip;
mod roundtrip_property;
