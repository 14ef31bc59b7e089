//! The merging rules of one payload's rows, in one place:
//!
//! - a blank cell never conflicts with a filled one: an attribute one row
//!   gives and another leaves empty is the one given;
//! - two rows giving different values for one avail or asset attribute are
//!   a conflict, named at both cells;
//! - a fallback (ContentID ← EpisodeContentID, ...) applies to the whole
//!   payload, only when no row gives the column itself;
//! - rows repeating a window identically are one window (a warning names
//!   both places); rows of one window that differ only in AllowedLanguage
//!   are one window with the union of those languages; rows of one window
//!   that differ in HoldbackLanguage are an error (EMA: holdback languages
//!   cannot be spread across rows); one TransactionID on two different
//!   windows of one FormatProfile is an error naming both (the HD and SD
//!   windows of one avail may share it: MovieLabs' templates and the
//!   reference's own trailer examples give them one AvailID).

use avails_ema::Candidate;
use avails_model::{AssetLanguage, AvailTrans};
use serde_json::{Map, Value};

/// Two rows giving one attribute different values.
#[derive(Debug)]
pub(crate) struct Conflict {
    /// The attribute's dotted path.
    pub path: String,
    /// The value the incoming row gives.
    pub here: Value,
    /// The value already there.
    pub there: Value,
}

/// Merges `incoming` into `into`; returns the paths it added, or the first
/// attribute where `incoming` gives a value `into` has otherwise.
/// Attributes only one side gives are not conflicts.
pub(crate) fn merge_into(
    into: &mut Map<String, Value>,
    incoming: &Map<String, Value>,
) -> Result<Vec<String>, Box<Conflict>> {
    let mut added = Vec::new();
    merge_at(into, incoming, "", &mut added)?;
    Ok(added)
}

fn merge_at(
    into: &mut Map<String, Value>,
    incoming: &Map<String, Value>,
    prefix: &str,
    added: &mut Vec<String>,
) -> Result<(), Box<Conflict>> {
    for (k, v) in incoming {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match into.get_mut(k) {
            None => {
                into.insert(k.clone(), v.clone());
                added.push(path);
            }
            Some(existing) if existing == v => {}
            Some(Value::Object(existing)) => match v {
                Value::Object(v) => merge_at(existing, v, &path, added)?,
                other => {
                    return Err(Box::new(Conflict {
                        path,
                        here: other.clone(),
                        there: Value::Object(existing.clone()),
                    }))
                }
            },
            Some(existing) => {
                return Err(Box::new(Conflict {
                    path,
                    here: v.clone(),
                    there: existing.clone(),
                }))
            }
        }
    }
    Ok(())
}

/// Candidates of one path resolved: the value of the best priority any row
/// gives, or the two that disagree at that priority.
pub(crate) enum Resolved<'c> {
    /// One value (every row giving that priority agrees).
    Value(&'c Candidate),
    /// Two rows give different values at the best priority.
    Conflict(&'c Candidate, &'c Candidate),
}

/// Resolves each path's candidates, in the order the paths first appear.
pub(crate) fn resolve(candidates: &[Candidate]) -> Vec<Resolved<'_>> {
    let mut paths: Vec<(&avails_mapping::Level, &Vec<String>)> = Vec::new();
    for c in candidates {
        if !paths
            .iter()
            .any(|(l, s)| **l == c.level && **s == *c.segments)
        {
            paths.push((&c.level, &c.segments));
        }
    }
    paths
        .into_iter()
        .filter_map(|(level, segments)| {
            let of_path = candidates
                .iter()
                .filter(|c| c.level == *level && *c.segments == *segments);
            let best = of_path.clone().map(|c| c.priority).min()?;
            let mut at_best = of_path.filter(|c| c.priority == best);
            let first = at_best.next()?;
            Some(match at_best.find(|c| c.value != first.value) {
                Some(other) => Resolved::Conflict(first, other),
                None => Resolved::Value(first),
            })
        })
        .collect()
}

/// How a transaction relates to one already kept.
pub(crate) enum Relation {
    /// A new window.
    New,
    /// The same window, identical: drop it.
    Duplicate(usize),
    /// The same window with more allowed languages: merged into the kept one.
    MoreLanguages(usize),
    /// The same window with another HoldbackLanguage list.
    HoldbackSpread(usize),
}

