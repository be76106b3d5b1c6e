//! Stable note identities.
//!
//! Anki matches an imported note to one already in the collection by its
//! GUID; the review history hangs on that note's cards. So a GUID must depend
//! only on *what the note is about*, never on where it sits in the file, on
//! the machine, or on the wording around its key terms:
//!
//! | note | identity key |
//! |---|---|
//! | cloze note of a point | brief id, section, then the point's `id` if given, else its **first key term** |
//! | cloze note of *why in news* | brief id, `why_in_news` |
//! | fact | brief id, then the fact's `id` if given, else its question (normalised) |
//! | "Why in News" Q&A | brief id, `why` |
//!
//! Two points of one section with the same first key term are told apart by
//! order (`#2`, `#3`); swapping exactly those two swaps their GUIDs. Changing a
//! point's first key term, or rewording a fact's question, gives a new note
//! (the old one stays in the collection with its history). Giving the point
//! or fact an explicit `id` pins its GUID through any such edit.
//!
//! The key is hashed with SHA-256 (not `DefaultHasher`, whose output may
//! change between Rust versions) and the first 64 bits are written in base 62.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A GUID held inline: eleven base-62 digits, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guid([u8; 11]);

impl Guid {
    /// The GUID for an identity key.
    pub fn of(key: &str) -> Guid {
        let mut n = hash64(key.as_bytes());
        let mut out = [0u8; 11];
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(n % 62) as usize];
            n /= 62;
        }
        Guid(out)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("base-62 digits are ASCII")
    }
}

/// The first 64 bits of SHA-256, big-endian.
pub fn hash64(bytes: &[u8]) -> u64 {
    let digest = Sha256::digest(bytes);
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_fixed_for_a_key() {
        // Pinned: a change here would duplicate every learner's notes.
        assert_eq!(
            Guid::of("india-japan/key_points/t:cybersecurity"),
            Guid::of("india-japan/key_points/t:cybersecurity")
        );
        assert_eq!(Guid::of("a").as_str(), "HOOGnodihbO");
        assert_eq!(Guid::of("a").as_str().len(), 11);
        assert_ne!(Guid::of("a"), Guid::of("b"));
    }
}
