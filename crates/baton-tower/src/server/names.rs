//! Span names and `http.route` values as `&'static str`, so that a request to a known route
//! allocates neither.
//!
//! Routes are templates chosen by the application (`/users/{id}`), so there are few of them;
//! each one is leaked once and reused for every later request. The cache is bounded in
//! entries ([`CAPACITY`]) and in bytes ([`MAX_BYTES`], every leaked route and span name
//! counted; a route longer than [`MAX_ROUTE_LEN`] is never cached): past either bound (a
//! route extractor returning raw paths, say) names are allocated per request as before,
//! and nothing more is leaked.
//!
//! Lookups hash with [`CacheHash`] rather than SipHash: a route is hashed on every request,
//! and the cache's bounds keep the longest collision chain a peer could provoke short.

use baton_core::conventions::{HttpMethod, span_name};
use baton_core::exchange::CacheHash;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Most routes kept.
pub(crate) const CAPACITY: usize = 1024;
/// Most bytes leaked for routes and span names, all routes together.
pub(crate) const MAX_BYTES: usize = 256 * 1024;
/// The longest route cached.
pub(crate) const MAX_ROUTE_LEN: usize = 512;

struct Route {
    route: &'static str,
    /// Span names by static method value (`GET`, `_OTHER`, ...).
    names: Vec<(&'static str, &'static str)>,
}

#[derive(Default)]
struct Routes {
    map: HashMap<Box<str>, Route, CacheHash>,
    /// Bytes leaked so far.
    bytes: usize,
}

/// The cache; one per layer.
#[derive(Default)]
pub(crate) struct RouteNames {
    routes: RwLock<Routes>,
}

impl std::fmt::Debug for RouteNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteNames").finish_non_exhaustive()
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The uncached answer: allocated for this request only.
fn uncached(method: &HttpMethod<'_>, route: &str) -> (Cow<'static, str>, Cow<'static, str>) {
    (span_name(method, Some(route)), Cow::Owned(route.to_owned()))
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
            return uncached(method, route);
        };
        if route.len() > MAX_ROUTE_LEN {
            return uncached(method, route);
        }
        {
            let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
            match routes.map.get(route) {
                Some(entry) => {
                    if let Some((_, name)) = entry.names.iter().find(|(m, _)| *m == method_value) {
                        return (Cow::Borrowed(name), Cow::Borrowed(entry.route));
                    }
                }
                // Full: an unknown route must not take the write lock on every request.
                None if routes.map.len() >= CAPACITY || !routes.has_room(route.len()) => {
                    return uncached(method, route);
                }
                None => {}
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        let name = span_name(method, Some(route));
        let new_route = !routes.map.contains_key(route);
        let cost = name.len() + if new_route { route.len() } else { 0 };
        if (new_route && routes.map.len() >= CAPACITY) || !routes.has_room(cost) {
            return (name, Cow::Owned(route.to_owned()));
        }
        let Routes { map, bytes } = &mut *routes;
        let entry = map.entry(route.into()).or_insert_with(|| {
            *bytes += route.len();
            Route {
                route: leak(route.to_owned()),
                names: Vec::new(),
            }
        });
        let name = match entry.names.iter().find(|(m, _)| *m == method_value) {
            Some((_, name)) => name,
            None => {
                *bytes += name.len();
                let name = leak(name.into_owned());
                entry.names.push((method_value, name));
                name
            }
        };
        (Cow::Borrowed(name), Cow::Borrowed(entry.route))
    }
}

impl Routes {
    /// Whether `len` more bytes may be leaked.
    fn has_room(&self, len: usize) -> bool {
        self.bytes + len <= MAX_BYTES
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
        assert_eq!(names.routes.read().unwrap().map.len(), CAPACITY);
        assert!(matches!(names.get(&get, "/new").0, Cow::Owned(_)));
    }

    #[test]
    fn bounded_in_bytes_and_route_length() {
        let names = RouteNames::default();
        let known = KnownMethods::default();
        let get = known.classify(&http::Method::GET);
        let long = format!("/{}", "x".repeat(MAX_ROUTE_LEN));
        let (name, route) = names.get(&get, &long);
        assert_eq!(route, long.as_str());
        assert!(
            matches!((&name, &route), (Cow::Owned(_), Cow::Owned(_))),
            "not cached"
        );
        assert!(names.routes.read().unwrap().map.is_empty());

        // Routes of 500 bytes: each leaks its route and its span name (about 1 KB), so the
        // byte bound stops the cache well before CAPACITY routes.
        let mut cached = 0;
        for i in 0..CAPACITY {
            let route = format!("/{i:0>499}");
            let (_, r) = names.get(&get, &route);
            if matches!(r, Cow::Borrowed(_)) {
                cached += 1;
            }
            assert_eq!(r, route.as_str(), "uncached answers are still right");
        }
        let routes = names.routes.read().unwrap();
        assert!(routes.bytes <= MAX_BYTES, "{} bytes leaked", routes.bytes);
        assert_eq!(cached, routes.map.len());
        assert!(
            (MAX_BYTES / 1100..CAPACITY).contains(&cached),
            "{cached} routes cached"
        );
    }
}
