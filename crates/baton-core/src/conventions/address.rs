//! `server.address` / `server.port`, `client.address` and `url.scheme` from request headers,
//! honouring `Forwarded` (RFC 7239) and the `X-Forwarded-*` headers proxies add.
//!
//! Everything here borrows from the headers: nothing is allocated, and a hostile header is
//! read only as far as its first element.

use http::{HeaderMap, Uri};

/// A host and optional port, as read from a header or URI authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostPort<'a> {
    /// The host: a name, an IPv4 address, or an IPv6 address without brackets. Never empty.
    pub host: &'a str,
    /// The port, when the value carried one.
    pub port: Option<u16>,
}

/// Parses `host`, `host:port`, `[v6]` or `[v6]:port`. `None` for an empty host, an invalid
/// port, or characters that cannot be part of a host.
///
/// ```
/// use baton_core::conventions::{parse_host_port, HostPort};
///
/// assert_eq!(parse_host_port("example.com:8080"), Some(HostPort { host: "example.com", port: Some(8080) }));
/// assert_eq!(parse_host_port("[::1]:443"), Some(HostPort { host: "::1", port: Some(443) }));
/// assert_eq!(parse_host_port("example.com:http"), None);
/// ```
pub fn parse_host_port(value: &str) -> Option<HostPort<'_>> {
    let value = value.trim();
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match value.rsplit_once(':') {
            // More than one colon without brackets: a bare IPv6 address.
            Some((h, _)) if h.contains(':') => (value, None),
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    let valid =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'%' | b'~');
    if host.is_empty() || !host.bytes().all(valid) {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some(HostPort { host, port })
}

/// The first element of a `Forwarded` header: its `name=value` pairs, quotes removed.
fn forwarded_param<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(http::header::FORWARDED)?.to_str().ok()?;
    let mut in_quotes = false;
    let first_end = value
        .bytes()
        .position(|b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == b',' && !in_quotes
        })
        .unwrap_or(value.len());
    value[..first_end].split(';').find_map(|pair| {
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

/// The first entry of a comma-separated `X-Forwarded-*` header.
fn first_forwarded<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
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
    forwarded_param(headers, "host")
        .and_then(parse_host_port)
        .or_else(|| first_forwarded(headers, "x-forwarded-host").and_then(parse_host_port))
        .or_else(|| {
            uri.authority()
                .and_then(|a| parse_host_port(a.as_str().rsplit('@').next().unwrap_or_default()))
        })
        .or_else(|| {
            headers
                .get(http::header::HOST)?
                .to_str()
                .ok()
                .and_then(parse_host_port)
        })
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
    let usable = |v: &str| !v.eq_ignore_ascii_case("unknown") && !v.starts_with('_');
    forwarded_param(headers, "for")
        .filter(|v| usable(v))
        .and_then(parse_host_port)
        .or_else(|| {
            first_forwarded(headers, "x-forwarded-for")
                .filter(|v| usable(v))
                .and_then(parse_host_port)
        })
        .map(|hp| hp.host)
}

/// `url.scheme` as a proxy reports it: `Forwarded` `proto`, then `X-Forwarded-Proto`.
/// Only a valid URI scheme is returned.
///
/// ```
/// use baton_core::conventions::forwarded_scheme;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-forwarded-proto", "https".parse().unwrap());
/// assert_eq!(forwarded_scheme(&headers), Some("https"));
/// ```
pub fn forwarded_scheme(headers: &HeaderMap) -> Option<&str> {
    let valid = |s: &&str| {
        let b = s.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphabetic()
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    };
    forwarded_param(headers, "proto")
        .filter(valid)
        .or_else(|| first_forwarded(headers, "x-forwarded-proto").filter(valid))
}

/// The port a scheme implies when none is given: 80 for `http`, 443 for `https`.
pub fn default_port(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn host_port_forms() {
        assert_eq!(
            parse_host_port("a"),
            Some(HostPort {
                host: "a",
                port: None
            })
        );
        assert_eq!(
            parse_host_port("1.2.3.4:80"),
            Some(HostPort {
                host: "1.2.3.4",
                port: Some(80)
            })
        );
        assert_eq!(
            parse_host_port("[::1]"),
            Some(HostPort {
                host: "::1",
                port: None
            })
        );
        assert_eq!(
            parse_host_port("::1"),
            Some(HostPort {
                host: "::1",
                port: None
            })
        );
        for bad in [
            "", ":80", "a:", "a:99999", "a:-1", "[::1", "[::1]x", "a b", "a/b", "[]:80",
        ] {
            assert_eq!(parse_host_port(bad), None, "{bad:?}");
        }
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
    fn scheme_and_default_ports() {
        assert_eq!(
            forwarded_scheme(&headers(&[("forwarded", "proto=https")])),
            Some("https")
        );
        assert_eq!(
            forwarded_scheme(&headers(&[("x-forwarded-proto", "1bad")])),
            None
        );
        assert_eq!(
            (
                default_port("HTTP"),
                default_port("https"),
                default_port("ftp")
            ),
            (Some(80), Some(443), None)
        );
    }
}
