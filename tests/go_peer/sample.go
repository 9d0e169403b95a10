package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// sample reads trace ids (32 hex digits, one a line) and, for each, writes
//
//	TRACE_ID ROOT SAMPLED_PARENT UNSAMPLED_PARENT
//
// each a 1 or 0: whether the sampler the SDK installs from OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG samples a root span with that trace id, a span continuing a
// sampled remote parent in that trace, and one continuing an unsampled remote parent.
// Nothing is exported.
func sample(in io.Reader, out io.Writer) error {
	ids := &fixedIDs{}
	provider := sdktrace.NewTracerProvider(sdktrace.WithIDGenerator(ids))
	defer func() { _ = provider.Shutdown(context.Background()) }()
	tracer := provider.Tracer("go_peer/sample")
	lines := bufio.NewScanner(in)
	writer := bufio.NewWriter(out)
	for lines.Scan() {
		text := strings.TrimSpace(lines.Text())
		if text == "" {
			continue
		}
		id, err := trace.TraceIDFromHex(text)
		if err != nil {
			_ = writer.Flush()
			return fmt.Errorf("trace id %q: %w", text, err)
		}
		ids.next = id
		fmt.Fprintf(writer, "%s %s %s %s\n", id,
			sampled(tracer, context.Background()),
			sampled(tracer, remoteParent(id, true)),
			sampled(tracer, remoteParent(id, false)))
	}
	if err := lines.Err(); err != nil {
		return err
	}
	return writer.Flush()
}

// sampled starts (and ends) a span in ctx and tells whether the sampler sampled it.
func sampled(tracer trace.Tracer, ctx context.Context) string {
	_, span := tracer.Start(ctx, "decide")
	defer span.End()
	if span.SpanContext().IsSampled() {
		return "1"
	}
	return "0"
}

// remoteParent is a context holding a remote span context in trace id.
func remoteParent(id trace.TraceID, sampled bool) context.Context {
	var flags trace.TraceFlags
	if sampled {
		flags = trace.FlagsSampled
	}
	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    id,
		SpanID:     trace.SpanID{0, 0, 0, 0, 0, 0, 0, 1},
		TraceFlags: flags,
		Remote:     true,
	})
	return trace.ContextWithRemoteSpanContext(context.Background(), parent)
}

// fixedIDs gives new root spans the trace id in next.
type fixedIDs struct {
	next trace.TraceID
}

func (f *fixedIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	return f.next, trace.SpanID{0, 0, 0, 0, 0, 0, 0, 2}
}

func (f *fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	return trace.SpanID{0, 0, 0, 0, 0, 0, 0, 3}
}
