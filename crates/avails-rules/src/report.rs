//! Collecting diagnostics and building JSON pointers without allocating per
//! node: one pointer buffer grows and shrinks as the walk descends.

use crate::Diagnostic;
use avails_model::diagnostic::Code;
use avails_model::doc::{Node, View};

/// Diagnostics found so far and the pointer of the node being looked at.
pub struct Report<'o> {
    out: &'o mut Vec<Diagnostic>,
    ptr: String,
}

impl<'o> Report<'o> {
    /// A report appending to `out`, with pointers starting at `base`.
    pub fn new(out: &'o mut Vec<Diagnostic>, base: &str) -> Self {
        Self {
            out,
            ptr: base.to_owned(),
        }
    }

    /// Current pointer length, to restore with [`Report::truncate`].
    pub fn mark(&self) -> usize {
        self.ptr.len()
    }

    /// Restores the pointer to an earlier [`Report::mark`].
    pub fn truncate(&mut self, mark: usize) {
        self.ptr.truncate(mark);
    }

    /// Appends an object key (escaped per RFC 6901) to the pointer.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.ptr.push('/');
        if !key.bytes().any(|b| b == b'~' || b == b'/') {
            self.ptr.push_str(key);
            return self;
        }
        for c in key.chars() {
            match c {
                '~' => self.ptr.push_str("~0"),
                '/' => self.ptr.push_str("~1"),
                c => self.ptr.push(c),
            }
        }
        self
    }

    /// Appends a key that needs no escaping (a schema attribute's name:
    /// none holds `~` or `/`, which a test of the schema checks).
    pub fn plain_key(&mut self, key: &str) -> &mut Self {
        debug_assert!(!key.contains(['~', '/']), "{key}");
        self.ptr.push('/');
        self.ptr.push_str(key);
        self
    }

    /// Appends an array index to the pointer.
    pub fn index(&mut self, i: usize) -> &mut Self {
        self.ptr.push('/');
        match u8::try_from(i) {
            // Most arrays in a payload are short: no formatting machinery.
            Ok(d @ 0..=9) => self.ptr.push(char::from(b'0' + d)),
            _ => {
                use std::fmt::Write;
                let _ = write!(self.ptr, "{i}");
            }
        }
        self
    }

    /// Emits a diagnostic at the current pointer.
    pub fn emit(&mut self, code: Code, message: String) {
        self.out.push(Diagnostic::of(
            code,
            avails_model::Location::pointer(self.ptr.clone()),
            message,
        ));
    }

    /// Emits a diagnostic at the current pointer plus `key`.
    pub fn emit_at(&mut self, key: &str, code: Code, message: String) {
        let m = self.mark();
        self.key(key);
        self.emit(code, message);
        self.truncate(m);
    }
}

/// A short description of a JSON value for messages: its type and, for
/// scalars, the value (`string "8.99"`, `number 3`, `object`).
pub fn describe(v: Node) -> String {
    match v.view() {
        View::Null => "null".to_owned(),
        View::Bool(b) => format!("boolean {b}"),
        View::Number(n) => format!("number {n}"),
        View::String(s) => format!("string {}", quote(s)),
        View::Array(a) => format!("array of {}", a.len()),
        View::Object(_) => "object".to_owned(),
    }
}

/// `s` in backticks, cut past 80 characters with its full length
/// (`avails_model::text::quote`).
pub fn quote(s: &str) -> String {
    avails_model::text::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use avails_model::diagnostic::codes::AV005;

    #[test]
    fn pointers_escape_keys_and_write_every_index() {
        let mut out = Vec::new();
        let mut r = Report::new(&mut out, "/avail");
        let m = r.mark();
        r.key("Transaction").index(0).key("a/b~c").index(9);
        r.emit(AV005, String::new());
        r.truncate(m);
        r.key("Transaction").index(10).key("Terms").index(123);
        r.emit(AV005, String::new());
        let pointers: Vec<&str> = out.iter().map(|d| d.pointer()).collect();
        assert_eq!(
            pointers,
            [
                "/avail/Transaction/0/a~1b~0c/9",
                "/avail/Transaction/10/Terms/123"
            ]
        );
    }
}
