//! Counting the attempts of one logical request, for `http.request.resend_count`.

use http::Extensions;

/// How many attempts [`TracingMiddleware`](crate::TracingMiddleware) has traced for one
/// logical request, kept in the request's [`Extensions`].
///
/// reqwest-middleware gives every middleware a `&mut Extensions` for the request, and
/// reqwest-retry's `RetryTransientMiddleware` passes the *same* map to every attempt it
/// makes. The tracing middleware, placed after the retry middleware, counts each attempt
/// here and sets `http.request.resend_count` on every attempt after the first: absent, then
/// `1`, `2`, …
///
/// Passing your own map to `execute_with_extensions` lets you read the count afterwards.
/// Use a fresh map for every logical request: a map reused across requests keeps counting.
///
/// ```
/// use baton_reqwest::{Attempts, TracingMiddleware};
/// use http::Extensions;
/// use reqwest_middleware::ClientBuilder;
///
/// # async fn run() -> Result<(), reqwest_middleware::Error> {
/// let client = ClientBuilder::new(reqwest::Client::new()).with(TracingMiddleware::new()).build();
/// let request = client.get("http://users.internal/health").build()?;
/// let mut extensions = Extensions::new();
/// client.execute_with_extensions(request, &mut extensions).await?;
/// let attempts = extensions.get::<Attempts>().map_or(0, |a| a.count());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts(u32);

impl Attempts {
    /// How many attempts have been traced so far.
    pub fn count(self) -> u32 {
        self.0
    }

    /// Counts one attempt in `extensions`, returning how many came before it.
    pub(crate) fn next(extensions: &mut Extensions) -> u32 {
        let attempts = extensions.get_or_insert_default::<Attempts>();
        let before = attempts.0;
        attempts.0 = before.saturating_add(1);
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_through_the_same_map() {
        let mut extensions = Extensions::new();
        assert_eq!(Attempts::next(&mut extensions), 0);
        assert_eq!(Attempts::next(&mut extensions), 1);
        assert_eq!(Attempts::next(&mut extensions), 2);
        assert_eq!(extensions.get::<Attempts>().map(|a| a.count()), Some(3));
        assert_eq!(Attempts::next(&mut Extensions::new()), 0);
    }
}
