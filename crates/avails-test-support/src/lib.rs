//! Test helpers shared by the workspace's integration tests (a
//! dev-dependency only, never published):
//!
//! - [`bin`]: run the `avails` binary in a folder with a clean environment
//!   and a bounded wait (a hung child fails the test instead of hanging it);
//! - [`sandbox`]: a sandbox on a loopback port for synchronous tests, with
//!   optional mutual TLS;
//! - [`certs`]: a throwaway PKI made with rcgen;
//! - [`files`]: API key files and `avails.toml` profiles;
//! - [`xlsx_package`]: one-sheet XLSX packages written from XML text, to
//!   damage exactly one part;
//! - [`xlsx_xml`]: what an XLSX file's XML says that calamine does not show
//!   (fills, notes, links, autofilter, widths, merges).
//!
//! The binary's path is only known to the tests of the crate that builds it:
//! pass [`avails_bin!`] (which expands to `env!("CARGO_BIN_EXE_avails")` in
//! the caller) to [`bin::Avails::new`].

#![warn(missing_docs)]

pub mod bin;
pub mod certs;
pub mod files;
pub mod rusage;
pub mod sandbox;
pub mod xlsx_package;
pub mod xlsx_xml;

pub use bin::{describe, profile_state_dir, run_bounded, text, Avails, Running};
pub use certs::{Ca, Leaf, Pki, Usage};
pub use files::{random_key, write_key_file, write_profile};
pub use sandbox::{loopback, TestSandbox};

/// The `avails` binary of the calling test crate (`env!("CARGO_BIN_EXE_avails")`).
#[macro_export]
macro_rules! avails_bin {
    () => {
        ::std::path::PathBuf::from(env!("CARGO_BIN_EXE_avails"))
    };
}
