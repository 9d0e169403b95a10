package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/baggage"
)

// call sends GET url count times, each request from no span (so otelhttp's CLIENT span is
// the root of a new trace) with the given baggage. For each it prints
//
//	trace TRACE_ID span SPAN_ID sampled BOOL status CODE headers NAMES
//
// (the CLIENT span's ids, the sampler's decision, the answer's status and the propagation
// headers the request went out with), then flushes the telemetry. It fails when an answer
// is not 2xx.
func call(args []string) error {
	flags := flag.NewFlagSet("call", flag.ContinueOnError)
	count := flags.Int("count", 1, "how many requests (each its own trace)")
	members := flags.String("baggage", "", "baggage to send, as comma-separated key=value pairs")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("expected one URL")
	}
	ctx := context.Background()
	bag, err := baggage.Parse(*members)
	if err != nil {
		return fmt.Errorf("--baggage: %w", err)
	}
	tel, err := setup(ctx)
	if err != nil {
		return err
	}
	client := tracedClient()
	for range *count {
		if err = callOnce(baggage.ContextWithBaggage(ctx, bag), client, flags.Arg(0)); err != nil {
			break
		}
	}
	done, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return errors.Join(err, tel.shutdown(done))
}

func callOnce(ctx context.Context, client *http.Client, url string) error {
	wire := &wireHeaders{}
	request, err := http.NewRequestWithContext(withWireHeaders(ctx, wire), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	answer, err := client.Do(request)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, answer.Body)
	answer.Body.Close()
	headers, span := wire.get()
	fmt.Printf("trace %s span %s sampled %t status %d headers %s\n",
		span.TraceID(), span.SpanID(), span.IsSampled(), answer.StatusCode, strings.TrimSpace(headers))
	if answer.StatusCode/100 != 2 {
		return fmt.Errorf("%w %d from %s", errStatus, answer.StatusCode, url)
	}
	return nil
}
