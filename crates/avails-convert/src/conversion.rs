//! Converting a set of inputs at once: every payload, every payload held
//! back, every finding and the counts that tie them together.

use std::collections::HashMap;
use std::path::PathBuf;

use avails_model::{Diagnostic, Severity};
use serde::Serialize;

use crate::codes::{CV_DUPLICATE_SCOPE, CV_HELD_BACK};
use crate::group::{Grouper, Outcome};
use crate::input::{read_input, Collect, FileSummary};
use crate::{Blocking, ConvertError, ConvertOptions, HeldBack, Item, Payload};

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
    /// The payloads, in order of first appearance.
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
}

impl Conversion {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Feeds items to the grouper and keeps everything else.
struct Collector<'m, 'p> {
    grouper: Grouper<'m>,
    given: Vec<Payload>,
    diagnostics: Vec<Diagnostic>,
    rows: RowCounts,
    progress: &'p mut dyn FnMut(usize),
    read_before: usize,
}

impl Collect for Collector<'_, '_> {
    fn item(&mut self, item: Item) {
        self.rows.read += 1;
        if item.rejected.is_some() {
            self.rows.rejected += 1;
        }
        self.grouper.add(item);
    }

    fn given(&mut self, payload: Payload) {
        self.rows.read += payload.request.avail.transaction.len();
        self.given.push(payload);
    }

    fn finding(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn progress(&mut self, rows: usize) {
        (self.progress)(self.read_before + rows);
    }
}

/// Reads every input and groups its transactions into payloads.
/// `progress` is called with the running count of rows read.
pub fn convert_inputs(
    paths: &[PathBuf],
    options: &ConvertOptions,
    progress: &mut dyn FnMut(usize),
) -> Conversion {
    let mut out = Conversion::default();
    let mut collector = Collector {
        grouper: Grouper::new(&options.mapping),
        given: Vec::new(),
        diagnostics: Vec::new(),
        rows: RowCounts::default(),
        progress,
        read_before: 0,
    };
    for path in paths {
        collector.read_before = collector.rows.read;
        match read_input(path, options, &mut collector) {
            Ok(summary) => out.files.push(summary),
            Err(e) => out.unreadable.push(e),
        }
    }
    let Collector {
        grouper,
        given,
        mut diagnostics,
        mut rows,
        ..
    } = collector;
    let grouped = grouper.finish();
    rows.rejected += grouped.rejected;
    diagnostics.extend(grouped.findings);
    let mut built: Vec<Payload> = Vec::new();
    for outcome in grouped.outcomes {
        match outcome {
            Outcome::Payload(p) => built.push(*p),
            Outcome::HeldBack(h) => out.held_back.push(h),
        }
    }
    built.extend(given);
    // Two payloads replacing one scope (payload JSON, or JSON beside
    // sheets) would delete each other's windows: neither is sent.
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in built.iter().enumerate() {
        by_key.entry(p.key()).or_default().push(i);
    }
    for p in built {
        let same = &by_key[&p.key()];
        if same.len() == 1 {
            out.payloads.push(p);
            continue;
        }
        let message = format!(
            "{}: {} payloads of this input replace the same windows ({}); none of them is sent",
            p.scope(),
            same.len(),
            p.entry_type
        );
        diagnostics.push(Diagnostic::error(
            CV_DUPLICATE_SCOPE,
            p.avail_source.location.clone(),
            message.clone(),
        ));
        out.held_back.push(HeldBack {
            scope: p.scope(),
            entry_type: p.entry_type.clone(),
            rows: p.request.avail.transaction.len(),
            blocking: vec![Blocking {
                location: p.avail_source.location.clone(),
                reason: message,
            }],
        });
    }
    for h in &out.held_back {
        rows.held_back += h.rows;
        let at = h
            .blocking
            .first()
            .map(|b| b.location.clone())
            .unwrap_or_default();
        diagnostics.push(
            Diagnostic::new(
                CV_HELD_BACK,
                Severity::Error,
                at,
                format!(
                    "{} ({}): not converted, {} row(s) held back: a full extract without the rejected row(s) would delete their windows on the server",
                    h.scope, h.entry_type, h.rows
                ),
            )
            .for_alid(h.scope.alid.clone()),
        );
    }
    rows.converted = rows.read.saturating_sub(rows.rejected + rows.held_back);
    out.diagnostics = diagnostics;
    out.rows = rows;
    out
}
