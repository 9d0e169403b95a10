package main

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// telemetry is the installed tracer provider; shutdown flushes and stops it.
type telemetry struct {
	provider *sdktrace.TracerProvider
}

// setup installs, as the globals otelhttp uses, a tracer provider exporting over
// OTLP/HTTP through a batch processor, and the propagators OTEL_PROPAGATORS names
// (tracecontext,baggage when unset). The sampler and the resource come from the
// environment, as the SDK reads them when given none.
func setup(ctx context.Context) (*telemetry, error) {
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(autoprop.NewTextMapPropagator())
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		// Export failures must show in the test's output, never pass silently.
		println("otel error:", err.Error())
	}))
	return &telemetry{provider: provider}, nil
}

func (t *telemetry) shutdown(ctx context.Context) error {
	return t.provider.Shutdown(ctx)
}

// tracedClient is an HTTP client whose requests get otelhttp CLIENT spans and carry the
// trace context; the headers each request went out with are reported to the
// [wireHeaders] in its context, if any.
func tracedClient() *http.Client {
	return &http.Client{Transport: otelhttp.NewTransport(recordingTransport{base: http.DefaultTransport})}
}

var errStatus = errors.New("unexpected status")
