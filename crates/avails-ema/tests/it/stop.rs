//! `read_rows_until`: once the flag is set, no further row reaches the sink,
//! in a workbook as in CSV text (the conversion stops a read it no longer
//! needs, see avails-convert's pipeline).

use crate::support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use avails_ema::{read_rows_until, SheetEvent};
use avails_mapping::Mapping;
use support::{sheet_xml, workbook, write};

/// The row numbers the sink got when it sets the flag at its `after`-th row.
fn rows_read(path: &Path, after: usize) -> Vec<u32> {
    let mapping = Mapping::default_table();
    let stop = AtomicBool::new(false);
    let mut rows = Vec::new();
    let label = path.display().to_string();
    // What the reader says of a file read in part is not looked at.
    let _ = read_rows_until(path, &label, &mapping, &stop, &mut |event| {
        if let SheetEvent::Row { row, .. } = event {
            rows.push(row);
            if rows.len() == after {
                stop.store(true, Ordering::Relaxed);
            }
        }
    });
    rows
}

#[test]
fn no_row_reaches_the_sink_once_the_flag_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<String> = (2..=6)
        .map(|r| format!(r#"<c r="A{r}" t="inlineStr"><is><t>md:alid:org:t{r}</t></is></c>"#))
        .collect();
    let xlsx = write(dir.path(), "five.xlsx", &workbook(&sheet_xml(&data), None));
    let csv_text = format!(
        "{}\n{}",
        support::HEADER.join(","),
        (2..=6)
            .map(|r| format!("md:alid:org:t{r},US,EST,Movie,2026-01-01\n"))
            .collect::<String>()
    );
    let csv = write(dir.path(), "five.csv", csv_text.as_bytes());
    for path in [&xlsx, &csv] {
        assert_eq!(
            rows_read(path, usize::MAX),
            vec![2, 3, 4, 5, 6],
            "{path:?} whole"
        );
        assert_eq!(rows_read(path, 2), vec![2, 3], "{path:?} stopped");
    }
}
