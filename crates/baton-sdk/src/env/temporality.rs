//! `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`: which aggregation temporality the
//! OTLP metric exporter asks for. Read here, and always handed to the exporter, so the
//! OTLP crate never reads it from the process behind baton's back.

use opentelemetry_sdk::metrics::Temporality;

use super::names::OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
use super::vars::Vars;
use crate::error::InitError;

/// The preference, `cumulative` (the specification's default) when unset.
pub(crate) fn temporality(vars: &Vars<'_>) -> Result<Temporality, InitError> {
    let name = OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
    let Some(value) = vars.get(name)? else {
        return Ok(Temporality::Cumulative);
    };
    match value.to_ascii_lowercase().as_str() {
        "cumulative" => Ok(Temporality::Cumulative),
        "delta" => Ok(Temporality::Delta),
        "lowmemory" => Ok(Temporality::LowMemory),
        _ => Err(InitError::invalid(
            name,
            &value,
            "unknown temporality preference; expected cumulative, delta or lowmemory",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn read(value: &str) -> Result<Temporality, InitError> {
        let env = MapEnv::of(&[(OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, value)]);
        temporality(&Vars::new(&env))
    }

    #[test]
    fn the_three_preferences_case_insensitively_and_cumulative_by_default() {
        assert_eq!(read("").unwrap(), Temporality::Cumulative);
        assert_eq!(read("Cumulative").unwrap(), Temporality::Cumulative);
        assert_eq!(read("DELTA").unwrap(), Temporality::Delta);
        assert_eq!(read("lowmemory").unwrap(), Temporality::LowMemory);
        assert_eq!(
            read("low_memory").unwrap_err().to_string(),
            r#"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="low_memory": unknown temporality preference; expected cumulative, delta or lowmemory"#
        );
    }
}
