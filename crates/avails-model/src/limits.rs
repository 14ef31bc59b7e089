//! The bounds on what one input file may make the readers inflate, read or
//! hold, so that a hostile or broken file (a decompression bomb, a symlink
//! to `/dev/zero`, a cell of a gigabyte) ends in an error naming the limit
//! instead of exhausting memory.
//!
//! Each limit is owned here, once: its default, what it bounds, and the
//! environment variable that raises it (a whole number of MiB). The readers
//! (`avails-ema`, `avails-mddf` input, payload JSON) ask [`Limit::bytes`] and
//! word their errors with [`Limit::exceeded`].
//!
//! [`XmlRuns`] is the scanner the XML readers share: it follows XML's
//! markup byte by byte, in constant memory, and reports the first text,
//! tag, comment or CDATA run longer than [`VALUE`].

/// One bound on an input, raised by an environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What it bounds, for messages ("one part of an XLSX workbook").
    pub what: &'static str,
    /// The environment variable that sets it, in MiB.
    pub env: &'static str,
    /// The default, in MiB.
    pub default_mib: u64,
}

/// One MiB.
const MIB: u64 = 1024 * 1024;

/// One part (file) of an XLSX package once inflated. Worksheets are
/// streamed, so this bounds time, not memory: a million-row EMA sheet of
/// 43 columns is about 1 GB of XML, and 2 GiB leaves it twice that room.
pub const XLSX_PART: Limit = Limit {
    what: "one part of an XLSX workbook, inflated",
    env: "AVAILS_MAX_XLSX_PART_MIB",
    default_mib: 2048,
};

/// One part of an XLSX package the spreadsheet library holds whole (every
/// part but the worksheets: shared strings, styles, the workbook,
/// relationships), once inflated. A million-row workbook saved by Excel
/// (every text a shared string) has well under 256 MiB of shared strings.
pub const XLSX_TABLE: Limit = Limit {
    what: "one part of an XLSX workbook held whole (shared strings, styles, workbook), inflated",
    env: "AVAILS_MAX_XLSX_TABLE_MIB",
    default_mib: 256,
};

/// One value of an XML file (an XLSX part or MDDF): a text, a tag with its
/// attributes, a comment or a CDATA section. Excel holds at most 32,767
/// characters in a cell (under 200 KB even with every character escaped);
/// 4 MiB leaves room for any tool's indentation or long attribute.
pub const VALUE: Limit = Limit {
    what: "one value (cell, text, tag or comment) of an XML file",
    env: "AVAILS_MAX_VALUE_MIB",
    default_mib: 4,
};

/// One row (record) of a CSV file, all its cells and line breaks included.
/// An EMA row is a few KB; a sheet's widest row (16,384 cells of Excel's
/// longest text) would not fit, but no EMA row comes near it.
pub const CSV_ROW: Limit = Limit {
    what: "one row of a CSV file",
    env: "AVAILS_MAX_CSV_ROW_MIB",
    default_mib: 16,
};

/// One JSON document: a payload file read whole, a batch request, one
/// NDJSON line or one element of an array of payloads. One payload (an
/// ALID in one territory and business line) is KBs; a batch of them MBs.
pub const JSON_DOCUMENT: Limit = Limit {
    what: "one JSON document (a file, an NDJSON line or an array element)",
    env: "AVAILS_MAX_JSON_MIB",
    default_mib: 64,
};

/// One MDDF XML file, which is read whole (its tree takes a few times its
/// size). A catalogue of 100,000 avails is about 200 MB.
pub const XML_FILE: Limit = Limit {
    what: "one MDDF XML file",
    env: "AVAILS_MAX_XML_MIB",
    default_mib: 512,
};

/// Every limit, for documentation and tests.
pub const ALL: [Limit; 6] = [
    XLSX_PART,
    XLSX_TABLE,
    VALUE,
    CSV_ROW,
    JSON_DOCUMENT,
    XML_FILE,
];

/// A limit's environment variable does not hold a whole number of MiB.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{env}={value}: expected a whole number of MiB, at least 1 (the limit on {what}; default {default})")]
pub struct LimitError {
    /// The variable.
    pub env: &'static str,
    /// What it holds (shortened).
    pub value: String,
    /// What the limit bounds.
    pub what: &'static str,
    /// The default, in MiB.
    pub default: u64,
}

impl Limit {
    /// The limit in bytes: the environment variable's MiB when it is set,
    /// else the default.
    pub fn bytes(&self) -> Result<u64, LimitError> {
        match std::env::var_os(self.env) {
            None => Ok(self.default_mib * MIB),
            Some(raw) => self.parse(&raw.to_string_lossy()),
        }
    }

