//! Grouping transactions into payloads by ALID, territory, business line
//! and entry type.

use std::collections::HashMap;

use avails_ema::EndMarker;
use avails_mapping::Mapping;
use avails_model::{AvailRequest, BusinessLine};
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
    /// Where it came from.
    pub source: Source,
    /// An End still to resolve (`ESTStart`).
    pub end_marker: Option<EndMarker>,
}

type Key = (String, String, BusinessLine, String);

#[derive(Debug)]
struct Group {
    key: Key,
    avail: Map<String, Value>,
    asset: Map<String, Value>,
    avail_source: Source,
    transactions: Vec<(Map<String, Value>, Source, Option<EndMarker>)>,
}

/// Accumulates items and builds payloads in order of first appearance.
#[derive(Debug)]
pub struct Grouper<'m> {
    mapping: &'m Mapping,
    groups: Vec<Group>,
    index: HashMap<Key, usize>,
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
            problems: Vec::new(),
            rejected: 0,
        }
    }

    /// Adds one transaction; returns false (and records why) if it was rejected.
    pub fn add(&mut self, item: Item) -> bool {
        let alid = str_at(&item.avail, &["ALID"]).unwrap_or("").to_string();
        let territory = item
            .transaction
            .get("Territory")
            .and_then(|t| t.get(0))
            .and_then(|r| r.get("country"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let license_type = str_at(&item.transaction, &["LicenseType"]).unwrap_or("");
        let entry_type = str_at(&item.avail, &["Disposition", "EntryType"])
            .unwrap_or("FullExtract")
            .to_string();
        let channel = channel_identity(&item.transaction);
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
        let key = (alid, territory, line, entry_type);
        match self.index.get(&key) {
            Some(&i) => {
                let group = &mut self.groups[i];
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
                group
                    .transactions
                    .push((item.transaction, item.source, item.end_marker));
            }
            None => {
                self.index.insert(key.clone(), self.groups.len());
                self.groups.push(Group {
                    key,
                    avail: item.avail,
                    asset: item.asset,
                    avail_source: item.source.clone(),
                    transactions: vec![(item.transaction, item.source, item.end_marker)],
                });
            }
        }
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
        // EST windows by (ALID, territory, FormatProfile) across TVOD groups.
        let mut est: HashMap<(String, String, String), Vec<String>> = HashMap::new();
        for g in &self.groups {
            for (t, _, _) in &g.transactions {
                if str_at(t, &["LicenseType"]).is_some_and(|l| l.eq_ignore_ascii_case("EST")) {
                    if let Some(start) = str_at(t, &["Start"]) {
                        let fp = str_at(t, &["FormatProfile", "value"])
                            .unwrap_or("")
                            .to_string();
                        est.entry((g.key.0.clone(), g.key.1.clone(), fp))
                            .or_default()
                            .push(start.to_string());
                    }
                }
            }
        }
        for g in &mut self.groups {
            for (t, source, marker) in &mut g.transactions {
                if marker.take() != Some(EndMarker::EstStart) {
                    continue;
                }
                let fp = str_at(t, &["FormatProfile", "value"])
                    .unwrap_or("")
                    .to_string();
                let found = est
                    .get(&(g.key.0.clone(), g.key.1.clone(), fp.clone()))
                    .and_then(|starts| starts.iter().min().cloned());
                match found {
                    Some(start) => {
                        t.insert("End".into(), Value::String(start));
                    }
                    None => self.problems.push(Problem {
                        location: crate::locate::column_location(source, self.mapping, "Transaction.End"),
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
    let mut obj = Map::new();
    for k in AVAIL_ORDER {
        if let Some(v) = avail.remove(k) {
            obj.insert(k.into(), v);
        }
    }
    obj.insert("Asset".into(), Value::Array(vec![Value::Object(asset)]));
    let mut sources = Vec::with_capacity(transactions.len());
    let mut list = Vec::with_capacity(transactions.len());
    for (t, s, _) in transactions {
        list.push(Value::Object(t));
        sources.push(s);
    }
    obj.insert("Transaction".into(), Value::Array(list));
    obj.extend(avail);
    let mut wrapper = Map::new();
    wrapper.insert("avail".into(), Value::Object(obj));
    let request: AvailRequest = serde_json::from_value(Value::Object(wrapper)).map_err(|e| {
        Box::new(Problem {
            location: avail_source.location.clone(),
            severity: Severity::Error,
            code: CV_SHAPE,
            message: format!(
                "{} {} {}: payload does not fit the API schema: {e}",
                key.0, key.1, key.2
            ),
        })
    })?;
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
