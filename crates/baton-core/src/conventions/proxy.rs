//! [`ProxyHeaders`]: the `Forwarded` (RFC 7239) and `X-Forwarded-*` headers of a request,
//! found once and read by `server.address`, `client.address` and `url.scheme`; and one-call
//! functions for each of the three, which read the proxy headers afresh (to read them once
//! for all three, use [`ProxyHeaders`]). Everything borrows from the headers, and a hostile
//! header is read only as far as its first element.

use http::{HeaderMap, HeaderName, Uri, header};

use super::address::{HostPort, http_scheme, parse_host_port};

static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Above this many header names, four hashed lookups beat a scan of every name.
const SCAN_LIMIT: usize = 12;

/// The proxy headers of one request, located in a single pass over the header map (or four
/// lookups by prebuilt name when the map is large). Nothing is copied: each field borrows
/// the first value of its header, and `Forwarded` is cut to its first element.
///
/// Most requests carry none of these headers, and then every method returns `None` at
/// once.
///
/// ```
/// use baton_core::conventions::{HostPort, ProxyHeaders};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("host", "internal:8080".parse().unwrap());
/// headers.insert("forwarded", "for=192.0.2.60;proto=https;host=shop.example".parse().unwrap());
/// let uri: http::Uri = "/cart".parse().unwrap();
/// let proxy = ProxyHeaders::read(&headers);
/// assert_eq!(proxy.server_address(&headers, &uri), Some(HostPort { host: "shop.example", port: None }));
/// assert_eq!(proxy.client_address(), Some("192.0.2.60"));
/// assert_eq!(proxy.scheme(), Some("https"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyHeaders<'a> {
    /// The first element of `Forwarded`.
    forwarded: Option<&'a str>,
    x_host: Option<&'a str>,
    x_proto: Option<&'a str>,
    x_for: Option<&'a str>,
}

impl<'a> ProxyHeaders<'a> {
    /// Finds the proxy headers in `headers`. A value that is not visible ASCII reads as
    /// absent.
    pub fn read(headers: &'a HeaderMap) -> Self {
        if headers.keys_len() > SCAN_LIMIT {
            let get = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
            return ProxyHeaders {
                forwarded: get(&header::FORWARDED).map(first_element),
                x_host: get(&X_FORWARDED_HOST),
                x_proto: get(&X_FORWARDED_PROTO),
                x_for: get(&X_FORWARDED_FOR),
            };
        }
        let mut found = ProxyHeaders::default();
        for (name, value) in headers {
            let slot = if *name == header::FORWARDED {
                &mut found.forwarded
            } else {
                // Cheap reject: every name wanted here is longer than 14 bytes.
                match name.as_str() {
                    n if n.len() < 15 => continue,
                    "x-forwarded-host" => &mut found.x_host,
                    "x-forwarded-proto" => &mut found.x_proto,
                    "x-forwarded-for" => &mut found.x_for,
                    _ => continue,
                }
            };
            // The map yields a name's values in order: keep the first only.
            if slot.is_none() {
                *slot = Some(value.to_str().unwrap_or(""));
            }
        }
        found.forwarded = found.forwarded.map(first_element);
        // An unreadable first value counts as absent, as `HeaderMap::get` + `to_str` would.
        for v in [
            &mut found.forwarded,
            &mut found.x_host,
            &mut found.x_proto,
            &mut found.x_for,
        ] {
            if v.is_some_and(str::is_empty) {
                *v = None;
            }
        }
        found
    }

    /// Whether the request carried none of the proxy headers.
    pub fn is_empty(&self) -> bool {
        *self == ProxyHeaders::default()
    }

