//! Every group of a run, open or closed, in chunks: a catalog has hundreds
//! of thousands of groups, and one growing vector of them would hold two
//! copies while it moves to a larger allocation.
//!
//! Hand-written rather than a crate: push and index by number are all the
//! grouper needs, in a few lines.

use std::ops::{Index, IndexMut};

/// Slots per chunk.
const CHUNK: usize = 4096;

/// A vector that grows a chunk at a time and never moves what it holds.
#[derive(Debug)]
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// How many there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds one at the end.
    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(value);
        }
        self.len += 1;
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_numbers_across_chunks() {
        let mut c = Chunked::default();
        for i in 0..(CHUNK * 2 + 3) {
            c.push(i);
        }
        assert_eq!(c.len(), CHUNK * 2 + 3);
        assert_eq!(c[0], 0);
        assert_eq!(c[CHUNK], CHUNK);
        assert_eq!(c[CHUNK * 2 + 2], CHUNK * 2 + 2);
        c[CHUNK - 1] = 7;
        assert_eq!(c[CHUNK - 1], 7);
    }
}
