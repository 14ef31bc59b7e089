//! The bounds of an XLSX package, checked before the spreadsheet library
//! reads it, so a decompression bomb is an error naming the limit instead
//! of gigabytes of memory.
//!
//! calamine inflates each part of the package (a zip) through quick-xml,
//! which holds every text, tag or comment whole: a sheet holding 2 GB of
//! white space between two tags, or a 1 GB cell, costs several times that
//! in memory, and the shared strings, styles and workbook parts are held
//! whole. So every part is inflated here first, in constant memory,
//! counting the bytes actually inflated (a part's declared size is only
//! trusted to refuse it early; the zip library also refuses to inflate
//! past it) and following its markup ([`XmlRuns`]):
//!
//! - a worksheet (`worksheets/sheet*.xml`) may inflate to
//!   [`limits::XLSX_PART`], since it is streamed;
//! - any other part to [`limits::XLSX_TABLE`], since it is held whole;
//! - no text, tag, comment or CDATA section of any part may be longer than
//!   [`limits::VALUE`] (one cell's value is one such text).
//!
//! The price is inflating the package twice. Module [`gate`] runs the check
//! beside calamine's read (on another thread, calamine never reading past
//! what is checked) rather than before it. A file found within bounds is
//! not checked again when a second pass reads it.
//!
//! A part that cannot be inflated (an unsupported method, a checksum that
//! does not match) is left to calamine, which reports it if it reads it.

use std::io::Read;
use std::path::Path;

use avails_model::limits::{self, Limit, XmlRuns};
use zip::ZipArchive;

use crate::contain::contain;
use crate::EmaError;

mod gate;

pub(crate) use gate::Checking;

/// How much is inflated at a time.
const CHUNK: usize = 64 * 1024;
/// How much of `_rels/.rels` is read to find the workbook part.
const RELS_MAX: u64 = 1024 * 1024;

/// The files found within bounds.
static CHECKED: std::sync::Mutex<Vec<Stamp>> = std::sync::Mutex::new(Vec::new());

/// The limits in force (from the environment, else the defaults).
pub(crate) struct Bounds {
    part: u64,
    table: u64,
    value: u64,
}

/// A file found within bounds: path, length and modification time.
type Stamp = (std::path::PathBuf, u64, std::time::SystemTime);

impl Bounds {
    /// The limits in force, or the error of a limit set wrongly.
    fn in_force(file_label: &str) -> Result<Self, EmaError> {
        let limit_err = |e: limits::LimitError| EmaError::Limit {
            file: file_label.to_string(),
            message: e.to_string(),
        };
        Ok(Bounds {
            part: limits::XLSX_PART.bytes().map_err(limit_err)?,
            table: limits::XLSX_TABLE.bytes().map_err(limit_err)?,
            value: limits::VALUE.bytes().map_err(limit_err)?,
        })
    }
}

/// What identifies the file at `path` as unchanged since it was checked.
fn stamp_of(path: &Path, file: &std::fs::File) -> Option<Stamp> {
    let meta = file.metadata().ok()?;
    Some((path.to_path_buf(), meta.len(), meta.modified().ok()?))
}

/// Whether the file was found within bounds, unchanged since. A second pass
/// over the same file (an unsorted sheet is read twice) is not checked
/// again.
fn known_within_bounds(stamp: Option<&Stamp>) -> bool {
    stamp.is_some_and(|s| checked().contains(s))
}

/// Remembers a file found within bounds.
fn remember(stamp: Option<Stamp>) {
    if let Some(stamp) = stamp {
        checked().push(stamp);
    }
}

fn checked() -> std::sync::MutexGuard<'static, Vec<Stamp>> {
    CHECKED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Checks every part of the XLSX package at `path` against the limits,
/// before anything else reads it.
pub(crate) fn check(path: &Path, file_label: &str) -> Result<(), EmaError> {
    let bounds = Bounds::in_force(file_label)?;
    let file = std::fs::File::open(path).map_err(|e| EmaError::open(file_label, e))?;
    let stamp = stamp_of(path, &file);
    if known_within_bounds(stamp.as_ref()) {
        return Ok(());
    }
    match contain(|| check_archive(std::io::BufReader::new(file), &bounds)) {
        Ok(Ok(())) => {
            remember(stamp);
            Ok(())
        }
        Ok(Err(message)) => Err(EmaError::Limit {
            file: file_label.to_string(),
            message,
        }),
        Err(panic) => Err(EmaError::damaged(file_label, None, panic)),
    }
}

