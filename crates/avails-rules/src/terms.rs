//! The Supported Terms table and the rules on a transaction's `Terms`.

use avails_model::diagnostic::codes::*;
use avails_model::doc::{Arr, Obj};
use avails_model::TermValueKind as K;

use crate::enums;
use crate::report::{quote, Report};
use avails_model::time::Duration;

/// One row of the Supported Terms table.
#[derive(Debug, Clone, Copy)]
pub struct TermDef {
    /// Canonical name (term names compare case-insensitively).
    pub name: &'static str,
    /// The value kind the term takes.
    pub kind: K,
    /// Allowed Text values and the rule code enforcing them.
    pub values: Option<(Code, &'static [&'static str])>,
}

const fn t(name: &'static str, kind: K) -> TermDef {
    TermDef {
        name,
        kind,
        values: None,
    }
}

const fn e(name: &'static str, code: Code, values: &'static [&'static str]) -> TermDef {
    TermDef {
        name,
        kind: K::Text,
        values: Some((code, values)),
    }
}

/// Index of each term in [`TERMS`].
mod ix {
    pub const CHANNEL_IDENTITY: usize = 0;
    pub const TIER: usize = 1;
    pub const SRP: usize = 2;
    pub const WSP: usize = 3;
    pub const CATEGORY: usize = 4;
    pub const SUPPRESSION_LIFT_DATE: usize = 6;
    pub const RENTAL_DURATION: usize = 7;
    pub const WATCH_DURATION: usize = 8;
    pub const DOWNLOAD: usize = 9;
    pub const EXCLUSIVE: usize = 10;
    pub const EXCLUSIVE_ATTRIBUTES: usize = 11;
    pub const BRANDING_RIGHTS: usize = 12;
    pub const BRANDING_RIGHTS_ATTRIBUTES: usize = 13;
    pub const ALLOW_ADS: usize = 14;
    pub const SPONSORSHIPS: usize = 19;
    pub const SPONSORSHIPS_RESTRICTIONS: usize = 20;
    pub const TALENT_GUIDELINES: usize = 21;
    pub const TALENT_RESTRICTIONS: usize = 22;
    pub const AD_LOAD_LIMIT: usize = 23;
    pub const BUNDLE_DISCOUNT: usize = 25;
}

/// The Supported Terms table of the reference, in its order.
pub const TERMS: &[TermDef] = &[
    t("ChannelIdentity", K::Text),
    t("Tier", K::Text),
    t("SRP", K::Money),
    t("WSP", K::Money),
    t("Category", K::Text),
    t("AnnounceDate", K::Event),
    t("SuppressionLiftDate", K::Event),
    t("RentalDuration", K::Duration),
    t("WatchDuration", K::Duration),
    e("Download", AV053, enums::DOWNLOAD),
    t("Exclusive", K::Boolean),
    t("ExclusiveAttributes", K::Text),
    t("BrandingRights", K::Boolean),
    t("BrandingRightsAttributes", K::Text),
    t("allowAds", K::Boolean),
    e("allowedAdPlacement", AV054, enums::AD_PLACEMENTS),
    e("prohibitedAdPlacement", AV054, enums::AD_PLACEMENTS),
    e("cuepointDeliveryAndUsage", AV055, enums::CUEPOINT_USAGE),
    e("blindBasisSelling", AV056, enums::BLIND_BASIS_SELLING),
    e("sponsorships", AV057, enums::SPONSORSHIPS),
    t("sponsorshipsRestrictions", K::Text),
    e(
        "talentAndAmazonAdGuidelines",
        AV058,
        enums::TALENT_GUIDELINES,
    ),
    t("talentRestrictions", K::Text),
    t("adLoadLimit", K::Text),
    t("adKey", K::Text),
    t("CompleteYourBundleDiscountPercentage", K::Number),
    t("ExcludedFromBundleDiscount", K::Boolean),
];

const N: usize = 27;
const _: () = assert!(TERMS.len() == N);

const KINDS: [K; 6] = [
    K::Text,
    K::Money,
    K::Event,
    K::Boolean,
    K::Duration,
    K::Number,
];

/// Index in [`TERMS`] of a term name, case-insensitively.
pub fn lookup(name: &str) -> Option<usize> {
    // The reference's own spelling first (nearly every term's): comparing
    // lengths rules out most names at once.
    TERMS
        .iter()
        .position(|d| d.name == name)
        .or_else(|| TERMS.iter().position(|d| d.name.eq_ignore_ascii_case(name)))
}

/// Where each supported term first appears in one transaction's `Terms`.
pub struct Seen<'a> {
    first: [Option<Obj<'a>>; N],
}

impl<'a> Seen<'a> {
    fn term(&self, i: usize) -> Option<Obj<'a>> {
        self.first[i]
    }

    fn has(&self, i: usize) -> bool {
        self.first[i].is_some()
    }

    fn text(&self, i: usize) -> Option<&'a str> {
        self.term(i)?.get("Text")?.as_str()
    }

    fn boolean(&self, i: usize) -> Option<bool> {
        self.term(i)?.get("Boolean")?.as_bool()
    }

    /// The `ChannelIdentity` Text, if any.
    pub fn channel_identity(&self) -> Option<&'a str> {
        self.text(ix::CHANNEL_IDENTITY)
    }
}