    /// `value` (MiB) as bytes.
    fn parse(&self, value: &str) -> Result<u64, LimitError> {
        value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&mib| mib >= 1)
            .and_then(|mib| mib.checked_mul(MIB))
            .ok_or_else(|| LimitError {
                env: self.env,
                value: crate::text::shorten_to(value, 40),
                what: self.what,
                default: self.default_mib,
            })
    }

    /// The end of a message saying `found` is over the limit of `bytes`:
    /// `more than 4 MiB, the limit on one value ...; if the file is genuine,
    /// raise it with AVAILS_MAX_VALUE_MIB=8`.
    pub fn exceeded(&self, bytes: u64) -> String {
        let mib = bytes.div_ceil(MIB).max(1);
        format!(
            "more than {} MiB, the limit on {}; if the file is genuine, raise it with {}={}",
            crate::text::thousands(mib as usize),
            self.what,
            self.env,
            mib.saturating_mul(2)
        )
    }
}

/// What [`XmlRuns`] found over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Text between tags (white space included).
    Text,
    /// A tag with its attributes, or a declaration.
    Tag,
    /// A comment.
    Comment,
    /// A CDATA section.
    Cdata,
}

impl RunKind {
    /// How a message names it.
    pub fn name(self) -> &'static str {
        match self {
            RunKind::Text => "a text (or white space) between tags",
            RunKind::Tag => "a tag",
            RunKind::Comment => "a comment",
            RunKind::Cdata => "a CDATA section",
        }
    }
}

/// Where the scanner is in the markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// After `<` and this many bytes of `![CDATA[` or `!--`: which markup
    /// it opens is not known yet.
    Open(u8),
    Tag,
    Quoted(u8),
    Comment,
    Cdata,
}

/// What follows `<` in a CDATA section; a comment's `!--` shares the `!`.
const CDATA_OPEN: &[u8] = b"![CDATA[";

/// Follows XML markup over bytes given in any chunks, in constant memory,
/// and reports the first run (text, tag, comment, CDATA section) longer
/// than its limit: a streamed XML parser holds each such run whole, so
/// the longest run bounds its memory. Quotes inside tags are followed, so
/// a `>` in an attribute value does not end the tag.
#[derive(Debug, Clone)]
pub struct XmlRuns {
    limit: u64,
    state: State,
    /// Bytes of the current run so far.
    run: u64,
    /// The last two bytes of a comment or CDATA section, to find `-->`
    /// or `]]>` across chunks.
    last2: [u8; 2],
}

