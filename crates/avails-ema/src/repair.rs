//! Repair of XLSX files calamine refuses, in memory.
//!
//! Some writers (LibreOffice among them) store a sheet dimension without
//! column letters, `<dimension ref="1:65536"/>`, which calamine rejects
//! ("Range is missing the expected column component"). The dimension is only
//! a hint, so the repaired copy simply drops it; every cell is still read.

use std::io::{Cursor, Read, Seek, Write};

/// Whether an error is the one the repair fixes.
pub fn is_dimension_error(message: &str) -> bool {
    message.contains("missing the expected column component")
}

/// How much of the start of a worksheet is searched for its dimension
/// (written before the cells, in the first few hundred bytes).
const HEAD_BYTES: u64 = 1024 * 1024;

/// A copy of the workbook with every worksheet's `<dimension>` removed.
/// Each part is copied as a stream, so a large sheet is never held whole;
/// only the zipped copy is kept in memory.
pub fn without_dimensions<R: Read + Seek>(workbook: R) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut archive = zip::ZipArchive::new(workbook)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.into_owned();
        out.start_file(name.as_str(), options)?;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            let mut head = Vec::new();
            (&mut entry).take(HEAD_BYTES).read_to_end(&mut head)?;
            out.write_all(&strip_dimension(&head))?;
        }
        std::io::copy(&mut entry, &mut out)?;
    }
    Ok(out.finish()?.into_inner())
}

fn strip_dimension(xml: &[u8]) -> Vec<u8> {
    let Some(start) = find(xml, b"<dimension") else {
        return xml.to_vec();
    };
    let Some(len) = find(&xml[start..], b"/>") else {
        return xml.to_vec();
    };
    let mut out = Vec::with_capacity(xml.len());
    out.extend_from_slice(&xml[..start]);
    out.extend_from_slice(&xml[start + len + 2..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_dimension() {
        let xml = br#"<worksheet><dimension ref="1:65536"/><sheetData/></worksheet>"#;
        assert_eq!(
            strip_dimension(xml),
            b"<worksheet><sheetData/></worksheet>".to_vec()
        );
        assert_eq!(strip_dimension(b"<a/>"), b"<a/>".to_vec());
    }
}
