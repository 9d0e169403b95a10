//! Which events and spans are kept: `RUST_LOG` syntax (`info,users=debug,hyper=warn`),
//! checked once when `init` runs and built into an `EnvFilter` for each layer stack.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// The directives when none are given: `info`, and only warnings from OpenTelemetry's own
/// crates, whose internal logs (when a dependency turns on their `internal-logs` feature)
/// say `info` for routine events such as a provider being installed.
pub(crate) const DEFAULT: &str =
    "info,opentelemetry=warn,opentelemetry_sdk=warn,opentelemetry_otlp=warn";

/// A checked filter. The default is [`DEFAULT`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The directives; `None` for the default.
    directives: Option<String>,
}

impl Filter {
    /// Checks `directives` (the `RUST_LOG` syntax); the error says what does not parse.
    pub(crate) fn parse(directives: &str) -> Result<Filter, String> {
        build(Some(directives)).map_err(|e| e.to_string())?;
        Ok(Filter {
            directives: Some(directives.to_owned()),
        })
    }

    /// The filter, built (each layer stack needs its own: `EnvFilter` is not `Clone`).
    pub(crate) fn build(&self) -> EnvFilter {
        // Checked in `parse`; the default is checked by a test.
        build(self.directives.as_deref()).unwrap_or_else(|_| EnvFilter::new("info"))
    }
}

fn build(directives: Option<&str>) -> Result<EnvFilter, tracing_subscriber::filter::ParseError> {
    let builder = EnvFilter::builder().with_default_directive(LevelFilter::INFO.into());
    match directives {
        Some(d) => builder.parse(d),
        None => builder.parse(DEFAULT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_parses() {
        assert!(build(None).is_ok());
    }

    #[test]
    fn directives_are_checked() {
        assert!(Filter::parse("info,users=debug,hyper=warn").is_ok());
        assert!(Filter::parse("warn,[load_profile]=debug").is_ok());
        let err = Filter::parse("info,users=loud").unwrap_err();
        assert!(!err.is_empty());
        assert!(Filter::parse("=").is_err());
    }
}
