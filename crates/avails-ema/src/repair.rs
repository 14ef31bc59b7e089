//! Repair of XLSX files calamine refuses, in memory.
//!
//! Some writers (LibreOffice among them) store a sheet dimension without
//! column letters, `<dimension ref="1:65536"/>`, which calamine rejects
//! ("Range is missing the expected column component"). The dimension is only
//! a hint, so the repaired copy simply drops it; every cell is still read.

use std::io::{Cursor, Read, Write};

/// Whether an error is the one the repair fixes.
pub fn is_dimension_error(message: &str) -> bool {
    message.contains("missing the expected column component")
}

/// A copy of the workbook with every worksheet's `<dimension>` removed.
pub fn without_dimensions(bytes: &[u8]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.into_owned();
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data)?;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            data = strip_dimension(&data);
        }
        out.start_file(name, options)?;
        out.write_all(&data)?;
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
