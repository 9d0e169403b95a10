//! A real Jaeger v2 on 127.0.0.1, as the backend of the end-to-end tests: built by
//! `scripts/jaeger.sh` from the Go module proxy (cached outside the repository), started
//! with a configuration of the test's own — OTLP gRPC and HTTP receivers, a Zipkin receiver,
//! in-memory storage, the query API, every port free and on loopback — and read back
//! through its query API, whose `/api/v3/traces/{id}` answers in OTLP JSON. Spans are
//! flattened into the receiver's [`Span`], so the same tree assertions apply to what
//! Jaeger stored as to what baton sent.
//!
//! [`Jaeger::start_tls`] puts TLS on every receiver (OTLP gRPC, OTLP HTTP, Zipkin) with a
//! certificate the test issued ([`crate::tls::TestCa`]), and with a client CA, requires
//! client certificates it issued (mTLS); the query API stays plain HTTP on loopback.
//!
//! A missing Go toolchain fails the start with the script's message: no test is skipped
//! because Jaeger is absent.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::otlp::Span;

/// [`Span::transport`] of spans read back from Jaeger.
pub const JAEGER_TRANSPORT: &str = "jaeger";

/// The Jaeger binary, built (once per machine) by `scripts/jaeger.sh`, or the one
/// `BATON_JAEGER` names.
pub fn binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("BATON_JAEGER") {
                return Ok(PathBuf::from(path));
            }
            let script = workspace_root().join("scripts/jaeger.sh");
            let out = Command::new(&script)
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("could not run {}: {e}", script.display()))?;
            if !out.status.success() {
                return Err(format!(
                    "{} failed ({}): Jaeger is needed by the end-to-end tests",
                    script.display(),
                    out.status
                ));
            }
            Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// TLS on Jaeger's receivers: the server certificate and key (PEM), and the CA that client
/// certificates must chain to, for mTLS.
#[derive(Clone, Debug)]
pub struct ReceiverTls {
    /// The receivers' certificate (PEM), issued for `127.0.0.1`.
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// With it, a client certificate is required and must chain to this CA (PEM).
    pub client_ca: Option<PathBuf>,
}

impl ReceiverTls {
    /// The `tls:` block of one receiver's server settings, indented under it.
    fn yaml(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut out = format!(
            "\n{pad}tls:\n{pad}  cert_file: {}\n{pad}  key_file: {}",
            self.cert.display(),
            self.key.display()
        );
        if let Some(ca) = &self.client_ca {
            out.push_str(&format!("\n{pad}  client_ca_file: {}", ca.display()));
        }
        out
    }
}

/// A running Jaeger; stopped (killed) when dropped.
pub struct Jaeger {
    child: Child,
    scheme: &'static str,
    otlp_grpc: SocketAddr,
    otlp_http: SocketAddr,
    zipkin: SocketAddr,
    query: SocketAddr,
    dir: PathBuf,
}

impl std::fmt::Debug for Jaeger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jaeger")
            .field("otlp_grpc", &self.otlp_grpc)
            .field("otlp_http", &self.otlp_http)
            .field("zipkin", &self.zipkin)
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

/// Free ports on 127.0.0.1: bound together, then released for Jaeger to take.
fn free_ports<const N: usize>() -> [SocketAddr; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("port"))
}

