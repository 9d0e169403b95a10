//! [`FollowRedirects`]: following redirects above the tracing middleware, so that every hop
//! is its own attempt, with its own span and its own decision on what to propagate.

use http::header::{self, HeaderMap};
use http::{Extensions, Method, StatusCode};
use reqwest::{Request, Response, Url};
use reqwest_middleware::{Middleware, Next, Result};

/// How many redirects a request follows by default, as reqwest's own default policy.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

/// Follows HTTP redirects in the middleware chain instead of inside reqwest, so that
/// [`TracingMiddleware`](crate::TracingMiddleware), added after it, sees every hop as an
/// attempt: each hop gets its own `CLIENT` span (`http.request.resend_count` counts
/// redirects too, as the conventions say), and the allow-lists
/// ([`propagate_to`](crate::TracingMiddleware::propagate_to),
/// [`propagate_baggage_to`](crate::TracingMiddleware::propagate_baggage_to)) are decided
/// again for the host of every hop.
///
/// reqwest follows redirects by itself (its default policy) *below* every middleware: the
/// next hop then carries the headers the first host was given, trace context and baggage
/// included, whatever host it goes to. With an allow-list, build the client with
/// [`reqwest::redirect::Policy::none`] and add this middleware first:
///
/// ```
/// use baton_reqwest::{FollowRedirects, TracingMiddleware};
/// use reqwest_middleware::ClientBuilder;
///
/// let reqwest = reqwest::Client::builder()
///     .redirect(reqwest::redirect::Policy::none())
///     .build()
///     .unwrap();
/// let client = ClientBuilder::new(reqwest)
///     .with(FollowRedirects::new())
///     .with(TracingMiddleware::new().propagate_to(|host: &str| host.ends_with(".internal")))
///     .build();
/// ```
///
/// The rules are reqwest's: `301`, `302` and `303` turn any method but `HEAD` into `GET`
/// without a body, `307` and `308` repeat
/// the method and body (a streaming body that cannot be cloned stops there: the redirect
/// response is returned); `Authorization`, `Cookie`, `Proxy-Authorization` and
/// `WWW-Authenticate` are dropped when the host, port or scheme changes; only `http` and
/// `https` locations are followed; after [`max_redirects`](Self::max_redirects) hops the
/// request fails with an error naming the limit.
#[derive(Clone, Copy, Debug)]
pub struct FollowRedirects {
    max: usize,
}

impl Default for FollowRedirects {
    fn default() -> Self {
        Self::new()
    }
}

impl FollowRedirects {
    /// Follows up to [`DEFAULT_MAX_REDIRECTS`] (10) redirects.
    pub fn new() -> Self {
        FollowRedirects {
            max: DEFAULT_MAX_REDIRECTS,
        }
    }

    /// Follows up to `max` redirects (0: none, the redirect response is returned).
    pub fn max_redirects(self, max: usize) -> Self {
        FollowRedirects { max }
    }
}

/// The request gave up after following its limit of redirects.
#[derive(Debug)]
pub struct TooManyRedirects {
    max: usize,
    last: Url,
}

impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL's path only: it may carry a signed query.
        write!(
            f,
            "too many redirects: gave up after {} redirects, at {}://{}{}",
            self.max,
            self.last.scheme(),
            self.last.host_str().unwrap_or(""),
            self.last.path()
        )
    }
}

impl std::error::Error for TooManyRedirects {}

#[async_trait::async_trait]
impl Middleware for FollowRedirects {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> Result<Response> {
        let mut request = request;
        let mut hops = 0;
        loop {
            // Kept before sending: the next hop starts from the request as the caller
            // made it, not from what later middleware wrote into it.
            let pending = request.try_clone();
            let response = next.clone().run(request, extensions).await?;
            let Some(next_request) = pending.and_then(|r| next_hop(r, &response)) else {
                return Ok(response);
            };
            if hops == self.max {
                if self.max == 0 {
                    return Ok(response);
                }
                return Err(reqwest_middleware::Error::middleware(TooManyRedirects {
                    max: self.max,
                    last: response.url().clone(),
                }));
            }
            hops += 1;
            request = next_request;
        }
    }
}

/// The request for the hop `response` redirects `request` to, or `None` when it is not a
/// redirect to follow.
pub(crate) fn next_hop(mut request: Request, response: &Response) -> Option<Request> {
    let status = response.status();
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let url = request.url().join(location).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER => {
            if *request.method() != Method::HEAD {
                *request.method_mut() = Method::GET;
            }
            *request.body_mut() = None;
            remove_body_headers(request.headers_mut());
        }
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => {}
        _ => return None,
    }
    let same_origin = url.scheme() == request.url().scheme()
        && url.host_str() == request.url().host_str()
        && url.port_or_known_default() == request.url().port_or_known_default();
    if !same_origin {
        for name in [
            header::AUTHORIZATION,
            header::COOKIE,
            header::PROXY_AUTHORIZATION,
            header::WWW_AUTHENTICATE,
        ] {
            request.headers_mut().remove(name);
        }
    }
    *request.url_mut() = url;
    Some(request)
}

fn remove_body_headers(headers: &mut HeaderMap) {
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
    ] {
        headers.remove(name);
    }
}
