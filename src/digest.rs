//! Content digests, for names that depend only on content.

use sha2::{Digest, Sha256};

/// SHA-256 in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The first 16 hex digits of SHA-256: plenty to tell files apart.
pub fn hex16(bytes: &[u8]) -> String {
    hex(bytes)[..16].to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digest() {
        assert_eq!(
            super::hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
