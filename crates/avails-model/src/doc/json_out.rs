//! The pieces of compact JSON a [`super::Doc`] is written with, each as
//! `serde_json` writes it.
//!
//! Written here rather than through `serde_json`'s serializer because its
//! string escaping looks up every byte of every string (8 % of the grouping
//! thread's instructions in `convert`): a document whose text needs no
//! escape at all, the usual case, is checked once and its strings copied
//! as they are.

use serde_json::Number;

/// Whether any byte of `text` is one JSON escapes: a control character,
/// a quote or a backslash (what `serde_json` escapes, nothing more).
pub(super) fn needs_escape(text: &[u8]) -> bool {
    // Sixteen bytes at a time, without a branch per byte, so the compiler
    // checks them together; a text needing an escape is rare.
    let flag = |b: u8| u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\');
    let mut chunks = text.chunks_exact(16);
    let found = chunks
        .by_ref()
        .any(|chunk| chunk.iter().fold(0u8, |found, &b| found | flag(b)) != 0);
    found || chunks.remainder().iter().any(|&b| flag(b) != 0)
}

/// Writes `s` as a JSON string; `plain`: it needs no escape.
pub(super) fn string(s: &str, plain: bool, out: &mut Vec<u8>) {
    if plain {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing to a Vec cannot fail, nor can a string be refused.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Writes a number as `serde_json` does.
pub(super) fn number(n: &Number, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, n);
}
