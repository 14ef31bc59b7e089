//! Payload JSON inputs are taken as given: each `{"avail": ...}` is one
//! payload, validated and sent exactly as written, never regrouped (a full
//! extract naming two territories is the validator's error, not split).
//! A batch request file is checked with the batch rules, and each item
//! becomes the payload its path says.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use avails_mapping::Mapping;
use avails_model::{limits, AvailRequest, Diagnostic, EntryType, Location};
use avails_rules::{parse_item_path, Target};
use serde_json::{Map, Value};

use crate::codes::{CV_BUSINESS_LINE, CV_SHAPE};
use crate::collect::{Collect, FileSummary, InputKind};
use crate::error::BoxedError;
use crate::{ConvertError, ConvertOptions, Item, Payload, Source};

/// One document found in a JSON input, with where it is.
struct Doc {
    /// NDJSON line, if the file is NDJSON.
    line: Option<u32>,
    /// JSON pointer of the document inside the file (`""` for the whole).
    pointer: String,
    /// The document.
    value: Value,
    /// A batch item's path says what it is.
    entry_type: Option<EntryType>,
}

pub(crate) fn read_json(
    path: &Path,
    label: &str,
    options: &ConvertOptions,
    out: &mut dyn Collect,
) -> Result<FileSummary, ConvertError> {
    let read_err = |source: BoxedError| ConvertError::Read {
        file: label.to_string(),
        source,
    };
    let max = limits::JSON_DOCUMENT
        .bytes()
        .map_err(|e| read_err(e.into()))?;
    let too_long =
        |what: &str| read_err(format!("{what} is {}", limits::JSON_DOCUMENT.exceeded(max)).into());
    let file = std::fs::File::open(path).map_err(|e| read_err(e.into()))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut summary = FileSummary {
        file: label.to_string(),
        kind: InputKind::Json,
        sheets: Vec::new(),
        items: 0,
    };
    let mapping = &options.mapping;
    let mut give =
        |doc: Doc, out: &mut dyn Collect| summary.items += given(doc, label, mapping, out);
    match first_byte(&mut reader).map_err(|e| read_err(e.into()))? {
        None => {
            return Err(read_err(
                "the file is empty: expected a payload {\"avail\": ...}, an array of them, a batch request, or NDJSON".into(),
            ))
        }
        // An array of payloads: each element converted as it is parsed,
        // and bounded on its own.
        Some(b'[') => {
            let used = Cell::new(0u64);
            let bounded = Bounded {
                inner: reader,
                used: &used,
                max,
            };
            let mut de = serde_json::Deserializer::from_reader(bounded);
            let elements = Elements {
                each: &mut |i, value| {
                    used.set(0);
                    let doc = Doc {
                        line: None,
                        pointer: format!("/{i}"),
                        value,
                        entry_type: None,
                    };
                    give(doc, &mut *out)
                },
            };
            let parsed = serde::Deserializer::deserialize_seq(&mut de, elements).and_then(|()| de.end());
            if used.get() > max {
                return Err(too_long("an element of the array"));
            }
            parsed.map_err(|e| read_err(format!("not JSON: {e}").into()))?;
        }
        _ => {
            let mut first = String::new();
            match read_line(&mut reader, &mut first, max).map_err(|e| read_err(e.into()))? {
                Line::Read(_) => {}
                Line::TooLong => return Err(too_long("line 1")),
            }
            match serde_json::from_str::<Value>(&first) {
                // One JSON value per line: NDJSON, read a line at a time.
                Ok(value) if is_lone_payload(&value) => {
                    lines(reader, value, max, &mut |doc| give(doc, &mut *out)).map_err(|e| match e {
                        LinesError::TooLong(n) => too_long(&format!("line {n}")),
                        LinesError::Other(message) => read_err(message.into()),
                    })?
                }
                // A document over several lines (or a batch): read whole.
                _ => {
                    let mut text = first;
                    let room = (max + 1).saturating_sub(text.len() as u64);
                    reader
                        .take(room)
                        .read_to_string(&mut text)
                        .map_err(|e| read_err(e.into()))?;
                    if text.len() as u64 > max {
                        return Err(too_long("the document"));
                    }
                    for doc in whole(&text, label, &mut *out).map_err(|m| read_err(m.into()))? {
                        give(doc, &mut *out);
                    }
                }
            }
        }
    }
    Ok(summary)
}

