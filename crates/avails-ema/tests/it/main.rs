//! The integration tests of avails-ema, in one binary (one link instead of one
//! per file): each module is the file of the same name beside this one.
//! Run one file's tests with `cargo test -p avails-ema --test it FILE::`.

mod support;

mod hostile_csv;
mod hostile_xlsx;
mod stop;
