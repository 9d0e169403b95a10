//! Hosts, ports and schemes: [`HostPort`] and its parser, `url.scheme` values, default ports.
//!
//! Everything here borrows: nothing is allocated. The proxy headers themselves are read in
//! [`proxy`](super::proxy).

/// A host and optional port, as read from a header or URI authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostPort<'a> {
    /// The host: a name, an IPv4 address, or an IPv6 address without brackets. Never empty.
    pub host: &'a str,
    /// The port, when the value carried one.
    pub port: Option<u16>,
}

/// Parses `host`, `host:port`, `[v6]` or `[v6]:port`. `None` for an empty host, an invalid
/// port, characters that cannot be part of a host, or a host longer than
/// [`MAX_HOST`](super::limits::MAX_HOST) (255) bytes.
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
    // `[`, `]` and a port of five digits around the longest host.
    if value.len() > super::limits::MAX_HOST + 8 {
        return None;
    }
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
    (!host.is_empty() && host.len() <= super::limits::MAX_HOST).then_some(HostPort { host, port })
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

    #[test]
    fn hosts_longer_than_255_bytes_are_not_hosts() {
        let longest = "h".repeat(255);
        let bracketed = format!("[{longest}]:65535");
        let hp = parse_host_port(&bracketed).unwrap();
        assert_eq!((hp.host.len(), hp.port), (255, Some(65535)));
        assert_eq!(parse_host_port(&longest).unwrap().host, longest);
        assert_eq!(parse_host_port(&"h".repeat(256)), None);
        assert_eq!(parse_host_port(&format!("{}:1", "h".repeat(256))), None);
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
    fn default_ports() {
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
