//! Converting a set of inputs at once, keeping everything: every payload,
//! every payload held back, every finding and the counts that tie them
//! together. For small inputs and tests; commands stream ([`crate::pipeline`]).

use std::path::PathBuf;

use avails_model::Diagnostic;
use serde::Serialize;

use crate::collect::FileSummary;
use crate::group::GroupId;
use crate::pipeline::{self, ByGroup, Sink, SinkError};
use crate::{ConvertError, ConvertOptions, HeldBack, Payload};

/// How the rows (or transactions) read were accounted for:
/// `read = converted + rejected + held_back`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Rows or transactions read.
    pub read: usize,
    /// In a payload written (several identical rows make one window).
    pub converted: usize,
    /// With an error of their own.
    pub rejected: usize,
    /// Without an error, but in a payload held back because another row
    /// of it is rejected.
    #[serde(rename = "heldBack")]
    pub held_back: usize,
}

/// The result of converting a set of inputs.
#[derive(Debug, Default)]
pub struct Conversion {
    /// The payloads, in the order their groups closed.
    pub payloads: Vec<Payload>,
    /// Groups not converted because one of their rows is rejected.
    pub held_back: Vec<HeldBack>,
    /// Every finding, located (rejected rows, conflicts, columns not read...).
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read at all.
    pub unreadable: Vec<ConvertError>,
    /// What was read from each file.
    pub files: Vec<FileSummary>,
    /// How the rows read were accounted for.
    pub rows: RowCounts,
    /// Whether the inputs were read twice: a row came after its group had
    /// closed (a sheet not sorted by title).
    pub read_twice: bool,
}

impl Conversion {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A sink that keeps every payload, replacing a reopened group's.
#[derive(Default)]
struct Keep<'p> {
    payloads: Vec<Option<Payload>>,
    by_group: ByGroup,
    progress: Option<&'p mut (dyn FnMut(usize) + Send)>,
}

impl Sink for Keep<'_> {
    fn payload(&mut self, group: GroupId, payload: Payload) -> Result<(), SinkError> {
        self.by_group.add(group, self.payloads.len());
        self.payloads.push(Some(payload));
        Ok(())
    }

    fn held_back(&mut self, _held: &HeldBack) -> Result<(), SinkError> {
        Ok(())
    }

    fn reopened(&mut self, group: GroupId) -> Result<(), SinkError> {
        for i in self.by_group.take(group) {
            self.payloads[i] = None;
        }
        Ok(())
    }

    fn progress(&mut self, rows: usize) {
        if let Some(p) = self.progress.as_mut() {
            p(rows);
        }
    }
}

/// Reads every input and groups its transactions into payloads, keeping
/// them all. `progress` is called with the running count of rows read.
pub fn convert_inputs(
    paths: &[PathBuf],
    options: &ConvertOptions,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Conversion {
    let mut keep = Keep {
        progress: Some(progress),
        ..Keep::default()
    };
    let run = match pipeline::run(paths, options, &mut keep) {
        Ok(run) => run,
        // Keeping in memory cannot fail; the spill file can.
        Err(e) => {
            return Conversion {
                unreadable: vec![ConvertError::Read {
                    file: String::new(),
                    source: e,
                }],
                ..Conversion::default()
            }
        }
    };
    Conversion {
        payloads: keep.payloads.into_iter().flatten().collect(),
        held_back: run.held_back,
        diagnostics: run.diagnostics,
        unreadable: run.unreadable,
        files: run.files,
        rows: run.rows,
        read_twice: run.read_twice,
    }
}
