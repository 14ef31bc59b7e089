//! Which text encoding a CSV file is in, and turning its fields into text.
//!
//! Excel saves CSV in three encodings: "CSV UTF-8" (with a byte-order mark),
//! "CSV" (the Windows code page, Windows-1252 in Western Europe and the
//! Americas) and "Unicode Text" (UTF-16 little-endian with a byte-order
//! mark, tab-separated). All three are read:
//!
//! - a byte-order mark names UTF-8, UTF-16LE or UTF-16BE (UTF-32 is refused
//!   by name); without one, NUL bytes in every other position of the first
//!   bytes mean UTF-16 (LE or BE by their side). UTF-16 is transcoded to
//!   UTF-8 as it streams;
//! - otherwise a field is UTF-8 if it is valid UTF-8. The first field that is
//!   not makes the file Windows-1252 (Latin-1 is its subset) if no field
//!   before had UTF-8 beyond ASCII: ASCII reads the same in both, so nothing
//!   read before changes meaning. From then on a field that is valid UTF-8
//!   beyond ASCII is an error (the file mixes encodings), and so is a byte
//!   Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D: another
//!   code page, such as Shift-JIS);
//! - a byte that is not UTF-8 after UTF-8 text, a NUL character, or an
//!   undecodable UTF-16 unit is an error at its line and column.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding named by a byte-order mark or by the pattern of NUL bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    /// UTF-8, or Windows-1252 if a field proves it is not UTF-8. `bom`: the
    /// file starts with a UTF-8 byte-order mark, so it is UTF-8 for sure.
    Utf8 {
        /// The file starts with a UTF-8 byte-order mark.
        bom: bool,
    },
    /// UTF-16, transcoded to UTF-8 before parsing.
    Utf16 {
        /// Big-endian (else little-endian).
        big_endian: bool,
    },
}

/// The encoding of a file from its first bytes, and the length of its
/// byte-order mark; an error names an encoding that is not read.
pub(crate) fn detect(head: &[u8]) -> Result<(Detected, usize), &'static str> {
    if head.starts_with(&[0xFF, 0xFE, 0, 0]) || head.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err("the file is UTF-32 text, which avails does not read; save it as CSV UTF-8");
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Detected::Utf8 { bom: true }, 3));
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok((Detected::Utf16 { big_endian: false }, 2));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok((Detected::Utf16 { big_endian: true }, 2));
    }
    // UTF-16 without a mark: ASCII text has a NUL in every other byte.
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let even = head
            .iter()
            .step_by(2)
            .take(pairs)
            .filter(|&&b| b == 0)
            .count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let mostly = |n: usize| n * 10 >= pairs * 4;
        let rarely = |n: usize| n * 20 <= pairs;
        if mostly(odd) && rarely(even) {
            return Ok((Detected::Utf16 { big_endian: false }, 0));
        }
        if mostly(even) && rarely(odd) {
            return Ok((Detected::Utf16 { big_endian: true }, 0));
        }
    }
    Ok((Detected::Utf8 { bom: false }, 0))
}