fn supported_list() -> String {
    TERMS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
}

/// Checks every term of `terms`; the report's pointer is at the `Terms` array.
pub fn check_terms<'a>(terms: Arr<'a>, r: &mut Report) -> Seen<'a> {
    let mut seen = Seen { first: [None; N] };
    let mut allow_ads = 0;
    for (i, term) in terms.iter().enumerate() {
        let Some(obj) = term.as_object() else {
            continue;
        };
        let Some(name) = obj.get("_termName").and_then(|n| n.as_str()) else {
            continue;
        };
        let m = r.mark();
        r.index(i);
        match lookup(name) {
            None => r.emit_at(
                "_termName",
                AV050,
                format!(
                    "term {} is not a supported term and is ignored (supported: {})",
                    quote(name),
                    supported_list()
                ),
            ),
            Some(d) => {
                if seen.first[d].is_none() {
                    seen.first[d] = Some(obj);
                }
                if d == ix::ALLOW_ADS {
                    allow_ads += 1;
                    if allow_ads == 2 {
                        r.emit(
                            AV060,
                            "term allowAds appears more than once in this transaction (allowed: once)".to_owned(),
                        );
                    }
                }
                check_term(d, obj, r);
            }
        }
        r.truncate(m);
    }
    seen
}

/// The value kinds a term gives (not null), one bit per entry of [`KINDS`]:
/// one pass over its members instead of a look-up per kind.
fn kinds_given(obj: Obj) -> u8 {
    let mut given = 0;
    for (name, value) in obj.iter() {
        if value.is_null() {
            continue;
        }
        if let Some(i) = KINDS.iter().position(|k| k.attribute() == name) {
            given |= 1 << i;
        }
    }
    given
}

/// Whether `kind`'s bit is set in what [`kinds_given`] found.
fn has_kind(given: u8, kind: K) -> bool {
    KINDS
        .iter()
        .position(|k| *k == kind)
        .is_some_and(|i| given & (1 << i) != 0)
}

fn is_currency_only_money(obj: Obj) -> bool {
    obj.get("Money")
        .and_then(|m| m.as_object())
        .is_some_and(|m| m.get("value").filter(|v| !v.is_null()).is_none())
}

/// Value-kind and value checks of one known term; pointer at the term.
fn check_term(d: usize, obj: Obj, r: &mut Report) {
    let def = &TERMS[d];
    let expected = def.kind;
    let given = kinds_given(obj);
    let any_value = given != 0;
    if !has_kind(given, expected) {
        // 002/003 GET and validate examples send ExclusiveAttributes with no
        // value; the reference says a default is used when it is not given.
        let valueless_ok =
            !any_value && (d == ix::EXCLUSIVE_ATTRIBUTES || d == ix::BRANDING_RIGHTS_ATTRIBUTES);
        if !valueless_ok {
            let what = if any_value {
                KINDS
                    .iter()
                    .filter(|k| has_kind(given, **k))
                    .map(|k| k.attribute())
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                "no value".to_owned()
            };
            r.emit(
                AV051,
                format!(
                    "term {} needs a {} value, found {what}",
                    def.name,
                    expected.attribute()
                ),
            );
        }
    }
    for kind in KINDS {
        if kind == expected || !has_kind(given, kind) {
            continue;
        }
        // 002 examples 6 and 8 send Tier/Category with Text plus a Money
        // holding only `_currency`: accepted without a warning.
        let example_shape = kind == K::Money
            && (d == ix::TIER || d == ix::CATEGORY)
            && has_kind(given, K::Text)
            && is_currency_only_money(obj);
        if !example_shape {
            r.emit_at(
                kind.attribute(),
                AV052,
                format!(
                    "term {} takes a {} value; its {} is ignored",
                    def.name,
                    expected.attribute(),
                    kind.attribute()
                ),
            );
        }
    }
    check_amounts(d, obj, r);
    let Some(text) = obj.get("Text").and_then(|t| t.as_str()) else {
        return;
    };
    if expected != K::Text {
        return;
    }
    if let Some((code, allowed)) = def.values {
        let ok = if code == AV054 {
            // A comma-separated list of placements is accepted.
            text.split(',').all(|p| enums::contains(allowed, p.trim()))
        } else {
            enums::contains(allowed, text)
        };
        if !ok {
            r.emit_at(
                "Text",
                code,
                format!(
                    "{} value {} is not allowed (allowed: {}){}",
                    def.name,
                    quote(text),
                    enums::list(allowed),
                    allowed
                        .iter()
                        .find(|a| a.eq_ignore_ascii_case(text.trim()))
                        .map(|a| format!("; did you mean `{a}`?"))
                        .unwrap_or_default()
                ),
            );
        }
    }
    if d == ix::AD_LOAD_LIMIT && text.parse::<i32>().is_err() {
        r.emit_at(
            "Text",
            AV059,
            format!(
                "adLoadLimit {} is not an integer (expected minutes of ads per hour, e.g. 8)",
                quote(text)
            ),
        );
    }
}

