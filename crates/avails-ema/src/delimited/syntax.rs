//! The strict CSV grammar (RFC 4180, as Excel writes it), over bytes.
//!
//! The `csv` crate is lenient by design: an unclosed quote silently runs on
//! to the next quote of a later row, swallowing the rows between, and it
//! reports no error for it. This tokenizer accepts what Excel writes and
//! refuses the rest, at its line:
//!
//! - a field is quoted only when its first byte is `"`; inside, `""` is a
//!   quote and line breaks are text (a cell that spans lines);
//! - a closing quote must be followed by the delimiter, a line break or the
//!   end of the file; anything else ([`SyntaxError::TextAfterQuote`]) means
//!   the quote was not the end of the cell, that is, a quote is unbalanced;
//! - the file must not end inside a quoted field ([`SyntaxError::Unclosed`]);
//! - a `"` inside an unquoted field is kept as text (as Excel reads it);
//! - lines end with LF, CRLF or a lone CR (old Mac files); a blank line is a
//!   record of one empty field, so record numbers stay line numbers until a
//!   cell spans lines.
//!
//! It works on bytes; every delimiter, quote and line break is ASCII, so the
//! same grammar holds for UTF-8 and for Windows-1252 (UTF-16 is transcoded
//! to UTF-8 before it gets here).

use std::io::BufRead;

/// One record: its fields' bytes and the lines they came from.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    field_lines: Vec<u64>,
    /// The 1-based line the record starts on.
    pub first_line: u64,
    /// The 1-based line the record ends on.
    pub last_line: u64,
}

impl RawRecord {
    /// How many fields the record has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of field `i`.
    pub fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The line field `i` starts on.
    pub fn field_line(&self, i: usize) -> u64 {
        self.field_lines[i]
    }

    fn clear(&mut self, line: u64) {
        self.bytes.clear();
        self.ends.clear();
        self.field_lines.clear();
        self.first_line = line;
        self.last_line = line;
    }
}

/// Where the text stops being a table.
#[derive(Debug)]
pub(crate) enum SyntaxError {
    /// The file ends inside the quoted field that starts at `line`.
    Unclosed {
        /// The line the quoted field starts on.
        line: u64,
        /// The 0-based field index.
        field: usize,
    },
    /// The quoted field that starts at `line` is closed at `close_line`
    /// by a quote followed by `found`, not by a delimiter or line break.
    TextAfterQuote {
        /// The line the quoted field starts on.
        line: u64,
        /// The 0-based field index.
        field: usize,
        /// The line of the quote that is followed by text.
        close_line: u64,
        /// The byte after that quote.
        found: u8,
    },
    /// The record that starts at `line` is longer than `limit` bytes.
    TooLong {
        /// The line the record starts on.
        line: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The record that starts at `line` has more than `max` fields.
    TooWide {
        /// The line the record starts on.
        line: u64,
        /// The most fields a record may have.
        max: usize,
    },
    /// The file could not be read.
    Io(std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// A quote inside a quoted field: the end of the field, or the first of `""`.
    QuoteInQuoted,
}

/// Reads records one at a time.
pub(crate) struct Tokenizer<R> {
    input: R,
    machine: Machine,
    /// The most bytes one record may take (line breaks included).
    max_bytes: u64,
    /// The most fields one record may have.
    max_fields: usize,
}

struct Machine {
    delimiter: u8,
    state: State,
    /// The line of the next byte.
    line: u64,
    /// The previous byte was a CR ending a line: a LF right after belongs to it.
    after_cr: bool,
    /// Any byte of the current record was read.
    started: bool,
}

enum Step {
    More,
    EndOfRecord,
}

impl<R: BufRead> Tokenizer<R> {
    /// A tokenizer of `input` splitting fields at `delimiter`.
    pub fn new(input: R, delimiter: u8) -> Self {
        Self {
            input,
            machine: Machine {
                delimiter,
                state: State::FieldStart,
                line: 1,
                after_cr: false,
                started: false,
            },
            max_bytes: u64::MAX,
            max_fields: usize::MAX,
        }
    }

    /// Refuses a record of more than `max_bytes` bytes or `max_fields`
    /// fields, checked as it is read, so a file that never ends a line
    /// (`/dev/zero`) or a line of delimiters holds a bounded buffer.
    pub fn with_limits(mut self, max_bytes: u64, max_fields: usize) -> Self {
        self.max_bytes = max_bytes;
        self.max_fields = max_fields;
        self
    }

    /// The delimiter.
    #[cfg(test)]
    pub fn delimiter(&self) -> u8 {
        self.machine.delimiter
    }

    /// Reads the next record into `rec`; false at the end of the input.
    pub fn read(&mut self, rec: &mut RawRecord) -> Result<bool, SyntaxError> {
        let m = &mut self.machine;
        rec.clear(m.line);
        m.state = State::FieldStart;
        m.started = false;
        let mut taken: u64 = 0;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SyntaxError::Io(e)),
            };
            if chunk.is_empty() {
                return m.end_of_input(rec);
            }
            let mut used = 0;
            let mut ended = false;
            for &b in chunk {
                used += 1;
                if let Step::EndOfRecord = m.step(b, rec)? {
                    ended = true;
                    break;
                }
            }
            self.input.consume(used);
            if ended {
                return Ok(true);
            }
            taken += used as u64;
            if taken > self.max_bytes {
                return Err(SyntaxError::TooLong {
                    line: rec.first_line,
                    limit: self.max_bytes,
                });
            }
            if rec.ends.len() > self.max_fields {
                return Err(SyntaxError::TooWide {
                    line: rec.first_line,
                    max: self.max_fields,
                });
            }
        }
    }
}

