//! Reading every kind of input into [`Item`]s and grouping them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use avails_ema::{RowMapper, SheetEvent};
use avails_mapping::Mapping;
use avails_model::location::column_letter;
use avails_model::Location;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{CV_CELL, CV_IGNORED, CV_SHAPE};
use crate::{ConvertError, Grouper, Item, Payload, Problem, Severity, Source};

/// Options of a conversion.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The EMA mapping table.
    pub mapping: Mapping,
    /// Offset appended to date-times without one (`Z`, `+02:00`); `None`
    /// uses the mapping's default (keep them local).
    pub timezone: Option<String>,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        Self {
            mapping: Mapping::default_table(),
            timezone: None,
        }
    }
}

/// What kind of file an input is, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// EMA workbook or CSV.
    Ema,
    /// MDDF Avails XML.
    Mddf,
    /// Payload JSON.
    Json,
}

impl InputKind {
    /// The kind of a path, by extension.
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "csv" => Self::Ema,
            "xml" => Self::Mddf,
            "json" | "ndjson" => Self::Json,
            _ => return None,
        })
    }
}

/// One sheet read from a workbook.
#[derive(Debug, Clone, Serialize)]
pub struct SheetSummary {
    /// Sheet name (empty for CSV).
    pub sheet: String,
    /// EMA version the sheet declares, if any.
    pub version: Option<String>,
    /// Data rows read.
    pub rows: usize,
}

/// One input file read.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// The file as given.
    pub file: String,
    /// Its kind.
    pub kind: InputKind,
    /// EMA sheets read (empty for XML and JSON).
    pub sheets: Vec<SheetSummary>,
    /// Rows (EMA) or transactions (XML, JSON) read.
    pub items: usize,
}

/// The result of converting a set of inputs.
#[derive(Debug, Default)]
pub struct Conversion {
    /// The payloads, in order of first appearance.
    pub payloads: Vec<Payload>,
    /// Located problems (rejected rows, conflicts, ignored elements).
    pub problems: Vec<Problem>,
    /// Inputs that could not be read at all.
    pub unreadable: Vec<ConvertError>,
    /// What was read from each file.
    pub files: Vec<FileSummary>,
    /// Rows or transactions read.
    pub items: usize,
    /// Rows or transactions rejected.
    pub rejected: usize,
}

impl Conversion {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Reads every input and groups its transactions into payloads.
/// `progress` is called with the running count of rows read.
pub fn convert_inputs(
    paths: &[PathBuf],
    options: &ConvertOptions,
    progress: &mut dyn FnMut(usize),
) -> Conversion {
    let mut grouper = Grouper::new(&options.mapping);
    let mut out = Conversion::default();
    for path in paths {
        let label = path.display().to_string();
        let before = out.items;
        let result = match InputKind::of(path) {
            Some(InputKind::Ema) => {
                read_ema(path, &label, options, &mut grouper, &mut out, progress)
            }
            Some(InputKind::Mddf) => read_mddf(path, &label, options, &mut grouper, &mut out),
            Some(InputKind::Json) => read_json(path, &label, options, &mut grouper, &mut out),
            None => Err(ConvertError::Unsupported {
                file: label.clone(),
            }),
        };
        match result {
            Ok(summary) => out.files.push(summary),
            Err(e) => {
                out.items = before;
                out.unreadable.push(e)
            }
        }
    }
    let grouped = grouper.finish();
    out.payloads = grouped.payloads;
    out.rejected += grouped.rejected;
    out.problems.extend(grouped.problems);
    out
}

fn read_ema(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    grouper: &mut Grouper<'_>,
    out: &mut Conversion,
    progress: &mut dyn FnMut(usize),
) -> Result<FileSummary, ConvertError> {
    let mapping = &options.mapping;
    let mut summary = FileSummary {
        file: label.to_string(),
        kind: InputKind::Ema,
        sheets: Vec::new(),
        items: 0,
    };
    let mut mapper: Option<(RowMapper<'_>, Arc<BTreeMap<String, String>>)> = None;
    let mut sink = |event: SheetEvent<'_>| match event {
        SheetEvent::Sheet(header) => {
            let columns: BTreeMap<String, String> = header
                .names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.is_empty())
                .rev()
                .map(|(i, n)| (n.clone(), column_letter(i)))
                .collect();
            mapper = Some((
                RowMapper::new(mapping, header, label, options.timezone.as_deref()),
                Arc::new(columns),
            ));
            summary.sheets.push(SheetSummary {
                sheet: header.sheet.clone().unwrap_or_default(),
                version: header.version.clone(),
                rows: 0,
            });
        }
        SheetEvent::Skipped { .. } => {}
        SheetEvent::Row { row, cells, .. } => {
            let Some((m, columns)) = &mapper else { return };
            out.items += 1;
            summary.items += 1;
            if let Some(s) = summary.sheets.last_mut() {
                s.rows += 1;
            }
            if out.items.is_multiple_of(1024) {
                progress(out.items);
            }
            match m.map_row(row, cells) {
                Ok(record) => {
                    let item = Item {
                        source: Source {
                            location: record.location,
                            columns: Some(columns.clone()),
                            lines: None,
                        },
                        avail: record.avail,
                        asset: record.asset,
                        transaction: record.transaction,
                        terms: Some(record.terms),
                        end_marker: record.end_marker,
                    };
                    grouper.add(item);
                }
                Err(problems) => {
                    out.rejected += 1;
                    out.problems.extend(problems.into_iter().map(|p| Problem {
                        location: p.location,
                        severity: Severity::Error,
                        code: CV_CELL,
                        message: format!(
                            "{} `{}`: expected {}; row not converted",
                            p.column, p.found, p.expected
                        ),
                    }));
                }
            }
        }
    };
    avails_ema::read_rows(path, label, mapping, &mut sink)?;
    progress(out.items);
    Ok(summary)
}

