//! Services as child processes: the example binary (one service per process) and the Python
//! peer. Every child is killed when the [`Processes`] holding it is dropped, so a failing
//! test leaves nothing running; every wait is bounded.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The workspace root (the `baton` package's directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example binary `microservices`, built with this test binary's profile.
///
/// It lives in `target/<profile>/examples/`, beside the `deps/` directory this test runs
/// from. `cargo test` with all targets builds it first; `cargo test --test NAME` does not,
/// so when it is missing or older than any source it is built from, this runs
/// `cargo build --example microservices` (with this test's features, so the library is
/// not rebuilt): the processes must run the code in the tree, never a stale build.
pub fn example_binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(build_example)
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn build_example() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // target/<profile>/deps/<test binary>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{} is not in target/<profile>/deps", exe.display()))?;
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| format!("{} has no parent", profile_dir.display()))?;
    let binary = profile_dir
        .join("examples")
        .join(format!("microservices{}", std::env::consts::EXE_SUFFIX));

    if binary.exists() && modified(&binary) >= newest_source() {
        return Ok(binary);
    }

    // The same features this test was built with, so the library is not rebuilt.
    let features: Vec<&str> = [
        ("axum", cfg!(feature = "axum")),
        ("reqwest", cfg!(feature = "reqwest")),
        ("hyper-util", cfg!(feature = "hyper-util")),
        ("sdk", cfg!(feature = "sdk")),
        ("otlp-grpc", cfg!(feature = "otlp-grpc")),
        ("otlp-http", cfg!(feature = "otlp-http")),
        ("zipkin", cfg!(feature = "zipkin")),
        ("waterfall", cfg!(feature = "waterfall")),
        ("tls", cfg!(feature = "tls")),
        ("logs", cfg!(feature = "logs")),
        ("tonic", cfg!(feature = "tonic")),
        ("testing", cfg!(feature = "testing")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(other) => other.to_owned(),
        None => "dev".to_owned(),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command
        .current_dir(root())
        .args(["build", "--quiet", "--example", "microservices"])
        .args(["--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir)
        .args(["--no-default-features", "--features", &features.join(",")])
        .stdin(Stdio::null());
    let described = format!("{command:?}");
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not run {described}: {e}"))?;
    // Building from scratch takes a while on a small machine; a fresh build is a no-op.
    match wait_timeout(&mut child, Duration::from_secs(300)) {
        Some(status) if status.success() => {}
        Some(status) => return Err(format!("{described} failed: {status}")),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{described} did not finish within 300 s; build the example first: cargo build --example microservices"
            ));
        }
    }
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!("{} is missing after {described}", binary.display()))
    }
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

/// The newest modification time among what the example is built from: its sources, the
/// library's and the crates' sources, and the manifests and lock file.
fn newest_source() -> std::time::SystemTime {
    fn walk(path: &Path, newest: &mut std::time::SystemTime) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(path) {
                for entry in entries.flatten() {
                    walk(&entry.path(), newest);
                }
            }
        } else if let Ok(time) = meta.modified() {
            *newest = (*newest).max(time);
        }
    }
    let root = root();
    let mut newest = std::time::UNIX_EPOCH;
    for path in ["examples/microservices", "src", "Cargo.toml", "Cargo.lock"] {
        walk(&root.join(path), &mut newest);
    }
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for krate in crates.flatten() {
            walk(&krate.path().join("src"), &mut newest);
            walk(&krate.path().join("Cargo.toml"), &mut newest);
        }
    }
    newest
}

/// `.venv/bin/<name>` at the workspace root, or a panic telling how to create it.
pub fn venv_bin(name: &str) -> PathBuf {
    let path = root().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test.sh, which creates the virtualenv (.venv) with \
         OpenTelemetry Python from tests/interop/requirements.txt",
        path.display()
    );
    path
}

/// Polls `child` until it exits or `limit` passes.
pub fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => return None,
        }
    }
}

/// Forwards a child's output, line by line and prefixed with its name, to this test's
/// (captured) standard error, and hands every line to `lines`.
fn forward(name: String, stream: impl Read + Send + 'static, lines: Option<mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            eprintln!("[{name}] {line}");
            if let Some(lines) = &lines {
                let _ = lines.send(line);
            }
        }
    });
}

/// One running child.
pub struct Running {
    pub name: String,
    /// `http://127.0.0.1:<port>`, from the line it printed when it started listening.
    pub url: String,
    child: Child,
}

/// The children a test started; each is killed (SIGKILL) if still running when this is
/// dropped, as it is when the test panics.
#[derive(Default)]
pub struct Processes {
    running: Vec<Running>,
}

impl Processes {
    /// Starts `command` as `name`, and waits (at most `limit`) for it to print
    /// `... listening on http://ADDR ...` on standard output. Returns `http://ADDR`.
    pub fn start(&mut self, name: &str, mut command: Command, limit: Duration) -> String {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let described = format!("{command:?}");
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name} ({described}): {e}"));
        let (tx, rx) = mpsc::channel();
        forward(
            name.to_owned(),
            child.stdout.take().expect("stdout"),
            Some(tx),
        );
        forward(name.to_owned(), child.stderr.take().expect("stderr"), None);
        // Held by `self` from here on, so a panic below still kills it.
        self.running.push(Running {
            name: name.to_owned(),
            url: String::new(),
            child,
        });
        let start = Instant::now();
        let url = loop {
            let left = limit.saturating_sub(start.elapsed());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find("listening on http://") {
                        let rest = &line[at + "listening on ".len()..];
                        let url = rest.split_whitespace().next().unwrap_or(rest).to_owned();
                        break url;
                    }
                }
                Err(_) => {
                    let exited = self
                        .running
                        .last_mut()
                        .and_then(|r| r.child.try_wait().ok().flatten());
                    panic!(
                        "{name} did not say it was listening within {limit:?} (exit status: {exited:?}); command: {described}"
                    );
                }
            }
        };
        self.running.last_mut().expect("just pushed").url = url.clone();
        url
    }

    /// Asks every child to stop with SIGINT (ctrl-c: each shuts its telemetry down, which
    /// flushes it) and waits for each, at most `limit` in all. Returns each name with its
    /// exit status, `None` for one that had to be killed.
    pub fn interrupt_all(&mut self, limit: Duration) -> Vec<(String, Option<ExitStatus>)> {
        for running in &self.running {
            let _ = Command::new("kill")
                .args(["-INT", &running.child.id().to_string()])
                .status();
        }
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        for mut running in self.running.drain(..) {
            let left = deadline.saturating_duration_since(Instant::now());
            let status = wait_timeout(&mut running.child, left);
            if status.is_none() {
                let _ = running.child.kill();
                let _ = running.child.wait();
            }
            out.push((running.name, status));
        }
        out
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for running in &mut self.running {
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }
}

/// A command for one service of the example: `microservices --service NAME --port 0` plus
/// `args`, with every `OTEL_*` variable of this process removed and `env` set instead.
pub fn example_service(name: &str, args: &[(&str, &str)], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(example_binary());
    command.args(["--service", name, "--port", "0"]);
    for (flag, value) in args {
        command.args([*flag, *value]);
    }
    clean_env(&mut command, env);
    command
}

/// Removes every `OTEL_*` variable this process has from `command`'s environment and sets
/// `env` instead, so a developer's own settings cannot change what a test sees.
pub fn clean_env(command: &mut Command, env: &[(&str, &str)]) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
}
