//! Typed reads with the specification's parsing rules, and the warnings they produce.

use std::time::Duration;

use super::source::{Env, NotUnicode};
use crate::error::InitError;

/// The largest number accepted anywhere: the spec asks for `0..=2³¹−1`.
const MAX_NUMBER: u64 = i32::MAX as u64;

/// What a timeout of `0` ("no limit") becomes: the largest value the spec's integer range
/// allows, about 24.8 days.
pub(crate) const NO_LIMIT: Duration = Duration::from_millis(MAX_NUMBER);

/// How a millisecond value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Millis {
    /// A delay between two runs of something: must be positive (`0` would spin).
    Interval,
    /// A time limit: `0` means no limit, as the spec says.
    Timeout,
}

/// Reads variables from an [`Env`] and keeps the warnings for values it ignored.
#[derive(Debug)]
pub(crate) struct Vars<'a> {
    env: &'a dyn Env,
    warnings: Vec<String>,
}

impl<'a> Vars<'a> {
    pub(crate) fn new(env: &'a dyn Env) -> Self {
        Vars {
            env,
            warnings: Vec::new(),
        }
    }

    /// The trimmed value of `name`; unset, empty and blank values are all `None`.
    pub(crate) fn get(&self, name: &'static str) -> Result<Option<String>, InitError> {
        match self.env.var(name) {
            Ok(Some(value)) => {
                let value = value.trim();
                Ok((!value.is_empty()).then(|| value.to_owned()))
            }
            Ok(None) => Ok(None),
            Err(NotUnicode) => Err(InitError::NotUnicode { name }),
        }
    }

    /// The first of `names` that is set, with the name that supplied it.
    pub(crate) fn first(
        &self,
        names: &[&'static str],
    ) -> Result<Option<(&'static str, String)>, InitError> {
        for &name in names {
            if let Some(value) = self.get(name)? {
                return Ok(Some((name, value)));
            }
        }
        Ok(None)
    }

    /// Records a warning about a value that was ignored or adjusted.
    pub(crate) fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// The warnings recorded so far.
    pub(crate) fn into_warnings(self) -> Vec<String> {
        self.warnings
    }

    /// A boolean: `true` only for a case-insensitive `"true"`. Anything else but `"false"`
    /// is warned about and read as `false`, as the spec requires.
    pub(crate) fn flag(&mut self, name: &'static str) -> Result<bool, InitError> {
        let Some(value) = self.get(name)? else {
            return Ok(false);
        };
        if value.eq_ignore_ascii_case("true") {
            Ok(true)
        } else {
            if !value.eq_ignore_ascii_case("false") {
                self.warn(format!(
                    "{name}={value:?} is neither true nor false; using false"
                ));
            }
            Ok(false)
        }
    }

    /// A number of milliseconds.
    pub(crate) fn millis(
        &self,
        name: &'static str,
        kind: Millis,
    ) -> Result<Option<Duration>, InitError> {
        let Some(value) = self.get(name)? else {
            return Ok(None);
        };
        let reason = match kind {
            Millis::Interval => {
                format!("must be a positive whole number of milliseconds, at most {MAX_NUMBER}")
            }
            Millis::Timeout => format!(
                "must be a whole number of milliseconds, at most {MAX_NUMBER} (0 means no limit)"
            ),
        };
        let ms = parse_number(&value)
            .filter(|&ms| kind == Millis::Timeout || ms > 0)
            .ok_or_else(|| InitError::invalid(name, &value, reason))?;
        Ok(Some(if ms == 0 {
            NO_LIMIT
        } else {
            Duration::from_millis(ms)
        }))
    }

    /// A limit: a whole number from 0 to `max` (0 is meaningful: nothing kept).
    pub(crate) fn limit(&self, name: &'static str, max: usize) -> Result<Option<usize>, InitError> {
        let Some(value) = self.get(name)? else {
            return Ok(None);
        };
        parse_number(&value)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= max)
            .map(Some)
            .ok_or_else(|| {
                InitError::invalid(
                    name,
                    &value,
                    format!("must be a whole number between 0 and {max}"),
                )
            })
    }