/// Windows kept so far, indexed by everything but their languages.
/// Hashed with foldhash (hashbrown's), not SipHash: a group hashes each of
/// its windows once, and SipHash was 4 % of the grouping thread's
/// instructions; each group's seed is its own.
#[derive(Default)]
pub(crate) struct Windows {
    /// [`window_hash`] → indices of the kept windows with that hash.
    by_window: hashbrown::HashMap<u64, Vec<usize>>,
    /// The hash of the window last related.
    last: u64,
    /// The seed of [`window_hash`].
    state: hashbrown::DefaultHashBuilder,
}

impl Windows {
    /// Records that the window last related as [`Relation::New`] is kept,
    /// at index `index`.
    pub fn keep(&mut self, index: usize) {
        self.by_window.entry(self.last).or_default().push(index);
    }

    /// Relates `t` to the windows kept so far (`kept(k)` is the `k`-th).
    /// A new window is not recorded until [`Windows::keep`] says it is kept.
    pub fn relate<'a>(
        &mut self,
        t: &AvailTrans,
        kept: impl Fn(usize) -> &'a AvailTrans,
    ) -> Relation {
        self.last = window_hash(&self.state, t);
        let same = self
            .by_window
            .get(&self.last)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for &k in same {
            let other = kept(k);
            if !same_window(other, t) {
                continue;
            }
            let same_holdback = same_languages(&other.holdback_language, &t.holdback_language);
            let same_allowed = same_languages(&other.allowed_language, &t.allowed_language);
            if same_allowed && same_holdback {
                return Relation::Duplicate(k);
            }
            if !same_holdback {
                return Relation::HoldbackSpread(k);
            }
            if other.allowed_language.is_some() && t.allowed_language.is_some() {
                return Relation::MoreLanguages(k);
            }
            // "Any language" (absent) beside a list is another window.
        }
        Relation::New
    }
}

/// A hash of what tells windows apart most often (dates, license type,
/// format, ID, territory): equal for windows [`same_window`] calls equal.
fn window_hash(state: &impl std::hash::BuildHasher, t: &AvailTrans) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = state.build_hasher();
    t.start.hash(&mut h);
    t.end.hash(&mut h);
    t.license_type.hash(&mut h);
    t.transaction_id.hash(&mut h);
    t.format_profile.as_ref().map(|f| &f.value).hash(&mut h);
    for r in &t.territory {
        r.country.hash(&mut h);
    }
    h.finish()
}

/// The same window: every attribute but the allowed and holdback languages
/// equal, as the JSON sent would be (typed fields compared as typed; the
/// members of an attribute not modelled here in any order). Every field is
/// named, so a field added to the model must be placed here.
fn same_window(a: &AvailTrans, b: &AvailTrans) -> bool {
    let AvailTrans {
        transaction_id,
        license_type,
        territory,
        format_profile,
        start,
        end,
        license_rights_description,
        contract_id,
        asset_language,
        allowed_language: _,
        holdback_language: _,
        terms,
        other_instructions,
        extra,
    } = a;
    *transaction_id == b.transaction_id
        && *license_type == b.license_type
        && *territory == b.territory
        && *format_profile == b.format_profile
        && *start == b.start
        && *end == b.end
        && *license_rights_description == b.license_rights_description
        && *contract_id == b.contract_id
        && *asset_language == b.asset_language
        && *terms == b.terms
        && *other_instructions == b.other_instructions
        && *extra == b.extra
}

/// Adds to `into`'s allowed languages those of `from` it lacks.
pub(crate) fn add_allowed_languages(into: &mut AvailTrans, from: &AvailTrans) {
    if let (Some(mine), Some(theirs)) = (&mut into.allowed_language, &from.allowed_language) {
        for l in theirs {
            if !mine.iter().any(|m| same_language(m, l)) {
                mine.push(l.clone());
            }
        }
    }
}

fn same_language(a: &AssetLanguage, b: &AssetLanguage) -> bool {
    a.value.eq_ignore_ascii_case(&b.value) && a.asset == b.asset && a.extra == b.extra
}