impl XmlRuns {
    /// A scanner refusing runs over `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            state: State::Text,
            run: 0,
            last2: [0; 2],
        }
    }

    /// Scans the next bytes; the first run over the limit ends the scan.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), RunKind> {
        let mut rest = bytes;
        while !rest.is_empty() {
            // How many bytes belong to the current state, and the state
            // after them (None: the same).
            let (used, next) = match self.state {
                State::Text => match memchr::memchr(b'<', rest) {
                    Some(i) => (i + 1, Some(State::Open(0))),
                    None => (rest.len(), None),
                },
                State::Open(matched) => {
                    let b = rest[0];
                    let m = usize::from(matched);
                    if m < CDATA_OPEN.len() && b == CDATA_OPEN[m] {
                        let next = if m + 1 == CDATA_OPEN.len() {
                            State::Cdata
                        } else {
                            State::Open(matched + 1)
                        };
                        (1, Some(next))
                    } else if m == 1 && b == b'-' {
                        // `<!-`: a comment once the second `-` follows.
                        (1, Some(State::Open(u8::MAX)))
                    } else if matched == u8::MAX && b == b'-' {
                        (1, Some(State::Comment))
                    } else {
                        // Any other markup is a tag (or a declaration) to
                        // its `>`: this byte is looked at again there.
                        (0, Some(State::Tag))
                    }
                }
                State::Tag => match memchr::memchr3(b'>', b'"', b'\'', rest) {
                    Some(i) if rest[i] == b'>' => (i + 1, Some(State::Text)),
                    Some(i) => (i + 1, Some(State::Quoted(rest[i]))),
                    None => (rest.len(), None),
                },
                State::Quoted(q) => match memchr::memchr(q, rest) {
                    Some(i) => (i + 1, Some(State::Tag)),
                    None => (rest.len(), None),
                },
                State::Comment => self.until_close(rest, b'-'),
                State::Cdata => self.until_close(rest, b']'),
            };
            self.run += used as u64;
            self.check()?;
            if let Some(next) = next {
                match (self.state, next) {
                    // A markup ended: a text starts.
                    (_, State::Text) => self.run = 0,
                    // A text ended at `<`: the markup's run has that byte.
                    (State::Text, _) => self.run = 1,
                    _ => {}
                }
                if matches!(next, State::Comment | State::Cdata) {
                    self.last2 = [0; 2];
                }
                self.state = next;
            }
            rest = &rest[used..];
        }
        Ok(())
    }

    /// The bytes of a comment or CDATA section up to its end (`-->` or
    /// `]]>`, `close` twice then `>`), or all of `rest`.
    fn until_close(&mut self, rest: &[u8], close: u8) -> (usize, Option<State>) {
        let mut from = 0;
        while let Some(i) = memchr::memchr(b'>', &rest[from..]) {
            let at = from + i;
            let before = |k: usize| -> u8 {
                if at >= k {
                    rest[at - k]
                } else {
                    self.last2[2 + at - k]
                }
            };
            if before(1) == close && before(2) == close {
                return (at + 1, Some(State::Text));
            }
            from = at + 1;
        }
        let n = rest.len();
        self.last2 = if n >= 2 {
            [rest[n - 2], rest[n - 1]]
        } else {
            [self.last2[1], rest[0]]
        };
        (n, None)
    }

    fn check(&self) -> Result<(), RunKind> {
        if self.run <= self.limit {
            return Ok(());
        }
        Err(match self.state {
            State::Text => RunKind::Text,
            State::Open(_) | State::Tag | State::Quoted(_) => RunKind::Tag,
            State::Comment => RunKind::Comment,
            State::Cdata => RunKind::Cdata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(limit: u64, chunks: &[&[u8]]) -> Result<(), RunKind> {
        let mut s = XmlRuns::new(limit);
        chunks.iter().try_for_each(|c| s.feed(c))
    }

    #[test]
    fn short_runs_pass_whatever_the_chunking() {
        let xml = br#"<?xml version="1.0"?><a b="x>y"><!-- c<d --><![CDATA[<e>]]>text</a>"#;
        assert_eq!(scan(24, &[xml]), Ok(()));
        let bytes: Vec<&[u8]> = xml.chunks(1).collect();
        assert_eq!(scan(24, &bytes), Ok(()));
        // A comment's end is found byte by byte too: its run is then short.
        let long_after = [&xml[..], &[b'x'; 30][..]].concat();
        let bytes: Vec<&[u8]> = long_after.chunks(1).collect();
        assert_eq!(scan(24, &bytes), Err(RunKind::Text));
        for cut in 0..xml.len() {
            assert_eq!(
                scan(24, &[&xml[..cut], &xml[cut..]]),
                Ok(()),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn each_kind_of_run_is_bounded() {
        let long = "x".repeat(100);
        let text = format!("<a>{long}</a>");
        assert_eq!(scan(50, &[text.as_bytes()]), Err(RunKind::Text));
        let tag = format!(r#"<a b="{long}">"#);
        assert_eq!(scan(50, &[tag.as_bytes()]), Err(RunKind::Tag));
        let quoted_gt = format!(r#"<a b="{}">"#, "<>".repeat(50));
        let quoted_lt = format!(r#"<a b='{}'>"#, "<".repeat(100));
        assert_eq!(scan(50, &[quoted_lt.as_bytes()]), Err(RunKind::Tag));
        assert_eq!(scan(50, &[quoted_gt.as_bytes()]), Err(RunKind::Tag));
        let comment = format!("<a><!--{}--></a>", "<a>".repeat(30));
        assert_eq!(scan(50, &[comment.as_bytes()]), Err(RunKind::Comment));
        let cdata = format!("<a><![CDATA[{}]]></a>", "<a>".repeat(30));
        assert_eq!(scan(50, &[cdata.as_bytes()]), Err(RunKind::Cdata));
        // White space is a text like any other, and so is a file without markup.
        assert_eq!(scan(50, &[&[b' '; 51]]), Err(RunKind::Text));
        assert_eq!(scan(50, &[&[0u8; 30], &[0u8; 30]]), Err(RunKind::Text));
        assert_eq!(scan(50, &[&[0u8; 50]]), Ok(()));
    }

    #[test]
    fn a_limit_is_read_from_its_variable_in_mib() {
        assert_eq!(VALUE.parse("8"), Ok(8 * MIB));
        assert_eq!(VALUE.parse(" 1 "), Ok(MIB));
        for bad in ["0", "-1", "4.5", "four", "", "99999999999999999999"] {
            let e = VALUE.parse(bad).unwrap_err();
            assert!(e.to_string().starts_with("AVAILS_MAX_VALUE_MIB="), "{e}");
        }
    }

    #[test]
    fn the_message_names_the_limit_and_how_to_raise_it() {
        let m = XLSX_PART.exceeded(2048 * MIB);
        assert_eq!(
            m,
            "more than 2,048 MiB, the limit on one part of an XLSX workbook, inflated; \
             if the file is genuine, raise it with AVAILS_MAX_XLSX_PART_MIB=4096"
        );
        let names: std::collections::BTreeSet<_> = ALL.iter().map(|l| l.env).collect();
        assert_eq!(names.len(), ALL.len(), "one variable per limit");
    }
}
