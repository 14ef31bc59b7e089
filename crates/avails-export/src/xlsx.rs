//! Writing the sheet as an `.xlsx` workbook.

use std::path::Path;

use avails_model::Avail;
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::table::{CellValue, Loss, Table};
use crate::{build_table, ExportError, ExportOptions};

fn fill(workbook: &mut Workbook, table: &Table, sheet_name: &str) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let header = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (c, ((section, name), comment)) in table
        .sections
        .iter()
        .zip(&table.names)
        .zip(&table.comments)
        .enumerate()
    {
        let c = c as u16;
        sheet.write_string(0, c, section)?;
        sheet.write_string_with_format(1, c, name, &header)?;
        sheet.write_string(2, c, comment)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = 3 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                CellValue::Empty => {}
                CellValue::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                CellValue::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                CellValue::Date(d) => {
                    let (Ok(y), Ok(m), Ok(day)) = (
                        u16::try_from(d.year()),
                        u8::try_from(d.month()),
                        u8::try_from(d.day()),
                    ) else {
                        sheet.write_string(r, c, cell.to_text())?;
                        continue;
                    };
                    match ExcelDateTime::from_ymd(y, m, day) {
                        Ok(dt) => sheet.write_datetime_with_format(r, c, dt, &date)?,
                        // Before 1900: Excel has no date for it; keep the text.
                        Err(_) => sheet.write_string(r, c, cell.to_text())?,
                    };
                }
            }
        }
    }
    Ok(())
}

/// The sheet as `.xlsx` bytes.
pub fn xlsx_bytes(table: &Table, sheet_name: &str) -> Result<Vec<u8>, ExportError> {
    let err = |e: XlsxError| ExportError::Xlsx {
        file: "buffer".into(),
        source: e.into(),
    };
    let mut workbook = Workbook::new();
    fill(&mut workbook, table, sheet_name).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

/// Writes avails as an EMA workbook; returns what the sheet cannot carry.
pub fn export_xlsx(
    avails: &[Avail],
    options: &ExportOptions,
    path: &Path,
) -> Result<Vec<Loss>, ExportError> {
    let table = build_table(avails, options);
    let bytes = xlsx_bytes(&table, &options.sheet_name).map_err(|e| match e {
        ExportError::Xlsx { source, .. } => ExportError::Xlsx {
            file: path.display().to_string(),
            source,
        },
        other => other,
    })?;
    std::fs::write(path, bytes).map_err(|e| ExportError::Xlsx {
        file: path.display().to_string(),
        source: e.into(),
    })?;
    Ok(table.losses)
}
