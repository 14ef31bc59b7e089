//! The integration tests of avails-mddf, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-mddf --test it FILE::`.

mod corpus;
mod fidelity;
mod twins;
