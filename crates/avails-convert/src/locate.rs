//! From a JSON pointer inside a payload back to the cell or element it came
//! from, so a validation error names `file.xlsx:Movies!Q12` or an XML line.

use avails_mapping::Mapping;
use avails_model::Location;

use crate::{Payload, Source};

/// The location of a mapped attribute (`Transaction.End`) in a source: the
/// row narrowed to that column for EMA, the element's line for XML.
pub fn column_location(source: &Source, mapping: &Mapping, path: &str) -> Location {
    match mapped_column(source, mapping, path) {
        Some((_, letter)) => source.location.with_column(letter.clone()),
        None => match &source.lines {
            Some(_) => line_of(source, &xml_pointer(path)),
            None => source.location.clone(),
        },
    }
}

/// The name of the sheet column a mapped attribute came from (EMA sources).
pub(crate) fn column_name_of(source: &Source, mapping: &Mapping, path: &str) -> Option<String> {
    mapped_column(source, mapping, path).map(|(name, _)| name.to_string())
}

/// The sheet column (name, letter) a mapped attribute came from.
fn mapped_column<'s>(
    source: &'s Source,
    mapping: &'s Mapping,
    path: &str,
) -> Option<(&'s str, &'s String)> {
    let columns = source.columns.as_ref()?;
    mapping
        .columns
        .iter()
        .filter(|c| within(path, &c.path) || within(&c.path, path))
        .find_map(|c| Some((c.name.as_str(), columns.get(&c.name)?)))
}

