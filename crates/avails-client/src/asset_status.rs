//! Reading an Asset Status answer (`ProductStatus`, reference 000): the
//! deliveries a title still needs, and a text table of its parts.

use serde_json::Value;

/// One title part the title needs and does not have: missing, or delivered with an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    /// What the part is, e.g. `AUDIO DUB fr-FR`.
    pub part: String,
    /// `Missing` or `Issue`.
    pub progress: String,
    /// Error codes given for it (`BAD_AUDIO_SYNC`, ...).
    pub error_codes: Vec<String>,
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn error_codes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("ErrorCode", Value::String(s)) if !out.contains(s) => out.push(s.clone()),
                    _ => error_codes(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| error_codes(x, out)),
        _ => {}
    }
}

fn parts(status: &Value) -> &[Value] {
    status
        .get("TitlePartStatus")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn describe(part: &Value) -> String {
    let mut what = format!(
        "{} {}",
        text(part, "PrimaryType"),
        text(part, "SecondaryType")
    );
    for k in ["Locale", "FormatProfile"] {
        if !text(part, k).is_empty() {
            what.push(' ');
            what.push_str(text(part, k));
        }
    }
    what.trim().to_string()
}

/// The parts a title needs before it can go live (`ActionType`
/// `ACTION_NEEDED`) that are `Missing` or have an `Issue`. Recommended parts
/// (`ACTION_RECOMMENDED`) are not in it.
pub fn blocking(status: &Value) -> Vec<Blocking> {
    parts(status)
        .iter()
        .filter(|p| matches!(text(p, "Progress"), "Missing" | "Issue"))
        .filter(|p| text(p, "ActionType") == "ACTION_NEEDED")
        .map(|p| {
            let mut codes = Vec::new();
            error_codes(p, &mut codes);
            Blocking {
                part: describe(p),
                progress: text(p, "Progress").to_string(),
                error_codes: codes,
            }
        })
        .collect()
}

/// Whether the title has a missing or failed delivery: a blocking part, or
/// an `OverallProgressCode` of `Missing` or `Issue`.
pub fn has_missing_or_failed(status: &Value) -> bool {
    !blocking(status).is_empty()
        || matches!(text(status, "OverallProgressCode"), "Missing" | "Issue")
}

/// A readable table of one ProductStatus: its overall code, then one row per
/// part (delivery, rule, progress, action, error codes).
pub fn render_table(alid: &str, status: &Value) -> String {
    let mut out = format!("{alid}: {}\n", text(status, "OverallProgressCode"));
    let rows: Vec<[String; 5]> = parts(status)
        .iter()
        .map(|p| {
            let mut codes = Vec::new();
            error_codes(p, &mut codes);
            [
                describe(p),
                text(p, "RuleType").to_string(),
                text(p, "Progress").to_string(),
                text(p, "ActionType").to_string(),
                codes.join(","),
            ]
        })
        .collect();
    let header = ["DELIVERY", "RULE", "PROGRESS", "ACTION", "ERRORS"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str("  ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(parts: Value, overall: &str) -> Value {
        json!({"OverallProgressCode": overall, "TitlePartStatus": parts})
    }

    #[test]
    fn only_needed_parts_missing_or_in_issue_block() {
        let s = status(
            json!([
                {"PrimaryType": "VIDEO", "SecondaryType": "FEATURE", "Progress": "Ready",
                 "ActionType": "NO_ACTION_NEEDED", "RuleType": "required"},
                {"PrimaryType": "AUDIO", "SecondaryType": "DUB", "Locale": "fr-FR",
                 "Progress": "Issue", "ActionType": "ACTION_NEEDED", "RuleType": "required",
                 "LastDelivery": {"Errors": [{"ErrorCode": "BAD_AUDIO_SYNC"}]}},
                {"PrimaryType": "IMAGE", "SecondaryType": "16:9", "Progress": "Missing",
                 "ActionType": "ACTION_RECOMMENDED", "RuleType": "recommended"}
            ]),
            "Issue",
        );
        let b = blocking(&s);
        assert_eq!(
            b,
            vec![Blocking {
                part: "AUDIO DUB fr-FR".into(),
                progress: "Issue".into(),
                error_codes: vec!["BAD_AUDIO_SYNC".into()],
            }]
        );
        assert!(has_missing_or_failed(&s));
        let table = render_table("a1", &s);
        assert!(table.starts_with("a1: Issue\n"), "{table}");
        assert!(table.contains("BAD_AUDIO_SYNC"), "{table}");
        let ready = status(
            json!([{"PrimaryType": "IMAGE", "Progress": "Missing", "ActionType": "ACTION_RECOMMENDED"}]),
            "Ready",
        );
        assert!(!has_missing_or_failed(&ready));
    }
}
