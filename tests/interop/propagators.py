"""Peer for baton's propagator interop tests: OpenTelemetry Python's own propagators.

Reads a JSON list of cases on stdin and writes a JSON list of results on stdout.
  {"op": "extract", "propagator": NAME, "headers": {name: value}}
      -> {"valid", "trace_id", "span_id", "sampled", "trace_state", "baggage"}
  {"op": "inject", "propagator": NAME, "trace_id", "span_id", "sampled",
   "trace_state", "baggage"}
      -> {"headers": {name: value}}
"""

import json
import sys

from opentelemetry import baggage, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.propagators.textmap import Getter
from opentelemetry.propagators.b3 import B3MultiFormat, B3SingleFormat
from opentelemetry.propagators.jaeger import JaegerPropagator
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

PROPAGATORS = {
    "tracecontext": TraceContextTextMapPropagator(),
    "baggage": W3CBaggagePropagator(),
    "b3": B3SingleFormat(),
    "b3multi": B3MultiFormat(),
    "jaeger": JaegerPropagator(),
    "xray": AwsXRayPropagator(),
}


class HeaderGetter(Getter):
    """Case-insensitive header lookup, as an HTTP server's header map does it."""

    def get(self, carrier, key):
        value = carrier.get(key.lower())
        return None if value is None else [value]

    def keys(self, carrier):
        return list(carrier.keys())


def extract(case):
    carrier = {k.lower(): v for k, v in case["headers"].items()}
    ctx = PROPAGATORS[case["propagator"]].extract(carrier, context=Context(), getter=HeaderGetter())
    sc = trace.get_current_span(ctx).get_span_context()
    return {
        "valid": sc.is_valid,
        "trace_id": format(sc.trace_id, "032x"),
        "span_id": format(sc.span_id, "016x"),
        "sampled": bool(sc.trace_flags & TraceFlags.SAMPLED),
        "trace_state": sc.trace_state.to_header() if sc.trace_state else "",
        "baggage": {k: str(v) for k, v in baggage.get_all(ctx).items()},
    }


def inject(case):
    ctx = Context()
    if case.get("trace_id"):
        state = TraceState.from_header([case["trace_state"]]) if case.get("trace_state") else TraceState()
        sc = SpanContext(
            trace_id=int(case["trace_id"], 16),
            span_id=int(case["span_id"], 16),
            is_remote=True,
            trace_flags=TraceFlags(TraceFlags.SAMPLED if case["sampled"] else TraceFlags.DEFAULT),
            trace_state=state,
        )
        ctx = trace.set_span_in_context(NonRecordingSpan(sc), ctx)
    for key, value in case.get("baggage", {}).items():
        ctx = baggage.set_baggage(key, value, context=ctx)
    carrier = {}
    PROPAGATORS[case["propagator"]].inject(carrier, context=ctx)
    return {"headers": carrier}


def main():
    cases = json.load(sys.stdin)
    results = [extract(c) if c["op"] == "extract" else inject(c) for c in cases]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
