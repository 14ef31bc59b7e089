//! Maps one EMA data row to the avail, asset and transaction JSON it says.

use avails_mapping::{ColumnKind, Level, Mapping};
use avails_model::location::column_letter;
use avails_model::{Location, Money, Term, TermValueKind};
use serde_json::{json, Map, Value};

use crate::values;
use crate::{Cell, CellProblem, Header};

/// An End cell that is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndMarker {
    /// `ESTStart`: a pre-order ends when the matching EST window starts.
    EstStart,
}

/// One converted row: the parts of the payload it contributes.
#[derive(Debug, Clone)]
pub struct RowRecord {
    /// Where the row is (file, sheet, row).
    pub location: Location,
    /// Avail-level attributes (ALID, Disposition, Licensor, SharedEntitlement).
    pub avail: Map<String, Value>,
    /// The asset.
    pub asset: Map<String, Value>,
    /// The row's transaction, without its terms.
    pub transaction: Map<String, Value>,
    /// The transaction's terms (its `Terms` when not empty).
    pub terms: Vec<Term>,
    /// An End that must be resolved after grouping.
    pub end_marker: Option<EndMarker>,
}

#[derive(Debug)]
struct ColumnPlan {
    rule: usize,
    index: Option<usize>,
    fallbacks: Vec<usize>,
    level: Level,
    segments: Vec<String>,
}

#[derive(Debug)]
enum TermPlan {
    Column {
        name: String,
        index: usize,
        kind: TermValueKind,
    },
    Price,
}

/// Converts rows of one sheet; built once per header.
#[derive(Debug)]
pub struct RowMapper<'m> {
    mapping: &'m Mapping,
    file: String,
    sheet: Option<String>,
    offset: String,
    names: Vec<String>,
    columns: Vec<ColumnPlan>,
    terms: Vec<TermPlan>,
    work_type: Option<usize>,
    price_type: Option<usize>,
    price_value: Option<usize>,
    currency: Option<usize>,
    required: Vec<(&'static str, Option<usize>)>,
}

impl<'m> RowMapper<'m> {
    /// Plans the conversion of a sheet's rows. `offset` overrides the
    /// mapping's default date offset when given (`--timezone`).
    pub fn new(mapping: &'m Mapping, header: &Header, file: &str, offset: Option<&str>) -> Self {
        let columns = mapping
            .columns
            .iter()
            .enumerate()
            .map(|(rule, c)| {
                let (level, segments) = c.target();
                ColumnPlan {
                    rule,
                    index: header.column(&c.name),
                    fallbacks: c.fallback.iter().filter_map(|f| header.column(f)).collect(),
                    level,
                    segments: segments.into_iter().map(str::to_string).collect(),
                }
            })
            .collect();
        let terms = mapping
            .terms
            .iter()
            .filter_map(|t| {
                if t.price {
                    return Some(TermPlan::Price);
                }
                let index = header.column(t.column.as_deref()?)?;
                Some(TermPlan::Column {
                    name: t.name.clone()?,
                    index,
                    kind: avails_mapping::kind_of(t.value.as_deref()?)?,
                })
            })
            .collect();
        let by_path = |path: &str| {
            mapping
                .columns
                .iter()
                .find(|c| c.path == path)
                .and_then(|c| header.column(&c.name))
        };
        Self {
            mapping,
            file: file.to_string(),
            sheet: header.sheet.clone(),
            offset: offset.unwrap_or(&mapping.dates.default_offset).to_string(),
            names: header.names.clone(),
            columns,
            terms,
            work_type: by_path("Asset.WorkType"),
            price_type: header.column(&mapping.price.type_column),
            price_value: header.column(&mapping.price.value_column),
            currency: header.column(&mapping.price.currency_column),
            required: vec![
                ("ALID", by_path("Avail.ALID")),
                ("Territory", by_path("Transaction.Territory")),
                ("LicenseType", by_path("Transaction.LicenseType")),
            ],
        }
    }

    /// The location of a row.
    pub fn location(&self, row: u32) -> Location {
        Location {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: Some(row),
            column: None,
            path: None,
        }
    }

