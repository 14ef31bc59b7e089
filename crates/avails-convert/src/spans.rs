//! Records kept in an anonymous temporary file until a run ends, so that
//! what a streamed run gives (NDJSON lines, findings) costs memory only for
//! where each record is. A record whose group reopens is simply not read
//! back: its span is dropped by the caller.

use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Where one record is in the file: from `start` to `end` (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its first byte.
    pub start: u64,
    /// Past its last byte.
    pub end: u64,
}

/// An append-only temporary file of records.
#[derive(Debug)]
pub struct SpanFile {
    file: BufWriter<std::fs::File>,
    end: u64,
    /// Whether a read moved the file's position away from its end.
    moved: bool,
}

impl SpanFile {
    /// A new anonymous temporary file (gone when dropped).
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            file: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            end: 0,
            moved: false,
        })
    }

    /// Appends one record; returns where it is.
    pub fn put(&mut self, bytes: &[u8]) -> std::io::Result<Span> {
        if self.moved {
            // The buffer was emptied before the read: nothing is lost.
            self.file.get_mut().seek(SeekFrom::End(0))?;
            self.moved = false;
        }
        self.file.write_all(bytes)?;
        let start = self.end;
        self.end += bytes.len() as u64;
        Ok(Span {
            start,
            end: self.end,
        })
    }

    /// The records at `spans`, read back one at a time (in file order is
    /// fastest); what lies between them is skipped. Records can still be
    /// added after.
    pub fn read<'a>(
        &'a mut self,
        spans: impl IntoIterator<Item = Span> + 'a,
    ) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<u8>>> + 'a> {
        self.file.flush()?;
        self.moved = true;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))?;
        Ok(records(file, spans))
    }

    /// Writes the records at `spans` to `out`, one after another, straight
    /// from the file's read buffer (no buffer per record, as
    /// [`SpanFile::read`] gives, zeroed and filled only to be written out).
    pub fn write_to(
        &mut self,
        spans: impl IntoIterator<Item = Span>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        self.file.flush()?;
        self.moved = true;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut at = 0u64;
        for Span { start, end } in spans {
            if start != at {
                reader.seek_relative(start as i64 - at as i64)?;
            }
            let len = end - start;
            if std::io::copy(&mut (&mut reader).take(len), out)? != len {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            at = end;
        }
        Ok(())
    }

    /// [`SpanFile::read`], the file given up: the iterator owns it.
    pub fn read_back(
        self,
        spans: impl IntoIterator<Item = Span>,
    ) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<u8>>>> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(records(file, spans))
    }
}

/// The records at `spans` of a file read from its start: what lies
/// between them is skipped by seeking (within the buffer when near), so
/// reading a few records of a large file costs only those records.
fn records(
    file: impl Read + Seek,
    spans: impl IntoIterator<Item = Span>,
) -> impl Iterator<Item = std::io::Result<Vec<u8>>> {
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut at = 0u64;
    spans.into_iter().map(move |Span { start, end }| {
        if start != at {
            reader.seek_relative(start as i64 - at as i64)?;
        }
        let mut record = vec![0; (end - start) as usize];
        reader.read_exact(&mut record)?;
        at = end;
        Ok(record)
    })
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
        let back: Vec<Vec<u8>> = f.read(kept).unwrap().map(Result::unwrap).collect();
        assert_eq!(back, [b"one\n".to_vec(), Vec::new(), b"three\n".to_vec()]);
        // Out of file order too.
        let back: Vec<Vec<u8>> = f
            .read([spans[3], spans[0]])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(back, [b"three\n".to_vec(), b"one\n".to_vec()]);
        // Added after a read, and read again with the rest.
        let four = f.put(b"four\n").unwrap();
        let back: Vec<Vec<u8>> = f
            .read([spans[2], four])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(back, [b"two\n".to_vec(), b"four\n".to_vec()]);
        // Written out, skipping and going back as read does; then added to.
        let mut out = Vec::new();
        f.write_to([spans[0], spans[3], spans[2]], &mut out)
            .unwrap();
        assert_eq!(out, b"one\nthree\ntwo\n");
        let five = f.put(b"five\n").unwrap();
        let mut out = Vec::new();
        f.write_to([four, five], &mut out).unwrap();
        assert_eq!(out, b"four\nfive\n");
        // A span past the end of the file is an error, not a short record.
        let beyond = Span {
            start: five.start,
            end: five.end + 3,
        };
        assert!(f.write_to([beyond], &mut Vec::new()).is_err());
    }
}