fn read_mddf(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    grouper: &mut Grouper<'_>,
    out: &mut Conversion,
) -> Result<FileSummary, ConvertError> {
    let xml = read_text(path, label)?;
    let avails = avails_mddf::read_avails(&xml).map_err(|e| ConvertError::Read {
        file: label.to_string(),
        message: e.to_string(),
    })?;
    let mut summary = FileSummary {
        file: label.to_string(),
        kind: InputKind::Mddf,
        sheets: Vec::new(),
        items: 0,
    };
    let at_line = |line: u32, path: &str| Location {
        row: Some(line),
        path: Some(path.to_string()),
        ..Location::file(label)
    };
    for parsed in avails {
        for ignored in &parsed.ignored {
            out.problems.push(Problem {
                location: at_line(ignored.line, &ignored.path),
                severity: Severity::Warning,
                code: CV_IGNORED,
                message: format!(
                    "`{}` is not an attribute Prime Video processes; it has no effect",
                    leaf(&ignored.path)
                ),
            });
        }
        for invalid in &parsed.invalid {
            out.problems.push(Problem {
                location: at_line(invalid.line, &invalid.path),
                severity: Severity::Error,
                code: CV_SHAPE,
                message: format!(
                    "`{}` is `{}`; expected {}",
                    leaf(&invalid.path),
                    invalid.value,
                    invalid.expected
                ),
            });
        }
        // Pointer → line maps, relative to the avail and to each transaction.
        let mut avail_lines = BTreeMap::new();
        let mut transaction_lines: Vec<BTreeMap<String, u32>> = Vec::new();
        for (pointer, line) in &parsed.pointer_lines {
            let rel = pointer.strip_prefix("/avail").unwrap_or(pointer);
            if let Some(rest) = rel.strip_prefix("/Transaction/") {
                let (idx, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
                if let Ok(i) = idx.parse::<usize>() {
                    if transaction_lines.len() <= i {
                        transaction_lines.resize(i + 1, BTreeMap::new());
                    }
                    transaction_lines[i].insert(format!("/{tail}"), *line);
                    continue;
                }
            }
            avail_lines.insert(rel.to_string(), *line);
        }
        let avail_source = Source {
            location: at_line(parsed.line, "/avail"),
            columns: None,
            lines: Some(Arc::new(avail_lines)),
        };
        let sources = parsed
            .transaction_lines
            .iter()
            .enumerate()
            .map(|(i, line)| Source {
                location: at_line(*line, &format!("/avail/Transaction/{i}")),
                columns: None,
                lines: Some(Arc::new(
                    transaction_lines.get(i).cloned().unwrap_or_default(),
                )),
            });
        let sources: Vec<Source> = sources.collect();
        summary.items +=
            split_payload(parsed.payload, avail_source, sources, options, grouper, out);
    }
    out.items += summary.items;
    Ok(summary)
}

/// A whole text file, or the error naming it.
fn read_text(path: &Path, label: &str) -> Result<String, ConvertError> {
    std::fs::read_to_string(path).map_err(|e| ConvertError::Read {
        file: label.to_string(),
        message: e.to_string(),
    })
}

fn leaf(path: &str) -> &str {
    path.rsplit('/')
        .find(|s| s.parse::<usize>().is_err())
        .unwrap_or(path)
}

fn read_json(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    grouper: &mut Grouper<'_>,
    out: &mut Conversion,
) -> Result<FileSummary, ConvertError> {
    let text = read_text(path, label)?;
    let mut docs: Vec<(Option<u32>, String, Value)> = Vec::new();
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => {
            for (i, v) in items.into_iter().enumerate() {
                docs.push((None, format!("/{i}"), v));
            }
        }
        Ok(Value::Object(mut obj)) => match obj.remove("requestItems") {
            Some(Value::Array(items)) => {
                for (i, mut item) in items.into_iter().enumerate() {
                    if let Some(body) = item.get_mut("body").map(Value::take) {
                        docs.push((None, format!("/requestItems/{i}/body"), body));
                    }
                }
            }
            Some(other) => {
                obj.insert("requestItems".into(), other);
                docs.push((None, String::new(), Value::Object(obj)));
            }
            None => docs.push((None, String::new(), Value::Object(obj))),
        },
        Ok(_) => {
            return Err(ConvertError::Read {
                file: label.to_string(),
                message: "expected a payload object {\"avail\": ...}, an array of them, a batch request, or NDJSON".into(),
            })
        }
        Err(first_error) => {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v = serde_json::from_str(line).map_err(|e| ConvertError::Read {
                    file: label.to_string(),
                    message: if n == 0 {
                        format!("not JSON: {first_error}")
                    } else {
                        format!("line {}: not JSON: {e}", n + 1)
                    },
                })?;
                docs.push((Some(n as u32 + 1), String::new(), v));
            }
        }
    }
    let mut summary = FileSummary {
        file: label.to_string(),
        kind: InputKind::Json,
        sheets: Vec::new(),
        items: 0,
    };
    for (line, prefix, doc) in docs {
        let base = Location {
            row: line,
            ..Location::file(label)
        };
        let doc = match doc {
            Value::Object(o) if o.contains_key("avail") => Value::Object(o),
            // A bare avail object is accepted too.
            Value::Object(o) if o.contains_key("ALID") => {
                let mut w = Map::new();
                w.insert("avail".into(), Value::Object(o));
                Value::Object(w)
            }
            _ => {
                out.problems.push(Problem {
                    location: base.with_path(if prefix.is_empty() { "/" } else { &prefix }),
                    severity: Severity::Error,
                    code: CV_SHAPE,
                    message: "not a payload: expected an object with `avail`".into(),
                });
                out.rejected += 1;
                continue;
            }
        };
        let n = doc["avail"]["Transaction"].as_array().map_or(0, Vec::len);
        let sources = (0..n)
            .map(|i| Source::at(base.with_path(format!("{prefix}/avail/Transaction/{i}"))))
            .collect();
        let avail_source = Source::at(base.with_path(format!("{prefix}/avail")));
        summary.items += split_payload(doc, avail_source, sources, options, grouper, out);
    }
    out.items += summary.items;
    Ok(summary)
}

