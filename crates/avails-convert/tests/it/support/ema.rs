//! Small messy EMA sheets written by the tests themselves: the columns a
//! studio's export has, rows built from a base row, written as CSV (every
//! cell text, as Excel saves it) or as XLSX with typed cells (numbers, dates,
//! booleans) through rust_xlsxwriter, in the plain layout (column names in
//! row 1) or MovieLabs' template layout (categories in row 1, column names
//! in row 2, `//REQ` comments in row 3, avails from row 4).

use std::path::{Path, PathBuf};

use avails_convert::{Conversion, Diagnostic};
use avails_model::canonical::canonical;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

/// One cell as the test writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (in XLSX a string cell, in CSV the text).
    Text(String),
    /// An Excel number (in CSV its shortest decimal form).
    Number(f64),
    /// An Excel date cell at midnight (in CSV `YYYY-MM-DD`).
    Date(u16, u8, u8),
    /// An Excel date-time cell (in CSV `YYYY-MM-DDTHH:MM:SS`).
    DateTime(u16, u8, u8, u8, u8, u8),
    /// An Excel boolean cell (in CSV `TRUE`/`FALSE`).
    Bool(bool),
}

/// A text cell.
pub fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

impl Cell {
    fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Cell::DateTime(y, m, d, h, mi, s) => {
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }
}

/// One row: (column, cell) pairs; a column it does not name is blank.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row(pub Vec<(String, Cell)>);

impl Row {
    /// This row with `column` set to `cell` (added if absent).
    pub fn set(mut self, column: &str, cell: Cell) -> Self {
        match self.0.iter_mut().find(|(c, _)| c == column) {
            Some((_, v)) => *v = cell,
            None => self.0.push((column.to_string(), cell)),
        }
        self
    }

    /// This row with `column` set to a text cell.
    pub fn with(self, column: &str, text: &str) -> Self {
        self.set(column, t(text))
    }

    /// This row with `column` left blank.
    pub fn blank(mut self, column: &str) -> Self {
        self.0.retain(|(c, _)| c != column);
        self
    }

    fn get(&self, column: &str) -> Option<&Cell> {
        self.0.iter().find(|(c, _)| c == column).map(|(_, v)| v)
    }
}

/// Where the column names are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Column names in row 1, avails from row 2 (a CSV export).
    Plain,
    /// MovieLabs' template: categories in row 1, names in row 2, `//REQ`
    /// comments in row 3, avails from row 4.
    Template,
}

/// A sheet: its header cells (as written, typos included) and its rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Header cells as written.
    pub header: Vec<String>,
    /// Rows, in order.
    pub rows: Vec<Row>,
    /// Where the names are.
    pub layout: Layout,
    /// Header cells written differently from the rows' column names: (as
    /// written, the name the rows use).
    renamed: Vec<(String, String)>,
}

/// The columns of an EMA 1.8 Movies sheet a studio export typically fills.
pub const MOVIE_COLUMNS: &[&str] = &[
    "DisplayName",
    "ALID",
    "EntryType",
    "ContentID",
    "WorkType",
    "TitleInternalAlias",
    "AvailID",
    "LicenseType",
    "Territory",
    "FormatProfile",
    "Start",
    "End",
    "AllowedLanguages",
    "HoldbackLanguage",
    "PriceType",
    "PriceValue",
    "PriceCurrency",
    "SRP",
];

/// A valid EST HD US movie row of `alid`: WSP 9.99 USD, 2024-01-01 to
/// 2025-12-31, no ContentID, no AvailID.
pub fn movie(alid: &str) -> Row {
    Row::default()
        .with("DisplayName", "Studio")
        .with("ALID", alid)
        .with("EntryType", "Full Extract")
        .with("WorkType", "Movie")
        .with("TitleInternalAlias", &format!("Title of {alid}"))
        .with("LicenseType", "EST")
        .with("Territory", "US")
        .with("FormatProfile", "HD")
        .with("Start", "2024-01-01")
        .with("End", "2025-12-31")
        .with("PriceType", "WSP")
        .with("PriceValue", "9.99")
        .with("PriceCurrency", "USD")
}

