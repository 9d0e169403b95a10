//! An invalid `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` is not silent: a client layer built
//! with it warns on stderr, once per process, naming the variable and its value, then uses
//! the default methods. The layers read the process environment, so the check runs in a
//! child process (this test binary again, running the ignored `child` test) with the
//! variable set.

use baton_core::exchange::ClientTracing;
use std::process::Command;

const VALUE: &str = "GET,BAD METHOD";

/// Builds two client layers; run only as the child of the test below.
#[test]
#[ignore = "the child process of an_invalid_known_methods_variable_warns_once"]
fn child() {
    let _ = ClientTracing::new();
    let _ = ClientTracing::new();
}

#[test]
fn an_invalid_known_methods_variable_warns_once() {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--ignored", "--exact", "child", "--nocapture"])
        .env("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", VALUE)
        .output()
        .expect("child runs");
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning, got: {stderr}");
    assert!(
        warnings[0].contains(&format!(
            "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS={VALUE:?}"
        )) && warnings[0].contains("\"BAD METHOD\" is not an HTTP method")
            && warnings[0].contains("using the default methods"),
        "{}",
        warnings[0]
    );
}