impl Machine {
    fn step(&mut self, b: u8, rec: &mut RawRecord) -> Result<Step, SyntaxError> {
        if self.after_cr {
            self.after_cr = false;
            if b == b'\n' {
                // The LF of a CRLF: inside a quoted field it is text, else
                // the line break was already taken.
                if self.state == State::Quoted {
                    rec.bytes.push(b);
                }
                return Ok(Step::More);
            }
        }
        if !self.started {
            self.started = true;
            rec.field_lines.push(self.line);
        }
        match self.state {
            State::FieldStart if b == b'"' => self.state = State::Quoted,
            State::FieldStart | State::Unquoted => {
                if b == self.delimiter {
                    self.end_field(rec);
                } else if b == b'\n' || b == b'\r' {
                    return Ok(self.end_line(b, rec));
                } else {
                    self.state = State::Unquoted;
                    rec.bytes.push(b);
                }
            }
            State::Quoted => {
                if b == b'"' {
                    self.state = State::QuoteInQuoted;
                } else {
                    if b == b'\n' || b == b'\r' {
                        self.line += 1;
                        self.after_cr = b == b'\r';
                    }
                    rec.bytes.push(b);
                }
            }
            State::QuoteInQuoted => {
                if b == b'"' {
                    rec.bytes.push(b);
                    self.state = State::Quoted;
                } else if b == self.delimiter {
                    self.end_field(rec);
                } else if b == b'\n' || b == b'\r' {
                    return Ok(self.end_line(b, rec));
                } else {
                    return Err(SyntaxError::TextAfterQuote {
                        line: rec.field_lines[rec.ends.len()],
                        field: rec.ends.len(),
                        close_line: self.line,
                        found: b,
                    });
                }
            }
        }
        Ok(Step::More)
    }

    fn end_field(&mut self, rec: &mut RawRecord) {
        rec.ends.push(rec.bytes.len());
        rec.field_lines.push(self.line);
        self.state = State::FieldStart;
    }

    fn end_line(&mut self, b: u8, rec: &mut RawRecord) -> Step {
        rec.ends.push(rec.bytes.len());
        rec.last_line = self.line;
        self.line += 1;
        self.after_cr = b == b'\r';
        Step::EndOfRecord
    }

