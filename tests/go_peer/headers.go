package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// propagation holds the header names of the formats OTEL_PROPAGATORS can name (W3C trace
// context and baggage, B3 single and multi, Jaeger); Jaeger's baggage headers are the
// ones starting with "uberctx-".
var propagation = map[string]bool{
	"traceparent":       true,
	"tracestate":        true,
	"baggage":           true,
	"b3":                true,
	"x-b3-traceid":      true,
	"x-b3-spanid":       true,
	"x-b3-parentspanid": true,
	"x-b3-sampled":      true,
	"x-b3-flags":        true,
	"uber-trace-id":     true,
}

// propagationHeaders is the sorted, comma-separated list of the lower-case names of the
// trace-propagation headers among h.
func propagationHeaders(h http.Header) string {
	var found []string
	for name := range h {
		lower := strings.ToLower(name)
		if propagation[lower] || strings.HasPrefix(lower, "uberctx-") {
			found = append(found, lower)
		}
	}
	slices.Sort(found)
	return strings.Join(found, ",")
}

// baggageMembers is the baggage of ctx as sorted, comma-separated key=value pairs.
func baggageMembers(ctx context.Context) string {
	var members []string
	for _, m := range baggage.FromContext(ctx).Members() {
		members = append(members, m.Key()+"="+m.Value())
	}
	slices.Sort(members)
	return strings.Join(members, ",")
}

// wireHeaders receives what a request really went out with: its propagation headers
// and the span context of the CLIENT span otelhttp started for it.
type wireHeaders struct {
	mu      sync.Mutex
	headers string
	span    trace.SpanContext
}

type wireHeadersKey struct{}

// withWireHeaders returns ctx carrying w, for the [recordingTransport] to fill in.
func withWireHeaders(ctx context.Context, w *wireHeaders) context.Context {
	return context.WithValue(ctx, wireHeadersKey{}, w)
}

func (w *wireHeaders) get() (string, trace.SpanContext) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.headers, w.span
}

// recordingTransport sits under otelhttp's transport, so it sees each request after the
// propagators have written into it, in the context holding the CLIENT span.
type recordingTransport struct {
	base http.RoundTripper
}

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if w, ok := r.Context().Value(wireHeadersKey{}).(*wireHeaders); ok {
		w.mu.Lock()
		w.headers = propagationHeaders(r.Header)
		w.span = trace.SpanContextFromContext(r.Context())
		w.mu.Unlock()
	}
	return t.base.RoundTrip(r)
}