/// Splits an `{"avail": ...}` document into items and feeds the grouper.
/// Returns how many transactions it held.
fn split_payload(
    doc: Value,
    avail_source: Source,
    sources: Vec<Source>,
    options: &ConvertOptions,
    grouper: &mut Grouper<'_>,
    out: &mut Conversion,
) -> usize {
    let Value::Object(mut wrapper) = doc else {
        return 0;
    };
    let Some(Value::Object(mut avail)) = wrapper.remove("avail") else {
        return 0;
    };
    let assets = match avail.remove("Asset") {
        Some(Value::Array(a)) => a,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    if assets.len() > 1 {
        out.problems.push(Problem {
            location: avail_source.location.clone(),
            severity: Severity::Error,
            code: CV_SHAPE,
            message: format!(
                "{} assets: an avail has exactly one; only the first is converted",
                assets.len()
            ),
        });
    }
    let asset = match assets.into_iter().next() {
        Some(Value::Object(a)) => a,
        _ => Map::new(),
    };
    let transactions = match avail.remove("Transaction") {
        Some(Value::Array(t)) => t,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    let offset = options
        .timezone
        .clone()
        .unwrap_or_else(|| options.mapping.dates.default_offset.clone());
    let count = transactions.len();
    if count == 0 {
        out.problems.push(Problem {
            location: avail_source.location.clone(),
            severity: Severity::Error,
            code: CV_SHAPE,
            message: "avail has no Transaction; nothing to convert".into(),
        });
        out.rejected += 1;
    }
    for (i, t) in transactions.into_iter().enumerate() {
        let Value::Object(mut transaction) = t else {
            out.rejected += 1;
            out.problems.push(Problem {
                location: sources.get(i).unwrap_or(&avail_source).location.clone(),
                severity: Severity::Error,
                code: CV_SHAPE,
                message: format!("Transaction {i} is {t}, not an object; not converted"),
            });
            continue;
        };
        normalize_dates(&mut transaction, &offset);
        let source = sources
            .get(i)
            .cloned()
            .unwrap_or_else(|| avail_source.clone());
        grouper.add(Item {
            avail: avail.clone(),
            asset: asset.clone(),
            transaction,
            terms: None,
            source,
            end_marker: None,
        });
    }
    count
}

/// A date-only Start, End or Event becomes midnight, as for EMA dates.
fn normalize_dates(transaction: &mut Map<String, Value>, offset: &str) {
    let fix = |v: &mut Value| {
        if let Value::String(s) = v {
            if s.len() == 10 && chrono_like_date(s) {
                s.push_str("T00:00:00");
                s.push_str(offset);
            }
        }
    };
    for key in ["Start", "End"] {
        if let Some(v) = transaction.get_mut(key) {
            fix(v);
        }
    }
    if let Some(Value::Array(terms)) = transaction.get_mut("Terms") {
        for t in terms {
            if let Some(v) = t.get_mut("Event") {
                fix(v);
            }
        }
    }
}

fn chrono_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