    fn end_of_input(&mut self, rec: &mut RawRecord) -> Result<bool, SyntaxError> {
        if !self.started {
            return Ok(false);
        }
        if self.state == State::Quoted {
            return Err(SyntaxError::Unclosed {
                line: rec.field_lines[rec.ends.len()],
                field: rec.ends.len(),
            });
        }
        rec.ends.push(rec.bytes.len());
        rec.last_line = self.line;
        self.started = false;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` as (first line, last line, fields).
    fn records(text: &str) -> Result<Vec<(u64, u64, Vec<String>)>, String> {
        let mut t = Tokenizer::new(text.as_bytes(), b',');
        assert_eq!(t.delimiter(), b',');
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        loop {
            match t.read(&mut rec) {
                Ok(false) => return Ok(out),
                Ok(true) => out.push((
                    rec.first_line,
                    rec.last_line,
                    (0..rec.len())
                        .map(|i| String::from_utf8(rec.field(i).to_vec()).unwrap())
                        .collect(),
                )),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
    }

    fn fields(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(
            records("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n").unwrap(),
            vec![
                (1, 1, fields(&["a", "b", "c"])),
                (2, 2, fields(&["1", "x, y", "say \"hi\""])),
            ]
        );
    }

    #[test]
    fn line_endings_crlf_cr_and_none() {
        assert_eq!(
            records("a,b\r\nc,d\re,f").unwrap(),
            vec![
                (1, 1, fields(&["a", "b"])),
                (2, 2, fields(&["c", "d"])),
                (3, 3, fields(&["e", "f"])),
            ]
        );
        assert_eq!(records("").unwrap(), vec![]);
        assert_eq!(records("a,\n").unwrap(), vec![(1, 1, fields(&["a", ""]))]);
    }

    #[test]
    fn blank_lines_are_records_so_lines_stay_rows() {
        assert_eq!(
            records("a\n\nb\n").unwrap(),
            vec![
                (1, 1, fields(&["a"])),
                (2, 2, fields(&[""])),
                (3, 3, fields(&["b"])),
            ]
        );
    }

    #[test]
    fn a_quoted_cell_may_span_lines() {
        assert_eq!(
            records("a,\"one\r\ntwo\nthree\",b\nc\n").unwrap(),
            vec![
                (1, 3, fields(&["a", "one\r\ntwo\nthree", "b"])),
                (4, 4, fields(&["c"])),
            ]
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        assert_eq!(
            records("5\" screen,b\n").unwrap(),
            vec![(1, 1, fields(&["5\" screen", "b"]))]
        );
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_its_line_and_field() {
        let e = records("a,b\nc,\"d\ne,f\n").unwrap_err();
        assert_eq!(e, "Unclosed { line: 2, field: 1 }");
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error_at_the_opening() {
        // The quote opened on line 2 runs on to the quote of line 3.
        let e = records("a,b,c\n1,\"x,3\n4,\"y\",6\n").unwrap_err();
        assert_eq!(
            e,
            "TextAfterQuote { line: 2, field: 1, close_line: 3, found: 121 }"
        );
        let e = records("\"ab\"c,d\n").unwrap_err();
        assert_eq!(
            e,
            "TextAfterQuote { line: 1, field: 0, close_line: 1, found: 99 }"
        );
    }

    #[test]
    fn records_split_across_buffer_boundaries() {
        let text = "a,\"b\r\nc\",d\r\ne,f\r\n";
        let reader = std::io::BufReader::with_capacity(1, text.as_bytes());
        let mut t = Tokenizer::new(reader, b',');
        let mut rec = RawRecord::default();
        assert!(t.read(&mut rec).unwrap());
        assert_eq!((rec.first_line, rec.last_line, rec.len()), (1, 2, 3));
        assert_eq!(rec.field(1), b"b\r\nc");
        assert_eq!(rec.field_line(2), 2);
        assert!(t.read(&mut rec).unwrap());
        assert_eq!((rec.first_line, rec.field(0)), (3, &b"e"[..]));
        assert!(!t.read(&mut rec).unwrap());
    }
}