/// A reader that fails once more than `max` bytes were read since `used`
/// was last set to 0 (at each element of an array).
struct Bounded<'a, R> {
    inner: R,
    used: &'a Cell<u64>,
    max: u64,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > self.max {
            return Err(std::io::Error::other("over the limit on one JSON document"));
        }
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// What [`read_line`] read.
enum Line {
    /// A line (with its line break) of this many bytes; 0 at the end.
    Read(usize),
    /// The line is longer than the limit; `line` holds nothing useful.
    TooLong,
}

/// Reads one line into `line` (cleared first), at most `max` bytes of it:
/// a file that never ends a line (`/dev/zero`) stops there.
fn read_line(reader: &mut impl BufRead, line: &mut String, max: u64) -> std::io::Result<Line> {
    line.clear();
    let mut bytes = std::mem::take(line).into_bytes();
    loop {
        let buffer = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            break;
        }
        let (take, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buffer.len(), false),
        };
        if (bytes.len() + take) as u64 > max {
            return Ok(Line::TooLong);
        }
        bytes.extend_from_slice(&buffer[..take]);
        reader.consume(take);
        if done {
            break;
        }
    }
    let n = bytes.len();
    *line = String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })?;
    Ok(Line::Read(n))
}

/// The first byte that is not white space (or a UTF-8 byte order mark),
/// left unread; None at the end of the file.
fn first_byte(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buffer = reader.fill_buf()?;
        let Some(&b) = buffer.first() else {
            return Ok(None);
        };
        if buffer.starts_with(&[0xEF, 0xBB, 0xBF]) {
            reader.consume(3);
        } else if b.is_ascii_whitespace() {
            reader.consume(1);
        } else {
            return Ok(Some(b));
        }
    }
}

/// Whether a first line is a document of its own that NDJSON may follow:
/// an object that is not a batch request.
fn is_lone_payload(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| !o.contains_key("requestItems"))
}

/// Why NDJSON reading stopped.
enum LinesError {
    /// This line is over the limit on one document.
    TooLong(u32),
    /// Any other reason, worded.
    Other(String),
}

/// NDJSON after its first line (`first`): each line one document, given
/// as it is read. A file of one line is one document, as a whole file.
fn lines(
    mut reader: impl BufRead,
    first: Value,
    max: u64,
    give: &mut dyn FnMut(Doc),
) -> Result<(), LinesError> {
    let mut pending = Some(first);
    let mut line = String::new();
    let mut n = 1u32;
    loop {
        n += 1;
        match read_line(&mut reader, &mut line, max)
            .map_err(|e| LinesError::Other(e.to_string()))?
        {
            Line::Read(0) => break,
            Line::Read(_) => {}
            Line::TooLong => return Err(LinesError::TooLong(n)),
        }
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(&line)
            .map_err(|e| LinesError::Other(format!("line {n}: not JSON: {e}")))?;
        if let Some(first) = pending.take() {
            give(ndjson_doc(1, first));
        }
        give(ndjson_doc(n, value));
    }
    if let Some(only) = pending {
        give(Doc {
            line: None,
            pointer: String::new(),
            value: only,
            entry_type: None,
        });
    }
    Ok(())
}

fn ndjson_doc(line: u32, value: Value) -> Doc {
    Doc {
        line: Some(line),
        pointer: String::new(),
        value,
        entry_type: None,
    }
}

/// Hands each element of a JSON array to `each` as soon as it is parsed,
/// so an array of many payloads is never held whole.
struct Elements<'f> {
    each: &'f mut dyn FnMut(usize, Value),
}

impl<'de> serde::de::Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of payloads")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            (self.each)(i, value);
            i += 1;
        }
        Ok(())
    }
}

/// The documents of a file read whole: one payload, or a batch request
/// (checked with the batch rules, each body a document).
fn whole(text: &str, label: &str, out: &mut dyn Collect) -> Result<Vec<Doc>, String> {
    let mut docs = Vec::new();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) if obj.contains_key("requestItems") => {
            let batch = Value::Object(obj);
            // The batch's own rules; each body is validated as its payload.
            let in_body = |p: &str| {
                p.strip_prefix("/requestItems/")
                    .and_then(|r| r.split_once('/'))
                    .is_some_and(|(_, rest)| rest == "body" || rest.starts_with("body/"))
            };
            let batch_findings = avails_rules::validate_batch(&batch)
                .into_iter()
                .filter(|d| !in_body(d.pointer()));
            for d in batch_findings {
                out.finding(Diagnostic {
                    location: Location::file(label).with_path(d.pointer()),
                    ..d
                });
            }
            batch_docs(batch, &mut docs);
        }
        Ok(Value::Object(obj)) => docs.push(Doc {
            line: None,
            pointer: String::new(),
            value: Value::Object(obj),
            entry_type: None,
        }),
        Ok(_) => {
            return Err(
                "expected a payload object {\"avail\": ...}, an array of them, a batch request, or NDJSON".into(),
            )
        }
        Err(e) => return Err(format!("not JSON: {e}")),
    }
    Ok(docs)
}

