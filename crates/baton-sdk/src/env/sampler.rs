//! `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.

use opentelemetry_sdk::trace::Sampler;

use super::names::{OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG};
use super::vars::Vars;
use crate::error::InitError;

const KNOWN: &str = "always_on, always_off, traceidratio, parentbased_always_on, \
                     parentbased_always_off, parentbased_traceidratio";

/// The sampler the environment selects; `parentbased_always_on` when unset.
///
/// The argument is read only for the ratio samplers, where it must be a number in `[0, 1]`
/// (1.0 when unset). Given to a sampler that takes none, or without `OTEL_TRACES_SAMPLER`,
/// it is ignored with a warning, as the spec says.
pub(crate) fn sampler(vars: &mut Vars<'_>) -> Result<Sampler, InitError> {
    let arg = vars.get(OTEL_TRACES_SAMPLER_ARG)?;
    let Some(value) = vars.get(OTEL_TRACES_SAMPLER)? else {
        if let Some(arg) = arg {
            vars.warn(format!(
                "{OTEL_TRACES_SAMPLER_ARG}={arg:?} is ignored because {OTEL_TRACES_SAMPLER} is \
                 not set; using parentbased_always_on"
            ));
        }
        return Ok(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)));
    };
    let name = value.to_ascii_lowercase();
    let (root, parent_based) = match name.as_str() {
        "always_on" => (Some(Sampler::AlwaysOn), false),
        "always_off" => (Some(Sampler::AlwaysOff), false),
        "parentbased_always_on" => (Some(Sampler::AlwaysOn), true),
        "parentbased_always_off" => (Some(Sampler::AlwaysOff), true),
        "traceidratio" => (None, false),
        "parentbased_traceidratio" => (None, true),
        "jaeger_remote" | "parentbased_jaeger_remote" | "xray" => {
            return Err(InitError::invalid(
                OTEL_TRACES_SAMPLER,
                &value,
                format!("{name:?} is not supported by baton; expected one of {KNOWN}"),
            ));
        }
        _ => {
            return Err(InitError::invalid(
                OTEL_TRACES_SAMPLER,
                &value,
                format!("unknown sampler; expected one of {KNOWN}"),
            ));
        }
    };
    let root = match root {
        Some(fixed) => {
            if let Some(arg) = arg {
                vars.warn(format!(
                    "{OTEL_TRACES_SAMPLER_ARG}={arg:?} is ignored: {name} takes no argument"
                ));
            }
            fixed
        }
        None => Sampler::TraceIdRatioBased(match arg {
            None => 1.0,
            Some(arg) => ratio(&arg)?,
        }),
    };
    Ok(if parent_based {
        Sampler::ParentBased(Box::new(root))
    } else {
        root
    })
}

fn ratio(arg: &str) -> Result<f64, InitError> {
    arg.parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| {
            InitError::invalid(
                OTEL_TRACES_SAMPLER_ARG,
                arg,
                "must be a number between 0 and 1",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn run(pairs: &[(&str, &str)]) -> (Result<Sampler, InitError>, Vec<String>) {
        let env = MapEnv::of(pairs);
        let mut vars = Vars::new(&env);
        let sampler = sampler(&mut vars);
        (sampler, vars.into_warnings())
    }

    fn describe(s: &Sampler) -> String {
        match s {
            Sampler::AlwaysOn => "on".into(),
            Sampler::AlwaysOff => "off".into(),
            Sampler::TraceIdRatioBased(r) => format!("ratio({r})"),
            Sampler::ParentBased(root) => format!("parent({root:?})"),
            _ => "other".into(),
        }
    }

    #[test]
    fn every_standard_value() {
        let cases = [
            ("always_on", None, "on"),
            ("always_off", None, "off"),
            ("traceidratio", Some("0.25"), "ratio(0.25)"),
            ("traceidratio", None, "ratio(1)"),
            ("TraceIdRatio", Some("0"), "ratio(0)"),
            ("parentbased_always_on", None, "parent(AlwaysOn)"),
            ("parentbased_always_off", None, "parent(AlwaysOff)"),
            (
                "parentbased_traceidratio",
                Some("1"),
                "parent(TraceIdRatioBased(1.0))",
            ),
        ];
        for (name, arg, want) in cases {
            let mut pairs = vec![(OTEL_TRACES_SAMPLER, name)];
            if let Some(arg) = arg {
                pairs.push((OTEL_TRACES_SAMPLER_ARG, arg));
            }
            let (sampler, warnings) = run(&pairs);
            assert_eq!(describe(&sampler.unwrap()), want, "{name} {arg:?}");
            assert!(warnings.is_empty());
        }
        let (sampler, _) = run(&[]);
        assert_eq!(describe(&sampler.unwrap()), "parent(AlwaysOn)");
    }

    #[test]
    fn ratio_out_of_range_or_not_a_number() {
        for arg in ["1.5", "-0.1", "NaN", "half", "inf"] {
            let (sampler, _) = run(&[
                (OTEL_TRACES_SAMPLER, "traceidratio"),
                (OTEL_TRACES_SAMPLER_ARG, arg),
            ]);
            assert_eq!(
                sampler.unwrap_err().to_string(),
                format!("OTEL_TRACES_SAMPLER_ARG={arg:?}: must be a number between 0 and 1")
            );
        }
    }

    #[test]
    fn unused_arguments_are_warned_about() {
        let (sampler, warnings) = run(&[
            (OTEL_TRACES_SAMPLER, "always_on"),
            (OTEL_TRACES_SAMPLER_ARG, "0.5"),
        ]);
        assert_eq!(describe(&sampler.unwrap()), "on");
        assert_eq!(
            warnings,
            [r#"OTEL_TRACES_SAMPLER_ARG="0.5" is ignored: always_on takes no argument"#]
        );
        let (sampler, warnings) = run(&[(OTEL_TRACES_SAMPLER_ARG, "0.5")]);
        assert_eq!(describe(&sampler.unwrap()), "parent(AlwaysOn)");
        assert_eq!(
            warnings,
            [
                r#"OTEL_TRACES_SAMPLER_ARG="0.5" is ignored because OTEL_TRACES_SAMPLER is not set; using parentbased_always_on"#
            ]
        );
    }

    #[test]
    fn unknown_and_unsupported_samplers() {
        let (sampler, _) = run(&[(OTEL_TRACES_SAMPLER, "sometimes")]);
        assert_eq!(
            sampler.unwrap_err().to_string(),
            format!(r#"OTEL_TRACES_SAMPLER="sometimes": unknown sampler; expected one of {KNOWN}"#)
        );
        let (sampler, _) = run(&[(OTEL_TRACES_SAMPLER, "jaeger_remote")]);
        assert!(sampler.unwrap_err().to_string().starts_with(
            r#"OTEL_TRACES_SAMPLER="jaeger_remote": "jaeger_remote" is not supported by baton"#
        ));
    }
}
