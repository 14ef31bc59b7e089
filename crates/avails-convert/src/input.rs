//! Reading every kind of input: EMA rows (module `ema_rows`) and MDDF
//! transactions become [`Item`]s for the grouper; payload JSON (module
//! `json`) is taken as given. What the readers share is in `collect`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use avails_ema::EndMarker;
use avails_mapping::Mapping;
use avails_model::{limits, AvailTrans, Diagnostic, Location};
use serde_json::{Map, Value};

use crate::codes::{CV_CONDITION, CV_IGNORED, CV_SHAPE};
use crate::collect::{Collect, ConvertOptions, FileSummary, InputKind};
use crate::ema_rows::EmaRows;
use crate::error::BoxedError;
use crate::{ConvertError, Item, Source};

/// Reads one input into `out`; returns what was read, or why it could not be.
pub(crate) fn read_input(
    path: &Path,
    options: &ConvertOptions,
    out: &mut dyn Collect,
) -> Result<FileSummary, ConvertError> {
    let label = path.display().to_string();
    match InputKind::of(path) {
        Some(InputKind::Ema) => read_ema(path, &label, options, out),
        Some(InputKind::Mddf) => read_mddf(path, &label, options, out),
        Some(InputKind::Json) => crate::json::read_json(path, &label, options, out),
        None => Err(ConvertError::Unsupported { file: label }),
    }
}

fn read_ema(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    out: &mut dyn Collect,
) -> Result<FileSummary, ConvertError> {
    let mut rows = EmaRows::new(label, options);
    let stop = AtomicBool::new(false);
    avails_ema::read_rows_until(path, label, &options.mapping, &stop, &mut |event| {
        rows.event(event, out);
        if out.stopped() {
            stop.store(true, Ordering::Relaxed);
        }
    })?;
    Ok(rows.finish(out))
}

