//! The Go peer (tests/go_peer: OpenTelemetry Go with otelhttp) as child processes: its
//! binary, built by `scripts/go_peer.sh` with the machine's Go toolchain, commands for its
//! modes, and running one to completion within a bound.
//!
//! Included by the tests that use it with
//! `#[path = "e2e_common/go_peer.rs"] mod go_peer;` (beside `mod e2e_common;`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::e2e_common::process::{clean_env, root, wait_timeout};

/// The Go peer's binary: `BATON_GO_PEER` when set, otherwise what `scripts/go_peer.sh`
/// builds (or finds cached) and prints. Panics with the script's message when it fails,
/// as it does without a Go toolchain: the tests must fail, never skip.
pub fn binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(build)
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn build() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("BATON_GO_PEER") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("BATON_GO_PEER={} is not a file", path.display()))
        };
    }
    let script = root().join("scripts/go_peer.sh");
    let mut command = Command::new("bash");
    command.arg(&script);
    // Building from a cold module cache downloads and compiles the SDK: minutes.
    let output = run(command, &[], Duration::from_secs(600))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): the Go peer is needed by these tests.\n{stderr}",
            script.display(),
            output.status
        ));
    }
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} printed {path:?}, which is not a file\n{stderr}",
            script.display()
        ))
    }
}

/// `go_peer ARGS...` with every `OTEL_*` variable of this process removed and `env` set
/// instead.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    command.args(args).current_dir(root());
    clean_env(&mut command, env);
    command
}

/// Runs `command` to completion with `stdin` as its standard input, killing it after
/// `limit`. Its standard error is also forwarded to this test's.
pub fn run(mut command: Command, stdin: &[u8], limit: Duration) -> Result<Output, String> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let described = format!("{command:?}");
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not run {described}: {e}"))?;
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let read = |mut stream: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let Some(status) = wait_timeout(&mut child, limit) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("{described} did not finish within {limit:?}"));
    };
    let _ = writer.join();
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    for line in String::from_utf8_lossy(&output.stderr).lines() {
        eprintln!("[go_peer] {line}");
    }
    Ok(output)
}

/// One request the peer's `call` mode made: its CLIENT span and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub trace_id: String,
    pub span_id: String,
    pub sampled: bool,
    pub status: u16,
    /// The propagation headers the request went out with, sorted and comma-separated.
    pub headers: String,
}

/// The `trace T span S sampled B status C headers H` lines `call` prints, one per request.
pub fn parse_calls(stdout: &str) -> Vec<Call> {
    stdout
        .lines()
        .filter(|l| l.starts_with("trace "))
        .map(|line| {
            let words: Vec<&str> = line.split(' ').collect();
            let field = |name: &str| {
                words
                    .iter()
                    .position(|w| *w == name)
                    .and_then(|i| words.get(i + 1))
                    .copied()
                    .unwrap_or_else(|| panic!("no {name} in {line:?}"))
            };
            Call {
                trace_id: field("trace").to_owned(),
                span_id: field("span").to_owned(),
                sampled: field("sampled") == "true",
                status: field("status").parse().expect("status"),
                headers: words.get(9).copied().unwrap_or_default().to_owned(),
            }
        })
        .collect()
}
