//! Grouping transactions into payloads by ALID, territory, business line
//! and entry type.

use std::collections::HashMap;

use avails_ema::EndMarker;
use avails_mapping::Mapping;
use avails_model::{AvailRequest, AvailTrans, BusinessLine, Term};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{CV_BUSINESS_LINE, CV_CONFLICT, CV_EST_START, CV_SHAPE};
use crate::{Payload, Problem, Severity, Source};

/// One transaction with the avail and asset attributes it was given with.
#[derive(Debug, Clone)]
pub struct Item {
    /// Avail-level attributes (ALID, Disposition, Licensor, SharedEntitlement...).
    pub avail: Map<String, Value>,
    /// The asset.
    pub asset: Map<String, Value>,
    /// The transaction.
    pub transaction: Map<String, Value>,
    /// Its terms, when given apart from `transaction` (EMA rows): they are
    /// its `Terms` when not empty.
    pub terms: Option<Vec<Term>>,
    /// Where it came from.
    pub source: Source,
    /// An End still to resolve (`ESTStart`).
    pub end_marker: Option<EndMarker>,
}

type Key = (String, String, BusinessLine, String);

/// Where a row goes: an existing group, or a new one with this key.
enum Found {
    Group(usize),
    New(Key),
}

/// A grouped transaction: typed as soon as it is accepted (the form the
/// payload keeps), or the map itself when it does not fit the model, so
/// that building the payload reports it exactly as before.
#[derive(Debug)]
enum Body {
    Typed(Box<AvailTrans>),
    Raw(Map<String, Value>),
}

impl Body {
    fn new(map: Map<String, Value>, terms: Option<Vec<Term>>) -> Self {
        let terms = terms.filter(|t| !t.is_empty());
        let map = match crate::typed::transaction(map) {
            Ok(mut t) => {
                if terms.is_some() {
                    t.terms = terms;
                }
                return Body::Typed(Box::new(t));
            }
            Err(mut map) => {
                if let Some(terms) = terms {
                    // Where the row's mapping puts them: last.
                    map.insert(
                        "Terms".into(),
                        serde_json::to_value(terms).unwrap_or_default(),
                    );
                }
                map
            }
        };
        let value = Value::Object(map);
        match AvailTrans::deserialize(&value) {
            Ok(t) => Body::Typed(Box::new(t)),
            Err(_) => match value {
                Value::Object(map) => Body::Raw(map),
                _ => Body::Raw(Map::new()),
            },
        }
    }

    fn set_end(&mut self, end: String) {
        match self {
            Body::Typed(t) => t.end = Some(end),
            Body::Raw(t) => {
                t.insert("End".into(), Value::String(end));
            }
        }
    }

    fn typed(self) -> Option<AvailTrans> {
        match self {
            Body::Typed(t) => Some(*t),
            Body::Raw(_) => None,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Body::Typed(t) => serde_json::to_value(*t).unwrap_or_default(),
            Body::Raw(t) => Value::Object(t),
        }
    }
}

#[derive(Debug)]
struct Transaction {
    body: Body,
    source: Source,
    /// `ESTStart`, with the transaction's FormatProfile value.
    est_start: Option<String>,
}

#[derive(Debug)]
struct Group {
    key: Key,
    avail: Map<String, Value>,
    asset: Map<String, Value>,
    avail_source: Source,
    transactions: Vec<Transaction>,
}

/// Accumulates items and builds payloads in order of first appearance.
#[derive(Debug)]
pub struct Grouper<'m> {
    mapping: &'m Mapping,
    groups: Vec<Group>,
    index: HashMap<Key, usize>,
    /// The earliest EST Start by (ALID, territory, FormatProfile).
    est: HashMap<(String, String, String), String>,
    /// The group the previous row went to.
    last: Option<usize>,
    problems: Vec<Problem>,
    rejected: usize,
}

/// What grouping produced.
#[derive(Debug)]
pub struct Grouped {
    /// The payloads, in order of first appearance.
    pub payloads: Vec<Payload>,
    /// Problems met while grouping.
    pub problems: Vec<Problem>,
    /// Transactions rejected (alone, or with their whole payload).
    pub rejected: usize,
}

fn str_at<'a>(map: &'a Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let mut v = map.get(path[0])?;
    for p in &path[1..] {
        v = v.get(p)?;
    }
    v.as_str()
}

