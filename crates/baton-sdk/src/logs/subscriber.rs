//! The process-wide `tracing` subscriber `init` installs: set once (the global subscriber
//! can be set only once per process), its tracer, filter and outputs replaced in place by a
//! later `init` (tests and examples call it more than once), and the `log` crate's records
//! turned into events.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_log::AsLog;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

use super::Setup;
use super::swap::{SwapEvents, SwapFilter, SwapTracer};

/// What a later `init` replaces in baton's installed subscriber.
struct Installed {
    tracer: SwapTracer,
    filter: SwapFilter,
    events: SwapEvents,
    /// Whether `log` records come through baton's `LogTracer` (not another `log` logger,
    /// whose level is then not baton's to set).
    log_tracer: bool,
}

static INSTALLED: Mutex<Option<Installed>> = Mutex::new(None);

/// Whether the "already installed" warning was printed.
static WARNED: AtomicBool = AtomicBool::new(false);

/// The warning when another subscriber is the global one.
pub(crate) const ALREADY_INSTALLED: &str = "a global `tracing` subscriber is already installed, so \
     baton leaves it in place: its events carry no trace ids and are not exported as logs. \
     Add `guard.tracing_layer()` to that subscriber to get both, or turn this off with \
     `Builder::tracing_subscriber(false)`";

/// Installs baton's subscriber for `setup`, or points the one an earlier call installed at
/// `setup`. Returns the warning when another subscriber was installed first (once per
/// process).
pub(crate) fn install(setup: &Setup) -> Option<&'static str> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(parts) = installed.as_ref() {
        parts.tracer.set(setup.tracer());
        parts.events.set(setup.events());
        parts.filter.set(setup.filter.build());
        if parts.log_tracer {
            set_log_level(parts.filter.max_level());
        }
        return None;
    }
    let mut parts = Installed {
        tracer: SwapTracer::new(setup.tracer()),
        filter: SwapFilter::new(setup.filter.build()),
        events: SwapEvents::new(setup.events()),
        log_tracer: false,
    };
    let layer = tracing_opentelemetry::layer()
        .with_tracer(parts.tracer.clone())
        .and_then(parts.events.clone())
        .with_filter(parts.filter.clone());
    match tracing::subscriber::set_global_default(Registry::default().with(layer)) {
        Ok(()) => {
            let max = parts
                .filter
                .max_level()
                .unwrap_or(tracing::level_filters::LevelFilter::TRACE);
            // Another `log` logger may be installed: then `log` records go there instead.
            parts.log_tracer = tracing_log::LogTracer::builder()
                .with_max_level(max.as_log())
                .init()
                .is_ok();
            *installed = Some(parts);
            None
        }
        Err(_) => (!WARNED.swap(true, Ordering::Relaxed)).then_some(ALREADY_INSTALLED),
    }
}

/// Lets through the `log` crate only the levels the filter can keep.
fn set_log_level(max: Option<tracing::level_filters::LevelFilter>) {
    if let Some(max) = max {
        tracing_log::log::set_max_level(max.as_log());
    }
}
