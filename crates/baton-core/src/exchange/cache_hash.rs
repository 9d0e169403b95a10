//! [`CacheHash`]: the hasher of baton's per-request caches (route names, bound metric
//! instruments).

use std::hash::{BuildHasher, Hasher};

/// A fast hasher, seeded once per process from the standard library's random keys, for the
/// short keys baton looks up on every request (a route, a metric's attribute set): eight
/// bytes at a time, a multiply and a fold, a final avalanche. Several times cheaper than
/// SipHash on such keys; the caches that use it are bounded, so the longest collision chain
/// a peer could provoke stays short even if it found collisions for the process's seed.
///
/// ```
/// use baton_core::exchange::CacheHash;
/// use std::hash::BuildHasher;
///
/// let hash = CacheHash::default();
/// assert_eq!(hash.hash_one("/users/{id}"), hash.hash_one("/users/{id}"));
/// assert_ne!(hash.hash_one("/users/{id}"), hash.hash_one("/users/{id}/items"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CacheHash(u64);

impl Default for CacheHash {
    fn default() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        CacheHash(*SEED.get_or_init(|| {
            std::collections::hash_map::RandomState::new().hash_one(0x0062_6174_6f6e_u64) | 1
        }))
    }
}

impl BuildHasher for CacheHash {
    type Hasher = FoldHasher;
    #[inline]
    fn build_hasher(&self) -> FoldHasher {
        FoldHasher(self.0)
    }
}

/// The [`Hasher`] of a [`CacheHash`].
#[derive(Debug)]
pub struct FoldHasher(u64);

impl Hasher for FoldHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        // `str`'s `Hash` ends every string with 0xff.
        self.mix(u64::from(byte));
    }

    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // A last avalanche: hashbrown takes its bucket from the low bits and its tag from
        // the top seven.
        let h = self.0.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
}

impl FoldHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        let h = (self.0 ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 31);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_spreads_similar_keys() {
        let build = CacheHash::default();
        let hashes: std::collections::HashSet<u64> = (0..10_000)
            .map(|i| build.hash_one(format!("/users/{i}/items")))
            .collect();
        assert_eq!(hashes.len(), 10_000);
        let buckets: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        assert!(
            buckets.len() > 900,
            "{} of 1024 low-bit buckets used",
            buckets.len()
        );
    }
}
