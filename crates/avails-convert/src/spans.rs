//! Records kept in an anonymous temporary file until a run ends, so that
//! what a streamed run gives (NDJSON lines, findings) costs memory only for
//! where each record is. A record whose group reopens is simply not read
//! back: its span is dropped by the caller.

use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Where one record is in the file: from `start` to `end` (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u64,
    pub end: u64,
}

/// An append-only temporary file of records.
#[derive(Debug)]
pub(crate) struct SpanFile {
    file: BufWriter<std::fs::File>,
    end: u64,
}

impl SpanFile {
    /// A new anonymous temporary file (gone when dropped).
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            file: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            end: 0,
        })
    }

    /// Appends one record; returns where it is.
    pub fn put(&mut self, bytes: &[u8]) -> std::io::Result<Span> {
        self.file.write_all(bytes)?;
        let start = self.end;
        self.end += bytes.len() as u64;
        Ok(Span {
            start,
            end: self.end,
        })
    }

    /// The records at `spans` (in file order), read back one at a time;
    /// what lies between them is skipped.
    pub fn read_back(
        self,
        spans: impl IntoIterator<Item = Span>,
    ) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<u8>>>> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut at = 0u64;
        Ok(spans.into_iter().map(move |Span { start, end }| {
            if start > at {
                std::io::copy(&mut (&mut reader).take(start - at), &mut std::io::sink())?;
            }
            let mut record = vec![0; (end - start) as usize];
            reader.read_exact(&mut record)?;
            at = end;
            Ok(record)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order_and_dropped_ones_are_skipped() {
        let mut f = SpanFile::new().unwrap();
        let spans: Vec<Span> = ["one\n", "", "two\n", "three\n"]
            .iter()
            .map(|r| f.put(r.as_bytes()).unwrap())
            .collect();
        let kept = [spans[0], spans[1], spans[3]];
        let back: Vec<Vec<u8>> = f.read_back(kept).unwrap().map(Result::unwrap).collect();
        assert_eq!(back, [b"one\n".to_vec(), Vec::new(), b"three\n".to_vec()]);
    }
}
