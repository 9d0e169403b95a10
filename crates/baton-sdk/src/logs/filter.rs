//! Which events and spans are kept: `RUST_LOG` syntax (`info,users=debug,hyper=warn`),
//! checked once when `init` runs and built into an `EnvFilter` for each layer stack.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// A checked filter. The default keeps `info` and above.
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
        // Checked in `parse`; the default cannot fail.
        build(self.directives.as_deref()).unwrap_or_else(|_| EnvFilter::new("info"))
    }
}

fn build(directives: Option<&str>) -> Result<EnvFilter, tracing_subscriber::filter::ParseError> {
    let builder = EnvFilter::builder().with_default_directive(LevelFilter::INFO.into());
    match directives {
        Some(d) => builder.parse(d),
        None => Ok(builder.parse_lossy("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_checked() {
        assert!(Filter::parse("info,users=debug,hyper=warn").is_ok());
        assert!(Filter::parse("warn,[load_profile]=debug").is_ok());
        let err = Filter::parse("info,users=loud").unwrap_err();
        assert!(!err.is_empty());
        assert!(Filter::parse("=").is_err());
    }
}