/// Every part within bounds, or why not (a message naming part and limit).
fn check_archive<R: Read + std::io::Seek>(reader: R, bounds: &Bounds) -> Result<(), String> {
    // A package the zip library cannot open is left to calamine, which
    // says why in its own words.
    let Ok(mut zip) = ZipArchive::new(reader) else {
        return Ok(());
    };
    let parts = plan(&mut zip, bounds)?;
    let mut buffer = vec![0u8; CHUNK];
    for part in &parts {
        if let Ok(entry) = zip.by_index(part.index) {
            check_part(entry, part, bounds, &mut buffer, || true)?;
        }
    }
    Ok(())
}

/// One part of the package to check: where it is, and its bound.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// Its index in the zip's directory.
    index: usize,
    /// Its name in the package.
    name: String,
    /// The bound on its inflated size (a worksheet's, or a held part's).
    limit: Limit,
    /// That bound in bytes.
    max: u64,
    /// Where its compressed bytes are in the file, when the zip library
    /// could find them.
    data: Option<std::ops::Range<u64>>,
}

/// The parts to check, the parts calamine holds whole first (it reads them
/// when it opens the workbook), each refused at once when its declared size
/// is over its bound.
pub(crate) fn plan<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    bounds: &Bounds,
) -> Result<Vec<Part>, String> {
    let workbook = workbook_file_name(zip);
    let mut parts = Vec::new();
    for index in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(index) else {
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (limit, max) = if is_worksheet(&name, workbook.as_deref()) {
            (limits::XLSX_PART, bounds.part)
        } else {
            (limits::XLSX_TABLE, bounds.table)
        };
        let part = Part {
            index,
            data: entry
                .data_start()
                .map(|start| start..start.saturating_add(entry.compressed_size())),
            name,
            limit,
            max,
        };
        if entry.size() > max {
            return Err(part.too_big());
        }
        parts.push(part);
    }
    parts.sort_by_key(|part| part.limit == limits::XLSX_PART);
    Ok(parts)
}

impl Part {
    /// The message of a part inflating past its bound.
    fn too_big(&self) -> String {
        format!(
            "part {} inflates to {}",
            self.name,
            self.limit.exceeded(self.max)
        )
    }
}

/// Inflates one part in `buffer`-sized chunks, in constant memory, checking
/// its size and its runs; `progress` is called after each chunk is checked
/// and ends the check early (as within bounds) when it returns false.
pub(crate) fn check_part(
    mut entry: impl Read,
    part: &Part,
    bounds: &Bounds,
    buffer: &mut [u8],
    mut progress: impl FnMut() -> bool,
) -> Result<(), String> {
    let mut runs = XmlRuns::new(bounds.value);
    let mut inflated: u64 = 0;
    loop {
        let n = match entry.read(buffer) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        inflated += n as u64;
        if inflated > part.max {
            return Err(part.too_big());
        }
        if let Err(kind) = runs.feed(&buffer[..n]) {
            return Err(format!(
                "part {} holds {} of {}",
                part.name,
                kind.name(),
                limits::VALUE.exceeded(bounds.value)
            ));
        }
        if !progress() {
            return Ok(());
        }
    }
}

/// Whether a part is a worksheet, which calamine streams: a
/// `worksheets/sheet*.xml` that is not the workbook part itself.
fn is_worksheet(name: &str, workbook: Option<&str>) -> bool {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    let mut segments = name.rsplit('/');
    let file = segments.next().unwrap_or("");
    let folder = segments.next().unwrap_or("");
    folder == "worksheets"
        && file.starts_with("sheet")
        && file.ends_with(".xml")
        && workbook.is_none_or(|w| w != file)
}

/// The file name (lowercase) of the workbook part `_rels/.rels` names, when
/// it can be read; calamine reads that part whole, whatever its name.
fn workbook_file_name<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Option<String> {
    let mut text = String::new();
    zip.by_name("_rels/.rels")
        .ok()?
        .take(RELS_MAX)
        .read_to_string(&mut text)
        .ok()?;
    let target = text.split('<').find_map(|tag| {
        let tag = tag.trim_start();
        let is_rel = tag.starts_with("Relationship ") || tag.contains(":Relationship ");
        (is_rel && attribute(tag, "Type")?.ends_with("/officeDocument"))
            .then(|| attribute(tag, "Target"))
            .flatten()
    })?;
    let target = unescape(&target).replace('\\', "/").to_ascii_lowercase();
    Some(target.rsplit('/').next().unwrap_or("").to_string())
}