impl Sheet {
    /// A plain sheet with these header cells.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            layout: Layout::Plain,
            renamed: Vec::new(),
        }
    }

    /// A sheet with the usual movie columns.
    pub fn movies() -> Self {
        Self::new(MOVIE_COLUMNS)
    }

    /// The same sheet in MovieLabs' template layout.
    pub fn template(mut self) -> Self {
        self.layout = Layout::Template;
        self
    }

    /// Adds a row.
    pub fn push(&mut self, row: Row) -> &mut Self {
        self.rows.push(row);
        self
    }

    /// This sheet with these rows.
    pub fn with_rows(mut self, rows: impl IntoIterator<Item = Row>) -> Self {
        self.rows.extend(rows);
        self
    }

    /// Adds a header column (written at the end).
    pub fn add_column(mut self, name: &str) -> Self {
        self.header.push(name.to_string());
        self
    }

    /// Renames the header cell `from` to `to` as written (a typo, an
    /// overwritten cell); the rows keep their values under `from`.
    pub fn rename_header(mut self, from: &str, to: &str) -> Self {
        let i = self.column_index(from);
        self.header[i] = to.to_string();
        self.renamed.push((to.to_string(), from.to_string()));
        self
    }

    fn column_index(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The 1-based spreadsheet row of the `i`-th avail (0-based).
    pub fn row_number(&self, i: usize) -> u32 {
        i as u32
            + match self.layout {
                Layout::Plain => 2,
                Layout::Template => 4,
            }
    }

    /// The column letter of a header cell as written.
    pub fn letter(&self, header: &str) -> String {
        avails_model::location::column_letter(self.column_index(header))
    }

    /// The cell reference of a column in the `i`-th avail (`H5`).
    pub fn cell(&self, header: &str, i: usize) -> String {
        format!("{}{}", self.letter(header), self.row_number(i))
    }

    /// What each column holds in a row (by the name the row uses).
    fn values(&self, row: &Row) -> Vec<Option<Cell>> {
        self.header
            .iter()
            .map(|h| {
                let source = self
                    .renamed
                    .iter()
                    .find(|(to, _)| to == h)
                    .map_or(h.as_str(), |(_, from)| from.as_str());
                row.get(source).cloned()
            })
            .collect()
    }

    fn preamble(&self) -> Vec<Vec<String>> {
        match self.layout {
            Layout::Plain => vec![self.header.clone()],
            Layout::Template => vec![
                self.header
                    .iter()
                    .map(|_| "AvailTrans".to_string())
                    .collect(),
                self.header.clone(),
                self.header.iter().map(|_| "//REQ".to_string()).collect(),
            ],
        }
    }

    /// Writes the sheet as CSV (every cell as text) at `dir/name`.
    pub fn write_csv(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        let mut w = csv::Writer::from_path(&path).unwrap();
        for line in self.preamble() {
            w.write_record(&line).unwrap();
        }
        for row in &self.rows {
            let cells: Vec<String> = self
                .values(row)
                .into_iter()
                .map(|c| c.map(|c| c.csv_text()).unwrap_or_default())
                .collect();
            w.write_record(&cells).unwrap();
        }
        w.flush().unwrap();
        path
    }

    /// Writes the sheet as a one-sheet workbook `dir/name` (sheet `sheet`).
    pub fn write_xlsx(&self, dir: &Path, name: &str, sheet: &str) -> PathBuf {
        let path = dir.join(name);
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let preamble = self.preamble();
        for (r, line) in preamble.iter().enumerate() {
            for (c, text) in line.iter().enumerate() {
                ws.write_string(r as u32, c as u16, text).unwrap();
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = (preamble.len() + i) as u32;
            for (c, cell) in self.values(row).into_iter().enumerate() {
                let c = c as u16;
                match cell {
                    None => {}
                    Some(Cell::Text(s)) => {
                        ws.write_string(r, c, &s).unwrap();
                    }
                    Some(Cell::Number(n)) => {
                        ws.write_number(r, c, n).unwrap();
                    }
                    Some(Cell::Bool(b)) => {
                        ws.write_boolean(r, c, b).unwrap();
                    }
                    Some(Cell::Date(y, m, d)) => {
                        let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    Some(Cell::DateTime(y, m, d, h, mi, s)) => {
                        let dt = ExcelDateTime::from_ymd(y, m, d)
                            .unwrap()
                            .and_hms(u16::from(h), mi, s)
                            .unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &datetime).unwrap();
                    }
                }
            }
        }
        wb.save(&path).unwrap();
        path
    }
}

/// Every finding as `location: code` (e.g. `f.csv:L3: CV004`), in order.
pub fn located(c: &Conversion) -> Vec<String> {
    c.diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.location, d.code))
        .collect()
}

/// The findings of one code.
pub fn with_code<'c>(c: &'c Conversion, code: &str) -> Vec<&'c Diagnostic> {
    c.diagnostics.iter().filter(|d| d.code == code).collect()
}

/// Every payload as canonical JSON, in order.
pub fn payloads(c: &Conversion) -> Vec<Value> {
    c.payloads
        .iter()
        .map(|p| canonical(&serde_json::to_value(&p.request).unwrap()))
        .collect()
}

