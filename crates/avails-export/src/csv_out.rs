//! Writing the sheet as CSV (the same rows as the workbook, all text).

use std::io::Write;
use std::path::Path;

use avails_model::Avail;

use crate::table::{Loss, Table};
use crate::{build_table, ExportError, ExportOptions};

/// Writes the sheet as CSV to a writer.
pub fn write_csv<W: Write>(table: &Table, writer: W) -> Result<(), ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Csv {
        file: "writer".into(),
        message: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    for header in [&table.sections, &table.names, &table.comments] {
        w.write_record(header).map_err(|e| err(&e))?;
    }
    for row in &table.rows {
        w.write_record(row.iter().map(|c| c.to_text()))
            .map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))
}

/// Writes avails as an EMA CSV file; returns what the sheet cannot carry.
pub fn export_csv(
    avails: &[Avail],
    options: &ExportOptions,
    path: &Path,
) -> Result<Vec<Loss>, ExportError> {
    let table = build_table(avails, options);
    let rename = |e: ExportError| match e {
        ExportError::Csv { message, .. } => ExportError::Csv {
            file: path.display().to_string(),
            message,
        },
        other => other,
    };
    let file = std::fs::File::create(path).map_err(|e| ExportError::Csv {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    write_csv(&table, std::io::BufWriter::new(file)).map_err(rename)?;
    Ok(table.losses)
}