/// The value of attribute `name` in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        if let (true, Some(value)) = (before_ok, after.strip_prefix('=')) {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &value[1..];
                return Some(body[..body.find(quote)?].to_string());
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// XML's predefined and numeric character references resolved.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(end) = after.find(';') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let entity = &after[..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[amp..amp + 2 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    const MIB: u64 = 1024 * 1024;

    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn bounds(part: u64, table: u64, value: u64) -> Bounds {
        Bounds { part, table, value }
    }

    const RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

    #[test]
    fn worksheets_are_told_from_parts_held_whole() {
        assert!(is_worksheet(
            "xl/worksheets/sheet1.xml",
            Some("workbook.xml")
        ));
        assert!(is_worksheet("XL\\Worksheets\\Sheet12.XML", None));
        assert!(!is_worksheet("xl/sharedStrings.xml", None));
        assert!(!is_worksheet("xl/worksheets/_rels/sheet1.xml.rels", None));
        assert!(!is_worksheet("xl/worksheets/sharedStrings.xml", None));
        // A workbook part dressed as a worksheet is held whole by calamine.
        assert!(!is_worksheet(
            "xl/worksheets/sheet1.xml",
            Some("sheet1.xml")
        ));
    }

    #[test]
    fn the_workbook_part_is_found_through_escapes() {
        let rels = br#"<Relationships><Relationship Type="http://x/officeDocument" Target="/xl/worksheets/&#115;heet1.xml"/></Relationships>"#;
        let bytes = package(&[("_rels/.rels", rels)]);
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook_file_name(&mut zip).as_deref(), Some("sheet1.xml"));
        assert_eq!(unescape("a&amp;b&#x41;&bogus;"), "a&bA&bogus;");
    }

    #[test]
    fn a_sheet_may_be_large_and_a_held_part_may_not() {
        let rows = b"<row><c><v>1</v></c></row>".repeat(100_000);
        let sheet = [
            b"<worksheet><sheetData>".as_slice(),
            &rows,
            b"</sheetData></worksheet>",
        ]
        .concat();
        let ok = package(&[("_rels/.rels", RELS), ("xl/worksheets/sheet1.xml", &sheet)]);
        assert_eq!(
            check_archive(Cursor::new(&ok), &bounds(4 * MIB, MIB, MIB)),
            Ok(())
        );
        let held = package(&[("_rels/.rels", RELS), ("xl/sharedStrings.xml", &sheet)]);
        let err = check_archive(Cursor::new(&held), &bounds(4 * MIB, MIB, MIB)).unwrap_err();
        assert!(
            err.starts_with("part xl/sharedStrings.xml inflates to more than 1 MiB"),
            "{err}"
        );
        assert!(err.contains("AVAILS_MAX_XLSX_TABLE_MIB=2"), "{err}");
        let err = check_archive(Cursor::new(&ok), &bounds(MIB, MIB, MIB)).unwrap_err();
        assert!(err.contains("AVAILS_MAX_XLSX_PART_MIB=2"), "{err}");
    }

    #[test]
    fn a_long_run_of_white_space_is_refused_at_the_value_limit() {
        let blank = vec![b' '; 3 * MIB as usize];
        let sheet = [b"<worksheet>".as_slice(), &blank, b"</worksheet>"].concat();
        let bytes = package(&[("xl/worksheets/sheet1.xml", &sheet)]);
        let err = check_archive(Cursor::new(&bytes), &bounds(8 * MIB, MIB, MIB)).unwrap_err();
        assert!(
            err.starts_with("part xl/worksheets/sheet1.xml holds a text (or white space) between tags of more than 1 MiB"),
            "{err}"
        );
        assert!(err.contains("AVAILS_MAX_VALUE_MIB=2"), "{err}");
    }

    #[test]
    fn a_part_inflates_neither_past_its_declared_size_nor_past_the_limit() {
        // The declared size lies (1 byte): the zip library stops at it, so
        // what calamine could inflate is bounded by the declared size.
        let sheet = b"<a>x</a>".repeat(200_000);
        let mut bytes = package(&[("xl/worksheets/sheet1.xml", &sheet)]);
        let real = (sheet.len() as u32).to_le_bytes();
        let mut patched = 0;
        for i in 0..bytes.len().saturating_sub(4) {
            if bytes[i..i + 4] == real {
                bytes[i..i + 4].copy_from_slice(&1u32.to_le_bytes());
                patched += 1;
            }
        }
        assert!(patched >= 2, "local header and central directory");
        let mut zip = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut out = Vec::new();
        let read = zip.by_index(0).unwrap().read_to_end(&mut out);
        assert!(read.is_err(), "inflating past the declared size fails");
        assert!(out.len() < 64 * 1024, "{} bytes", out.len());
        // Honest sizes over the limit are counted as they inflate.
        let honest = package(&[("xl/worksheets/sheet1.xml", &sheet)]);
        assert!(check_archive(Cursor::new(&honest), &bounds(MIB, MIB, MIB)).is_err());
    }
}