fn read_mddf(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    out: &mut dyn Collect,
) -> Result<FileSummary, ConvertError> {
    let xml = read_text(path, label)?;
    let avails = avails_mddf::read_avails(&xml).map_err(|e| ConvertError::Read {
        file: label.to_string(),
        source: e.into(),
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
        // The pass is abandoned (a sheet read before this file proved
        // unsorted): the rest would be dropped unread.
        if out.stopped() {
            break;
        }
        let mut avail_findings = Vec::new();
        for ignored in &parsed.ignored {
            avail_findings.push(Diagnostic::of(
                CV_IGNORED,
                at_line(ignored.line, &ignored.path),
                format!(
                    "`{}` is not an attribute Prime Video processes; it is left out",
                    leaf(&ignored.path)
                ),
            ));
        }
        // A value that cannot take its API type rejects what it belongs to:
        // its transaction, or every transaction of the avail.
        let mut rejected_transactions: BTreeMap<usize, String> = BTreeMap::new();
        let mut avail_rejected: Option<String> = None;
        for invalid in &parsed.invalid {
            let message = format!(
                "`{}` is {}; expected {}",
                leaf(&invalid.path),
                avails_model::text::quote(&invalid.value),
                invalid.expected
            );
            avail_findings.push(Diagnostic::of(
                CV_SHAPE,
                at_line(invalid.line, &invalid.path),
                message.clone(),
            ));
            match transaction_index(&invalid.path) {
                Some(i) => {
                    rejected_transactions.entry(i).or_insert(message);
                }
                None => {
                    avail_rejected.get_or_insert(message);
                }
            }
        }
        // Conditions instead of dates: `ESTStart` ends a pre-order at the EST
        // start (as for EMA); the API has no other conditional date.
        let mut end_markers: BTreeMap<usize, EndMarker> = BTreeMap::new();
        for (i, c) in parsed.conditions.iter().enumerate() {
            let mut refuse = |line: u32, message: String| {
                avail_findings.push(Diagnostic::of(
                    CV_CONDITION,
                    at_line(line, &format!("/avail/Transaction/{i}")),
                    message.clone(),
                ));
                rejected_transactions.entry(i).or_insert(message);
            };
            let lag = |c: &avails_mddf::Condition| {
                c.lag
                    .as_deref()
                    .map(|l| format!(" (lag {l})"))
                    .unwrap_or_default()
            };
            if let Some(start) = &c.start {
                refuse(
                    start.line,
                    format!(
                        "StartCondition `{}`{}: the API has no conditional start; give the Start date it stands for",
                        start.value,
                        lag(start)
                    ),
                );
            }
            if let Some(end) = &c.end {
                if end.value.eq_ignore_ascii_case("ESTStart") && end.lag.is_none() {
                    end_markers.insert(i, EndMarker::EstStart);
                } else {
                    refuse(
                        end.line,
                        format!(
                            "EndCondition `{}`{}: the API has no conditional end; give the End date it stands for (an absent End means no end)",
                            end.value,
                            lag(end)
                        ),
                    );
                }
            }
            if let Some(d) = &c.window_duration {
                refuse(
                    d.line,
                    format!(
                        "WindowDuration `{}`: the API has no window duration; give the End date it implies",
                        d.value
                    ),
                );
            }
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
        let sources: Vec<Source> = parsed
            .transaction_lines
            .iter()
            .enumerate()
            .map(|(i, line)| Source {
                location: at_line(*line, &format!("/avail/Transaction/{i}")),
                columns: None,
                lines: Some(Arc::new(
                    transaction_lines.get(i).cloned().unwrap_or_default(),
                )),
            })
            .collect();
        for d in avail_findings {
            out.finding(d);
        }
        summary.items += split_avail(parsed.payload, &avail_source, &sources, options, out, |i| {
            let rejected = avail_rejected
                .clone()
                .or_else(|| rejected_transactions.get(&i).cloned());
            (rejected, end_markers.get(&i).copied())
        });
    }
    Ok(summary)
}

/// The index of the transaction a payload path is inside, if any.
fn transaction_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("/avail/Transaction/")?;
    rest.split('/').next()?.parse().ok()
}

/// A whole XML file, or the error naming it. The read is bounded
/// (`avails_model::limits`): the file by [`limits::XML_FILE`], and each
/// text, tag or comment by [`limits::VALUE`], checked as it is read, so a
/// file that never ends (a symlink to `/dev/zero`) stops at the first
/// limit instead of filling memory.
pub(crate) fn read_text(path: &Path, label: &str) -> Result<String, ConvertError> {
    use std::io::Read;
    let err = |source: BoxedError| ConvertError::Read {
        file: label.to_string(),
        source,
    };
    let max_file = limits::XML_FILE.bytes().map_err(|e| err(e.into()))?;
    let max_value = limits::VALUE.bytes().map_err(|e| err(e.into()))?;
    let mut file = std::fs::File::open(path).map_err(|e| err(e.into()))?;
    // A regular file says its size, so the text is allocated once.
    let expected = file.metadata().map_or(0, |m| m.len()).min(max_file);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    let mut runs = limits::XmlRuns::new(max_value);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e.into())),
        };
        if bytes.len() as u64 + n as u64 > max_file {
            return Err(err(format!(
                "the file is {}",
                limits::XML_FILE.exceeded(max_file)
            )
            .into()));
        }
        if let Err(kind) = runs.feed(&chunk[..n]) {
            return Err(err(format!(
                "the file holds {} of {}",
                kind.name(),
                limits::VALUE.exceeded(max_value)
            )
            .into()));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(bytes).map_err(|_| err("stream did not contain valid UTF-8".into()))
}

fn leaf(path: &str) -> &str {
    path.rsplit('/')
        .find(|s| s.parse::<usize>().is_err())
        .unwrap_or(path)
}

