//! `server.address` / `server.port`, `client.address` and `url.scheme` from request headers,
//! honouring `Forwarded` (RFC 7239) and the `X-Forwarded-*` headers proxies add.
//!
//! Everything here borrows from the headers: nothing is allocated, and a hostile header is
//! read only as far as its first element. Each function reads the proxy headers afresh;
//! to read them once for all three, use [`ProxyHeaders`].

use http::{HeaderMap, Uri};

use super::proxy::ProxyHeaders;

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
    let bytes = value.as_bytes();
    // One pass over the bytes: no splitting, no char decoding.
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let close = rest.bytes().position(|b| b == b']')?;
        let port = match &rest.as_bytes()[close + 1..] {
            [] => None,
            [b':', digits @ ..] => Some(parse_port(digits)?),
            _ => return None,
        };
        let host = &rest[..close];
        if !host.bytes().all(|b| b == b':' || host_byte(b)) {
            return None;
        }
        (host, port)
    } else {
        let mut colons = 0usize;
        let mut last_colon = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b':' {
                colons += 1;
                last_colon = i;
            } else if !host_byte(b) {
                return None;
            }
        }
        match colons {
            0 => (value, None),
            // `host:port`.
            1 => (
                &value[..last_colon],
                Some(parse_port(&bytes[last_colon + 1..])?),
            ),
            // More than one colon without brackets: a bare IPv6 address.
            _ => (value, None),
        }
    };
    // The bytes of an unbracketed host were checked in the pass above.
    (!host.is_empty()).then_some(HostPort { host, port })
}

/// Bytes a host may hold besides `:` (names, IPv4, IPv6 with a zone id).
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'%' | b'~')
}

/// A decimal port: one or more digits, at most 65535 (leading zeros allowed).
fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    let mut port: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        port = port * 10 + u32::from(d - b'0');
        if port > u32::from(u16::MAX) {
            return None;
        }
    }
    u16::try_from(port).ok()
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

/// `http` or `https` as a static string when `scheme` is one of them (in any case), so
/// `url.scheme` costs no allocation.
///
/// ```
/// use baton_core::conventions::http_scheme;
///
/// assert_eq!(http_scheme("HTTPS"), Some("https"));
/// assert_eq!(http_scheme("ftp"), None);
/// ```
pub fn http_scheme(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("https") {
        Some("https")
    } else if scheme.eq_ignore_ascii_case("http") {
        Some("http")
    } else {
        None
    }
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
            "",
            ":80",
            "a:",
            "a:99999",
            "a:-1",
            "[::1",
            "[::1]x",
            "a b",
            "a/b",
            "[]:80",
            "a:65536",
            "[::1]:",
            "[a b]:80",
            "a:8 0",
            "é:80",
            "[::1]:80x",
        ] {
            assert_eq!(parse_host_port(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ports_at_the_limits() {
        let port = |v| parse_host_port(v).and_then(|hp| hp.port);
        assert_eq!(port("a:65535"), Some(65535));
        assert_eq!(port("a:0000080"), Some(80));
        assert_eq!(port("[fe80::1%25eth0]:0"), Some(0));
        assert_eq!(
            parse_host_port(" a.example:1 ").map(|hp| hp.host),
            Some("a.example")
        );
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
        // A valid scheme that is not HTTP's is a peer minting metric series: ignored.
        assert_eq!(
            forwarded_scheme(&headers(&[("forwarded", "proto=gopher")])),
            None
        );
        assert_eq!(
            forwarded_scheme(&headers(&[("x-forwarded-proto", "HTTP")])),
            Some("http")
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
