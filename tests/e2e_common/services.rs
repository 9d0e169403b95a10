//! The example's four services as separate processes (`microservices --service NAME`),
//! configured only by `OTEL_*` variables, driven through the scripted flow plus the linked
//! request, then stopped with SIGINT: each must flush and exit 0.

use std::time::Duration;

use super::flow;
use super::process::{Processes, example_service};

/// The example's scripted requests (examples/microservices/script.rs).
#[path = "../../examples/microservices/script.rs"]
pub mod script;

/// Runs db, auth, users and gateway with `env` (plus a short batch delay), sends the
/// scripted requests and the linked request, stops every process and asserts each exited
/// 0 after flushing. Returns the trace id the gateway reported for the linked request.
pub fn run_scripted_flow(env: &[(&str, &str)]) -> String {
    // Build (or check) the example before any process starts.
    let _ = super::process::example_binary();
    let mut env = env.to_vec();
    env.push(("OTEL_BSP_SCHEDULE_DELAY", "50"));
    let limit = Duration::from_secs(20);
    let mut processes = Processes::default();
    let db = processes.start("db", example_service("db", &[], &env), limit);
    let auth = processes.start("auth", example_service("auth", &[], &env), limit);
    let users = processes.start(
        "users",
        example_service("users", &[("--db", &db)], &env),
        limit,
    );
    let gateway = processes.start(
        "gateway",
        example_service("gateway", &[("--auth", &auth), ("--users", &users)], &env),
        limit,
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let linked_trace_id = drive(&runtime, &gateway);

    for (name, status) in processes.interrupt_all(Duration::from_secs(15)) {
        assert!(
            status.is_some_and(|s| s.success()),
            "{name} should flush, shut down cleanly on SIGINT and exit 0, got {status:?}"
        );
    }
    linked_trace_id
}

/// Sends the scripted requests and then the linked request to `gateway`, on `runtime`,
/// within bounded times. Returns the trace id the gateway reported for the linked request.
pub fn drive(runtime: &tokio::runtime::Runtime, gateway: &str) -> String {
    runtime
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(20), script::run(gateway)).await
        })
        .expect("the script finishes within 20 s")
        .expect("every scripted request gets the status the script expects");
    runtime
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(10), flow::send_linked_request(gateway)).await
        })
        .expect("the linked request finishes within 10 s")
}
