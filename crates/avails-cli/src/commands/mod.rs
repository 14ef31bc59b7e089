//! One module per subcommand: argument struct and a `run` that returns an exit code.

pub mod convert;
pub mod submit;
pub mod validate;
