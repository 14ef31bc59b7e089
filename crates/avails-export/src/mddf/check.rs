//! What the written XML really carries: it is read back with `avails-mddf`
//! (the reader `avails convert` uses) and compared with each payload, so
//! every value that does not come back is reported, whatever the reason.

use std::collections::{BTreeMap, BTreeSet};

use avails_model::canonical::canonical;
use serde_json::Value;

/// One difference between a payload and what its XML reads back as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// JSON pointer inside the avail.
    pub pointer: String,
    /// The payload's value (`None`: the read-back adds one).
    pub expected: Option<Value>,
    /// What is read back (`None`: absent).
    pub got: Option<Value>,
}

/// Every difference between an avail (`expected`) and its read-back (`got`).
/// `Terms` compare as a set, as the API treats them.
pub(crate) fn changes(expected: &Value, got: Option<&Value>) -> Vec<Change> {
    let mut out = Vec::new();
    diff(expected, got, "", &mut out);
    out
}

fn diff(expected: &Value, got: Option<&Value>, ptr: &str, out: &mut Vec<Change>) {
    match (expected, got) {
        (Value::Object(e), Some(Value::Object(g))) => {
            for (k, v) in e.iter().filter(|(_, v)| !v.is_null()) {
                diff(v, g.get(k), &format!("{ptr}/{k}"), out);
            }
            for (k, v) in g.iter().filter(|(k, _)| !e.contains_key(*k)) {
                added(format!("{ptr}/{k}"), v, out);
            }
        }
        (Value::Array(e), Some(Value::Array(g))) if ptr.ends_with("/Terms") => {
            terms(e, g, ptr, out);
        }
        (Value::Array(e), Some(Value::Array(g))) => {
            for (i, v) in e.iter().enumerate() {
                diff(v, g.get(i), &format!("{ptr}/{i}"), out);
            }
            for (i, v) in g.iter().enumerate().skip(e.len()) {
                added(format!("{ptr}/{i}"), v, out);
            }
        }
        (e, Some(g)) if e == g => {}
        (e, g) => out.push(Change {
            pointer: ptr.to_string(),
            expected: Some(e.clone()),
            got: g.cloned(),
        }),
    }
}

fn added(pointer: String, v: &Value, out: &mut Vec<Change>) {
    out.push(Change {
        pointer,
        expected: None,
        got: Some(v.clone()),
    });
}

/// Terms as a set: equal terms match wherever they are; a term left over
/// is compared with a left-over read-back term of the same name.
fn terms(e: &[Value], g: &[Value], ptr: &str, out: &mut Vec<Change>) {
    let g_canon: Vec<Value> = g.iter().map(canonical).collect();
    let mut used = vec![false; g.len()];
    let mut unmatched = Vec::new();
    for (i, term) in e.iter().enumerate() {
        let c = canonical(term);
        match (0..g.len()).find(|&j| !used[j] && g_canon[j] == c) {
            Some(j) => used[j] = true,
            None => unmatched.push(i),
        }
    }
    let name = |v: &Value| v.get("_termName").cloned();
    for i in unmatched {
        let partner = (0..g.len()).find(|&j| !used[j] && name(&g[j]) == name(&e[i]));
        if let Some(j) = partner {
            used[j] = true;
        }
        diff(&e[i], partner.map(|j| &g[j]), &format!("{ptr}/{i}"), out);
    }
    for (j, v) in g.iter().enumerate().filter(|(j, _)| !used[*j]) {
        added(format!("{ptr}/{j}"), v, out);
    }
}

/// Why a change of payload `payload` happened, from what the writer knows.
pub(crate) fn reason(
    change: &Change,
    payload: usize,
    unplaced: &BTreeSet<(usize, String)>,
    why: &BTreeMap<(usize, String), String>,
) -> String {
    if let Some(why) = why.get(&(payload, change.pointer.clone())) {
        return why.clone();
    }
    let placed_nowhere = unplaced.iter().any(|(p, u)| {
        *p == payload && (change.pointer == *u || change.pointer.starts_with(&format!("{u}/")))
    });
    if placed_nowhere {
        let leaf = change.pointer.rsplit('/').next().unwrap_or_default();
        return format!("MDDF Avails XML has no place for `{leaf}`");
    }
    let show = |v: &Value| match v {
        Value::String(s) => format!("`{s}`"),
        other => other.to_string(),
    };
    match (&change.expected, &change.got) {
        (Some(e), None) => format!(
            "{} does not come back when the MDDF is read (an empty value is an absent one)",
            show(e)
        ),
        (None, Some(g)) => format!("reading the MDDF back adds {}", show(g)),
        (Some(e), Some(g)) => format!("{} reads back from MDDF as {}", show(e), show(g)),
        (None, None) => "changed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_compare_as_a_set_other_arrays_in_order() {
        let e =
            json!({"Terms": [{"_termName": "A"}, {"_termName": "B", "Text": "x"}], "L": [1, 2]});
        let g =
            json!({"Terms": [{"_termName": "B", "Text": "x"}, {"_termName": "A"}], "L": [1, 2]});
        assert!(changes(&e, Some(&g)).is_empty());
        let g =
            json!({"Terms": [{"_termName": "B", "Text": "y"}, {"_termName": "A"}], "L": [2, 1, 3]});
        let found: Vec<String> = changes(&e, Some(&g))
            .into_iter()
            .map(|c| c.pointer)
            .collect();
        assert_eq!(found, ["/Terms/1/Text", "/L/0", "/L/1", "/L/2"]);
    }

    #[test]
    fn absent_and_added_values() {
        let e = json!({"a": "x", "b": {"c": 1}});
        let g = json!({"b": {"c": 1, "d": 2}});
        let found = changes(&e, Some(&g));
        assert_eq!(found[0].pointer, "/a");
        assert_eq!(found[0].got, None);
        assert_eq!(found[1].pointer, "/b/d");
        assert_eq!(found[1].expected, None);
    }
}
