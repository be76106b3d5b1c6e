//! [`KeyIndex`]: strings numbered in order of first appearance, in one buffer.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher};

/// Keys numbered in order of first appearance, and found by key.
///
/// The keys are kept end to end in one buffer rather than one allocation
/// each (a booklet of 10,000 briefs has about 200,000 glossary terms, a deck
/// one anchor per note): a map goes from a key's hash to the first key with
/// that hash, and chains the rare others.
#[derive(Default)]
pub struct KeyIndex {
    keys: String,
    /// Where key `e` ends in `keys`.
    ends: Vec<u32>,
    /// The first key with a given hash.
    by_hash: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    /// The next key with the same hash as key `e`, if any.
    same_hash: Vec<Option<u32>>,
}

impl KeyIndex {
    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Forgets every key, keeping the buffers for the next use.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.ends.clear();
        self.by_hash.clear();
        self.same_hash.clear();
    }

    fn hash(key: &str) -> u64 {
        // Fixed keys: the hash never shows in the output, only in speed.
        BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
    }

    pub fn key(&self, e: u32) -> &str {
        let e = e as usize;
        let start = if e == 0 { 0 } else { self.ends[e - 1] };
        &self.keys[start as usize..self.ends[e] as usize]
    }

    pub fn get(&self, key: &str) -> Option<u32> {
        let mut at = self.by_hash.get(&Self::hash(key)).copied();
        while let Some(e) = at {
            if self.key(e) == key {
                return Some(e);
            }
            at = self.same_hash[e as usize];
        }
        None
    }

    /// Adds a key not in the index yet; returns its number.
    pub fn insert(&mut self, key: &str) -> u32 {
        let e = self.ends.len() as u32;
        self.keys.push_str(key);
        self.ends.push(self.keys.len() as u32);
        let previous = self.by_hash.insert(Self::hash(key), e);
        self.same_hash.push(previous);
        e
    }
}

/// A hasher for keys that are hashes already: the map need not hash again.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys");
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_it_was_given() {
        let mut index = KeyIndex::default();
        for i in 0..1000 {
            assert_eq!(index.insert(&format!("term {i}")), i);
        }
        for i in 0..1000 {
            assert_eq!(index.get(&format!("term {i}")), Some(i));
            assert_eq!(index.key(i), format!("term {i}"));
        }
        assert_eq!(index.get("term"), None);
        assert_eq!(index.get(""), None);
    }

    #[test]
    fn a_cleared_index_starts_again_from_zero() {
        let mut index = KeyIndex::default();
        index.insert("a");
        index.insert("b");
        index.clear();
        assert!(index.is_empty());
        assert_eq!(index.get("a"), None);
        assert_eq!(index.insert("b"), 0);
        assert_eq!(index.len(), 1);
    }
}
