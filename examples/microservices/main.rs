//! The example microservices: `gateway` → `auth`, `users` → `db` (over HTTP, and once over
//! gRPC: `shop.Stock/Check`), traced end to end.
//!
//! ```sh
//! cargo run --example microservices                 # start all four, run the script, draw the traces, exit
//! cargo run --example microservices -- --serve      # keep them running for curl
//! cargo run --example microservices -- --service db --port 8083      # one service per process:
//! cargo run --example microservices -- --service users --port 8082 --db http://127.0.0.1:8083
//! ```
//!
//! With no exporter configured each trace is drawn in the terminal; set
//! `OTEL_EXPORTER_OTLP_ENDPOINT` to also send them to Jaeger, Tempo or a Collector.

mod auth;
mod db;
mod gateway;
mod script;
mod stock;
mod support;
mod users;

use baton::sdk::waterfall::WaterfallExporter;
use std::net::SocketAddr;
use std::process::ExitCode;
use support::{Peers, Service};
use tokio::net::TcpListener;
use tracing_subscriber::layer::SubscriberExt;

const SERVICES: [&str; 4] = ["gateway", "auth", "users", "db"];

/// Command-line options.
struct Args {
    serve: bool,
    service: Option<String>,
    port: u16,
    peers: Peers,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        serve: false,
        service: None,
        port: 0,
        peers: Peers {
            auth: "http://127.0.0.1:8081".into(),
            users: "http://127.0.0.1:8082".into(),
            db: "http://127.0.0.1:8083".into(),
        },
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--serve" => args.serve = true,
            "--service" => {
                let name = value("--service")?;
                if !SERVICES.contains(&name.as_str()) {
                    return Err(format!("--service {name:?}: expected one of {}", SERVICES.join(", ")));
                }
                args.service = Some(name);
            }
            "--port" => args.port = value("--port")?.parse().map_err(|e| format!("--port: {e}"))?,
            "--auth" => args.peers.auth = value("--auth")?,
            "--users" => args.peers.users = value("--users")?,
            "--db" => args.peers.db = value("--db")?,
            "-h" | "--help" => return Err("usage: microservices [--serve] [--service NAME --port N] [--auth URL] [--users URL] [--db URL]".into()),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

fn router(name: &str, service: Service) -> axum::Router {
    match name {
        "gateway" => gateway::router(service),
        "auth" => auth::router(service),
        "users" => users::router(service),
        _ => db::router(service),
    }
}

async fn serve(listener: TcpListener, router: axum::Router) {
    let app = router.into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("server error: {e}");
    }
}

/// The handlers' `tracing` spans and log lines, for the four services of one process: kept
/// out of the globals, so one service's guard lends its layers to the process's subscriber
/// (what `baton::init` installs by itself in a one-service process). One subscriber means
/// one logger: every service's log records carry `users`' resource here, though each names
/// its own span; run one service per process (`--service`) for records of their own. Each log record is
/// drawn under its span in the shared waterfall, and each line on standard error names its
/// trace and span.
fn install_tracing(guard: &baton::Guard) {
    let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// All four services in this process, each with its own `service.name`, drawing into one
/// waterfall.
async fn all_in_one(serve_forever: bool) -> Result<(), String> {
    let mut listeners = Vec::new();
    for _ in SERVICES {
        listeners.push(
            TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let url = |i: usize| {
        listeners[i]
            .local_addr()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default()
    };
    let peers = Peers {
        auth: url(1),
        users: url(2),
        db: url(3),
    };
    let gateway_url = url(0);

    let waterfall = WaterfallExporter::stdout();
    let mut guards = Vec::new();
    for (name, listener) in SERVICES.into_iter().zip(listeners) {
        let guard = baton::Builder::new()
            .service_name(name)
            .waterfall(waterfall.for_service(name))
            .install_global(false)
            .build()
            .map_err(|e| e.to_string())?;
        let service = Service::new(
            guard.tracer_provider().clone(),
            guard.meter_provider().clone(),
            peers.clone(),
        )?;
        if name == "users" {
            install_tracing(&guard);
        }
        tokio::spawn(serve(listener, router(name, service)));
        guards.push(guard);
    }

    if serve_forever {
        println!(
            "gateway  {gateway_url}   try: curl -H 'authorization: Bearer demo-token' {gateway_url}/profile/42"
        );
        println!(
            "auth     {}\nusers    {}\ndb       {}\n(ctrl-c to stop)",
            peers.auth, peers.users, peers.db
        );
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    } else {
        println!("Running the scripted requests against the gateway at {gateway_url}\n");
        script::run(&gateway_url).await?;
        println!();
    }
    // Flush every service first, then shut them down: each trace is drawn whole.
    for guard in &guards {
        let _ = guard.tracer_provider().force_flush();
    }
    let mut failures = Vec::new();
    for guard in guards {
        if let Err(e) = guard.shutdown() {
            failures.push(e.to_string());
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// One service in this process, telemetry from the `OTEL_*` environment.
async fn single(name: &str, port: u16, peers: Peers) -> Result<(), String> {
    let guard = baton::Builder::new()
        .service_name(name)
        .build()
        .map_err(|e| e.to_string())?;
    let service = Service::new(
        guard.tracer_provider().clone(),
        guard.meter_provider().clone(),
        peers,
    )?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{name} listening on http://{} (ctrl-c to stop)",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::select! {
        () = serve(listener, router(name, service)) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    guard.shutdown().map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match parse_args() {
        Ok(Args {
            service: Some(name),
            port,
            peers,
            ..
        }) => single(&name, port, peers).await,
        Ok(args) => all_in_one(args.serve).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
