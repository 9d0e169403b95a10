//! Bound instruments for the attribute sets an exchange records again and again.
//!
//! A measurement through the OpenTelemetry SDK's unbound API sorts its attributes, hashes
//! them with SipHash and looks the set up in a locked map: about 2,300 instructions for the
//! duration histogram's six attributes, more than all of baton's own metrics work. Yet a
//! service records few distinct sets (route × method × status). [`BoundCache`] keeps, per
//! instrument, the SDK's *bound* handle for each set it has seen (the SDK feature
//! `experimental_metrics_bound_instruments`), found with [`CacheHash`]; a measurement
//! through a bound handle only picks its bucket.
//!
//! Bounded: at most [`MAX_SETS`] sets per instrument. Past that, and for a set with a
//! floating-point or array value, measurements take the unbound path, exactly as without
//! the cache. And renewed: every [`REBIND_SECS`] the handles are dropped and bound again
//! when next used. The SDK keeps the series of a bound set alive, and a set bound while the
//! instrument was at its cardinality limit stays bound to the overflow series; with delta
//! temporality the SDK evicts idle series each interval, so without renewal a set that
//! stopped, or one bound at the limit, would hold its place (or stay in overflow) for good.
//! What is recorded is the same either way: the SDK aggregates a bound handle's
//! measurements into its set's series.
//!
//! Only with baton-core's `bound-metrics` feature (baton-sdk turns it on), which turns on
//! the SDK's own `experimental_metrics_bound_instruments` too: an SDK built without it
//! would silently drop what bound handles measure (the API's default). Without the
//! feature, every measurement is unbound.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, UpDownCounter};

#[cfg(feature = "bound-metrics")]
use cached::Cache;

/// Most attribute sets bound per instrument.
pub const MAX_SETS: usize = 512;

/// How long bound handles are kept before they are dropped and bound again, in seconds:
/// the default metric export interval (`OTEL_METRIC_EXPORT_INTERVAL`).
pub const REBIND_SECS: u64 = 60;

/// An instrument a [`BoundCache`] measures with.
pub(super) trait Instrument {
    /// What it measures.
    type Value: Copy;
    /// Its bound handle.
    #[cfg(feature = "bound-metrics")]
    type Bound;
    /// Measures with the attributes given each time.
    fn unbound(&self, value: Self::Value, attributes: &[KeyValue]);
    /// Binds `attributes`.
    #[cfg(feature = "bound-metrics")]
    fn bind(&self, attributes: &[KeyValue]) -> Self::Bound;
    /// Measures through a bound handle.
    #[cfg(feature = "bound-metrics")]
    fn bound(handle: &Self::Bound, value: Self::Value);
}

impl<T: Copy> Instrument for Histogram<T> {
    type Value = T;
    #[cfg(feature = "bound-metrics")]
    type Bound = opentelemetry::metrics::BoundHistogram<T>;
    fn unbound(&self, value: T, attributes: &[KeyValue]) {
        self.record(value, attributes);
    }
    #[cfg(feature = "bound-metrics")]
    fn bind(&self, attributes: &[KeyValue]) -> Self::Bound {
        Histogram::bind(self, attributes)
    }
    #[cfg(feature = "bound-metrics")]
    fn bound(handle: &Self::Bound, value: T) {
        handle.record(value);
    }
}

impl Instrument for UpDownCounter<i64> {
    type Value = i64;
    #[cfg(feature = "bound-metrics")]
    type Bound = opentelemetry::metrics::BoundUpDownCounter<i64>;
    fn unbound(&self, value: i64, attributes: &[KeyValue]) {
        self.add(value, attributes);
    }
    #[cfg(feature = "bound-metrics")]
    fn bind(&self, attributes: &[KeyValue]) -> Self::Bound {
        UpDownCounter::bind(self, attributes)
    }
    #[cfg(feature = "bound-metrics")]
    fn bound(handle: &Self::Bound, value: i64) {
        handle.add(value);
    }
}

/// The bound handles of one instrument, by attribute set (none without the
/// `bound-metrics` feature).
pub(super) struct BoundCache<I: Instrument> {
    #[cfg(feature = "bound-metrics")]
    cache: Cache<I::Bound>,
    #[cfg(not(feature = "bound-metrics"))]
    cache: std::marker::PhantomData<fn(&I)>,
}

impl<I: Instrument> Default for BoundCache<I> {
    fn default() -> Self {
        BoundCache {
            cache: Default::default(),
        }
    }
}

impl<I: Instrument> std::fmt::Debug for BoundCache<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoundCache")
    }
}

