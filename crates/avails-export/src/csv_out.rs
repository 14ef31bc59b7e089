//! Writing the sheet as CSV (the same rows as the workbook, all text).

use std::io::Write;
use std::path::Path;

use avails_model::Avail;

use crate::table::{Loss, Table};
use crate::{build_table, BoxedError, ExportError, ExportOptions};

/// Writes the sheet as CSV to a writer.
pub fn write_csv<W: Write>(table: &Table, writer: W) -> Result<(), ExportError> {
    let err = |e: BoxedError| ExportError::Csv {
        file: "writer".into(),
        source: e,
    };
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    for header in [&table.sections, &table.names, &table.comments] {
        w.write_record(header).map_err(|e| err(e.into()))?;
    }
    for row in &table.rows {
        w.write_record(row.iter().map(|c| c.to_text()))
            .map_err(|e| err(e.into()))?;
    }
    w.flush().map_err(|e| err(e.into()))
}

/// Writes avails as an EMA CSV file; returns what the sheet cannot carry.
pub fn export_csv(
    avails: &[Avail],
    options: &ExportOptions,
    path: &Path,
) -> Result<Vec<Loss>, ExportError> {
    let table = build_table(avails, options);
    let rename = |e: ExportError| match e {
        ExportError::Csv { source, .. } => ExportError::Csv {
            file: path.display().to_string(),
            source,
        },
        other => other,
    };
    let file = std::fs::File::create(path).map_err(|e| ExportError::Csv {
        file: path.display().to_string(),
        source: e.into(),
    })?;
    write_csv(&table, std::io::BufWriter::new(file)).map_err(rename)?;
    Ok(table.losses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_cannot_be_created_keeps_the_system_error_as_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/x.csv");
        let err = export_csv(&[], &ExportOptions::default(), &path).unwrap_err();
        let source = std::error::Error::source(&err).expect("the cause is kept");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the system's error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            format!("cannot write CSV {}: {io}", path.display())
        );
    }
}
