//! Payloads to rows: the mapping table read backwards.

use std::collections::HashMap;

use avails_mapping::{ColumnKind, Level, Mapping};
use avails_model::{Avail, EntryType};
use serde_json::{Map, Value};

use crate::table::{CellValue, Loss, Table};
use crate::values::{cell_for, Lost};
use crate::{terms, ExportOptions};

/// The cells of one row by column name (case-insensitive), with the section
/// a column not in the layout is given.
#[derive(Debug, Default)]
pub(crate) struct RowCells {
    cells: HashMap<String, (String, &'static str, CellValue)>,
}

impl RowCells {
    /// Whether nothing was written to this column yet.
    pub fn is_free(&self, column: &str) -> bool {
        !self.cells.contains_key(&column.to_ascii_lowercase())
    }

    /// Writes a cell (empty cells are not written).
    pub fn set(&mut self, column: &str, section: &'static str, cell: CellValue) {
        if !cell.is_empty() {
            self.cells.insert(
                column.to_ascii_lowercase(),
                (column.to_string(), section, cell),
            );
        }
    }

    /// The cell of a column.
    #[cfg(test)]
    pub fn get(&self, column: &str) -> Option<&CellValue> {
        self.cells.get(&column.to_ascii_lowercase()).map(|c| &c.2)
    }
}

/// Removes the value at a dotted path, pruning objects left empty.
fn take_path(map: &mut Map<String, Value>, segments: &[&str]) -> Option<Value> {
    let (first, rest) = segments.split_first()?;
    if rest.is_empty() {
        return map.remove(*first).filter(|v| !v.is_null());
    }
    let child = map.get_mut(*first)?.as_object_mut()?;
    let v = take_path(child, rest);
    // An object emptied by this take goes; one given empty stays, so that
    // it is reported as not carried.
    if v.is_some() && child.is_empty() {
        map.remove(*first);
    }
    v
}

/// Pointers of every value left in `v` (what no column took); an empty
/// object inside it is one too (EMA has no cell that says `{}`).
fn leftovers(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let at = format!("{prefix}/{k}");
                match x {
                    Value::Object(inner) if inner.is_empty() => out.push(at),
                    _ => leftovers(&at, x, out),
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leftovers(&format!("{prefix}/{i}"), x, out);
            }
        }
        Value::Null => {}
        _ => out.push(prefix.to_string()),
    }
}

fn section_of(level: Level) -> &'static str {
    match level {
        Level::Avail => "Avail",
        Level::Asset => "AvailAsset",
        Level::Transaction => "AvailTrans",
    }
}

struct Builder<'a> {
    mapping: &'a Mapping,
    avail: usize,
    losses: Vec<Loss>,
}

impl Builder<'_> {
    fn lose(&mut self, alid: &str, row: Option<u32>, pointer: String, reason: String) {
        self.losses.push(Loss {
            avail: self.avail,
            alid: alid.to_string(),
            row,
            pointer,
            reason,
        });
    }

    fn lose_all(&mut self, alid: &str, row: Option<u32>, prefix: &str, lost: Vec<Lost>) {
        for (suffix, reason) in lost {
            self.lose(alid, row, format!("{prefix}{suffix}"), reason);
        }
    }

    /// One row for transaction `ti` of an avail.
    fn row(
        &mut self,
        avail: &Map<String, Value>,
        asset: &Map<String, Value>,
        transaction: &Value,
        ti: usize,
        row_no: u32,
    ) -> RowCells {
        let alid = avail.get("ALID").and_then(Value::as_str).unwrap_or("");
        let work_type = asset.get("WorkType").and_then(Value::as_str).unwrap_or("");
        let mut rest_avail = avail.clone();
        let mut rest_asset = asset.clone();
        let mut rest_t = transaction.as_object().cloned().unwrap_or_default();
        let mut cells = RowCells::default();
        let t_prefix = format!("/Transaction/{ti}");
        let mut absent = Vec::new();
        for rule in self
            .mapping
            .columns
            .iter()
            .filter(|r| r.applies_to(work_type))
        {
            let (level, segments) = rule.target();
            let (source, prefix) = match level {
                Level::Avail => (&mut rest_avail, String::new()),
                Level::Asset => (&mut rest_asset, "/Asset/0".to_string()),
                Level::Transaction => (&mut rest_t, t_prefix.clone()),
            };
            let pointer = format!("{prefix}/{}", segments.join("/"));
            let Some(value) = take_path(source, &segments) else {
                if rule.kind == ColumnKind::End && cells.is_free(&rule.name) {
                    cells.set(&rule.name, "AvailTrans", CellValue::Text("Open".into()));
                }
                let defaults_to_alid =
                    level == Level::Asset && segments == [avails_mapping::CONTENT_ID];
                let known = absent.iter().any(|(_, p, _)| *p == pointer);
                if (!rule.fallback.is_empty() || defaults_to_alid)
                    && cells.is_free(&rule.name)
                    && !known
                {
                    absent.push((rule, pointer, level));
                }
                continue;
            };
            if !cells.is_free(&rule.name) {
                self.lose(
                    alid,
                    Some(row_no),
                    pointer,
                    format!("column {} already holds another value", rule.name),
                );
                continue;
            }
            let (cell, lost) = cell_for(rule.kind, &value, &self.mapping.dates);
            let row = (level == Level::Transaction).then_some(row_no);
            if ti == 0 || level == Level::Transaction {
                self.lose_all(alid, row, &pointer, lost);
            }
            cells.set(&rule.name, section_of(level), cell);
        }
        // An absent value whose column falls back to another one filled in
        // this row (`_contentID` ← ALID) comes back with that value.
        for (rule, pointer, level) in absent {
            if !cells.is_free(&rule.name) {
                continue;
            }
            let alid_default = (level == Level::Asset
                && pointer.ends_with(avails_mapping::CONTENT_ID))
            .then_some("ALID");
            let fallbacks = rule.fallback.iter().map(String::as_str).chain(alid_default);
            if let Some(fb) = fallbacks.clone().find(|f| !cells.is_free(f)) {
                if ti == 0 || level == Level::Transaction {
                    self.lose(
                        alid,
                        Some(row_no),
                        pointer,
                        format!("absent, but EMA readers fall back to column {fb}"),
                    );
                }
            }
        }
        if let Some(t) = rest_t.remove("Terms") {
            let lost = terms::place(&t, self.mapping, &mut cells);
            self.lose_all(alid, Some(row_no), &format!("{t_prefix}/Terms"), lost);
        }
        let mut left = Vec::new();
        leftovers(&t_prefix, &Value::Object(rest_t), &mut left);
        if ti == 0 {
            leftovers("/Asset/0", &Value::Object(rest_asset), &mut left);
            leftovers("", &Value::Object(rest_avail), &mut left);
        }
        for pointer in left {
            self.lose(
                alid,
                Some(row_no),
                pointer,
                "no EMA column carries this attribute".into(),
            );
        }
        cells
    }
}