/// Two language lists with the same entries, in any order.
fn same_languages(a: &Option<Vec<AssetLanguage>>, b: &Option<Vec<AssetLanguage>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_language(x, y)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!(),
        }
    }

    #[test]
    fn blank_never_conflicts_with_filled() {
        let mut a = map(json!({"WorkType": "Movie"}));
        let added = merge_into(
            &mut a,
            &map(json!({"WorkType": "Movie", "Metadata": {"TitleInternalAlias": ["X"]}})),
        )
        .unwrap();
        assert_eq!(added, vec!["Metadata"]);
        assert!(merge_into(&mut a, &map(json!({}))).unwrap().is_empty());
        let c = merge_into(
            &mut a,
            &map(json!({"Metadata": {"TitleInternalAlias": ["Y"]}})),
        )
        .unwrap_err();
        assert_eq!(c.path, "Metadata.TitleInternalAlias");
        assert_eq!((c.here, c.there), (json!(["Y"]), json!(["X"])));
    }

    /// A window with every attribute set, as a sheet or an XML file gives it.
    fn window() -> Value {
        json!({
            "_TransactionID": "a-hd",
            "LicenseType": "EST",
            "Territory": [{"country": "US"}],
            "FormatProfile": {"value": "HD"},
            "Start": "2026-01-01T00:00:00",
            "End": "2027-01-01T23:59:59",
            "LicenseRightsDescription": "New Release",
            "ContractID": "C-1",
            "AssetLanguage": [{"value": "en"}],
            "AllowedLanguage": [{"value": "en"}],
            "HoldbackLanguage": [{"value": "de"}],
            "Terms": [{"_termName": "SRP", "Money": {"value": 9.99, "_currency": "USD"}}],
            "OtherInstructions": "none",
            "_vendor": {"a": 1, "b": 2},
        })
    }

    fn relate_to_window(other: Value) -> Relation {
        let kept: AvailTrans = serde_json::from_value(window()).unwrap();
        let mut windows = Windows::default();
        assert!(matches!(
            windows.relate(&kept, |_| unreachable!()),
            Relation::New
        ));
        windows.keep(0);
        let t: AvailTrans = serde_json::from_value(other).unwrap();
        windows.relate(&t, |_| &kept)
    }

    #[test]
    fn a_window_differing_in_any_one_attribute_is_another_window() {
        let changes = [
            ("_TransactionID", json!("a-sd")),
            ("LicenseType", json!("VOD")),
            ("Territory", json!([{"country": "CA"}])),
            ("FormatProfile", json!({"value": "SD"})),
            ("Start", json!("2026-01-02T00:00:00")),
            ("End", json!("2027-01-02T23:59:59")),
            ("LicenseRightsDescription", json!("Library")),
            ("ContractID", json!("C-2")),
            ("AssetLanguage", json!([{"value": "fr"}])),
            (
                "Terms",
                json!([{"_termName": "SRP", "Money": {"value": 7.99, "_currency": "USD"}}]),
            ),
            ("OtherInstructions", json!("other")),
            ("_vendor", json!({"a": 1, "b": 3})),
        ];
        for (name, value) in changes {
            let mut other = window();
            other[name] = value;
            assert!(matches!(relate_to_window(other), Relation::New), "{name}");
            let mut without = window();
            without.as_object_mut().unwrap().remove(name);
            assert!(
                matches!(relate_to_window(without), Relation::New),
                "no {name}"
            );
        }
    }

    #[test]
    fn the_same_window_is_a_duplicate_whatever_the_order_of_unmodelled_members() {
        assert!(matches!(relate_to_window(window()), Relation::Duplicate(0)));
        let mut reordered = window();
        reordered["_vendor"] = json!({"b": 2, "a": 1});
        assert!(matches!(
            relate_to_window(reordered),
            Relation::Duplicate(0)
        ));
        let mut more = window();
        more["AllowedLanguage"] = json!([{"value": "fr"}]);
        assert!(matches!(relate_to_window(more), Relation::MoreLanguages(0)));
        let mut spread = window();
        spread["HoldbackLanguage"] = json!([{"value": "it"}]);
        assert!(matches!(
            relate_to_window(spread),
            Relation::HoldbackSpread(0)
        ));
    }
}
