//! One module per subcommand: argument struct and a `run` that returns an exit code.

pub mod convert;
pub mod delete;
pub mod diff;
pub mod export;
pub mod get;
pub mod journal;
pub mod profiles;
pub mod sandbox;
pub mod serve;
pub mod status;
pub mod submit;
pub mod target;
pub mod validate;

/// `--batch-size`'s default and most: the reference's cap on a batch
/// request's items ([`avails_model::MAX_BATCH_ITEMS`]).
const MAX_BATCH: u16 = avails_model::MAX_BATCH_ITEMS as u16;