/// Streams UTF-16 as UTF-8. An undecodable unit (an unpaired surrogate)
/// becomes U+FFFD, which [`FieldDecoder`] refuses in a UTF-16 file.
pub(crate) struct Utf16Reader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_len: usize,
    output: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// A reader of `inner`, which is past any byte-order mark.
    pub fn new(inner: R, big_endian: bool) -> Self {
        let encoding = if big_endian { UTF_16BE } else { UTF_16LE };
        const CHUNK: usize = 16 * 1024;
        Self {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            in_len: 0,
            output: vec![0; CHUNK * 3 / 2 + 16],
            out_pos: 0,
            out_len: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out_len {
            if self.done {
                return Ok(0);
            }
            let n = loop {
                match self.inner.read(&mut self.input[self.in_len..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.in_len += n;
            let last = n == 0;
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.input[..self.in_len], &mut self.output, last);
            self.input.copy_within(read..self.in_len, 0);
            self.in_len -= read;
            self.out_pos = 0;
            self.out_len = written;
            if last && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// A field that cannot be read as text, at a byte offset inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeProblem {
    /// Byte offset inside the field.
    pub offset: usize,
    /// What is wrong and what to do.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// UTF-8 until a field says otherwise; `since` is the first line with
    /// UTF-8 beyond ASCII (after which the file is UTF-8 for sure).
    Utf8 { sure: bool, since: Option<u64> },
    /// Windows-1252, since the field at `since` was not UTF-8.
    Windows1252 { since: u64 },
    /// Transcoded from UTF-16.
    Utf16,
}

/// Turns fields into text, settling the encoding as it goes.
pub(crate) struct FieldDecoder {
    mode: Mode,
}

impl FieldDecoder {
    /// A decoder for a file detected as `detected`.
    pub fn new(detected: Detected) -> Self {
        let mode = match detected {
            Detected::Utf8 { bom } => Mode::Utf8 {
                sure: bom,
                since: None,
            },
            Detected::Utf16 { .. } => Mode::Utf16,
        };
        Self { mode }
    }

    /// The encoding the file is read in so far.
    #[cfg(test)]
    pub fn encoding_name(&self) -> &'static str {
        match self.mode {
            Mode::Utf8 { .. } => "UTF-8",
            Mode::Windows1252 { .. } => "Windows-1252",
            Mode::Utf16 => "UTF-16",
        }
    }

    /// The text of a field that starts on `line`.
    pub fn decode(&mut self, bytes: &[u8], line: u64) -> Result<String, DecodeProblem> {
        // A NUL is byte 0 in UTF-8, in Windows-1252 and in UTF-16 once
        // transcoded, so its offset is found in the bytes.
        if let Some(offset) = bytes.iter().position(|&b| b == 0) {
            return Err(DecodeProblem {
                offset,
                message: "a NUL character (byte 0x00): the file is not plain text (UTF-16 \
                          without a byte-order mark, or binary); save it as CSV UTF-8"
                    .into(),
            });
        }
        self.text(bytes, line)
    }

    fn text(&mut self, bytes: &[u8], line: u64) -> Result<String, DecodeProblem> {
        if bytes.is_ascii() {
            // ASCII is the same text in every encoding read here.
            return Ok(String::from_utf8(bytes.to_vec()).expect("ASCII is UTF-8"));
        }
        match self.mode {
            Mode::Utf16 => {
                let text = std::str::from_utf8(bytes).map_err(|e| DecodeProblem {
                    offset: e.valid_up_to(),
                    message: "not UTF-16 text".into(),
                })?;
                match text.find('\u{FFFD}') {
                    Some(offset) => Err(DecodeProblem {
                        offset,
                        message: "undecodable UTF-16 (an unpaired surrogate, or the file \
                                  ends in the middle of a character); save the file as CSV UTF-8"
                            .into(),
                    }),
                    None => Ok(text.to_string()),
                }
            }
            Mode::Utf8 { sure, since } => match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.mode = Mode::Utf8 {
                        sure,
                        since: since.or(Some(line)),
                    };
                    Ok(text.to_string())
                }
                Err(e) if sure || since.is_some() => {
                    let offset = e.valid_up_to();
                    let evidence = match since {
                        Some(l) => format!("line {l} has UTF-8 text"),
                        None => "the file starts with a UTF-8 byte-order mark".into(),
                    };
                    Err(DecodeProblem {
                        offset,
                        message: format!(
                            "byte 0x{:02X} is not UTF-8, though {evidence}: the file mixes \
                             encodings; save it as CSV UTF-8",
                            bytes[offset]
                        ),
                    })
                }
                Err(_) => {
                    self.mode = Mode::Windows1252 { since: line };
                    self.text(bytes, line)
                }
            },
            Mode::Windows1252 { since } => {
                if let Some(offset) = bytes
                    .iter()
                    .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
                {
                    return Err(DecodeProblem {
                        offset,
                        message: format!(
                            "byte 0x{:02X} is neither UTF-8 nor Windows-1252: the file is in \
                             another code page; save it as CSV UTF-8",
                            bytes[offset]
                        ),
                    });
                }
                if std::str::from_utf8(bytes).is_ok() {
                    let offset = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
                    return Err(DecodeProblem {
                        offset,
                        message: format!(
                            "this cell is UTF-8 text, but line {since} is not UTF-8 (it reads \
                             as Windows-1252): the file mixes encodings; save it as CSV UTF-8"
                        ),
                    });
                }
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
                Ok(text.into_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom
            .then_some(0xFEFFu16)
            .into_iter()
            .chain(text.encode_utf16());
        for u in units {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn byte_order_marks_name_the_encoding() {
        assert_eq!(
            detect(b"\xEF\xBB\xBFa,b").unwrap(),
            (Detected::Utf8 { bom: true }, 3)
        );
        assert_eq!(
            detect(&utf16("a,b", false, true)).unwrap(),
            (Detected::Utf16 { big_endian: false }, 2)
        );
        assert_eq!(
            detect(&utf16("a,b", true, true)).unwrap(),
            (Detected::Utf16 { big_endian: true }, 2)
        );
        assert!(detect(b"\xFF\xFE\0\0a\0\0\0")
            .unwrap_err()
            .contains("UTF-32"));
        assert_eq!(detect(b"a,b").unwrap(), (Detected::Utf8 { bom: false }, 0));
        assert_eq!(detect(b"").unwrap(), (Detected::Utf8 { bom: false }, 0));
    }

    #[test]
    fn utf16_without_a_mark_is_recognised_by_its_nul_bytes() {
        assert_eq!(
            detect(&utf16("ALID,Territory", false, false)).unwrap(),
            (Detected::Utf16 { big_endian: false }, 0)
        );
        assert_eq!(
            detect(&utf16("ALID,Territory", true, false)).unwrap(),
            (Detected::Utf16 { big_endian: true }, 0)
        );
        // One NUL in UTF-8 text is not UTF-16 (it is an error later).
        assert_eq!(
            detect(b"ALID,Terr\0tory,x").unwrap(),
            (Detected::Utf8 { bom: false }, 0)
        );
    }

    #[test]
    fn utf16_streams_as_utf8_across_small_reads() {
        let text = "ALID,Title\nA1,Amélie 日本\n".repeat(3000);
        for big_endian in [false, true] {
            let bytes = utf16(&text, big_endian, false);
            let reader = std::io::BufReader::with_capacity(7, &bytes[..]);
            let mut out = String::new();
            Utf16Reader::new(reader, big_endian)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn latin1_is_read_when_no_utf8_came_first() {
        let mut d = FieldDecoder::new(Detected::Utf8 { bom: false });
        assert_eq!(d.decode(b"plain", 1).unwrap(), "plain");
        assert_eq!(d.decode(b"Am\xE9lie \x80", 2).unwrap(), "Amélie €");
        assert_eq!(d.encoding_name(), "Windows-1252");
        let e = d.decode("Amélie".as_bytes(), 3).unwrap_err();
        assert!(e.message.contains("line 2 is not UTF-8"), "{}", e.message);
        assert_eq!(e.offset, 2);
        let e = d.decode(b"\x81", 4).unwrap_err();
        assert!(e.message.contains("another code page"), "{}", e.message);
    }

    #[test]
    fn a_non_utf8_byte_after_utf8_text_is_an_error_at_its_offset() {
        let mut d = FieldDecoder::new(Detected::Utf8 { bom: false });
        assert_eq!(d.decode("Amélie".as_bytes(), 3).unwrap(), "Amélie");
        let e = d.decode(b"ab\xE9cd", 7).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(
            e.message
                .starts_with("byte 0xE9 is not UTF-8, though line 3"),
            "{}",
            e.message
        );
        let mut d = FieldDecoder::new(Detected::Utf8 { bom: true });
        let e = d.decode(b"\xE9", 1).unwrap_err();
        assert!(e.message.contains("byte-order mark"), "{}", e.message);
    }

    #[test]
    fn nul_and_bad_utf16_are_errors() {
        let mut d = FieldDecoder::new(Detected::Utf8 { bom: false });
        let e = d.decode(b"AB\0C", 1).unwrap_err();
        assert_eq!(e.offset, 2);
        let mut d = FieldDecoder::new(Detected::Utf16 { big_endian: false });
        let e = d.decode("x\u{FFFD}".as_bytes(), 1).unwrap_err();
        assert_eq!(e.offset, 1);
    }
}