fn config(
    otlp_grpc: SocketAddr,
    otlp_http: SocketAddr,
    zipkin: SocketAddr,
    query: SocketAddr,
    query_grpc: SocketAddr,
    tls: Option<&ReceiverTls>,
) -> String {
    let tls = |indent| tls.map(|t| t.yaml(indent)).unwrap_or_default();
    let (grpc_tls, http_tls, zipkin_tls) = (tls(8), tls(8), tls(4));
    format!(
        "service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp, zipkin]
      processors: []
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: {query}
    grpc:
      endpoint: {query_grpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {otlp_grpc}{grpc_tls}
      http:
        endpoint: {otlp_http}{http_tls}
  zipkin:
    endpoint: {zipkin}{zipkin_tls}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
"
    )
}

impl Jaeger {
    /// Builds Jaeger if needed, starts it on free loopback ports, and waits (up to 30 s)
    /// until its query API answers.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// [`start`](Self::start), every receiver behind TLS (and mTLS, given a client CA):
    /// the receivers' URLs are then `https://`.
    pub fn start_tls(tls: &ReceiverTls) -> Self {
        Self::start_with(Some(tls))
    }

    fn start_with(tls: Option<&ReceiverTls>) -> Self {
        let binary = binary();
        let [otlp_grpc, otlp_http, zipkin, query, query_grpc] = free_ports::<5>();
        let dir = std::env::temp_dir().join(format!(
            "baton-jaeger-{}-{}",
            std::process::id(),
            query.port()
        ));
        std::fs::create_dir_all(&dir).expect("a directory for Jaeger's config");
        let config_path = dir.join("config.yaml");
        std::fs::write(
            &config_path,
            config(otlp_grpc, otlp_http, zipkin, query, query_grpc, tls),
        )
        .expect("write Jaeger's config");
        let log = std::fs::File::create(dir.join("jaeger.log")).expect("Jaeger's log file");
        let child = Command::new(&binary)
            .arg("--config")
            .arg(format!("file:{}", config_path.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
        let mut jaeger = Jaeger {
            child,
            scheme: if tls.is_some() { "https" } else { "http" },
            otlp_grpc,
            otlp_http,
            zipkin,
            query,
            dir,
        };
        let started = Instant::now();
        // The query extension starts before the receivers: wait for both.
        let receiving = || {
            [otlp_grpc, otlp_http, zipkin]
                .iter()
                .all(|a| TcpStream::connect_timeout(a, Duration::from_millis(200)).is_ok())
        };
        while get(query, "/api/v3/services").is_err() || !receiving() {
            if let Ok(Some(status)) = jaeger.child.try_wait() {
                panic!("Jaeger exited with {status}:\n{}", jaeger.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Jaeger's query API did not answer within 30 s:\n{}",
                jaeger.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        jaeger
    }

    /// Jaeger's own log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("jaeger.log")).unwrap_or_default()
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:<port>` (`https://` behind TLS).
    pub fn otlp_grpc_url(&self) -> String {
        format!("{}://{}", self.scheme, self.otlp_grpc)
    }

    /// The OTLP/HTTP endpoint (base URL: exporters append `/v1/traces`).
    pub fn otlp_http_url(&self) -> String {
        format!("{}://{}", self.scheme, self.otlp_http)
    }

    /// The Zipkin v2 spans endpoint, `http://127.0.0.1:<port>/api/v2/spans`.
    pub fn zipkin_url(&self) -> String {
        format!("{}://{}/api/v2/spans", self.scheme, self.zipkin)
    }

    /// The ids of the traces Jaeger holds for `service` (at most 1,000), from the query API.
    pub fn trace_ids(&self, service: &str) -> Vec<String> {
        let path = format!("/api/traces?service={service}&limit=1000");
        let Ok(body) = get(self.query, &path) else {
            return Vec::new();
        };
        let Ok(json) = serde_json::from_str::<Value>(&body) else {
            return Vec::new();
        };
        json["data"]
            .as_array()
            .map(|traces| {
                traces
                    .iter()
                    .filter_map(|t| t["traceID"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every span of one trace as Jaeger returns it in OTLP JSON (`/api/v3/traces/{id}`).
    pub fn trace(&self, trace_id: &str) -> Vec<Span> {
        let body = get(self.query, &format!("/api/v3/traces/{trace_id}"))
            .unwrap_or_else(|e| panic!("GET trace {trace_id} from Jaeger: {e}"));
        let json: Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("trace {trace_id} from Jaeger is not JSON ({e}): {body}"));
        spans_from_otlp_json(&json["result"])
    }

    /// Every span of every trace that involves `service`, each trace once.
    pub fn spans(&self, service: &str) -> Vec<Span> {
        self.trace_ids(service)
            .iter()
            .flat_map(|id| self.trace(id))
            .collect()
    }

    /// Waits up to `limit` for `done` to hold of [`spans`](Self::spans)`(service)`, and
    /// returns them; panics, naming `what`, when it never does.
    pub fn wait_for(
        &self,
        service: &str,
        what: &str,
        limit: Duration,
        mut done: impl FnMut(&[Span]) -> bool,
    ) -> Vec<Span> {
        let started = Instant::now();
        loop {
            let spans = self.spans(service);
            if done(&spans) {
                return spans;
            }
            assert!(
                started.elapsed() < limit,
                "Jaeger never held {what} within {limit:?}; it holds {} spans:\n{}",
                spans.len(),
                crate::otlp::trace::render_all(&spans)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Jaeger {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A plain HTTP/1.0 GET on loopback (no chunking, the body ends with the connection).
fn get(addr: SocketAddr, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nhost: {addr}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("read {addr}{path}: {e}"))?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP head from {addr}{path}: {answer}"))?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(format!("{addr}{path}: {head}"));
    }
    Ok(body.to_owned())
}

/// OTLP JSON (`{"resourceSpans": [...]}`) flattened into [`Span`]s, values as text the way
/// [`crate::decode::value`] writes protobuf values, so spans read from Jaeger compare with
/// spans a receiver decoded.
pub fn spans_from_otlp_json(traces: &Value) -> Vec<Span> {
    let mut out = Vec::new();
    for rs in array(&traces["resourceSpans"]) {
        let resource = attributes(&rs["resource"]["attributes"]);
        let service = resource.get("service.name").cloned().unwrap_or_default();
        for ss in array(&rs["scopeSpans"]) {
            let scope = text(&ss["scope"]["name"]);
            for span in array(&ss["spans"]) {
                out.push(Span {
                    name: text(&span["name"]),
                    kind: span["kind"].as_i64().unwrap_or(0) as i32,
                    trace_id: text(&span["traceId"]).to_ascii_lowercase(),
                    span_id: text(&span["spanId"]).to_ascii_lowercase(),
                    parent_span_id: text(&span["parentSpanId"]).to_ascii_lowercase(),
                    trace_state: text(&span["traceState"]),
                    start: text(&span["startTimeUnixNano"]).parse().unwrap_or(0),
                    attributes: attributes(&span["attributes"]),
                    events: array(&span["events"]).map(|e| text(&e["name"])).collect(),
                    links: array(&span["links"])
                        .map(|l| {
                            (
                                text(&l["traceId"]).to_ascii_lowercase(),
                                text(&l["spanId"]).to_ascii_lowercase(),
                            )
                        })
                        .collect(),
                    resource: resource.clone(),
                    service: service.clone(),
                    scope: scope.clone(),
                    status_code: span["status"]["code"].as_i64().unwrap_or(0) as i32,
                    status_message: text(&span["status"]["message"]),
                    transport: JAEGER_TRANSPORT,
                });
            }
        }
    }
    out
}

fn array(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn attributes(kvs: &Value) -> BTreeMap<String, String> {
    array(kvs)
        .map(|kv| (text(&kv["key"]), any_value(&kv["value"])))
        .collect()
}

/// One OTLP JSON `AnyValue` as text (int64 travels as a JSON string).
fn any_value(v: &Value) -> String {
    if let Some(s) = v["stringValue"].as_str() {
        s.to_owned()
    } else if let Some(i) = v.get("intValue") {
        text(i)
    } else if let Some(b) = v["boolValue"].as_bool() {
        b.to_string()
    } else if let Some(d) = v["doubleValue"].as_f64() {
        d.to_string()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otlp_json_is_flattened_like_the_protobuf() {
        let json: Value = serde_json::from_str(
            r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"users"}}]},
            "scopeSpans":[{"scope":{"name":"baton"},"spans":[{"traceId":"0AF7651916CD43DD8448EB211C80319C",
            "spanId":"b7ad6b7169203331","parentSpanId":"","name":"GET /users/{id}","kind":2,
            "startTimeUnixNano":"1796120910993340365","attributes":[
            {"key":"http.response.status_code","value":{"intValue":"404"}},
            {"key":"ok","value":{"boolValue":false}},{"key":"ratio","value":{"doubleValue":0.5}}],
            "events":[{"name":"exception"}],"links":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002"}],
            "status":{"code":2,"message":"boom"}}]}]}]}"#,
        )
        .unwrap();
        let spans = spans_from_otlp_json(&json);
        assert_eq!(spans.len(), 1);
        let s = &spans[0];
        assert_eq!(
            (
                s.name.as_str(),
                s.kind,
                s.service.as_str(),
                s.scope.as_str()
            ),
            ("GET /users/{id}", 2, "users", "baton")
        );
        assert_eq!(s.trace_id, "0af7651916cd43dd8448eb211c80319c");
        assert_eq!(s.parent_span_id, "");
        assert_eq!(s.start, 1_796_120_910_993_340_365);
        assert_eq!(s.attr("http.response.status_code"), Some("404"));
        assert_eq!(s.attr("ok"), Some("false"));
        assert_eq!(s.attr("ratio"), Some("0.5"));
        assert_eq!(s.events, ["exception"]);
        assert_eq!(
            s.links,
            [(
                "00000000000000000000000000000001".to_owned(),
                "0000000000000002".to_owned()
            )]
        );
        assert_eq!((s.status_code, s.status_message.as_str()), (2, "boom"));
    }
}
