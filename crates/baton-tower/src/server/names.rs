//! Span names and `http.route` values as `&'static str`, so that a request to a known route
//! allocates neither.
//!
//! Routes are templates chosen by the application (`/users/{id}`), so there are few of them;
//! each one is leaked once and reused for every later request. The cache is bounded: past
//! [`CAPACITY`] routes (a route extractor returning raw paths, say) names are allocated per
//! request as before, and nothing more is leaked.

use baton_core::conventions::{HttpMethod, span_name};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Most routes kept.
pub(crate) const CAPACITY: usize = 1024;

struct Route {
    route: &'static str,
    /// Span names by static method value (`GET`, `_OTHER`, ...).
    names: Vec<(&'static str, &'static str)>,
}

/// The cache; one per layer.
#[derive(Default)]
pub(crate) struct RouteNames {
    routes: RwLock<HashMap<Box<str>, Route>>,
}

impl std::fmt::Debug for RouteNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteNames").finish_non_exhaustive()
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl RouteNames {
    /// The span name and the `http.route` value for `route` requested with `method`.
    pub(crate) fn get(
        &self,
        method: &HttpMethod<'_>,
        route: &str,
    ) -> (Cow<'static, str>, Cow<'static, str>) {
        let Cow::Borrowed(method_value) = method.value else {
            // A method from a custom known-methods list: not cached.
            return (span_name(method, Some(route)), Cow::Owned(route.to_owned()));
        };
        {
            let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
            match routes.get(route) {
                Some(entry) => {
                    if let Some((_, name)) = entry.names.iter().find(|(m, _)| *m == method_value) {
                        return (Cow::Borrowed(name), Cow::Borrowed(entry.route));
                    }
                }
                // Full: an unknown route must not take the write lock on every request.
                None if routes.len() >= CAPACITY => {
                    return (span_name(method, Some(route)), Cow::Owned(route.to_owned()));
                }
                None => {}
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        if routes.len() >= CAPACITY && !routes.contains_key(route) {
            return (span_name(method, Some(route)), Cow::Owned(route.to_owned()));
        }
        let entry = routes.entry(route.into()).or_insert_with(|| Route {
            route: leak(route.to_owned()),
            names: Vec::new(),
        });
        let name = match entry.names.iter().find(|(m, _)| *m == method_value) {
            Some((_, name)) => name,
            None => {
                let name = leak(span_name(method, Some(route)).into_owned());
                entry.names.push((method_value, name));
                name
            }
        };
        (Cow::Borrowed(name), Cow::Borrowed(entry.route))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_core::conventions::KnownMethods;

    #[test]
    fn second_request_to_a_route_is_served_from_the_cache() {
        let names = RouteNames::default();
        let known = KnownMethods::default();
        let get = known.classify(&http::Method::GET);
        let (a, ra) = names.get(&get, "/users/{id}");
        let (b, rb) = names.get(&get, "/users/{id}");
        assert_eq!(
            (a.as_ref(), ra.as_ref()),
            ("GET /users/{id}", "/users/{id}")
        );
        assert!(matches!((&b, &rb), (Cow::Borrowed(_), Cow::Borrowed(_))));
        assert!(std::ptr::eq(a.as_ptr(), b.as_ptr()), "the same leaked name");
        let purge = http::Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(
            names.get(&known.classify(&purge), "/users/{id}").0,
            "HTTP /users/{id}"
        );
    }

    #[test]
    fn bounded() {
        let names = RouteNames::default();
        let known = KnownMethods::default();
        let get = known.classify(&http::Method::GET);
        for i in 0..CAPACITY + 10 {
            let (name, _) = names.get(&get, &format!("/r{i}"));
            assert_eq!(name, format!("GET /r{i}"));
        }
        assert_eq!(names.routes.read().unwrap().len(), CAPACITY);
        assert!(matches!(names.get(&get, "/new").0, Cow::Owned(_)));
    }
}
