//! What a server exchange may know of the sampler's decision before it builds a span: the
//! process-wide declaration that the global tracer provider's sampler follows an unsampled
//! caller ([`declare_global_sampler_parent_based`]; `baton::init` makes it for the samplers
//! it builds), and the test a request passes to skip the span it would drop.
//!
//! Most requests in production arrive under a caller that did not sample them (a 1–10 %
//! ratio upstream). With a parent-based sampler their spans are dropped whatever they carry,
//! yet the OpenTelemetry API only tells a layer so after it has built the span's name and
//! start attributes and handed them to the tracer. Declared, the decision is known from the
//! caller's flags alone, and such a request costs the extraction and little more: no
//! attributes, no span, the handler running in the caller's context (as it already does
//! when the sampler drops the span). Nothing observable changes: a dropped span reaches no
//! processor, records nothing and names nothing in a response.

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt;
use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, Ordering};

use super::source::GlobalTracer;

static GLOBAL_SAMPLER_PARENT_BASED: AtomicBool = AtomicBool::new(false);

/// Declares, for the whole process, whether the global tracer provider's sampler drops
/// every span whose parent is a valid remote span context without the sampled flag, whatever
/// the span's name, kind and attributes. Off by default.
///
/// True of the OpenTelemetry SDK's `ParentBased` sampler with its default for such parents
/// (`AlwaysOff`), whatever its root sampler (every `parentbased_*` value of
/// `OTEL_TRACES_SAMPLER`), and of `AlwaysOff`. `baton::init` declares it when it installs a
/// provider with such a sampler globally, and withdraws it for a sampler it cannot see into
/// (one given to its builder). An application that installs its own provider globally may
/// declare it when its sampler is one of these; it must not when its sampler may sample
/// under an unsampled caller (`remote_parent_not_sampled` set to anything but `AlwaysOff`,
/// or a custom sampler).
///
/// What it changes: a server layer on the global tracer provider (the default) skips
/// building the span of a request whose caller sent an unsampled context, when no response
/// header names the span; with metrics off it does nothing else for that request either. A
/// layer given its own provider always asks that provider's sampler. A layer takes the
/// global provider's tracer at its first request, and the declaration with it: declare
/// before the provider serves requests, and withdraw the declaration (declare `false`)
/// before you replace a declared provider with one whose sampler is not parent-based.
///
/// ```
/// use baton_core::exchange::{declare_global_sampler_parent_based, global_sampler_parent_based};
///
/// assert!(!global_sampler_parent_based());
/// declare_global_sampler_parent_based(true);
/// assert!(global_sampler_parent_based());
/// # declare_global_sampler_parent_based(false);
/// ```
pub fn declare_global_sampler_parent_based(parent_based: bool) {
    GLOBAL_SAMPLER_PARENT_BASED.store(parent_based, Ordering::Relaxed);
}

/// Whether [`declare_global_sampler_parent_based`] declared the global sampler parent-based.
#[inline]
pub fn global_sampler_parent_based() -> bool {
    GLOBAL_SAMPLER_PARENT_BASED.load(Ordering::Relaxed)
}

/// Whether the span `tracer` would start under `parent` is known to be dropped: it is the
/// global provider's tracer, whose sampler was declared parent-based when the tracer was
/// taken, and `parent` holds a valid remote span context that is not sampled.
#[inline]
pub(super) fn known_dropped<T: 'static>(tracer: &T, parent: &Context) -> bool {
    // The type first: decided at compile time for every tracer but the global one.
    TypeId::of::<T>() == TypeId::of::<GlobalTracer>()
        && unsampled_caller(parent)
        && (tracer as &dyn Any)
            .downcast_ref::<GlobalTracer>()
            .is_some_and(GlobalTracer::parent_based)
}

/// `parent` holds a valid remote span context without the sampled flag.
fn unsampled_caller(parent: &Context) -> bool {
    parent.has_active_span() && {
        let span = parent.span();
        let sc = span.span_context();
        sc.is_remote() && sc.is_valid() && !sc.is_sampled()
    }
}