    /// A parameter of the first `Forwarded` element, quotes removed.
    fn forwarded_param(&self, name: &str) -> Option<&'a str> {
        self.forwarded?.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            if !k.trim().eq_ignore_ascii_case(name) {
                return None;
            }
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (!v.is_empty()).then_some(v)
        })
    }

    /// `server.address` and `server.port` as the conventions order the sources: `Forwarded`
    /// `host`, then `X-Forwarded-Host`, then the URI's authority (HTTP/2 `:authority`,
    /// absolute-form requests), then `Host`.
    pub fn server_address(&self, headers: &'a HeaderMap, uri: &'a Uri) -> Option<HostPort<'a>> {
        self.forwarded_param("host")
            .and_then(parse_host_port)
            .or_else(|| self.x_host.and_then(first_entry).and_then(parse_host_port))
            .or_else(|| {
                uri.authority().and_then(|a| {
                    parse_host_port(a.as_str().rsplit('@').next().unwrap_or_default())
                })
            })
            .or_else(|| {
                headers
                    .get(header::HOST)?
                    .to_str()
                    .ok()
                    .and_then(parse_host_port)
            })
    }

    /// `client.address` from `Forwarded` `for`, then `X-Forwarded-For` (the first,
    /// original client), ports and IPv6 brackets stripped; `unknown` and obfuscated
    /// identifiers (`_hidden`) are not addresses.
    pub fn client_address(&self) -> Option<&'a str> {
        let usable = |v: &&str| !v.eq_ignore_ascii_case("unknown") && !v.starts_with('_');
        self.forwarded_param("for")
            .filter(usable)
            .and_then(parse_host_port)
            .or_else(|| {
                self.x_for
                    .and_then(first_entry)
                    .filter(usable)
                    .and_then(parse_host_port)
            })
            .map(|hp| hp.host)
    }

    /// `url.scheme` as a proxy reports it: `Forwarded` `proto`, then `X-Forwarded-Proto`;
    /// only `http` or `https`, so a peer cannot mint new metric series with it.
    pub fn scheme(&self) -> Option<&'static str> {
        self.forwarded_param("proto")
            .and_then(http_scheme)
            .or_else(|| self.x_proto.and_then(first_entry).and_then(http_scheme))
    }
}

/// The first element of a `Forwarded` value: up to the first comma outside quotes.
fn first_element(value: &str) -> &str {
    let mut in_quotes = false;
    let end = value
        .bytes()
        .position(|b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == b',' && !in_quotes
        })
        .unwrap_or(value.len());
    &value[..end]
}

/// The first entry of a comma-separated `X-Forwarded-*` value.
fn first_entry(value: &str) -> Option<&str> {
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// `server.address` and `server.port` as the conventions order the sources: `Forwarded`
/// `host`, then `X-Forwarded-Host`, then the `:authority` (the URI's authority, set for
/// HTTP/2 and absolute-form requests), then `Host`.
///
/// ```
/// use baton_core::conventions::{server_address, HostPort};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("host", "internal:8080".parse().unwrap());
/// headers.insert("x-forwarded-host", "shop.example, proxy.local".parse().unwrap());
/// let uri: http::Uri = "/cart".parse().unwrap();
/// assert_eq!(server_address(&headers, &uri), Some(HostPort { host: "shop.example", port: None }));
/// ```
pub fn server_address<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> Option<HostPort<'a>> {
    ProxyHeaders::read(headers).server_address(headers, uri)
}

/// `client.address` from `Forwarded` `for`, then `X-Forwarded-For` (the first, original
/// client). Ports and IPv6 brackets are stripped; `unknown` and obfuscated identifiers
/// (`_hidden`) are not addresses. `None` means: use the peer address of the connection.
///
/// ```
/// use baton_core::conventions::client_address;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("forwarded", r#"for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.1"#.parse().unwrap());
/// assert_eq!(client_address(&headers), Some("2001:db8:cafe::17"));
/// ```
pub fn client_address(headers: &HeaderMap) -> Option<&str> {
    ProxyHeaders::read(headers).client_address()
}

/// `url.scheme` as a proxy reports it: `Forwarded` `proto`, then `X-Forwarded-Proto`.
/// Only `http` or `https` (in any case) is returned: anything else a peer sends is ignored,
/// so the value cannot mint new metric series.
///
/// ```
/// use baton_core::conventions::forwarded_scheme;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-forwarded-proto", "https".parse().unwrap());
/// assert_eq!(forwarded_scheme(&headers), Some("https"));
/// ```
pub fn forwarded_scheme(headers: &HeaderMap) -> Option<&'static str> {
    ProxyHeaders::read(headers).scheme()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn scan_and_lookup_agree() {
        let mut pairs: Vec<(String, Vec<u8>)> = vec![
            ("X-Forwarded-Proto".into(), b"https, http".to_vec()),
            ("x-forwarded-for".into(), b"198.51.100.1, 10.0.0.1".to_vec()),
            ("x-forwarded-for".into(), b"10.9.9.9".to_vec()),
            ("forwarded".into(), b"for=\"a,b\";host=x, host=y".to_vec()),
            ("x-forwarded-host".into(), b"\xff".to_vec()),
        ];
        let small = headers(
            &pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_slice()))
                .collect::<Vec<_>>(),
        );
        for i in 0..SCAN_LIMIT {
            pairs.push((format!("x-pad-{i}"), b"1".to_vec()));
        }
        let large = headers(
            &pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_slice()))
                .collect::<Vec<_>>(),
        );
        assert!(large.keys_len() > SCAN_LIMIT && small.keys_len() <= SCAN_LIMIT);
        let (a, b) = (ProxyHeaders::read(&small), ProxyHeaders::read(&large));
        assert_eq!(a, b);
        assert_eq!(a.forwarded, Some("for=\"a,b\";host=x"));
        assert_eq!(a.x_host, None, "non-ASCII value reads as absent");
        assert_eq!(a.client_address(), Some("198.51.100.1"));
        assert_eq!(a.scheme(), Some("https"));
        let uri: Uri = "/".parse().unwrap();
        assert_eq!(a.server_address(&small, &uri).unwrap().host, "x");
    }

    #[test]
    fn none_present() {
        let h = headers(&[("host", b"a.example"), ("user-agent", b"curl")]);
        let proxy = ProxyHeaders::read(&h);
        assert!(proxy.is_empty());
        assert_eq!((proxy.client_address(), proxy.scheme()), (None, None));
        let uri: Uri = "/".parse().unwrap();
        assert_eq!(proxy.server_address(&h, &uri).unwrap().host, "a.example");
    }
}

