//! Pairing the sheet's transactions with the server's.

use avails_model::AvailTrans;

use crate::values::same_datetime;

/// Pairs `(sheet index, server index)` and the unmatched indexes of each side.
#[derive(Debug, Default, PartialEq)]
pub struct Matching {
    /// Matched pairs, in sheet order.
    pub pairs: Vec<(usize, usize)>,
    /// Sheet transactions with no server counterpart.
    pub sheet_only: Vec<usize>,
    /// Server transactions with no sheet counterpart.
    pub server_only: Vec<usize>,
}

/// The ChannelIdentity term's text, if any.
pub fn channel(t: &AvailTrans) -> Option<&str> {
    t.term("ChannelIdentity").and_then(|x| x.text.as_deref())
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    fn norm(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    match (norm(a), norm(b)) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    }
}

/// Whether two transactions have the same natural key: LicenseType,
/// FormatProfile, ChannelIdentity and Start (as an instant).
pub fn same_natural_key(a: &AvailTrans, b: &AvailTrans) -> bool {
    same_text(a.license_type.as_deref(), b.license_type.as_deref())
        && same_text(
            a.format_profile.as_ref().map(|f| f.value.as_str()),
            b.format_profile.as_ref().map(|f| f.value.as_str()),
        )
        && same_text(channel(a), channel(b))
        && match (&a.start, &b.start) {
            (Some(x), Some(y)) => same_datetime(x, y),
            (None, None) => true,
            _ => false,
        }
}

/// Matches by `_TransactionID` first, then by natural key, in order.
pub fn match_transactions(sheet: &[AvailTrans], server: &[AvailTrans]) -> Matching {
    let mut taken = vec![false; server.len()];
    let mut matched: Vec<Option<usize>> = vec![None; sheet.len()];
    let id = |t: &AvailTrans| {
        t.transaction_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    for (i, s) in sheet.iter().enumerate() {
        let Some(sid) = id(s) else { continue };
        if let Some(j) =
            (0..server.len()).find(|&j| !taken[j] && id(&server[j]) == Some(sid.clone()))
        {
            taken[j] = true;
            matched[i] = Some(j);
        }
    }
    for (i, s) in sheet.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        // An ID on both sides that differs is a different window.
        let candidate = (0..server.len()).find(|&j| {
            let both_have_ids = id(s).is_some() && id(&server[j]).is_some();
            !taken[j] && !both_have_ids && same_natural_key(s, &server[j])
        });
        if let Some(j) = candidate {
            taken[j] = true;
            matched[i] = Some(j);
        }
    }
    let mut out = Matching::default();
    for (i, m) in matched.into_iter().enumerate() {
        match m {
            Some(j) => out.pairs.push((i, j)),
            None => out.sheet_only.push(i),
        }
    }
    out.server_only = (0..server.len()).filter(|&j| !taken[j]).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use avails_model::{FormatProfile, Term};

    fn t(id: Option<&str>, lt: &str, fp: &str, start: &str) -> AvailTrans {
        AvailTrans {
            transaction_id: id.map(str::to_string),
            license_type: Some(lt.into()),
            format_profile: Some(FormatProfile {
                value: fp.into(),
                ..Default::default()
            }),
            start: Some(start.into()),
            ..Default::default()
        }
    }

    #[test]
    fn matches_by_transaction_id_whatever_the_order_and_key() {
        let sheet = vec![
            t(Some("a"), "EST", "HD", "2020-01-01T00:00:00Z"),
            t(Some("b"), "EST", "SD", "2020-01-01T00:00:00Z"),
        ];
        // Same IDs, swapped, one with another Start: still matched by ID.
        let server = vec![
            t(Some("b"), "EST", "SD", "2020-01-01T00:00:00Z"),
            t(Some("a"), "EST", "HD", "2021-01-01T00:00:00Z"),
        ];
        let m = match_transactions(&sheet, &server);
        assert_eq!(m.pairs, vec![(0, 1), (1, 0)]);
        assert!(m.sheet_only.is_empty() && m.server_only.is_empty());
    }

    #[test]
    fn matches_by_natural_key_without_ids() {
        let mut a = t(None, "SVOD", "HD", "2023-03-14T09:00:00Z");
        a.terms = Some(vec![Term {
            text: Some("prime".into()),
            ..Term::named("ChannelIdentity")
        }]);
        let mut b = t(None, "svod", "HD", "2023-03-14T10:00:00+01:00");
        b.terms = Some(vec![Term {
            text: Some("Prime".into()),
            ..Term::named("channelidentity")
        }]);
        let other = t(None, "SVOD", "UHD", "2023-03-14T09:00:00Z");
        let m = match_transactions(&[a.clone()], &[other.clone(), b]);
        assert_eq!(m.pairs, vec![(0, 1)]);
        assert_eq!(m.server_only, vec![0]);
        // A different channel is a different window.
        let mut c = a.clone();
        c.terms.as_mut().unwrap()[0].text = Some("mgm".into());
        let m = match_transactions(&[a], &[c]);
        assert_eq!((m.sheet_only, m.server_only), (vec![0], vec![0]));
    }

    #[test]
    fn different_ids_do_not_match_by_key() {
        let a = t(Some("x"), "EST", "HD", "2020-01-01T00:00:00Z");
        let b = t(Some("y"), "EST", "HD", "2020-01-01T00:00:00Z");
        let m = match_transactions(&[a], &[b]);
        assert!(m.pairs.is_empty());
    }
}
