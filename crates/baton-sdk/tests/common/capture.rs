//! An in-memory span exporter that records batches and the resource it was given.

use std::sync::{Arc, Mutex};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// Records every batch; clones share the record.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    batches: Arc<Mutex<Vec<Vec<SpanData>>>>,
    resource: Arc<Mutex<Option<Resource>>>,
}

impl Capture {
    pub fn spans(&self) -> Vec<SpanData> {
        self.batches
            .lock()
            .unwrap()
            .iter()
            .flatten()
            .cloned()
            .collect()
    }

    pub fn batch_sizes(&self) -> Vec<usize> {
        self.batches.lock().unwrap().iter().map(Vec::len).collect()
    }

    pub fn resource(&self) -> Option<Resource> {
        self.resource.lock().unwrap().clone()
    }

    /// The string value of a resource attribute.
    pub fn resource_attr(&self, key: &'static str) -> Option<String> {
        self.resource()?
            .get(&opentelemetry::Key::from_static_str(key))
            .map(|v| v.to_string())
    }
}

impl SpanExporter for Capture {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.batches.lock().unwrap().push(batch);
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        *self.resource.lock().unwrap() = Some(resource.clone());
    }
}

/// A `Write` whose clones share one buffer, for exporters that print.
#[derive(Clone, Debug, Default)]
pub struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An exporter whose first export blocks until [`Gate::open`] (or 10 s), like a collector
/// that stalls; it counts the spans it is given.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    state: Arc<(Mutex<GateState>, std::sync::Condvar)>,
}

#[derive(Debug, Default)]
struct GateState {
    entered: bool,
    open: bool,
    spans: usize,
}

impl Gate {
    /// Waits until the first export has started (and is blocked).
    pub fn wait_entered(&self) {
        let (lock, cvar) = &*self.state;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = cvar
            .wait_timeout_while(guard, std::time::Duration::from_secs(10), |s| !s.entered)
            .unwrap();
        assert!(!timeout.timed_out() && guard.entered, "no export started");
    }

    pub fn open(&self) {
        let (lock, cvar) = &*self.state;
        lock.lock().unwrap().open = true;
        cvar.notify_all();
    }

    pub fn spans(&self) -> usize {
        self.state.0.lock().unwrap().spans
    }
}

impl SpanExporter for Gate {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let (lock, cvar) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.entered = true;
        state.spans += batch.len();
        cvar.notify_all();
        let _state = cvar
            .wait_timeout_while(state, std::time::Duration::from_secs(10), |s| !s.open)
            .unwrap();
        Ok(())
    }
}