    /// A positive count no larger than `max`.
    pub(crate) fn count(&self, name: &'static str, max: usize) -> Result<Option<usize>, InitError> {
        let Some(value) = self.get(name)? else {
            return Ok(None);
        };
        parse_number(&value)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n > 0 && n <= max)
            .map(Some)
            .ok_or_else(|| {
                InitError::invalid(
                    name,
                    &value,
                    format!("must be a whole number between 1 and {max}"),
                )
            })
    }
}

/// A non-negative decimal integer within the spec's range; no sign, no fraction.
fn parse_number(value: &str) -> Option<u64> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok().filter(|&n| n <= MAX_NUMBER)
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    #[test]
    fn empty_and_blank_values_are_unset() {
        let e = MapEnv::of(&[("A", ""), ("B", "  "), ("C", " x ")]);
        let vars = Vars::new(&e);
        assert_eq!(vars.get("A").unwrap(), None);
        assert_eq!(vars.get("B").unwrap(), None);
        assert_eq!(vars.get("C").unwrap().as_deref(), Some("x"));
        assert_eq!(vars.get("D").unwrap(), None);
        assert_eq!(
            vars.first(&["A", "D", "C"]).unwrap(),
            Some(("C", "x".into()))
        );
    }

    #[test]
    fn non_unicode_values_are_refused() {
        #[derive(Debug)]
        struct Broken;
        impl Env for Broken {
            fn var(&self, _: &str) -> Result<Option<String>, NotUnicode> {
                Err(NotUnicode)
            }
        }
        let err = Vars::new(&Broken).get("OTEL_SERVICE_NAME").unwrap_err();
        assert_eq!(err.to_string(), "OTEL_SERVICE_NAME is not valid Unicode");
        assert_eq!(err.variable(), Some("OTEL_SERVICE_NAME"));
    }

    #[test]
    fn flags_follow_the_boolean_rules() {
        let e = MapEnv::of(&[("T", "TRUE"), ("F", "False"), ("Y", "yes"), ("O", "1")]);
        let mut vars = Vars::new(&e);
        assert!(vars.flag("T").unwrap());
        assert!(!vars.flag("F").unwrap());
        assert!(!vars.flag("Y").unwrap());
        assert!(!vars.flag("O").unwrap());
        assert!(!vars.flag("UNSET").unwrap());
        assert_eq!(
            vars.into_warnings(),
            [
                r#"Y="yes" is neither true nor false; using false"#,
                r#"O="1" is neither true nor false; using false"#
            ]
        );
    }

    #[test]
    fn millis_parse_and_reject() {
        let e = MapEnv::of(&[
            ("OK", "1500"),
            ("ZERO", "0"),
            ("NEG", "-5"),
            ("FRAC", "1.5"),
            ("BIG", "2147483648"),
            ("WORD", "5s"),
        ]);
        let vars = Vars::new(&e);
        assert_eq!(
            vars.millis("OK", Millis::Interval).unwrap(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            vars.millis("ZERO", Millis::Timeout).unwrap(),
            Some(NO_LIMIT)
        );
        assert_eq!(
            vars.millis("ZERO", Millis::Interval)
                .unwrap_err()
                .to_string(),
            r#"ZERO="0": must be a positive whole number of milliseconds, at most 2147483647"#
        );
        for name in ["NEG", "FRAC", "BIG", "WORD"] {
            let err = vars.millis(name, Millis::Timeout).unwrap_err().to_string();
            assert!(
                err.ends_with(
                    "must be a whole number of milliseconds, at most 2147483647 (0 means no limit)"
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn counts_are_positive_and_bounded() {
        let e = MapEnv::of(&[("A", "10"), ("Z", "0"), ("BIG", "11")]);
        let vars = Vars::new(&e);
        assert_eq!(vars.count("A", 10).unwrap(), Some(10));
        assert_eq!(
            vars.count("Z", 10).unwrap_err().to_string(),
            r#"Z="0": must be a whole number between 1 and 10"#
        );
        assert!(vars.count("BIG", 10).is_err());
    }
}
