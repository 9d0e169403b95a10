package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// serve runs the HTTP service until SIGINT, then shuts the server and the telemetry down
// (which flushes the spans) and returns nil.
//
// It listens on 127.0.0.1 on a port the OS picks and prints
// "go listening on http://127.0.0.1:PORT" once it accepts connections.
func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	upstream := flags.String("upstream", "", "base URL to relay GET /users/{id} to (none: answer it here)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tel, err := setup(ctx)
	if err != nil {
		return err
	}
	users := &usersHandler{upstream: strings.TrimRight(*upstream, "/"), client: tracedClient()}
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", users)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := &http.Server{Handler: otelhttp.NewHandler(mux, "go_peer"), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("go listening on http://%s (ctrl-c to stop)\n", listener.Addr())
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err = <-served:
	case <-ctx.Done():
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	done, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(server.Shutdown(done), tel.shutdown(done))
}

// usersHandler serves GET /users/{id}: relayed to upstream with the traced client when
// upstream is set, answered here otherwise. Its SERVER span (otelhttp's) also gets
//
//	relay.headers.in   the propagation headers the request came with,
//	relay.headers.out  those the relayed request went out with (relaying only),
//	relay.baggage      the baggage the request carried, as sorted key=value pairs,
//
// so a test can tell which formats were really used on the wire.
type usersHandler struct {
	upstream string
	client   *http.Client
}

func (h *usersHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	span := trace.SpanFromContext(r.Context())
	span.SetAttributes(
		attribute.String("relay.headers.in", propagationHeaders(r.Header)),
		attribute.String("relay.baggage", baggageMembers(r.Context())),
	)
	if h.upstream == "" {
		h.answer(w, r)
		return
	}
	h.relay(w, r, span)
}

// answer writes the profile itself, as baton's users service would: the id, the tenant
// from the baggage (null without one) and no orders.
func (h *usersHandler) answer(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	var tenant any
	if m := baggage.FromContext(r.Context()).Member("tenant.id"); m.Key() != "" {
		tenant = m.Value()
	}
	w.Header().Set("content-type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "tenant": tenant, "orders": []any{}})
}

// relay asks upstream for the same path and hands back its status, body and content type.
func (h *usersHandler) relay(w http.ResponseWriter, r *http.Request, span trace.Span) {
	wire := &wireHeaders{}
	ctx := withWireHeaders(r.Context(), wire)
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, h.upstream+"/users/"+r.PathValue("id"), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	answer, err := h.client.Do(request)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer answer.Body.Close()
	out, _ := wire.get()
	span.SetAttributes(attribute.String("relay.headers.out", out))
	if kind := answer.Header.Get("content-type"); kind != "" {
		w.Header().Set("content-type", kind)
	}
	w.WriteHeader(answer.StatusCode)
	_, _ = io.Copy(w, answer.Body)
}
