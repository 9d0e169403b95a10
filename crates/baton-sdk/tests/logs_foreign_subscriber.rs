//! A program that installed its own global `tracing` subscriber first keeps it: `init` says
//! so once, in its warnings (and on standard error), and carries on.

#[test]
fn init_leaves_an_installed_subscriber_in_place_and_says_so_once() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry()).unwrap();
    let build = || {
        baton_sdk::Builder::from_env_map([
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_METRICS_EXPORTER", "none"),
        ])
        .build()
        .unwrap()
    };
    let guard = build();
    assert_eq!(
        guard.warnings(),
        [
            "a global `tracing` subscriber is already installed, so baton leaves it in place: \
             its events carry no trace ids and are not exported as logs. Add \
             `guard.tracing_layer()` to that subscriber to get both, or turn this off with \
             `Builder::tracing_subscriber(false)`"
        ]
    );
    guard.shutdown().unwrap();
    let again = build();
    assert!(again.warnings().is_empty(), "{:?}", again.warnings());
}