/// Splits one MDDF avail into items; returns how many transactions it held.
fn split_avail(
    doc: Value,
    avail_source: &Source,
    sources: &[Source],
    options: &ConvertOptions,
    out: &mut dyn Collect,
    status: impl Fn(usize) -> (Option<String>, Option<EndMarker>),
) -> usize {
    let Value::Object(mut wrapper) = doc else {
        return 0;
    };
    let Some(Value::Object(mut avail)) = wrapper.remove("avail") else {
        return 0;
    };
    let mut findings = Vec::new();
    crate::policy::supported_entitlements(&mut avail, avail_source, &mut findings);
    let assets = match avail.remove("Asset") {
        Some(Value::Array(a)) => a,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    let asset_rejected = (assets.len() > 1).then(|| {
        let message = format!(
            "{} assets: an avail has exactly one; none of its transactions is converted",
            assets.len()
        );
        findings.push(Diagnostic::of(
            CV_SHAPE,
            avail_source.location.clone(),
            message.clone(),
        ));
        message
    });
    let asset = match assets.into_iter().next() {
        Some(Value::Object(a)) => a,
        _ => Map::new(),
    };
    let transactions = match avail.remove("Transaction") {
        Some(Value::Array(t)) => t,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    let count = transactions.len();
    if count == 0 {
        findings.push(Diagnostic::of(
            CV_SHAPE,
            avail_source.location.clone(),
            "avail has no Transaction; nothing to convert",
        ));
    }
    let avail = Arc::new(avail);
    let asset = Arc::new(asset);
    let timezone = options
        .timezone
        .clone()
        .unwrap_or_else(|| options.mapping.dates.default_offset.clone());
    for (i, t) in transactions.into_iter().enumerate() {
        let source = sources
            .get(i)
            .cloned()
            .unwrap_or_else(|| avail_source.clone());
        let (rejected, end_marker) = status(i);
        let mut reason = asset_rejected.clone().or(rejected);
        let mut transaction = match t {
            Value::Object(map) => crate::typed::transaction_or_serde(map).unwrap_or_else(|e| {
                let message = format!("Transaction {i} does not fit the API schema: {e}");
                findings.push(Diagnostic::of(
                    CV_SHAPE,
                    source.location.clone(),
                    message.clone(),
                ));
                reason.get_or_insert(message);
                AvailTrans::default()
            }),
            other => {
                let message = format!(
                    "Transaction {i} is {}, not an object",
                    avails_model::text::quote(&other.to_string())
                );
                findings.push(Diagnostic::of(
                    CV_SHAPE,
                    source.location.clone(),
                    message.clone(),
                ));
                reason.get_or_insert(message);
                AvailTrans::default()
            }
        };
        normalize_dates(&mut transaction, &options.mapping, &timezone);
        if reason.is_none() {
            let work_type = asset.get("WorkType").and_then(Value::as_str);
            crate::policy::supported_terms(
                &mut transaction,
                work_type,
                &source,
                &options.mapping,
                &mut findings,
            );
        }
        let key = Item::key_of(&avail, &transaction);
        out.item(Item {
            key,
            avail: avail.clone(),
            asset: asset.clone(),
            candidates: Arc::default(),
            transaction,
            end_marker,
            source,
            rejected: reason,
            error_cells: Vec::new(),
        });
    }
    for d in findings {
        out.finding(d);
    }
    count
}

/// A date-only Start, End or Event takes the time its column's rule gives
/// (the same rule as for EMA cells); a time or offset written is kept.
fn normalize_dates(t: &mut AvailTrans, mapping: &Mapping, offset: &str) {
    let complete = |v: &mut String, time: &str| {
        if is_date_only(v) {
            v.push('T');
            v.push_str(time);
            v.push_str(offset);
        }
    };
    if let Some(s) = t.start.as_mut() {
        complete(s, &mapping.dates.start_of_day);
    }
    if let Some(e) = t.end.as_mut() {
        complete(e, &mapping.dates.end_of_day);
    }
    for term in t.terms.iter_mut().flatten() {
        if let Some(e) = term.event.as_mut() {
            complete(e, &mapping.dates.start_of_day);
        }
    }
}

fn is_date_only(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
