//! Where variables come from: the process environment, or a map a test provides.

use std::collections::HashMap;
use std::fmt;

/// A variable is set but its value is not valid Unicode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotUnicode;

/// A source of environment variables.
pub(crate) trait Env: Send + Sync + fmt::Debug {
    /// The raw value of `name`, `None` when it is unset.
    fn var(&self, name: &str) -> Result<Option<String>, NotUnicode>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Result<Option<String>, NotUnicode> {
        match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(NotUnicode),
        }
    }
}

/// A fixed set of variables; everything else is unset.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapEnv(pub(crate) HashMap<String, String>);

impl Env for MapEnv {
    fn var(&self, name: &str) -> Result<Option<String>, NotUnicode> {
        Ok(self.0.get(name).cloned())
    }
}

#[cfg(test)]
impl MapEnv {
    /// The variables `pairs` set, for tests.
    pub(crate) fn of(pairs: &[(&str, &str)]) -> Self {
        MapEnv(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }
}
