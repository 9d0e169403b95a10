//! Interning of short, repetitive attribute values (host names, say) as `&'static str`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};

/// Keeps up to `capacity` distinct strings of at most `max_len` bytes, leaked once, so a
/// value seen before costs no allocation. Values are bounded in number and size, so a peer
/// sending a new value with every request can leak at most `capacity * max_len` bytes;
/// past that, values are returned owned, as without the interner.
///
/// ```
/// use baton_core::exchange::Interner;
/// use std::borrow::Cow;
///
/// let hosts = Interner::new(1024, 255);
/// let first = hosts.get("api.example");
/// assert!(matches!(hosts.get("api.example"), Cow::Borrowed("api.example")));
/// ```
#[derive(Debug)]
pub struct Interner {
    strings: RwLock<Strings>,
    capacity: usize,
    max_len: usize,
}

#[derive(Debug, Default)]
struct Strings {
    set: HashSet<&'static str>,
    /// The first string interned: most services answer to one host name, so most lookups
    /// end with this comparison instead of hashing the value.
    first: Option<&'static str>,
}

impl Interner {
    /// An interner holding at most `capacity` strings of at most `max_len` bytes.
    pub fn new(capacity: usize, max_len: usize) -> Self {
        Interner {
            strings: RwLock::new(Strings::default()),
            capacity,
            max_len,
        }
    }

    /// `value`, borrowed from the interner when it holds or can take it.
    pub fn get(&self, value: &str) -> Cow<'static, str> {
        if value.len() > self.max_len {
            return Cow::Owned(value.to_owned());
        }
        {
            let strings = self.strings.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(first) = strings.first.filter(|f| *f == value) {
                return Cow::Borrowed(first);
            }
            if let Some(s) = strings.set.get(value) {
                return Cow::Borrowed(s);
            }
            // Full: a new value (a peer sending a fresh Host each time, say) must not take
            // the write lock on every request.
            if strings.set.len() >= self.capacity {
                return Cow::Owned(value.to_owned());
            }
        }
        let mut strings = self.strings.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = strings.set.get(value) {
            return Cow::Borrowed(s);
        }
        if strings.set.len() >= self.capacity {
            return Cow::Owned(value.to_owned());
        }
        let leaked: &'static str = Box::leak(value.to_owned().into_boxed_str());
        strings.set.insert(leaked);
        strings.first.get_or_insert(leaked);
        Cow::Borrowed(leaked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_count_and_length() {
        let i = Interner::new(2, 4);
        assert!(matches!(i.get("a"), Cow::Borrowed("a")));
        assert!(matches!(i.get("b"), Cow::Borrowed("b")));
        assert!(matches!(i.get("c"), Cow::Owned(_)), "full");
        assert!(matches!(i.get("a"), Cow::Borrowed("a")));
        assert!(
            matches!(i.get("b"), Cow::Borrowed("b")),
            "not only the first"
        );
        assert!(matches!(Interner::new(9, 4).get("toolong"), Cow::Owned(_)));
        assert!(
            matches!(Interner::new(0, 4).get("a"), Cow::Owned(_)),
            "capacity 0"
        );
    }
}
