//! The process-wide `tracing` subscriber `init` installs: a registry whose layers a later
//! `init` replaces (tests and examples call it more than once; the global subscriber can be
//! set only once per process), and the `log` crate's records turned into events.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_log::AsLog;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry, reload};

/// baton's layers, as installed on the registry.
pub(crate) type Layers = Box<dyn Layer<Registry> + Send + Sync>;

/// The handle that swaps the installed layers, once baton's subscriber is the global one.
static INSTALLED: Mutex<Option<reload::Handle<Option<Layers>, Registry>>> = Mutex::new(None);

/// Whether the "already installed" warning was printed.
static WARNED: AtomicBool = AtomicBool::new(false);

/// The warning when another subscriber is the global one.
pub(crate) const ALREADY_INSTALLED: &str = "a global `tracing` subscriber is already installed, so \
     baton leaves it in place: its events carry no trace ids and are not exported as logs. \
     Add `guard.tracing_layer()` to that subscriber to get both, or turn this off with \
     `Builder::tracing_subscriber(false)`";

/// Installs `layers` as the global subscriber's, or replaces the ones an earlier call
/// installed. Returns the warning when another subscriber was installed first (printed
/// once per process by the caller's warnings).
pub(crate) fn install(
    layers: Layers,
    max: Option<tracing::level_filters::LevelFilter>,
) -> Option<&'static str> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(handle) = installed.as_ref() {
        let _ = handle.reload(Some(layers));
        set_log_level(max);
        return None;
    }
    let (layer, handle) = reload::Layer::new(Some(layers));
    match tracing::subscriber::set_global_default(Registry::default().with(layer)) {
        Ok(()) => {
            *installed = Some(handle);
            // Another `log` logger may be installed: then `log` records go there instead.
            let _ = tracing_log::LogTracer::builder()
                .with_max_level(
                    max.unwrap_or(tracing::level_filters::LevelFilter::TRACE)
                        .as_log(),
                )
                .init();
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
