//! A short attribute list on the stack, for metric recordings that would otherwise allocate
//! a `Vec` per request.

use opentelemetry::{Key, KeyValue};

const UNUSED: Key = Key::from_static_str("");

/// Up to `N` attributes, without a heap allocation. Pushing past `N` drops the attribute
/// (callers size `N` for the most they ever push).
///
/// ```
/// use baton_core::exchange::AttributeBuf;
/// use opentelemetry::KeyValue;
///
/// let mut attrs = AttributeBuf::<4>::new();
/// attrs.push(KeyValue::new("http.request.method", "GET"));
/// assert_eq!(attrs.as_slice().len(), 1);
/// ```
#[derive(Debug)]
pub struct AttributeBuf<const N: usize> {
    items: [KeyValue; N],
    len: usize,
}

impl<const N: usize> Default for AttributeBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> AttributeBuf<N> {
    /// An empty list.
    pub fn new() -> Self {
        AttributeBuf {
            items: std::array::from_fn(|_| KeyValue::new(UNUSED, false)),
            len: 0,
        }
    }

    /// Adds an attribute (dropped if the list is full).
    pub fn push(&mut self, attribute: KeyValue) {
        debug_assert!(self.len < N, "AttributeBuf<{N}> is full");
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = attribute;
            self.len += 1;
        }
    }

    /// The attributes pushed so far.
    pub fn as_slice(&self) -> &[KeyValue] {
        &self.items[..self.len]
    }
}