/// Whether `path` is `outer` or an attribute inside it (`Asset.Metadata.X`
/// is within `Asset.Metadata`).
fn within(path: &str, outer: &str) -> bool {
    path.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// `Transaction.HoldbackLanguage` → `/HoldbackLanguage`, `Asset.WorkType`
/// → `/Asset/0/WorkType`: a mapped path as a pointer relative to its part.
fn xml_pointer(path: &str) -> String {
    match path.split_once('.') {
        Some(("Asset", rest)) => format!("/Asset/0/{}", rest.replace('.', "/")),
        Some((_, rest)) => format!("/{}", rest.replace('.', "/")),
        None => "/".into(),
    }
}

/// The sheet column a payload's JSON pointer came from, for messages that
/// name the user's column rather than the schema's path.
pub fn column_name(payload: &Payload, mapping: &Mapping, pointer: &str) -> Option<String> {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let rest = match segments.first() {
        Some(&"avail") => &segments[1..],
        _ => &segments[..],
    };
    let (source, path) = match rest {
        ["Transaction", index, tail @ ..] => {
            let i: usize = index.parse().ok()?;
            let source = payload.transaction_sources.get(i)?;
            if let ["Terms", k, ..] = tail {
                let name = payload.term(i, k.parse().ok()?)?.name.clone();
                if tail.last() == Some(&"_currency") && is_price(mapping, &name) {
                    return Some(mapping.price.currency_column.clone());
                }
                return term_column(mapping, &name).map(str::to_string);
            }
            (source, dotted("Transaction", tail))
        }
        ["Asset", _, tail @ ..] => (&payload.avail_source, dotted("Asset", tail)),
        tail => (&payload.avail_source, dotted("Avail", tail)),
    };
    mapped_column(source, mapping, &path).map(|(name, _)| name.to_string())
}

/// Whether a term is one the price columns give (`WSP`, `SRP`...).
fn is_price(mapping: &Mapping, name: &str) -> bool {
    mapping
        .price
        .types
        .values()
        .any(|p| p.term.eq_ignore_ascii_case(name))
}

/// The column a term is read from.
fn term_column<'m>(mapping: &'m Mapping, name: &str) -> Option<&'m str> {
    mapping
        .terms
        .iter()
        .filter(|t| {
            t.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .find_map(|t| t.column.as_deref())
        .or_else(|| is_price(mapping, name).then_some(mapping.price.value_column.as_str()))
}

/// The location a JSON pointer (`/avail/Transaction/1/Territory/0/country`)
/// of a payload came from.
pub fn locate(payload: &Payload, mapping: &Mapping, pointer: &str) -> Location {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let rest = match segments.first() {
        Some(&"avail") => &segments[1..],
        _ => &segments[..],
    };
    match rest {
        ["Transaction", index, tail @ ..] => {
            let i: usize = index.parse().unwrap_or(usize::MAX);
            let Some(source) = payload.transaction_sources.get(i) else {
                return payload.avail_source.location.with_path(pointer);
            };
            if let Some(lines) = &source.lines {
                return line_location(source, lines, &format!("/{}", tail.join("/")), pointer);
            }
            if let ["Terms", k, ..] = tail {
                let name = k
                    .parse()
                    .ok()
                    .and_then(|k| payload.term(i, k))
                    .map(|t| t.name.clone());
                if let Some(name) = name {
                    if tail.last() == Some(&"_currency") && is_price(mapping, &name) {
                        if let Some(letter) = source
                            .columns
                            .as_ref()
                            .and_then(|c| c.get(&mapping.price.currency_column))
                        {
                            return source.location.with_column(letter.clone());
                        }
                    }
                    return term_location(source, mapping, &name);
                }
            }
            column_location(source, mapping, &dotted("Transaction", tail))
        }
        ["Asset", _, tail @ ..] => located(
            &payload.avail_source,
            mapping,
            "Asset",
            tail,
            pointer,
            "/Asset/0",
        ),
        tail => located(&payload.avail_source, mapping, "Avail", tail, pointer, ""),
    }
}

fn located(
    source: &Source,
    mapping: &Mapping,
    level: &str,
    tail: &[&str],
    pointer: &str,
    prefix: &str,
) -> Location {
    match &source.lines {
        Some(lines) => line_location(
            source,
            lines,
            &format!("{prefix}/{}", tail.join("/")),
            pointer,
        ),
        None => column_location(source, mapping, &dotted(level, tail)),
    }
}

fn dotted(level: &str, tail: &[&str]) -> String {
    let mut path = level.to_string();
    for seg in tail.iter().filter(|s| s.parse::<usize>().is_err()) {
        path.push('.');
        path.push_str(seg);
    }
    path
}

/// The cell of a term's column in an EMA source (the row when unknown).
pub(crate) fn term_location(source: &Source, mapping: &Mapping, name: &str) -> Location {
    let Some(columns) = &source.columns else {
        return source.location.clone();
    };
    let column = mapping
        .terms
        .iter()
        .filter(|t| {
            t.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .find_map(|t| t.column.as_ref().and_then(|c| columns.get(c)))
        .or_else(|| columns.get(&mapping.price.value_column))
        .or_else(|| columns.get(&mapping.price.type_column));
    match column {
        Some(letter) => source.location.with_column(letter.clone()),
        None => source.location.clone(),
    }
}

fn line_location(
    source: &Source,
    lines: &std::collections::BTreeMap<String, u32>,
    relative: &str,
    pointer: &str,
) -> Location {
    // The deepest element at or above the pointer that has a line.
    let mut probe = relative.trim_end_matches('/').to_string();
    loop {
        if let Some(line) = lines.get(&probe) {
            return Location {
                row: Some(*line),
                ..source.location.with_path(pointer)
            };
        }
        match probe.rfind('/') {
            Some(0) | None => break,
            Some(i) => probe.truncate(i),
        }
    }
    source.location.with_path(pointer)
}

/// The XML line of a pointer relative to a source's part (its nearest
/// recorded element), or the source's own location.
pub(crate) fn line_of(source: &Source, relative: &str) -> Location {
    match &source.lines {
        Some(lines) => line_location(source, lines, relative, relative),
        None => source.location.clone(),
    }
}

/// The term a rule's finding at a transaction's `Terms` is about (`term
/// SRP is missing; ...` → `SRP`).
pub(crate) fn term_named(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("term ")?;
    let name = rest.split(' ').next()?;
    (!name.is_empty()).then_some(name)
}

/// Where a finding about a transaction's terms as a whole
/// (`/avail/Transaction/1/Terms`: a term missing, or no term at all) is in
/// a sheet: the cell where the missing term would be, when the sheet has
/// its column (`GroupIdentity` for ChannelIdentity, `PriceType` for a
/// price), else the cell that requires it (`LicenseType`). With that
/// column's name, and whether it is the term's own column.
pub(crate) fn terms_cell(
    payload: &Payload,
    mapping: &Mapping,
    pointer: &str,
    term: Option<&str>,
) -> Option<(Location, String, bool)> {
    let rest = pointer
        .strip_prefix("/avail/Transaction/")
        .or_else(|| pointer.strip_prefix("/Transaction/"))?;
    let (index, tail) = rest.split_once('/')?;
    if tail != "Terms" {
        return None;
    }
    let source = payload
        .transaction_sources
        .get(index.parse::<usize>().ok()?)?;
    let columns = source.columns.as_ref()?;
    let own = match term {
        Some(name) if is_price(mapping, name) => Some(mapping.price.type_column.as_str()),
        Some(name) => term_column(mapping, name),
        // No term at all: the price columns are where a row's terms start.
        None => Some(mapping.price.type_column.as_str()),
    };
    if let Some((name, letter)) = own.and_then(|c| Some((c, columns.get(c)?))) {
        return Some((
            source.location.with_column(letter.clone()),
            name.to_string(),
            true,
        ));
    }
    let (name, letter) = mapped_column(source, mapping, "Transaction.LicenseType")?;
    Some((
        source.location.with_column(letter.clone()),
        name.to_string(),
        false,
    ))
}

/// The sheet column a term is read from, if any (a price: its PriceType
/// column).
pub(crate) fn term_column_name<'m>(mapping: &'m Mapping, name: &str) -> Option<&'m str> {
    if is_price(mapping, name) {
        return Some(mapping.price.type_column.as_str());
    }
    term_column(mapping, name)
}
