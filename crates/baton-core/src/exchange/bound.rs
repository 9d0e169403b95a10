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
//! Bounded: at most [`MAX_SETS`] sets per instrument, each bound once and never unbound
//! (the SDK keeps a bound set's series alive, as it does every cumulative series). Past
//! that, and for a set with a floating-point or array value, measurements take the
//! unbound path, exactly as without the cache. What is recorded is the same either way:
//! the SDK aggregates a bound handle's measurements into its set's series.
//!
//! Only with baton-core's `bound-metrics` feature, which `baton-sdk` turns on together with
//! the SDK's own feature: an SDK built without it would silently drop measurements made
//! through bound handles (the API's default). Without the feature, every measurement is
//! unbound.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, UpDownCounter};

#[cfg(feature = "bound-metrics")]
use cached::Cache;

/// Most attribute sets bound per instrument.
pub const MAX_SETS: usize = 512;

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
    /// Measures `value` with `instrument`, through the bound handle of `attributes` when
    /// the cache has or can take one.
    pub(super) fn measure(&self, instrument: &I, value: I::Value, attributes: &[KeyValue]) {
        #[cfg(feature = "bound-metrics")]
        if self.cache.measure(
            attributes,
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
    use super::MAX_SETS;

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
    }

    impl<B> Default for Cache<B> {
        fn default() -> Self {
            Cache {
                hash: CacheHash::default(),
                sets: RwLock::new(Sets {
                    map: HashMap::default(),
                    len: 0,
                }),
            }
        }
    }

    impl<B> Cache<B> {
        /// Measures through the bound handle of `attributes` (binding it with `bind` the
        /// first time, while there is room). `false`: not measured, as the set cannot be
        /// bound (the cache is full, or a value is a float or an array); the caller
        /// measures unbound.
        pub(super) fn measure(
            &self,
            attributes: &[KeyValue],
            bind: impl FnOnce(&[KeyValue]) -> B,
            measure: impl Fn(&B),
        ) -> bool {
            let Some(key) = self.key(attributes) else {
                return false;
            };
            {
                let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
                if let Some(bound) = sets.find(key, attributes) {
                    measure(bound);
                    return true;
                }
                if sets.len >= MAX_SETS {
                    return false;
                }
            }
            let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
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
                let done = cache.measure(&set, |_| i, |_| {});
                assert_eq!(done, i < MAX_SETS, "set {i}");
            }
            assert_eq!(cache.len(), MAX_SETS);
            // A set seen before still measures bound when full.
            assert!(cache.measure(&[KeyValue::new("code", 3)], |_| 0, |b| assert_eq!(*b, 3)));
            let float = [KeyValue::new("ratio", f64::NAN)];
            assert!(!Cache::<u8>::default().measure(&float, |_| 0, |_| {}));
        }

        #[test]
        fn the_same_values_under_other_keys_are_other_sets() {
            let cache = Cache::<u8>::default();
            assert!(cache.measure(&[KeyValue::new("a", "x")], |_| 1, |_| {}));
            assert!(cache.measure(&[KeyValue::new("b", "x")], |_| 2, |b| assert_eq!(*b, 2)));
            assert!(cache.measure(&[KeyValue::new("a", 1)], |_| 3, |b| assert_eq!(*b, 3)));
            assert!(cache.measure(&[KeyValue::new("a", true)], |_| 4, |b| assert_eq!(*b, 4)));
            assert_eq!(cache.len(), 4);
        }
    }
}