/// Builds the sheet for a list of avails: the version's layout, then any
/// used mapping column the layout lacks; one row per transaction.
pub fn build_table(avails: &[Avail], options: &ExportOptions) -> Table {
    let mut b = Builder {
        mapping: &options.mapping,
        avail: 0,
        losses: Vec::new(),
    };
    let mut rows: Vec<RowCells> = Vec::new();
    for (n, avail) in avails.iter().enumerate() {
        b.avail = n;
        let Ok(Value::Object(mut a)) = serde_json::to_value(avail) else {
            continue;
        };
        // A payload without Disposition (the reference's GET responses) is
        // the entry type a missing one means, not an empty cell.
        if a.get("Disposition").is_none_or(Value::is_null) {
            a.insert(
                "Disposition".into(),
                serde_json::json!({"EntryType": EntryType::default().as_str()}),
            );
        }
        let assets = match a.remove("Asset") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        };
        let transactions = match a.remove("Transaction") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        };
        if assets.len() > 1 {
            b.lose(
                &avail.alid,
                None,
                "/Asset/1".into(),
                "EMA rows carry one asset".into(),
            );
        }
        if transactions.is_empty() {
            b.lose(
                &avail.alid,
                None,
                "/Transaction".into(),
                "an avail without transactions has no row".into(),
            );
        }
        let asset = match assets.into_iter().next() {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (ti, t) in transactions.iter().enumerate() {
            let row_no = 4 + rows.len() as u32;
            let cells = b.row(&a, &asset, t, ti, row_no);
            rows.push(cells);
        }
    }
    let mut table = Table::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, column) in options.version.layout().iter().enumerate() {
        table.sections.push(column.section.clone());
        table.names.push(column.name.clone());
        table.comments.push(column.comment.clone());
        index
            .entry(
                options
                    .mapping
                    .canonical_column(&column.name)
                    .to_ascii_lowercase(),
            )
            .or_insert(i);
    }
    if options.version == crate::EmaVersion::V1_8 {
        if let Some(first) = table.comments.first_mut() {
            *first = options.version.as_str().to_string();
        }
    }
    // Mapping columns the layout lacks, in order of first use.
    for row in &rows {
        let mut extra: Vec<(&String, &(String, &'static str, CellValue))> = row
            .cells
            .iter()
            .filter(|(k, _)| !index.contains_key(*k))
            .collect();
        extra.sort_by(|x, y| x.0.cmp(y.0));
        for (key, (name, section, _)) in extra {
            index.insert(key.clone(), table.names.len());
            table.sections.push(section.to_string());
            table.names.push(name.clone());
            table.comments.push("//Opt (avails extension)".into());
        }
    }
    let width = table.names.len();
    for row in rows {
        let mut cells = vec![CellValue::Empty; width];
        for (key, (_, _, cell)) in row.cells {
            if let Some(&i) = index.get(&key) {
                cells[i] = cell;
            }
        }
        table.rows.push(cells);
    }
    table.losses = b.losses;
    table
}