fn channel_identity(transaction: &Map<String, Value>) -> Option<&str> {
    transaction
        .get("Terms")?
        .as_array()?
        .iter()
        .find(|t| {
            t.get("_termName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("ChannelIdentity"))
        })?
        .get("Text")?
        .as_str()
}

impl<'m> Grouper<'m> {
    /// An empty grouper using the mapping's business-line rule.
    pub fn new(mapping: &'m Mapping) -> Self {
        Self {
            mapping,
            groups: Vec::new(),
            index: HashMap::new(),
            est: HashMap::new(),
            last: None,
            problems: Vec::new(),
            rejected: 0,
        }
    }

    /// Adds one transaction; returns false (and records why) if it was rejected.
    pub fn add(&mut self, item: Item) -> bool {
        let alid = str_at(&item.avail, &["ALID"]).unwrap_or("");
        let territory = item
            .transaction
            .get("Territory")
            .and_then(|t| t.get(0))
            .and_then(|r| r.get("country"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let license_type = str_at(&item.transaction, &["LicenseType"]).unwrap_or("");
        let entry_type =
            str_at(&item.avail, &["Disposition", "EntryType"]).unwrap_or("FullExtract");
        let channel = match &item.terms {
            Some(terms) => terms
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case("ChannelIdentity"))
                .and_then(|t| t.text.as_deref()),
            None => channel_identity(&item.transaction),
        };
        let Some(line) = self.mapping.business_line(license_type, channel) else {
            self.rejected += 1;
            self.problems.push(Problem {
                location: crate::locate::column_location(&item.source, self.mapping, "Transaction.LicenseType"),
                severity: Severity::Error,
                code: CV_BUSINESS_LINE,
                message: format!(
                    "LicenseType `{license_type}` has no business line (allowed: SVOD, FVOD, EST, POEST, VOD)"
                ),
            });
            return false;
        };
        // The rows of one payload usually follow each other: the last group
        // is tried before the key is built and hashed.
        let last = self.last.filter(|&i| {
            let k = &self.groups[i].key;
            k.0 == alid && k.1 == territory && k.2 == line && k.3 == entry_type
        });
        let found = match last {
            Some(i) => Found::Group(i),
            None => {
                let key = (
                    alid.to_string(),
                    territory.to_string(),
                    line,
                    entry_type.to_string(),
                );
                match self.index.get(&key) {
                    Some(&i) => Found::Group(i),
                    None => Found::New(key),
                }
            }
        };
        let index = match found {
            Found::New(key) => {
                let i = self.groups.len();
                self.index.insert(key.clone(), i);
                self.groups.push(Group {
                    key,
                    avail: item.avail,
                    asset: item.asset,
                    avail_source: item.source.clone(),
                    transactions: Vec::new(),
                });
                i
            }
            Found::Group(i) => {
                let group = &self.groups[i];
                let key = &group.key;
                for (what, mine, theirs) in [
                    ("avail", &item.avail, &group.avail),
                    ("asset", &item.asset, &group.asset),
                ] {
                    if let Some(diff) = first_difference(mine, theirs) {
                        self.rejected += 1;
                        self.problems.push(Problem {
                            location: item.source.location.clone(),
                            severity: Severity::Error,
                            code: CV_CONFLICT,
                            message: format!(
                                "{} {} {}: {what} attribute `{}` is {} here but {} at {}; rows of one payload must agree",
                                key.0, key.1, key.2, diff.0, diff.1, diff.2, group.avail_source.location
                            ),
                        });
                        return false;
                    }
                }
                i
            }
        };
        self.last = Some(index);
        let format_profile = || {
            str_at(&item.transaction, &["FormatProfile", "value"])
                .unwrap_or("")
                .to_string()
        };
        if str_at(&item.transaction, &["LicenseType"])
            .is_some_and(|l| l.eq_ignore_ascii_case("EST"))
        {
            if let Some(start) = str_at(&item.transaction, &["Start"]) {
                let key = &self.groups[index].key;
                let earliest = self
                    .est
                    .entry((key.0.clone(), key.1.clone(), format_profile()))
                    .or_insert_with(|| start.to_string());
                if start < earliest.as_str() {
                    *earliest = start.to_string();
                }
            }
        }
        let est_start = (item.end_marker == Some(EndMarker::EstStart)).then(format_profile);
        self.groups[index].transactions.push(Transaction {
            body: Body::new(item.transaction, item.terms),
            source: item.source,
            est_start,
        });
        true
    }

    /// Problems recorded so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Resolves `ESTStart` ends and builds the payloads.
    pub fn finish(mut self) -> Grouped {
        self.resolve_est_start();
        let mut payloads = Vec::with_capacity(self.groups.len());
        for group in self.groups {
            let count = group.transactions.len();
            match build(group) {
                Ok(p) => payloads.push(p),
                Err(p) => {
                    self.rejected += count;
                    self.problems.push(*p)
                }
            }
        }
        Grouped {
            payloads,
            problems: self.problems,
            rejected: self.rejected,
        }
    }

    fn resolve_est_start(&mut self) {
        for g in &mut self.groups {
            for t in &mut g.transactions {
                let Some(fp) = t.est_start.take() else {
                    continue;
                };
                let found = self
                    .est
                    .get(&(g.key.0.clone(), g.key.1.clone(), fp.clone()));
                match found {
                    Some(start) => t.body.set_end(start.clone()),
                    None => self.problems.push(Problem {
                        location: crate::locate::column_location(&t.source, self.mapping, "Transaction.End"),
                        severity: Severity::Error,
                        code: CV_EST_START,
                        message: format!(
                            "End `ESTStart`: no EST window for {} in {} with FormatProfile `{fp}` to end this pre-order at; give an End date",
                            g.key.0, g.key.1
                        ),
                    }),
                }
            }
        }
    }
}

/// The first attribute whose value differs: (name, here, there).
fn first_difference(
    mine: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> Option<(String, String, String)> {
    let absent = || "absent".to_string();
    for (k, v) in mine {
        match theirs.get(k) {
            Some(o) if o == v => {}
            Some(o) => {
                if let (Value::Object(a), Value::Object(b)) = (v, o) {
                    if let Some((sub, x, y)) = first_difference(a, b) {
                        return Some((format!("{k}.{sub}"), x, y));
                    }
                }
                return Some((k.clone(), v.to_string(), o.to_string()));
            }
            None => return Some((k.clone(), v.to_string(), absent())),
        }
    }
    theirs
        .iter()
        .find(|(k, _)| !mine.contains_key(*k))
        .map(|(k, v)| (k.clone(), absent(), v.to_string()))
}

const AVAIL_ORDER: [&str; 3] = ["ALID", "Disposition", "Licensor"];

fn build(group: Group) -> Result<Payload, Box<Problem>> {
    let Group {
        key,
        mut avail,
        asset,
        avail_source,
        transactions,
    } = group;
    // An avail attribute named `Transaction` replaces the rows' transactions.
    let own_transactions = avail.contains_key("Transaction");
    let mut obj = Map::new();
    for k in AVAIL_ORDER {
        if let Some(v) = avail.remove(k) {
            obj.insert(k.into(), v);
        }
    }
    obj.insert("Asset".into(), Value::Array(vec![Value::Object(asset)]));
    // Filled in below: typed when every transaction is.
    obj.insert("Transaction".into(), Value::Array(Vec::new()));
    obj.extend(avail);
    let mut sources = Vec::with_capacity(transactions.len());
    let mut bodies = Vec::with_capacity(transactions.len());
    for t in transactions {
        bodies.push(t.body);
        sources.push(t.source);
    }
    let mut wrapper = Map::new();
    wrapper.insert("avail".into(), Value::Object(obj));
    let mut wrapper = Value::Object(wrapper);
    let all_typed = !own_transactions && bodies.iter().all(|b| matches!(b, Body::Typed(_)));
    let direct = match all_typed {
        true => AvailRequest::deserialize(&wrapper).ok(),
        false => None,
    };
    let request = match direct {
        Some(mut request) => {
            // Exactly as many as there are: payloads are kept until written.
            let mut list = Vec::with_capacity(bodies.len());
            list.extend(bodies.into_iter().filter_map(Body::typed));
            request.avail.transaction = list;
            request
        }
        None => {
            // Exactly the payload as JSON, so a problem reads as it always has.
            if !own_transactions {
                if let Some(list) = wrapper
                    .get_mut("avail")
                    .and_then(|a| a.get_mut("Transaction"))
                {
                    *list = Value::Array(bodies.into_iter().map(Body::into_value).collect());
                }
            }
            serde_json::from_value(wrapper).map_err(|e| {
                Box::new(Problem {
                    location: avail_source.location.clone(),
                    severity: Severity::Error,
                    code: CV_SHAPE,
                    message: format!(
                        "{} {} {}: payload does not fit the API schema: {e}",
                        key.0, key.1, key.2
                    ),
                })
            })?
        }
    };
    Ok(Payload {
        request,
        alid: key.0,
        territory: key.1,
        business_line: key.2,
        entry_type: key.3,
        avail_source,
        transaction_sources: sources,
    })
}
