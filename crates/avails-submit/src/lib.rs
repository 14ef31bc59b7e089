//! Submission: turn converted payloads into units (one full-extract PUT per
//! payload, or one partial-extract transaction per item of a batch), skip
//! what the journal says already landed with the same content, send the
//! rest within the client's rate and concurrency limits, and record every
//! outcome before and after each send so a crashed run resumes safely.
//! Deleting goes through here too ([`delete()`]), so the journal follows it,
//! and asking the API's validate endpoints ([`remote`]).
//!
//! A unit whose requests were retried gets one warning line (its key, the
//! retries by cause, and how it ended); the client logs each retry at debug
//! level only.

mod delete;
mod plan;
pub mod remote;
mod run;
mod spool;

pub use delete::{delete, DeleteError, DeleteTarget, Deleted};
pub use plan::{plan, plan_owned, plan_with, Unit, UnitKind};
pub use run::{
    submit, submit_spooled, Event, Failure, PlannedAction, PlannedUnit, Rejection, Report,
    SubmitError, SubmitOptions, UnitOutcome, UnitStatus,
};
pub use spool::{payload_rows, unit_rows, RowSource, Spool, SpoolError, Spooled, SpooledUnit};