/// Asserts the conversion gives exactly these payloads (canonical JSON, in
/// order), with every finding printed on failure.
#[track_caller]
pub fn assert_payloads(c: &Conversion, expected: &[Value]) {
    let want: Vec<Value> = expected.iter().map(canonical).collect();
    let got = payloads(c);
    assert!(
        got == want,
        "payloads differ\n--- got\n{}\n--- want\n{}\n--- findings\n{:#?}",
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(&want).unwrap(),
        c.diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
}

/// Describes a conversion for assertion messages.
pub fn describe(c: &Conversion) -> String {
    format!(
        "rows {:?}\npayloads {:?}\nheld back {:#?}\nfindings {:#?}",
        c.rows,
        c.payloads.iter().map(|p| p.key()).collect::<Vec<_>>(),
        c.held_back,
        c.diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    )
}

/// The payload the standard gives for a movie avail: ALID, FullExtract,
/// licensor `Studio`, one Movie asset and these transactions.
pub fn movie_payload(alid: &str, content_id: &str, title: &str, transactions: Vec<Value>) -> Value {
    serde_json::json!({"avail": {
        "ALID": alid,
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "Studio"},
        "Asset": [{
            "_contentID": content_id,
            "WorkType": "Movie",
            "Metadata": {"TitleInternalAlias": [title]}
        }],
        "Transaction": transactions
    }})
}

/// A transaction in the US with a WSP in USD: the standard's reading of a
/// movie row (`id` is its AvailID).
pub fn us_window(
    id: Option<&str>,
    license: &str,
    format: &str,
    start: &str,
    end: Option<&str>,
    wsp: f64,
) -> Value {
    let mut t = serde_json::json!({
        "LicenseType": license,
        "Territory": [{"country": "US"}],
        "FormatProfile": {"value": format},
        "Start": start,
        "Terms": [{"_termName": "WSP", "Money": {"value": wsp, "_currency": "USD"}}]
    });
    if let Some(id) = id {
        t["_TransactionID"] = Value::String(id.to_string());
    }
    if let Some(end) = end {
        t["End"] = Value::String(end.to_string());
    }
    t
}

/// The 1-based line of the first line of `text` containing `marker`.
pub fn line_of(text: &str, marker: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line holds {marker}")) as u32
        + 1
}

/// Converts one file with the default options.
pub fn convert_one(path: &Path) -> Conversion {
    super::convert(&[path.to_path_buf()])
}

/// An MDDF Avails document holding these `<Avail>` elements.
pub fn mddf_doc(avails: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<avails:AvailList xmlns:avails=\"http://www.movielabs.com/schema/avails/v2.6/avails\" xmlns:md=\"http://www.movielabs.com/schema/md/v2.9/md\">\n",
    );
    for a in avails {
        xml.push_str(a);
    }
    xml.push_str("</avails:AvailList>\n");
    xml
}

/// One `<Avail>`: Full Extract by `Studio`, an asset with this contentID
/// (`None`: no attribute), WorkType and inner elements, and transactions.
pub fn mddf_avail(
    alid: &str,
    content_id: Option<&str>,
    work_type: &str,
    asset_inner: &str,
    transactions: &[String],
    after: &str,
) -> String {
    let content = content_id
        .map(|c| format!(" contentID=\"{c}\""))
        .unwrap_or_default();
    let mut xml = format!(
        "  <avails:Avail>\n    <avails:ALID>{alid}</avails:ALID>\n    <avails:Disposition><avails:EntryType>Full Extract</avails:EntryType></avails:Disposition>\n    <avails:Licensor><md:DisplayName>Studio</md:DisplayName></avails:Licensor>\n    <avails:Asset{content}>\n      <avails:WorkType>{work_type}</avails:WorkType>\n{asset_inner}    </avails:Asset>\n"
    );
    for t in transactions {
        xml.push_str(t);
    }
    xml.push_str(after);
    xml.push_str("  </avails:Avail>\n");
    xml
}

/// One `<Transaction>` in the US: `inner` holds everything after Territory.
pub fn mddf_transaction(id: Option<&str>, license: &str, inner: &str) -> String {
    let id = id
        .map(|i| format!(" TransactionID=\"{i}\""))
        .unwrap_or_default();
    format!(
        "    <avails:Transaction{id}>\n      <avails:LicenseType>{license}</avails:LicenseType>\n      <avails:Territory><md:country>US</md:country></avails:Territory>\n{inner}    </avails:Transaction>\n"
    )
}

/// Writes `text` to `dir/name`.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