/// Whether `s` is `PT<hours>H`, the form the reference gives durations in.
fn is_hours(s: &str) -> bool {
    s.strip_prefix("PT")
        .and_then(|h| h.strip_suffix('H'))
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|c| c.is_ascii_digit()))
}

/// AV046 (durations in hours), AV064 (prices have an amount) and AV065
/// (discount percentage range); pointer at the term.
fn check_amounts(d: usize, obj: Obj, r: &mut Report) {
    match d {
        ix::RENTAL_DURATION | ix::WATCH_DURATION => {
            if let Some(dur) = obj.get("Duration").and_then(|d| d.as_str()) {
                if Duration::parse(dur).is_some() && !is_hours(dur) {
                    r.emit_at(
                        "Duration",
                        AV046,
                        format!(
                            "{} {} is not given in hours (the reference gives it in hours, e.g. PT48H)",
                            TERMS[d].name,
                            quote(dur)
                        ),
                    );
                }
            }
        }
        ix::SRP | ix::WSP => {
            if let Some(money) = obj.get("Money").and_then(|m| m.as_object()) {
                if money.get("value").filter(|v| !v.is_null()).is_none() {
                    r.emit_at(
                        "Money",
                        AV064,
                        format!(
                            "price term {} has a Money without value (allowed: an amount such as 9.99)",
                            TERMS[d].name
                        ),
                    );
                }
            }
        }
        ix::BUNDLE_DISCOUNT => {
            if let Some(n) = obj.get("Number").and_then(|n| n.as_i64()) {
                if !(0..=100).contains(&n) {
                    r.emit_at(
                        "Number",
                        AV065,
                        format!(
                            "CompleteYourBundleDiscountPercentage {n} is not a percentage (allowed: 0 to 100)"
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Terms required by license type and terms that depend on others; the
/// report's pointer is at the transaction. `supplemental` is true for a
/// Supplemental asset (trailers).
pub fn check_license_terms(seen: &Seen, license_type: &str, supplemental: bool, r: &mut Report) {
    let missing = |r: &mut Report, code: Code, d: usize, why: &str| {
        r.emit_at(
            "Terms",
            code,
            format!("term {} is missing; it is required {why}", TERMS[d].name),
        );
    };
    match license_type {
        "POEST" => {
            for d in [ix::SRP, ix::WSP, ix::SUPPRESSION_LIFT_DATE] {
                if !seen.has(d) {
                    missing(r, AV070, d, "for LicenseType POEST");
                }
            }
            for d in [ix::TIER, ix::CATEGORY] {
                if !seen.has(d) {
                    missing(
                        r,
                        AV071,
                        d,
                        "for LicenseType POEST by the reference's table",
                    );
                }
            }
        }
        "SVOD" => {
            let download_yes = seen.text(ix::DOWNLOAD) == Some("Yes");
            for d in [ix::RENTAL_DURATION, ix::WATCH_DURATION] {
                if seen.has(d) {
                    continue;
                }
                if !supplemental {
                    missing(r, AV072, d, "for LicenseType SVOD");
                } else if download_yes {
                    missing(r, AV073, d, "for LicenseType SVOD with Download Yes");
                }
            }
        }
        _ => {}
    }
    if matches!(license_type, "SVOD" | "FVOD")
        && seen
            .channel_identity()
            .filter(|c| !c.trim().is_empty())
            .is_none()
    {
        r.emit_at(
            "Terms",
            AV074,
            format!(
                "term ChannelIdentity is missing or empty; it is required for LicenseType {license_type}"
            ),
        );
    }
    if seen.has(ix::EXCLUSIVE_ATTRIBUTES) && seen.boolean(ix::EXCLUSIVE) != Some(true) {
        r.emit_at(
            "Terms",
            AV061,
            "term ExclusiveAttributes is ignored because Exclusive is not true".to_owned(),
        );
    }
    if seen.has(ix::BRANDING_RIGHTS_ATTRIBUTES) && seen.boolean(ix::BRANDING_RIGHTS) != Some(true) {
        r.emit_at(
            "Terms",
            AV062,
            "term BrandingRightsAttributes is ignored because BrandingRights is not true"
                .to_owned(),
        );
    }
    if seen.text(ix::SPONSORSHIPS) == Some("PermittedWithRestrictions")
        && !seen.has(ix::SPONSORSHIPS_RESTRICTIONS)
    {
        r.emit_at(
            "Terms",
            AV063,
            "sponsorships is PermittedWithRestrictions but no sponsorshipsRestrictions term says which"
                .to_owned(),
        );
    }
    if seen.text(ix::TALENT_GUIDELINES) == Some("ConsultationRequired")
        && !seen.has(ix::TALENT_RESTRICTIONS)
    {
        r.emit_at(
            "Terms",
            AV063,
            "talentAndAmazonAdGuidelines is ConsultationRequired but no talentRestrictions term says which"
                .to_owned(),
        );
    }
}