/// The one-call functions ([`server_address`], [`client_address`], [`forwarded_scheme`]).
#[cfg(test)]
mod function_tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn server_address_priority() {
        let uri: Uri = "/".parse().unwrap();
        let abs: Uri = "http://authority.example:81/".parse().unwrap();
        let all = headers(&[
            ("forwarded", "host=fwd.example:82"),
            ("x-forwarded-host", "xfh.example"),
            ("host", "host.example:83"),
        ]);
        assert_eq!(server_address(&all, &abs).unwrap().host, "fwd.example");
        let no_fwd = headers(&[
            ("x-forwarded-host", "xfh.example"),
            ("host", "host.example:83"),
        ]);
        assert_eq!(server_address(&no_fwd, &abs).unwrap().host, "xfh.example");
        let host_only = headers(&[("host", "host.example:83")]);
        assert_eq!(
            server_address(&host_only, &abs),
            Some(HostPort {
                host: "authority.example",
                port: Some(81)
            })
        );
        assert_eq!(
            server_address(&host_only, &uri),
            Some(HostPort {
                host: "host.example",
                port: Some(83)
            })
        );
        let garbage = headers(&[("x-forwarded-host", "bad host"), ("host", "ok.example")]);
        assert_eq!(server_address(&garbage, &uri).unwrap().host, "ok.example");
        assert_eq!(server_address(&HeaderMap::new(), &uri), None);
    }

    #[test]
    fn client_address_sources() {
        assert_eq!(
            client_address(&headers(&[(
                "forwarded",
                "for=192.0.2.60;proto=http;by=203.0.113.43"
            )])),
            Some("192.0.2.60")
        );
        assert_eq!(
            client_address(&headers(&[
                ("forwarded", "For=\"_gazonk\""),
                ("x-forwarded-for", "198.51.100.1, 10.0.0.1")
            ])),
            Some("198.51.100.1")
        );
        assert_eq!(
            client_address(&headers(&[("forwarded", "for=unknown")])),
            None
        );
        assert_eq!(
            client_address(&headers(&[(
                "x-forwarded-for",
                " 203.0.113.195:41237 , 70.41.3.18"
            )])),
            Some("203.0.113.195")
        );
        assert_eq!(
            client_address(&headers(&[("forwarded", "proto=https, for=10.0.0.1")])),
            None
        );
        assert_eq!(
            client_address(&headers(&[("forwarded", "for=\"a,b\";host=x")])),
            None
        );
    }

    #[test]
    fn huge_forwarded_header_is_read_to_its_first_element_only() {
        let big = format!("for=192.0.2.1,{}", "for=10.0.0.1,".repeat(100_000));
        assert_eq!(
            client_address(&headers(&[("forwarded", &big)])),
            Some("192.0.2.1")
        );
    }

    #[test]
    fn forwarded_schemes() {
        assert_eq!(
            forwarded_scheme(&headers(&[("forwarded", "proto=https")])),
            Some("https")
        );
        assert_eq!(
            forwarded_scheme(&headers(&[("x-forwarded-proto", "1bad")])),
            None
        );
        // A valid scheme that is not HTTP's is a peer minting metric series: ignored.
        assert_eq!(
            forwarded_scheme(&headers(&[("forwarded", "proto=gopher")])),
            None
        );
        assert_eq!(
            forwarded_scheme(&headers(&[("x-forwarded-proto", "HTTP")])),
            Some("http")
        );
    }
}
