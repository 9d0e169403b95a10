//! `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`: the layers read it themselves (they do not
//! depend on this crate), and fall back to the default list with a warning when it is
//! invalid; through `init` an invalid list is refused instead, naming the variable.

use baton_core::conventions::{KnownMethods, OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS};

use super::vars::Vars;
use crate::error::InitError;

/// Checks the list, if set.
pub(crate) fn check_known_methods(vars: &Vars<'_>) -> Result<(), InitError> {
    let name = OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS;
    let Some(value) = vars.get(name)? else {
        return Ok(());
    };
    KnownMethods::parse(&value).map(drop).map_err(|e| {
        InitError::invalid(
            name,
            &value,
            format!(
                "{:?} is not an HTTP method; expected a comma-separated list such as \"GET,POST,PURGE\"",
                e.entry
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn check(value: &str) -> Result<(), InitError> {
        let env = MapEnv::of(&[(OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, value)]);
        check_known_methods(&Vars::new(&env))
    }

    #[test]
    fn a_bad_entry_is_refused_naming_the_variable() {
        assert!(check("GET,POST,PURGE").is_ok());
        assert!(check("").is_ok(), "unset");
        assert_eq!(
            check("GET,BAD METHOD").unwrap_err().to_string(),
            r#"OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS="GET,BAD METHOD": "BAD METHOD" is not an HTTP method; expected a comma-separated list such as "GET,POST,PURGE""#
        );
    }
}
