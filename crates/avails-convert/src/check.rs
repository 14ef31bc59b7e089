//! Validation of converted payloads with `avails-rules`, each finding
//! located at the cell or XML element its value came from.

use avails_mapping::Mapping;
use avails_model::Location;
use serde::Serialize;

use crate::{Conversion, Problem, Severity};

/// One finding: a conversion problem or a rule broken by a payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Rule code (`AV...` validation, `CV...` conversion).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One line naming what was found and what is allowed.
    pub message: String,
    /// Where the value came from.
    pub location: Location,
    /// The payload's title, when the finding is about a payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alid: Option<String>,
    /// The transaction's ID, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Index of the payload in the conversion, when about one.
    #[serde(skip)]
    pub payload: Option<usize>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}: {sev}[{}]: {}",
            self.location, self.code, self.message
        )
    }
}

impl From<&Problem> for Finding {
    fn from(p: &Problem) -> Self {
        Self {
            code: p.code,
            severity: p.severity,
            message: p.message.clone(),
            location: p.location.clone(),
            alid: None,
            transaction_id: None,
            payload: None,
        }
    }
}

/// Conversion problems plus every rule each payload breaks, in input order.
pub fn check(conversion: &Conversion, mapping: &Mapping) -> Vec<Finding> {
    let mut findings: Vec<Finding> = conversion.problems.iter().map(Finding::from).collect();
    let values = payload_values(&conversion.payloads);
    for (index, d) in avails_rules::validate_payloads(values.iter()) {
        let payload = &conversion.payloads[index];
        let transaction_id = transaction_index(&d.pointer)
            .and_then(|i| payload.request.avail.transaction.get(i))
            .and_then(|t| t.transaction_id.clone());
        findings.push(Finding {
            code: d.code,
            severity: match d.severity {
                avails_rules::Severity::Error => Severity::Error,
                avails_rules::Severity::Warning => Severity::Warning,
            },
            message: d.message,
            location: crate::locate::locate(payload, mapping, &d.pointer),
            alid: Some(payload.alid.clone()),
            transaction_id,
            payload: Some(index),
        });
    }
    release(values);
    findings
}

/// Frees the payloads' JSON, half of it on another core when there is one.
fn release(mut values: Vec<serde_json::Value>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || values.len() < 256 {
        return;
    }
    let half = values.split_off(values.len() / 2);
    std::thread::scope(|scope| {
        scope.spawn(move || drop(half));
        drop(values);
    });
}

/// Each payload as JSON, in order. Building JSON trees is most of the
/// cost of a check, so the payloads are split across the available cores.
fn payload_values(payloads: &[crate::Payload]) -> Vec<serde_json::Value> {
    let to_value = |p: &crate::Payload| serde_json::to_value(&p.request).unwrap_or_default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || payloads.len() < 256 {
        return payloads.iter().map(to_value).collect();
    }
    let chunk = payloads.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = payloads
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(to_value).collect::<Vec<_>>()))
            .collect();
        let mut values = Vec::with_capacity(payloads.len());
        for (part, handle) in payloads.chunks(chunk).zip(parts) {
            match handle.join() {
                Ok(v) => values.extend(v),
                // A panic in a worker: do that part here instead.
                Err(_) => values.extend(part.iter().map(to_value)),
            }
        }
        values
    })
}

fn transaction_index(pointer: &str) -> Option<usize> {
    let rest = pointer.strip_prefix("/avail/Transaction/")?;
    rest.split('/').next()?.parse().ok()
}

/// Indexes of payloads that have at least one error.
pub fn payloads_with_errors(findings: &[Finding]) -> std::collections::BTreeSet<usize> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter_map(|f| f.payload)
        .collect()
}
