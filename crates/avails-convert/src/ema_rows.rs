//! Turning the rows of an EMA sheet, as its reader finds them, into
//! [`Item`]s: each row mapped and typed, with the sheet's findings and
//! what was read of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use avails_ema::{Header, RowMapper, SheetEvent};
use avails_mapping::ColumnStatus;
use avails_model::location::column_letter;
use avails_model::{Diagnostic, Location};
use serde_json::Value;

use crate::codes::CV_CONTENT_ID_DEFAULT;
use crate::collect::{first_error, Collect};
use crate::{ColumnAccount, ConvertOptions, FileSummary, InputKind, Item, SheetSummary, Source};

/// The state of the sheet being read.
struct SheetState<'m> {
    mapper: RowMapper<'m>,
    columns: Arc<BTreeMap<String, String>>,
    header_row: u32,
}

/// Maps the rows of one EMA file, event by event, wherever they were read.
pub(crate) struct EmaRows<'o> {
    options: &'o ConvertOptions,
    label: &'o str,
    summary: FileSummary,
    sheet: Option<SheetState<'o>>,
}

impl<'o> EmaRows<'o> {
    /// Ready for the first sheet of the file named `label`.
    pub(crate) fn new(label: &'o str, options: &'o ConvertOptions) -> Self {
        Self {
            options,
            label,
            summary: FileSummary {
                file: label.to_string(),
                kind: InputKind::Ema,
                sheets: Vec::new(),
                items: 0,
            },
            sheet: None,
        }
    }

    /// Takes one event of the file's reader.
    pub(crate) fn event(&mut self, event: SheetEvent<'_>, out: &mut dyn Collect) {
        match event {
            SheetEvent::Sheet(header) => self.sheet(header, out),
            SheetEvent::Skipped { .. } => {}
            SheetEvent::Row { row, cells, .. } => self.row(row, cells, out),
        }
    }

    /// The file was read to its end: the last sheet's findings, and what
    /// was read.
    pub(crate) fn finish(mut self, out: &mut dyn Collect) -> FileSummary {
        self.end_sheet(out);
        out.progress(self.summary.items);
        self.summary
    }

    fn end_sheet(&mut self, out: &mut dyn Collect) {
        if let Some(done) = self.sheet.take() {
            for d in done.mapper.finish(done.header_row) {
                out.finding(d);
            }
        }
    }

    fn sheet(&mut self, header: &Header, out: &mut dyn Collect) {
        self.end_sheet(out);
        let mapping = &self.options.mapping;
        let columns: BTreeMap<String, String> = header
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty())
            .rev()
            .map(|(i, n)| (known_name(mapping, n), column_letter(i)))
            .collect();
        let mapper = RowMapper::new(
            mapping,
            header,
            self.label,
            self.options.timezone.as_deref(),
        );
        for d in mapper.header_findings(header.row) {
            out.finding(d);
        }
        if !crate::group::gives_content_id(mapping, |c| columns.contains_key(c)) {
            let at = Location {
                file: self.label.to_string(),
                sheet: header.sheet.clone(),
                row: Some(header.row),
                ..Location::default()
            };
            out.finding(Diagnostic::of(
                CV_CONTENT_ID_DEFAULT,
                at,
                "the sheet has no ContentID column: each payload's content ID is its ALID, as the reference says it usually is".to_string(),
            ));
        }
        self.summary.sheets.push(SheetSummary {
            sheet: header.sheet.clone().unwrap_or_default(),
            version: header.version.clone(),
            rows: 0,
            columns: header
                .raw
                .iter()
                .enumerate()
                .map(|(i, h)| ColumnAccount {
                    column: column_letter(i),
                    header: h.trim().to_string(),
                    status: crate::policy::explain_column(mapping, header, h),
                })
                .filter(|c| c.status != ColumnStatus::Blank)
                .collect(),
        });
        self.sheet = Some(SheetState {
            mapper,
            columns: Arc::new(columns),
            header_row: header.row,
        });
    }

    fn row(&mut self, row: u32, cells: &[avails_ema::Cell], out: &mut dyn Collect) {
        let Some(state) = self.sheet.as_mut() else {
            return;
        };
        self.summary.items += 1;
        if let Some(s) = self.summary.sheets.last_mut() {
            s.rows += 1;
        }
        if self.summary.items.is_multiple_of(1024) {
            out.progress(self.summary.items);
        }
        let mapping = &self.options.mapping;
        let record = state.mapper.map_row(row, cells);
        let rejected = record.rejected();
        let source = Source {
            location: record.location,
            columns: Some(state.columns.clone()),
            lines: None,
        };
        let mut findings = record.findings;
        let mut transaction = record.transaction;
        if !rejected {
            let work_type = record.asset.get("WorkType").and_then(Value::as_str);
            crate::policy::supported_terms(
                &mut transaction,
                work_type,
                &source,
                mapping,
                &mut findings,
            );
        }
        let reason = rejected.then(|| first_error(&findings, "its sheet cannot be converted"));
        let error_cells = match rejected {
            true => findings
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.location.clone())
                .collect(),
            false => Vec::new(),
        };
        for d in findings {
            out.finding(d);
        }
        out.item(Item {
            key: record.key,
            avail: record.avail,
            asset: record.asset,
            candidates: record.candidates,
            transaction,
            end_marker: record.end_marker,
            source,
            rejected: reason,
            error_cells,
        });
    }
}

/// A header's name as the mapping spells it (`pricecurrency` →
/// `PriceCurrency`): headers are read whatever their case, and findings
/// look their column up by the mapping's name.
fn known_name(mapping: &avails_mapping::Mapping, name: &str) -> String {
    let price = &mapping.price;
    mapping
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .chain(mapping.terms.iter().filter_map(|t| t.column.as_deref()))
        .chain([
            price.type_column.as_str(),
            price.value_column.as_str(),
            price.currency_column.as_str(),
        ])
        .find(|known| known.eq_ignore_ascii_case(name))
        .unwrap_or(name)
        .to_string()
}