/// The bodies of a batch request's items, each with the entry type its path says.
fn batch_docs(batch: Value, docs: &mut Vec<Doc>) {
    let Value::Object(mut obj) = batch else {
        return;
    };
    let Some(Value::Array(items)) = obj.remove("requestItems") else {
        return;
    };
    for (i, mut item) in items.into_iter().enumerate() {
        let entry_type = item
            .get("path")
            .and_then(Value::as_str)
            .and_then(|p| parse_item_path(p).ok())
            .map(|p| match p.target {
                Target::Full { .. } => EntryType::FullExtract,
                Target::Partial { .. } => EntryType::PartialExtract,
            });
        if let Some(body) = item.get_mut("body").map(Value::take) {
            docs.push(Doc {
                line: None,
                pointer: format!("/requestItems/{i}/body"),
                value: body,
                entry_type,
            });
        }
    }
}

/// One document as a payload taken as given; returns its transactions.
fn given(doc: Doc, label: &str, mapping: &Mapping, out: &mut dyn Collect) -> usize {
    let base = Location {
        row: doc.line,
        ..Location::file(label)
    };
    let at = |p: &str| base.with_path(if p.is_empty() { "/" } else { p }.to_string());
    // A bare avail object is accepted too.
    let value = match doc.value {
        Value::Object(o) if o.contains_key("avail") => Value::Object(o),
        Value::Object(o) if o.contains_key("ALID") => {
            let mut w = Map::new();
            w.insert("avail".into(), Value::Object(o));
            Value::Object(w)
        }
        _ => {
            out.finding(Diagnostic::of(
                CV_SHAPE,
                at(&doc.pointer),
                "not a payload: expected an object with `avail`",
            ));
            return 0;
        }
    };
    let transactions = value["avail"]["Transaction"].as_array().map_or(0, Vec::len);
    if value["avail"].get("Transaction").is_none() {
        out.finding(Diagnostic::of(
            CV_SHAPE,
            at(&format!("{}/avail", doc.pointer)),
            "the avail has no Transaction: there is nothing to send",
        ));
        return 0;
    }
    let request: AvailRequest = match serde_json::from_value(value.clone()) {
        Ok(r) => r,
        Err(e) => {
            out.finding(Diagnostic::of(
                CV_SHAPE,
                at(&doc.pointer),
                format!("the payload does not fit the API schema: {e}"),
            ));
            return transactions;
        }
    };
    let avail_map = value["avail"].as_object().cloned().unwrap_or_default();
    let first = request
        .avail
        .transaction
        .first()
        .cloned()
        .unwrap_or_default();
    let key = Item::key_of(&avail_map, &first);
    let business_line = key
        .license_type
        .as_deref()
        .and_then(|lt| mapping.business_line(lt, key.channel.as_deref()));
    let Some(business_line) = business_line else {
        out.finding(Diagnostic::of(
            CV_BUSINESS_LINE,
            at(&format!("{}/avail/Transaction/0/LicenseType", doc.pointer)),
            format!(
                "LicenseType `{}` has no business line (allowed: SVOD, FVOD, EST, POEST, VOD): the payload cannot be addressed",
                key.license_type.unwrap_or_default()
            ),
        ));
        return transactions;
    };
    // A batch item's path says what it is; else the payload's Disposition.
    let entry_type = doc
        .entry_type
        .or_else(|| {
            request
                .avail
                .disposition
                .as_ref()
                .map(|d| d.entry_type.clone())
        })
        .unwrap_or_default();
    let sources = (0..request.avail.transaction.len())
        .map(|i| Source::at(base.with_path(format!("{}/avail/Transaction/{i}", doc.pointer))))
        .collect();
    out.given(Payload {
        alid: request.avail.alid.clone(),
        territory: key.territories.first().cloned().unwrap_or_default(),
        business_line,
        entry_type,
        avail_source: Source::at(base.with_path(format!("{}/avail", doc.pointer))),
        transaction_sources: sources,
        given: Some(value),
        request,
    });
    transactions
}