    /// Converts one row, or reports every cell that stops it converting.
    pub fn map_row(&self, row: u32, cells: &[Cell]) -> Result<RowRecord, Vec<CellProblem>> {
        let location = self.location(row);
        let mut problems = Vec::new();
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        let problem = |index: usize, found: &Cell, expected: String| CellProblem {
            location: location.with_column(column_letter(index)),
            column: self.names.get(index).cloned().unwrap_or_default(),
            found: found.display(),
            expected,
        };

        for (name, index) in &self.required {
            let missing = index.is_none_or(|i| values::text_ref(cell(Some(i)), prefix).is_none());
            if missing {
                problems.push(CellProblem {
                    location: match index {
                        Some(i) => location.with_column(column_letter(*i)),
                        None => location.clone(),
                    },
                    column: name.to_string(),
                    found: String::new(),
                    expected: format!(
                        "a value: {name} is required to group the row into a payload"
                    ),
                });
            }
        }

        let work_type = values::text_ref(cell(self.work_type), prefix).unwrap_or_default();
        let mut record = RowRecord {
            location: location.clone(),
            avail: Map::new(),
            asset: Map::new(),
            transaction: Map::new(),
            terms: Vec::new(),
            end_marker: None,
        };

        for plan in &self.columns {
            let rule = &self.mapping.columns[plan.rule];
            if !rule.applies_to(&work_type) {
                continue;
            }
            // The first of the column and its fallbacks that holds a value.
            let found = plan
                .index
                .into_iter()
                .chain(plan.fallbacks.iter().copied())
                .find_map(|i| values::text_ref(cell(Some(i)), prefix).map(|t| (i, t)));
            let Some((index, text)) = found else {
                continue;
            };
            let value = cell(Some(index));
            let converted = match rule.kind {
                ColumnKind::Text => Ok(Value::String(text.into_owned())),
                ColumnKind::TextList => Ok(Value::Array(vec![Value::String(text.into_owned())])),
                ColumnKind::Integer => values::integer(value).map(Value::from),
                ColumnKind::Sequence => values::integer(value).map(|n| json!({"Number": n})),
                ColumnKind::EntryType => Ok(Value::String(values::entry_type(&text))),
                ColumnKind::Countries => {
                    let codes: Vec<&str> = text
                        .split([',', ';', ' '])
                        .filter(|s| !s.is_empty())
                        .collect();
                    if codes.len() == 1 {
                        Ok(json!([{"country": codes[0]}]))
                    } else {
                        Err("one territory per row (an ISO 3166-1 alpha-2 code such as US)".into())
                    }
                }
                ColumnKind::Languages => Ok(Value::Array(values::languages(&text))),
                ColumnKind::Format => {
                    let mut m = Map::new();
                    m.insert("value".into(), Value::String(text.into_owned()));
                    Ok(Value::Object(m))
                }
                ColumnKind::Start => values::datetime(value, &self.offset).map(Value::String),
                ColumnKind::End => {
                    if text.eq_ignore_ascii_case("open") {
                        continue;
                    }
                    if text.eq_ignore_ascii_case("eststart") {
                        record.end_marker = Some(EndMarker::EstStart);
                        continue;
                    }
                    values::datetime(value, &self.offset)
                        .map(Value::String)
                        .map_err(|e| format!("{e}, `Open`, or `ESTStart`"))
                }
                ColumnKind::Bundle => Ok(Value::Array(values::bundle(&text))),
                ColumnKind::Dma => Ok(json!([{"_ecosystem": "DMA", "EcosystemID": text}])),
            };
            match converted {
                Ok(v) => {
                    let target = match plan.level {
                        Level::Avail => &mut record.avail,
                        Level::Asset => &mut record.asset,
                        Level::Transaction => &mut record.transaction,
                    };
                    set_path_owned(target, &plan.segments, v);
                }
                Err(expected) => problems.push(problem(index, value, expected)),
            }
        }

        record.terms = self.terms(cells, &mut problems, &problem);
        // Kept until the payload is written: no spare capacity.
        record.terms.shrink_to_fit();

        if problems.is_empty() {
            Ok(record)
        } else {
            Err(problems)
        }
    }

