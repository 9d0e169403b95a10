// Command go_peer is an OpenTelemetry Go service for baton's end-to-end interop tests:
// the OpenTelemetry Go SDK with otelhttp (and, for gRPC, otelgrpc) on its server and its
// client, exporting over
// OTLP/HTTP, with the propagators OTEL_PROPAGATORS names (through autoprop: tracecontext,
// baggage, b3, b3multi, jaeger, ...).
//
//	go_peer serve [--upstream URL]        serve GET /users/{id}; relay it to URL, or answer it
//	go_peer call [--count N] [--baggage K=V,...] URL
//	                                      GET URL N times, each request a new trace
//	go_peer sample                        print the SDK sampler's decision for trace ids on stdin
//	go_peer grpc-serve                    serve baton.test.Echo/Unary over gRPC under otelgrpc
//	go_peer grpc-call [--code N] ADDR     call baton.test.Echo/Unary at ADDR under otelgrpc
//
// Telemetry follows the OTEL_* environment as the Go SDK reads it: OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG,
// OTEL_BSP_*, OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and OTEL_PROPAGATORS. Spans always go to
// the OTLP/HTTP exporter.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail(usage)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "call":
		err = call(os.Args[2:])
	case "sample":
		err = sample(os.Stdin, os.Stdout)
	case "grpc-serve":
		err = grpcServe(os.Args[2:])
	case "grpc-call":
		err = grpcCall(os.Args[2:])
	default:
		fail(usage)
	}
	if err != nil {
		fail("go_peer " + os.Args[1] + ": " + err.Error())
	}
}

const usage = "usage: go_peer serve [--upstream URL] | call [--count N] [--baggage K=V,...] URL | sample | grpc-serve | grpc-call [--code N] ADDR"

func fail(message string) {
	fmt.Fprintln(os.Stderr, message)
	os.Exit(2)
}
