//! The text review and the JSON report.

use std::fmt::Write;

use serde_json::Value;

use crate::model::{DiffReport, Difference, TitleStatus};
use crate::DiffError;

/// A value for a review line: strings bare, absent as `(absent)`.
pub(crate) fn show(v: &Option<Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The report as a review, grouped per title; identical titles are counted.
pub fn render_text(report: &DiffReport) -> String {
    let mut out = String::new();
    for t in &report.titles {
        if t.status == TitleStatus::Same {
            continue;
        }
        let _ = writeln!(out, "{}: {}", t.key, t.status.label());
        for d in &t.differences {
            match d {
                Difference::MissingOnServer {
                    subject, location, ..
                } => {
                    let _ = writeln!(
                        out,
                        "  - {subject}: on the sheet, not on the server ({location})"
                    );
                }
                Difference::RefusedLocally { reasons, location } => {
                    let _ = writeln!(
                        out,
                        "  ! refused by local validation, so never sent ({location}):"
                    );
                    for r in reasons {
                        let _ = writeln!(out, "      {r}");
                    }
                }
                Difference::ExtraOnServer {
                    subject,
                    server_pointer,
                } => {
                    let _ = writeln!(
                        out,
                        "  + {subject}: on the server, not on the sheet ({server_pointer})"
                    );
                }
                Difference::Changed { subject, changes } => {
                    let _ = writeln!(out, "  ~ {subject}:");
                    for c in changes {
                        let _ = writeln!(
                            out,
                            "      {}: sheet {} / server {} ({})",
                            c.pointer,
                            show(&c.sheet),
                            show(&c.server),
                            c.location
                        );
                    }
                }
            }
        }
        out.push('\n');
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} titles: {} same, {} changed, {} missing on server, {} extra on server{}; {} differences",
        s.titles,
        s.same,
        s.changed,
        s.missing_on_server,
        s.extra_on_server,
        match s.refused_locally {
            0 => String::new(),
            n => format!(", {n} refused locally (never sent)"),
        },
        s.differences
    );
    out
}

/// The report as pretty JSON with a stable shape (see the model's serde names).
pub fn render_json(report: &DiffReport) -> Result<String, DiffError> {
    Ok(serde_json::to_string_pretty(report)?)
}
