//! Finding a group's slot by its key, and every slot of a title, with each
//! key kept once, in its slot: a catalog has hundreds of thousands of
//! groups, and a second copy of every key in a map was a third of the
//! grouper's memory.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::slots::Chunked;
use super::{GroupKey, Slot};

/// No next slot.
const END: u32 = u32::MAX;

/// The slots of a run, by key and by ALID.
#[derive(Debug, Default)]
pub(super) struct SlotIndex {
    hasher: DefaultHashBuilder,
    /// Slot numbers, found by their slot's key.
    by_key: HashTable<u32>,
    /// Per ALID: its first and last slot (in the order they were added).
    by_alid: HashTable<(u32, u32)>,
    /// Per slot: the next slot of the same ALID, or [`END`].
    next_of_alid: Vec<u32>,
}

impl SlotIndex {
    /// The slot of `key`, if any.
    pub fn get(&self, slots: &Chunked<Slot>, key: &GroupKey) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.by_key
            .find(hash, |&i| slots[i as usize].key == *key)
            .map(|&i| i as usize)
    }

    /// Adds the last slot of `slots` (its key not indexed yet).
    pub fn push(&mut self, slots: &Chunked<Slot>) {
        let i = slots.len() - 1;
        let n = i as u32;
        let key = &slots[i].key;
        let hasher = &self.hasher;
        self.by_key.insert_unique(hasher.hash_one(key), n, |&j| {
            hasher.hash_one(&slots[j as usize].key)
        });
        self.next_of_alid.resize(slots.len(), END);
        let alid = key.scope.alid.as_str();
        let hash = hasher.hash_one(alid);
        let same = |&(first, _): &(u32, u32)| slots[first as usize].key.scope.alid == alid;
        match self.by_alid.find_mut(hash, same) {
            Some((_, last)) => {
                self.next_of_alid[*last as usize] = n;
                *last = n;
            }
            None => {
                self.by_alid.insert_unique(hash, (n, n), |&(first, _)| {
                    hasher.hash_one(slots[first as usize].key.scope.alid.as_str())
                });
            }
        }
    }

    /// Whether any slot is of this ALID.
    pub fn has_alid(&self, slots: &Chunked<Slot>, alid: &str) -> bool {
        let hash = self.hasher.hash_one(alid);
        self.by_alid
            .find(hash, |&(first, _)| {
                slots[first as usize].key.scope.alid == alid
            })
            .is_some()
    }

    /// Every slot of a title, in the order they were added.
    pub fn of_alid(&self, slots: &Chunked<Slot>, alid: &str) -> Vec<usize> {
        let hash = self.hasher.hash_one(alid);
        let first = self.by_alid.find(hash, |&(first, _)| {
            slots[first as usize].key.scope.alid == alid
        });
        let mut at = first.map_or(END, |&(first, _)| first);
        let mut out = Vec::new();
        while at != END {
            out.push(at as usize);
            at = self.next_of_alid[at as usize];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{State, NO_INPUT};
    use super::*;
    use crate::Scope;
    use avails_model::{BusinessLine, EntryType};

    fn key(alid: &str, territory: &str, entry_type: EntryType) -> GroupKey {
        GroupKey {
            scope: Scope {
                alid: alid.into(),
                territory: territory.into(),
                business_line: BusinessLine::Tvod,
            },
            entry_type,
        }
    }

    fn slot(key: GroupKey) -> Slot {
        Slot {
            key,
            state: State::Closed(None),
            blocked: Vec::new(),
            rows: 0,
            last_seen: 0,
            work_type: None,
            last_input: NO_INPUT,
            disposition_conflict: false,
        }
    }

    #[test]
    fn slots_are_found_by_key_and_by_alid_in_the_order_they_came() {
        let keys = [
            key("A", "US", EntryType::FullExtract),
            key("B", "US", EntryType::FullExtract),
            key("A", "FR", EntryType::FullExtract),
            key("A", "US", EntryType::PartialExtract),
            key("B", "GB", EntryType::FullExtract),
        ];
        let (mut slots, mut index) = (Chunked::default(), SlotIndex::default());
        for k in &keys {
            assert_eq!(index.get(&slots, k), None);
            slots.push(slot(k.clone()));
            index.push(&slots);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(index.get(&slots, k), Some(i));
        }
        assert_eq!(
            index.get(&slots, &key("A", "GB", EntryType::FullExtract)),
            None
        );
        assert_eq!(index.of_alid(&slots, "A"), [0, 2, 3]);
        assert_eq!(index.of_alid(&slots, "B"), [1, 4]);
        assert!(index.of_alid(&slots, "C").is_empty());
    }
}
