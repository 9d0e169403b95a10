//! Span names: `{method} {target}`, never a raw path.

use std::borrow::Cow;

use super::method::HttpMethod;

/// The span name for an HTTP span: `{method} {target}` where the target is the server's
/// `http.route` or the client's `url.template`, `{method}` alone when there is none, and
/// `HTTP` in place of the method when it is `_OTHER`. Without a target the name is static.
///
/// ```
/// use baton_core::conventions::{span_name, KnownMethods};
///
/// let known = KnownMethods::default();
/// assert_eq!(span_name(&known.classify(&http::Method::GET), Some("/users/{id}")), "GET /users/{id}");
/// assert_eq!(span_name(&known.classify(&http::Method::POST), None), "POST");
/// let purge = http::Method::from_bytes(b"PURGE").unwrap();
/// assert_eq!(span_name(&known.classify(&purge), Some("/cache")), "HTTP /cache");
/// assert_eq!(span_name(&known.classify(&purge), None), "HTTP");
/// ```
pub fn span_name(method: &HttpMethod<'_>, target: Option<&str>) -> Cow<'static, str> {
    let method: Cow<'static, str> = if method.is_other() {
        Cow::Borrowed("HTTP")
    } else {
        method.value.clone()
    };
    match target.filter(|t| !t.is_empty()) {
        None => method,
        Some(target) => {
            let mut name = String::with_capacity(method.len() + 1 + target.len());
            name.push_str(&method);
            name.push(' ');
            name.push_str(target);
            Cow::Owned(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::method::KnownMethods;

    #[test]
    fn static_without_target_and_empty_target_ignored() {
        let known = KnownMethods::default();
        assert!(matches!(
            span_name(&known.classify(&http::Method::GET), None),
            Cow::Borrowed("GET")
        ));
        assert_eq!(
            span_name(&known.classify(&http::Method::GET), Some("")),
            "GET"
        );
    }
}
