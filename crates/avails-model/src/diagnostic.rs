//! The one vocabulary of findings: conversion problems, validation rules
//! and the server's answers are all a [`Diagnostic`] with a [`Severity`].

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Location;

pub mod codes;

pub use codes::Code;

/// The code of a title held back because one of its rows is rejected: a
/// consequence of another finding (reported once, at that finding's cell),
/// not counted as an error of its own.
pub const HELD_BACK_CODE: &str = codes::CV013.id();

/// How bad a finding is: errors block a row or a payload, warnings do not.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row is rejected, or Prime Video would reject the payload.
    #[default]
    Error,
    /// Accepted, but something has no effect or looks wrong.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who found it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// This tool, before anything is sent.
    #[default]
    Local,
    /// The API's own validation (`validate --remote`, a refused submit).
    Server,
}

impl Origin {
    /// `local` or `server`, as the JSON output names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Server => "server",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, located at the cell, XML line or JSON pointer it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code: one of [`codes`] (`CV...` conversion, `AV...` validation)
    /// for a finding of this tool, or the server's own.
    pub code: Cow<'static, str>,
    /// Error or warning.
    pub severity: Severity,
    /// One line naming what was found and what is allowed.
    pub message: String,
    /// Where: the cell (`file.xlsx:Movies!Q12`), the XML line, or a JSON
    /// pointer in `path` when the finding is about a payload alone. In JSON
    /// its fields (`file`, `sheet`, `row`, `column` letter, `path`) sit
    /// beside the others.
    #[serde(flatten)]
    pub location: Location,
    /// The sheet column's name the value came from, when it came from a sheet.
    #[serde(
        rename = "columnName",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub column: Option<String>,
    /// The JSON pointer inside the payload the finding is about, kept when
    /// the location is the cell or line the value came from.
    #[serde(
        rename = "payloadPath",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub payload_path: Option<String>,
    /// The payload's title, when the finding is about a payload.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alid: Option<String>,
    /// The transaction's ID, when the finding is about one that has one.
    #[serde(
        rename = "transactionId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub transaction_id: Option<String>,
    /// Who found it.
    #[serde(default, skip_serializing_if = "is_local")]
    pub origin: Origin,
}

fn is_local(o: &Origin) -> bool {
    *o == Origin::Local
}

impl Diagnostic {
    /// A finding of `code` at a location, with the code's severity.
    pub fn of(code: Code, location: Location, message: impl Into<String>) -> Self {
        Self::new(code, code.severity(), location, message)
    }

    /// A finding of `code` whose severity depends on the case (an ignored
    /// column is an error only where sending without it would grant more).
    pub fn new(
        code: Code,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        Self::with_code(code.id().into(), severity, location, message.into())
    }

    /// A finding the server answered with: its own code (not one of
    /// [`codes`]), an error.
    pub fn server(code: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Self {
            origin: Origin::Server,
            ..Self::with_code(
                Cow::Owned(code.into()),
                Severity::Error,
                location,
                message.into(),
            )
        }
    }

    fn with_code(
        code: Cow<'static, str>,
        severity: Severity,
        location: Location,
        message: String,
    ) -> Self {
        Self {
            code,
            severity,
            message,
            location,
            column: None,
            payload_path: None,
            alid: None,
            transaction_id: None,
            origin: Origin::Local,
        }
    }

    /// This finding, naming the sheet column its value came from.
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// This finding, about a payload of this title.
    pub fn for_alid(mut self, alid: impl Into<String>) -> Self {
        self.alid = Some(alid.into());
        self
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The JSON pointer the finding is about (`""` when it has none).
    pub fn pointer(&self) -> &str {
        self.location.path.as_deref().unwrap_or("")
    }
}

impl fmt::Display for Diagnostic {
    /// `file.xlsx:Movies!Q12: error[AV012]: ...`, or `/avail/...: error[AV012]: ...`
    /// for a finding about a payload alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.file.is_empty() {
            let at = self.location.path.as_deref().filter(|p| !p.is_empty());
            write!(f, "{}", at.unwrap_or("/"))?;
        } else {
            write!(f, "{}", self.location)?;
        }
        let server = match self.origin {
            Origin::Server => " [server]",
            Origin::Local => "",
        };
        write!(
            f,
            ": {}[{}]{server}: {}",
            self.severity, self.code, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_compiler() {
        let at = Location {
            file: "f.xlsx".into(),
            sheet: Some("Movies".into()),
            row: Some(12),
            column: Some("Q".into()),
            path: None,
        };
        let d = Diagnostic::of(codes::AV012, at, "End is before Start");
        assert_eq!(
            d.to_string(),
            "f.xlsx:Movies!Q12: error[AV012]: End is before Start"
        );
        let p = Diagnostic::of(
            codes::AV081,
            Location {
                path: Some("/avail/Transaction/1".into()),
                ..Location::default()
            },
            "repeated",
        );
        assert_eq!(
            p.to_string(),
            "/avail/Transaction/1: warning[AV081]: repeated"
        );
    }
}
