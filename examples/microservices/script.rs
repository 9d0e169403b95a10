//! The scripted requests the demo sends to the gateway, as a user would.

use std::time::Instant;

/// One request of the script, and the status it should get.
struct Step {
    what: &'static str,
    path: &'static str,
    token: &'static str,
    expect: u16,
}

const STEPS: [Step; 7] = [
    Step {
        what: "a user's profile",
        path: "/profile/42",
        token: "demo-token",
        expect: 200,
    },
    Step {
        what: "a user who does not exist",
        path: "/profile/7",
        token: "demo-token",
        expect: 404,
    },
    Step {
        what: "a failing database query",
        path: "/profile/13",
        token: "demo-token",
        expect: 500,
    },
    Step {
        what: "a bad token",
        path: "/profile/42",
        token: "stolen",
        expect: 401,
    },
    Step {
        what: "a flaky dependency, retried",
        path: "/inventory",
        token: "",
        expect: 200,
    },
    Step {
        what: "a slow endpoint",
        path: "/report",
        token: "",
        expect: 200,
    },
    Step {
        what: "stock, over gRPC to db",
        path: "/stock",
        token: "",
        expect: 200,
    },
];

/// Sends every step to the gateway and prints what came back. Fails if a status is not
/// the one the step expects.
pub async fn run(gateway: &str) -> Result<(), String> {
    // The user's own client is not traced: the gateway is the public entry point.
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for step in &STEPS {
        let started = Instant::now();
        let mut request = client.get(format!("{gateway}{}", step.path));
        if !step.token.is_empty() {
            request = request.header("authorization", format!("Bearer {}", step.token));
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{}: {e}", step.path))?;
        let status = response.status().as_u16();
        let timing = response
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        println!(
            "→ GET {:<12} {status}  {:>6.1} ms  {:<28} {timing}",
            step.path,
            started.elapsed().as_secs_f64() * 1000.0,
            step.what
        );
        if status != step.expect {
            failures.push(format!(
                "{} returned {status}, expected {}",
                step.path, step.expect
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
