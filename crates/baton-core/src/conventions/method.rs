//! Known HTTP methods, `_OTHER`, and `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable that replaces the list of known methods.
pub const OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: &str = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS";

/// The value of `http.request.method` for a method that is not known.
pub const OTHER: &str = "_OTHER";

/// The methods the conventions know by default: RFC 9110's, PATCH (RFC 5789) and QUERY.
pub const DEFAULT_KNOWN_METHODS: [&str; 10] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE",
];

/// The method attributes of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpMethod<'a> {
    /// `http.request.method`: the method when known, otherwise `_OTHER`.
    pub value: Cow<'static, str>,
    /// `http.request.method_original`: the method as received, only when it differs.
    pub original: Option<&'a str>,
}

impl HttpMethod<'_> {
    /// Whether the method is unknown (`_OTHER`).
    pub fn is_other(&self) -> bool {
        self.value == OTHER
    }
}

/// The set of methods reported as themselves; every other method is reported as `_OTHER`
/// with the original in `http.request.method_original`. Matching is case-sensitive, as the
/// conventions require: `get` is not `GET`.
///
/// ```
/// use baton_core::conventions::KnownMethods;
///
/// let known = KnownMethods::default();
/// let m = known.classify(&http::Method::GET);
/// assert_eq!((m.value.as_ref(), m.original), ("GET", None));
///
/// let odd = http::Method::from_bytes(b"get").unwrap();
/// let m = known.classify(&odd);
/// assert_eq!((m.value.as_ref(), m.original), ("_OTHER", Some("get")));
///
/// let custom = KnownMethods::parse("GET,PURGE").unwrap();
/// assert_eq!(custom.classify(&http::Method::from_bytes(b"PURGE").unwrap()).value, "PURGE");
/// assert_eq!(custom.classify(&http::Method::POST).value, "_OTHER");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownMethods {
    /// `None` is the default list; `Some` replaces it.
    custom: Option<Vec<String>>,
}

/// Why `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownMethodsError {
    /// The whole value of the variable.
    pub value: String,
    /// The entry that is not an HTTP method token.
    pub entry: String,
}

impl fmt::Display for KnownMethodsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS}={:?}: {:?} is not an HTTP method; expected a comma-separated list such as \"GET,POST,PURGE\"",
            self.value, self.entry
        )
    }
}

impl std::error::Error for KnownMethodsError {}

fn static_name(method: &http::Method) -> Option<&'static str> {
    Some(match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        http::Method::PATCH => "PATCH",
        http::Method::CONNECT => "CONNECT",
        http::Method::TRACE => "TRACE",
        _ if method.as_str() == "QUERY" => "QUERY",
        _ => return None,
    })
}

impl KnownMethods {
    /// The list from `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` when set and not empty,
    /// otherwise the default.
    pub fn from_env() -> Result<Self, KnownMethodsError> {
        match std::env::var(OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS) {
            Ok(value) => Self::parse(&value),
            Err(std::env::VarError::NotPresent) => Ok(Self::default()),
            Err(std::env::VarError::NotUnicode(v)) => Err(KnownMethodsError {
                value: v.to_string_lossy().into_owned(),
                entry: v.to_string_lossy().into_owned(),
            }),
        }
    }

    /// What the layers use when no list is given to them: [`from_env`](Self::from_env), or,
    /// when the variable is invalid, the default list after a warning on stderr naming the
    /// variable and its value (once per process, however many layers are built). A layer
    /// cannot fail; an application that wants a bad value to stop it calls
    /// [`from_env`](Self::from_env) (or [`parse`](Self::parse) on the value) at start-up.
    pub fn from_env_or_warn() -> Self {
        static WARNED: AtomicBool = AtomicBool::new(false);
        let (methods, warning) = Self::or_default(Self::from_env(), &WARNED);
        if let Some(warning) = warning {
            eprintln!("{warning}");
        }
        methods
    }

