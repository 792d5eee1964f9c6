//! SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to
//! spread retries and to draw a fault plan's probability triggers. Pure but
//! for [`entropy`], the one source of unpredictable bits outside `sys`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The generator for stream `index` of `seed`: streams of one seed are
    /// unrelated to each other, and each is the same on every run.
    pub(crate) fn stream(seed: u64, index: u64) -> SplitMix64 {
        SplitMix64(SplitMix64(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64())
    }
}

/// 64 bits that differ between processes and calls: std's per-process random
/// SipHash keys (drawn from the OS once per thread, the way `HashMap` seeds
/// itself) over a counter.
pub(crate) fn entropy() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// A uniform draw in [0, 1) from 53 random bits.
pub(crate) fn unit_interval(r: u64) -> f64 {
    (r >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 0, from the reference implementation.
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn streams_differ_by_index_and_repeat_by_seed() {
        let first = |s, i| SplitMix64::stream(s, i).next_u64();
        assert_eq!(first(7, 0), first(7, 0));
        assert_ne!(first(7, 0), first(7, 1));
        assert_ne!(first(7, 0), first(8, 0));
        assert_ne!(entropy(), entropy());
    }
}
