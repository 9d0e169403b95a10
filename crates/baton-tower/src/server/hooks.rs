//! The hooks a [`ServerLayer`](super::ServerLayer) calls per request. Each is a trait, and
//! each is implemented for closures, so a hook is usually just a closure.

use http::request::Parts;
use std::borrow::Cow;

/// Gives the route template (`http.route`) of a request: `/users/{id}`, never the raw path.
///
/// With the `axum` feature, the default reads axum's `MatchedPath`. Implemented for closures
/// returning `Option<String>`:
///
/// ```
/// use baton_tower::server::ServerLayer;
///
/// let layer = ServerLayer::new().route(|parts: &http::request::Parts| {
///     parts.uri.path().starts_with("/users/").then(|| "/users/{id}".to_owned())
/// });
/// ```
pub trait RouteExtractor: Send + Sync + 'static {
    /// The route template, or `None` when the request matched no route.
    fn route<'a>(&self, parts: &'a Parts) -> Option<Cow<'a, str>>;
}

impl<F> RouteExtractor for F
where
    F: Fn(&Parts) -> Option<String> + Send + Sync + 'static,
{
    fn route<'a>(&self, parts: &'a Parts) -> Option<Cow<'a, str>> {
        self(parts).map(Cow::Owned)
    }
}

/// No route information: spans are named `{method}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRoute;

impl RouteExtractor for NoRoute {
    fn route<'a>(&self, _: &'a Parts) -> Option<Cow<'a, str>> {
        None
    }
}

/// The route axum matched, from its `MatchedPath` request extension.
///
/// Add the layer with `Router::layer` so that it runs after routing; applied around the
/// whole router from outside, no route is known yet when the request arrives.
#[cfg(feature = "axum")]
#[derive(Clone, Copy, Debug, Default)]
pub struct MatchedPathRoute;

#[cfg(feature = "axum")]
impl RouteExtractor for MatchedPathRoute {
    fn route<'a>(&self, parts: &'a Parts) -> Option<Cow<'a, str>> {
        parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .map(|p| Cow::Borrowed(p.as_str()))
    }
}

/// Decides something about a request from its head: whether to trace it (a filter), or
/// whether it arrives at a public endpoint. Implemented for closures returning `bool`.
///
/// ```
/// use baton_tower::server::ServerLayer;
///
/// // No spans for health checks; every other request is traced.
/// let layer = ServerLayer::new().filter(|parts: &http::request::Parts| parts.uri.path() != "/health");
/// ```
pub trait RequestPredicate: Send + Sync + 'static {
    /// The decision for this request.
    fn test(&self, parts: &Parts) -> bool;
}

impl<F> RequestPredicate for F
where
    F: Fn(&Parts) -> bool + Send + Sync + 'static,
{
    fn test(&self, parts: &Parts) -> bool {
        self(parts)
    }
}

/// Names a span in place of the conventions' `{method} {route}`. Receives the request head
/// and the route, if any. Implemented for closures returning `String`.
///
/// ```
/// use baton_tower::server::ServerLayer;
///
/// let layer = ServerLayer::new().span_name(|parts: &http::request::Parts, route: Option<&str>| {
///     format!("{} {}", parts.method, route.unwrap_or("unmatched"))
/// });
/// ```
pub trait SpanNamer: Send + Sync + 'static {
    /// The span name.
    fn name(&self, parts: &Parts, route: Option<&str>) -> String;
}

impl<F> SpanNamer for F
where
    F: Fn(&Parts, Option<&str>) -> String + Send + Sync + 'static,
{
    fn name(&self, parts: &Parts, route: Option<&str>) -> String {
        self(parts, route)
    }
}