impl<I: Instrument> BoundCache<I> {
    /// Measures `value` with `instrument` at `now`, through the bound handle of
    /// `attributes` when the cache has or can take one.
    #[cfg_attr(not(feature = "bound-metrics"), allow(unused_variables))]
    pub(super) fn measure(
        &self,
        instrument: &I,
        value: I::Value,
        attributes: &[KeyValue],
        now: std::time::SystemTime,
    ) {
        #[cfg(feature = "bound-metrics")]
        if self.cache.measure(
            attributes,
            cached::seconds(now),
            |a| instrument.bind(a),
            |handle| I::bound(handle, value),
        ) {
            return;
        }
        instrument.unbound(value, attributes);
    }
}

#[cfg(feature = "bound-metrics")]
mod cached {
    use opentelemetry::{KeyValue, Value};
    use std::collections::HashMap;
    use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
    use std::sync::{PoisonError, RwLock};

    use super::super::cache_hash::CacheHash;
    use super::{MAX_SETS, REBIND_SECS};

    /// `t` in whole seconds since the Unix epoch (0 before it).
    pub(super) fn seconds(t: std::time::SystemTime) -> u64 {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// Handles by attribute set.
    pub(super) struct Cache<B> {
        hash: CacheHash,
        sets: RwLock<Sets<B>>,
    }

    /// The sets of one hash, with their handles.
    type Bucket<B> = Vec<(Box<[KeyValue]>, B)>;

    struct Sets<B> {
        /// By the set's [`CacheHash`]; a rare collision shares a bucket.
        map: HashMap<u64, Bucket<B>, BuildHasherDefault<Given>>,
        len: usize,
        /// When the handles held were first bound (seconds; 0: none yet).
        since: u64,
    }

    impl<B> Default for Cache<B> {
        fn default() -> Self {
            Cache {
                hash: CacheHash::default(),
                sets: RwLock::new(Sets {
                    map: HashMap::default(),
                    len: 0,
                    since: 0,
                }),
            }
        }
    }

    impl<B> Cache<B> {
        /// Measures through the bound handle of `attributes` (binding it with `bind` the
        /// first time, while there is room) at `now` (seconds). `false`: not measured, as
        /// the set cannot be bound (the cache is full, or a value is a float or an array);
        /// the caller measures unbound.
        pub(super) fn measure(
            &self,
            attributes: &[KeyValue],
            now: u64,
            bind: impl FnOnce(&[KeyValue]) -> B,
            measure: impl Fn(&B),
        ) -> bool {
            let Some(key) = self.key(attributes) else {
                return false;
            };
            {
                let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
                let fresh = now < sets.since.saturating_add(REBIND_SECS);
                if fresh && let Some(bound) = sets.find(key, attributes) {
                    measure(bound);
                    return true;
                }
                if fresh && sets.len >= MAX_SETS {
                    return false;
                }
            }
            let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
            if now >= sets.since.saturating_add(REBIND_SECS) {
                // Renewed: every handle dropped, each bound again when next used.
                sets.map.clear();
                sets.len = 0;
                sets.since = now;
            }
            if sets.find(key, attributes).is_none() {
                if sets.len >= MAX_SETS {
                    return false;
                }
                let bound = bind(attributes);
                sets.map
                    .entry(key)
                    .or_default()
                    .push((attributes.into(), bound));
                sets.len += 1;
            }
            if let Some(bound) = sets.find(key, attributes) {
                measure(bound);
            }
            true
        }

        /// The set's hash, or `None` for a set that is not cached. Of the values only:
        /// the keys are the same few constants in every set an exchange records, and the
        /// comparison that follows tells sets apart by keys too.
        fn key(&self, attributes: &[KeyValue]) -> Option<u64> {
            let mut h = self.hash.build_hasher();
            for kv in attributes {
                match &kv.value {
                    Value::String(s) => h.write(s.as_str().as_bytes()),
                    Value::I64(i) => h.write_u64(*i as u64),
                    Value::Bool(b) => h.write_u64(u64::from(*b) | 2),
                    // A NaN never equals itself: a float would be bound again and again.
                    _ => return None,
                }
            }
            Some(h.finish())
        }

        #[cfg(test)]
        fn len(&self) -> usize {
            self.sets.read().map_or(0, |s| s.len)
        }
    }

    impl<B> Sets<B> {
        fn find(&self, key: u64, attributes: &[KeyValue]) -> Option<&B> {
            self.map
                .get(&key)?
                .iter()
                .find(|(set, _)| same(set, attributes))
                .map(|(_, bound)| bound)
        }
    }

    /// Whether two sets are equal, key by key and value by value; a key or a string value
    /// at the same address (the constants and interned values exchanges use) is equal
    /// without comparing its bytes.
    #[inline]
    fn same(a: &[KeyValue], b: &[KeyValue]) -> bool {
        #[inline(always)]
        fn same_str(x: &str, y: &str) -> bool {
            std::ptr::eq(x, y) || x == y
        }
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                same_str(x.key.as_str(), y.key.as_str())
                    && match (&x.value, &y.value) {
                        (Value::String(s), Value::String(t)) => same_str(s.as_str(), t.as_str()),
                        (Value::I64(i), Value::I64(j)) => i == j,
                        (Value::Bool(p), Value::Bool(q)) => p == q,
                        // Floats and arrays are never cached (`key`).
                        _ => false,
                    }
            })
    }

    /// The map's keys are hashes already: used as they are.
    #[derive(Default)]
    struct Given(u64);

    impl Hasher for Given {
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 << 8) | u64::from(b);
            }
        }

        fn write_u64(&mut self, word: u64) {
            self.0 = word;
        }

        fn finish(&self) -> u64 {
            self.0
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::cell::Cell;

        const NOW: u64 = 1_000_000;

        #[test]
        fn handles_are_bound_again_after_rebind_secs() {
            let cache = Cache::<u32>::default();
            let binds = Cell::new(0);
            let set = [KeyValue::new("http.route", "/a")];
            let bind = |_: &[KeyValue]| {
                binds.set(binds.get() + 1);
                binds.get()
            };
            for t in [NOW, NOW + 1, NOW + REBIND_SECS - 1] {
                assert!(cache.measure(&set, t, bind, |b| assert_eq!(*b, 1)));
            }
            assert_eq!(binds.get(), 1, "one bind within the period");
            assert!(cache.measure(&set, NOW + REBIND_SECS, bind, |b| assert_eq!(*b, 2)));
            assert_eq!(binds.get(), 2, "bound again once the period is over");
            // A full cache makes room when renewed.
            for i in 0..MAX_SETS {
                let s = [KeyValue::new("code", i as i64)];
                cache.measure(&s, NOW + REBIND_SECS, |_| 0, |_| {});
            }
            assert!(!cache.measure(&[KeyValue::new("new", 1)], NOW + REBIND_SECS, |_| 0, |_| {}));
            let later = NOW + 2 * REBIND_SECS;
            assert!(cache.measure(
                &[KeyValue::new("new", 1)],
                later,
                |_| 7,
                |b| assert_eq!(*b, 7)
            ));
            assert_eq!(cache.len(), 1, "the old handles were dropped");
        }

        #[test]
        fn binds_each_set_once_and_measures_through_it() {
            let cache = Cache::<u32>::default();
            let binds = Cell::new(0);
            let measured = Cell::new(Vec::new());
            let a = [
                KeyValue::new("http.route", "/a"),
                KeyValue::new("code", 200),
            ];
            let b = [
                KeyValue::new("http.route", "/b"),
                KeyValue::new("code", 200),
            ];
            for (set, id) in [(&a, 1), (&b, 2), (&a, 1), (&a, 1), (&b, 2)] {
                let done = cache.measure(
                    set,
                    NOW,
                    |_| {
                        binds.set(binds.get() + 1);
                        id
                    },
                    |bound| {
                        let mut m = measured.take();
                        m.push(*bound);
                        measured.set(m);
                    },
                );
                assert!(done);
            }
            assert_eq!(binds.get(), 2, "one bind per set");
            assert_eq!(
                measured.take(),
                vec![1, 2, 1, 1, 2],
                "each set its own handle"
            );
            assert_eq!(cache.len(), 2);
        }

        #[test]
        fn bounded_and_floats_never_bound() {
            let cache = Cache::<usize>::default();
            for i in 0..MAX_SETS + 5 {
                let set = [KeyValue::new("code", i as i64)];
                let done = cache.measure(&set, NOW, |_| i, |_| {});
                assert_eq!(done, i < MAX_SETS, "set {i}");
            }
            assert_eq!(cache.len(), MAX_SETS);
            // A set seen before still measures bound when full.
            assert!(cache.measure(
                &[KeyValue::new("code", 3)],
                NOW,
                |_| 0,
                |b| assert_eq!(*b, 3)
            ));
            let float = [KeyValue::new("ratio", f64::NAN)];
            assert!(!Cache::<u8>::default().measure(&float, NOW, |_| 0, |_| {}));
        }

        #[test]
        fn the_same_values_under_other_keys_are_other_sets() {
            let cache = Cache::<u8>::default();
            assert!(cache.measure(&[KeyValue::new("a", "x")], NOW, |_| 1, |_| {}));
            assert!(cache.measure(
                &[KeyValue::new("b", "x")],
                NOW,
                |_| 2,
                |b| assert_eq!(*b, 2)
            ));
            assert!(cache.measure(&[KeyValue::new("a", 1)], NOW, |_| 3, |b| assert_eq!(*b, 3)));
            assert!(cache.measure(
                &[KeyValue::new("a", true)],
                NOW,
                |_| 4,
                |b| assert_eq!(*b, 4)
            ));
            assert_eq!(cache.len(), 4);
        }
    }
}