    fn terms(
        &self,
        cells: &[Cell],
        problems: &mut Vec<CellProblem>,
        problem: &dyn Fn(usize, &Cell, String) -> CellProblem,
    ) -> Vec<Term> {
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        let currency = values::text(get(self.currency), prefix);
        let mut terms = Vec::new();
        for plan in &self.terms {
            match plan {
                TermPlan::Column { name, index, kind } => {
                    let value = get(Some(*index));
                    if values::text_ref(value, prefix).is_none() {
                        continue;
                    }
                    match term_value(*kind, value, currency.as_deref(), &self.offset, prefix) {
                        Ok(v) => terms.push(term(name, *kind, v, None)),
                        Err(expected) => problems.push(problem(*index, value, expected)),
                    }
                }
                TermPlan::Price => {
                    let pt = get(self.price_type);
                    let pv = get(self.price_value);
                    let Some(price_type) = values::text(pt, prefix) else {
                        if let (Some(i), Some(_)) = (self.price_value, values::text_ref(pv, prefix))
                        {
                            problems.push(problem(
                                i,
                                pv,
                                "a PriceType for this PriceValue (Tier, Category, WSP, ...)".into(),
                            ));
                        }
                        continue;
                    };
                    let (name, kind) = self.mapping.price.term_for(&price_type);
                    let extra_currency = (kind != TermValueKind::Money)
                        .then_some(currency.as_deref())
                        .flatten();
                    if values::text_ref(pv, prefix).is_none() {
                        // A price type with no value: currency-only Money, or the name alone.
                        terms.push(Term {
                            name,
                            money: currency.as_ref().map(|c| currency_only(c)),
                            ..Term::default()
                        });
                        continue;
                    }
                    match term_value(kind, pv, currency.as_deref(), &self.offset, prefix) {
                        Ok(v) => terms.push(term(&name, kind, v, extra_currency)),
                        Err(expected) => {
                            if let Some(i) = self.price_value {
                                problems.push(problem(
                                    i,
                                    pv,
                                    format!("{expected} for PriceType {price_type}"),
                                ));
                            }
                        }
                    }
                }
            }
        }
        terms
    }
}

/// A term named `name` with one value of `kind`, and a currency-only
/// Money when `currency_only` is given.
fn term(name: &str, kind: TermValueKind, value: TermValue, currency: Option<&str>) -> Term {
    let mut t = Term::named(name);
    match (kind, value) {
        (_, TermValue::Text(v)) => t.text = Some(v),
        (_, TermValue::Money(m)) => t.money = Some(m),
        (TermValueKind::Event, TermValue::String(v)) => t.event = Some(v),
        (_, TermValue::String(v)) => t.duration = Some(v),
        (_, TermValue::Boolean(b)) => t.boolean = Some(b),
        (_, TermValue::Number(n)) => t.number = Some(n),
    }
    if let Some(c) = currency {
        t.money = Some(currency_only(c));
    }
    t
}

/// `{"_currency": c}`.
fn currency_only(c: &str) -> Money {
    Money {
        currency: Some(c.to_string()),
        ..Money::default()
    }
}

/// One term value, typed as the model holds it.
enum TermValue {
    Text(String),
    Money(Money),
    /// An Event or a Duration.
    String(String),
    Boolean(bool),
    Number(i64),
}

fn term_value(
    kind: TermValueKind,
    cell: &Cell,
    currency: Option<&str>,
    offset: &str,
    prefix: &str,
) -> Result<TermValue, String> {
    Ok(match kind {
        TermValueKind::Text => TermValue::Text(values::text(cell, prefix).unwrap_or_default()),
        TermValueKind::Money => {
            let amount = values::number(cell).map_err(|_| "an amount such as 7.99".to_string())?;
            TermValue::Money(Money {
                // As JSON would hold it: a number that is not finite is null.
                value: Some(amount).filter(|a| a.is_finite()),
                currency: currency.map(str::to_string),
                ..Money::default()
            })
        }
        TermValueKind::Event => TermValue::String(values::datetime(cell, offset)?),
        TermValueKind::Boolean => TermValue::Boolean(values::boolean(cell)?),
        TermValueKind::Duration => TermValue::String(values::duration_hours(cell)?),
        TermValueKind::Number => TermValue::Number(values::integer(cell)?),
    })
}

/// Like [`set_path`], with the path's segments as owned strings.
fn set_path_owned(map: &mut Map<String, Value>, segments: &[String], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = map;
    for seg in parents {
        if !current.get(seg).is_some_and(Value::is_object) {
            current.insert(seg.clone(), Value::Object(Map::new()));
        }
        let Some(Value::Object(next)) = current.get_mut(seg) else {
            return;
        };
        current = next;
    }
    current.insert(last.clone(), value);
}

/// Sets `value` at a dotted path inside `map`, creating objects on the way.
pub fn set_path(map: &mut Map<String, Value>, segments: &[&str], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = map;
    for seg in parents {
        let entry = current
            .entry(seg.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        current = entry.as_object_mut().expect("just made an object");
    }
    current.insert(last.to_string(), value);
}