    /// The list, or the default with the warning to give when `warned` was not yet set.
    fn or_default(
        result: Result<Self, KnownMethodsError>,
        warned: &AtomicBool,
    ) -> (Self, Option<String>) {
        match result {
            Ok(methods) => (methods, None),
            Err(error) => {
                let first = !warned.swap(true, Ordering::Relaxed);
                let warning =
                    first.then(|| format!("baton: warning: {error}; using the default methods"));
                (Self::default(), warning)
            }
        }
    }

    /// Parses a comma-separated list (entries trimmed, empty entries ignored). An empty
    /// list means the default.
    pub fn parse(list: &str) -> Result<Self, KnownMethodsError> {
        let mut methods = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if http::Method::from_bytes(entry.as_bytes()).is_err() {
                return Err(KnownMethodsError {
                    value: list.to_owned(),
                    entry: entry.to_owned(),
                });
            }
            if !methods.iter().any(|m| m == entry) {
                methods.push(entry.to_owned());
            }
        }
        Ok(KnownMethods {
            custom: (!methods.is_empty()).then_some(methods),
        })
    }

    /// Whether `method` is known.
    pub fn contains(&self, method: &str) -> bool {
        match &self.custom {
            None => DEFAULT_KNOWN_METHODS.contains(&method),
            Some(list) => list.iter().any(|m| m == method),
        }
    }

    /// The method attributes for a request. Allocation-free unless a custom list names a
    /// method outside the default set.
    pub fn classify<'a>(&self, method: &'a http::Method) -> HttpMethod<'a> {
        let name = method.as_str();
        if !self.contains(name) {
            return HttpMethod {
                value: Cow::Borrowed(OTHER),
                original: Some(name),
            };
        }
        let value = static_name(method).map_or_else(|| Cow::Owned(name.to_owned()), Cow::Borrowed);
        HttpMethod {
            value,
            original: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> http::Method {
        http::Method::from_bytes(s.as_bytes()).unwrap()
    }

    #[test]
    fn default_list() {
        let k = KnownMethods::default();
        for name in DEFAULT_KNOWN_METHODS {
            let method = m(name);
            let c = k.classify(&method);
            assert_eq!((c.value.as_ref(), c.original), (name, None));
            assert!(matches!(c.value, Cow::Borrowed(_)), "{name} allocated");
        }
        let purge = m("PURGE");
        let c = k.classify(&purge);
        assert!(c.is_other());
        assert_eq!(c.original, Some("PURGE"));
        assert_eq!(k.classify(&m("GeT")).original, Some("GeT"));
    }

    #[test]
    fn custom_list_replaces_the_default() {
        let k = KnownMethods::parse(" GET , PURGE ,,GET").unwrap();
        assert_eq!(k.classify(&m("PURGE")).value, "PURGE");
        assert!(k.classify(&m("POST")).is_other());
        assert_eq!(KnownMethods::parse("").unwrap(), KnownMethods::default());
    }

    #[test]
    fn an_invalid_list_falls_back_with_one_warning() {
        let warned = AtomicBool::new(false);
        let bad = || KnownMethods::parse("GET,BAD METHOD");
        let (methods, warning) = KnownMethods::or_default(bad(), &warned);
        assert_eq!(methods, KnownMethods::default());
        assert_eq!(
            warning.as_deref(),
            Some(
                "baton: warning: OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS=\"GET,BAD METHOD\": \"BAD METHOD\" is not an HTTP method; expected a comma-separated list such as \"GET,POST,PURGE\"; using the default methods"
            )
        );
        assert_eq!(KnownMethods::or_default(bad(), &warned).1, None, "once");
        let good = KnownMethods::parse("PURGE");
        assert_eq!(
            KnownMethods::or_default(good.clone(), &warned),
            (good.unwrap(), None)
        );
    }

    #[test]
    fn invalid_entry_is_named() {
        let err = KnownMethods::parse("GET,BAD METHOD").unwrap_err();
        assert_eq!(err.entry, "BAD METHOD");
        assert!(
            err.to_string()
                .starts_with("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS=\"GET,BAD METHOD\"")
        );
    }
}
