//! Which hosts may receive trace headers, and which baggage.

use std::sync::Arc;

/// Decides from a request's host whether it may receive something: trace headers, or
/// baggage. Implemented for closures `Fn(&str) -> bool`. The host is the URL's host: a
/// domain name, an IPv4 address, or an IPv6 address; never a port.
///
/// ```
/// use baton_core::exchange::HostPredicate;
///
/// let internal = |host: &str| host.ends_with(".internal");
/// assert!(internal.allows("users.internal"));
/// assert!(!internal.allows("api.partner.example"));
/// ```
pub trait HostPredicate: Send + Sync + 'static {
    /// Whether `host` may receive it.
    fn allows(&self, host: &str) -> bool;
}

impl<F> HostPredicate for F
where
    F: Fn(&str) -> bool + Send + Sync + 'static,
{
    fn allows(&self, host: &str) -> bool {
        self(host)
    }
}

/// A client's two allow-lists: trace headers and baggage, each "every host" when unset.
#[derive(Clone, Default)]
pub struct PropagationPolicy {
    trace_to: Option<Arc<dyn HostPredicate>>,
    baggage_to: Option<Arc<dyn HostPredicate>>,
}

impl std::fmt::Debug for PropagationPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PropagationPolicy")
            .field("trace_restricted", &self.trace_to.is_some())
            .field("baggage_restricted", &self.baggage_to.is_some())
            .finish()
    }
}

impl PropagationPolicy {
    /// Trace headers only to hosts `allows` accepts.
    pub fn trace_to(&mut self, allows: impl HostPredicate) {
        self.trace_to = Some(Arc::new(allows));
    }

    /// Baggage only to hosts `allows` accepts.
    pub fn baggage_to(&mut self, allows: impl HostPredicate) {
        self.baggage_to = Some(Arc::new(allows));
    }

    /// Whether trace headers, and baggage, may go to `host`.
    pub fn allows(&self, host: &str) -> (bool, bool) {
        let trace = self.trace_to.as_ref().is_none_or(|p| p.allows(host));
        let baggage = self.baggage_to.as_ref().is_none_or(|p| p.allows(host));
        (trace, baggage)
    }
}
