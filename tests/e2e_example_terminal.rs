//! The main job as a new user runs it: `cargo run --example microservices` with nothing
//! configured. It must exit 0, draw every trace in the terminal with the handlers' log
//! records under their spans, and print each log line on standard error with the trace id
//! of a drawn trace.
#![cfg(unix)]

mod e2e_common;

use std::process::{Command, Stdio};

use e2e_common::process::{clean_env, example_binary};

#[test]
fn the_example_draws_its_traces_with_their_logs_and_logs_name_them() {
    let mut command = Command::new(example_binary());
    clean_env(&mut command, &[]);
    command
        .env_remove("RUST_LOG")
        .env_remove("BATON_LOG_FORMAT");
    let output = command
        .stdin(Stdio::null())
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{:?}\n{stderr}\n{stdout}",
        output.status
    );

    // The failing query's trace: drawn, with db's error record under db's server span.
    let failing = stdout
        .split("\ntrace ")
        .find(|t| t.contains("SELECT orders") && t.contains("error.type=500"))
        .unwrap_or_else(|| panic!("no drawn trace with the failing query:\n{stdout}"));
    let trace_id = failing.split_whitespace().next().unwrap_or_default();
    assert_eq!(trace_id.len(), 32, "{failing}");
    let rows: Vec<&str> = failing.lines().collect();
    let load = rows
        .iter()
        .position(|r| r.contains(" load_profile "))
        .unwrap_or_else(|| panic!("no load_profile row:\n{failing}"));
    assert!(
        rows[load + 1].contains("· INFO") && rows[load + 1].ends_with("loading profile"),
        "the record under its span:\n{failing}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("· ERROR") && r.ends_with("query failed")),
        "{failing}"
    );

    // The same record as a line on standard error, naming that trace.
    let line = stderr
        .lines()
        .find(|l| l.contains(" ERROR microservices::db: query failed"))
        .unwrap_or_else(|| panic!("no error line:\n{stderr}"));
    assert!(
        line.contains("table=orders id=13")
            && line.contains(&format!("trace_id={trace_id} span_id=")),
        "{line}"
    );
    // Nothing else on standard error but log lines.
    for other in stderr.lines() {
        assert!(
            other.len() > 27 && other.as_bytes()[10] == b'T' && other.contains(" microservices::"),
            "not a log line of the example: {other:?}\n{stderr}"
        );
    }
}
