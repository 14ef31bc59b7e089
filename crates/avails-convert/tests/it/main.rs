//! The integration tests of avails-convert, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-convert --test it FILE::`.

mod support;

mod corpus;
mod fidelity;
mod held_back_property;
mod integrity;
mod json_inputs;
mod samples;
mod scale;
mod twins;
mod validate;
mod wording;
