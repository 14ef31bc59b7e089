//! What the server changes in a stored avail without changing its meaning.

use serde::Serialize;

/// One server normalization that is not reported as a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Normalization {
    /// Short name.
    pub name: &'static str,
    /// What the server does.
    pub description: &'static str,
    /// Where the specification shows it.
    pub reference: &'static str,
}

/// The server normalizations the diff ignores, each with its source.
pub const KNOWN_NORMALIZATIONS: &[Normalization] = &[
    Normalization {
        name: "disposition-dropped",
        description: "A GET returns the avail without `Disposition`; a Disposition on the sheet and none on the server is not a difference.",
        reference: "002 (payload examples), \"Exemple 1 : Récupérer la disponibilité du titre\": the GET response has no Disposition although every PUT body carries one; 003 \"Get Avails Full-Extract\" response likewise",
    },
    Normalization {
        name: "attribute-order",
        description: "A GET lists attributes in alphabetical order (`ALID`, `Asset`, `Licensor`, `Transaction`; `WorkType` before `_contentID`); objects are compared by key, never by order.",
        reference: "002 GET example against the validate body that follows it",
    },
    Normalization {
        name: "terms-as-set",
        description: "Terms are matched by `_termName` (case-insensitive) and compared by typed value, whatever their order.",
        reference: "001 AvailTerms (`_termName` identifies the term); 002 and 003 examples list the same terms in different orders",
    },
    Normalization {
        name: "unordered-lists",
        description: "AssetLanguage, AllowedLanguage, HoldbackLanguage, Territory, BundleAsset and SharedEntitlement are compared as sets.",
        reference: "002 GET example: HoldbackLanguage items come back with `_asset` first, order carries no meaning in the 001 schemas",
    },
    Normalization {
        name: "number-form",
        description: "Numbers compare numerically: `1000` equals `1000.0`, `15.99` equals `15.990`.",
        reference: "002 GET example returns Money `value` as a JSON number; 001 types it as a decimal",
    },
    Normalization {
        name: "instants",
        description: "Start, End and Event compare as instants when both sides carry an offset (`2023-03-14T09:00:00Z` equals `2023-03-14T10:00:00+01:00`); a value without an offset compares as written.",
        reference: "001 Start/End are ISO 8601 date-times; 002 GET returns `Z` times",
    },
    Normalization {
        name: "valueless-term-kept",
        description: "A term with a name and no value (`ExclusiveAttributes`) is kept by the server; it equals the same valueless term on the sheet and is never treated as absent.",
        reference: "002 GET example: `{\"_termName\": \"ExclusiveAttributes\"}` with no value",
    },
];
