"""A Python service between two baton services, for baton's end-to-end interop tests.

Run under OpenTelemetry Python's zero-code instrumentation:

    opentelemetry-instrument python tests/interop/relay.py --users http://127.0.0.1:PORT

It serves GET /users/<id> by asking the baton `users` service for the same path with
`requests`, and relays the answer (status, body, content type). The flask and requests
instrumentations continue the caller's trace and pass it on, in the formats
OTEL_PROPAGATORS names; the spans go where the OTEL_EXPORTER_OTLP_* variables say.

So a test can tell which formats were really used on the wire, the server span also gets
  relay.headers.in   the trace-propagation headers of the incoming request, and
  relay.headers.out  those the requests instrumentation put on the outgoing one,
each a sorted, comma-separated list of lower-case header names.

It listens on 127.0.0.1, on a port the OS picks, and prints
`relay listening on http://127.0.0.1:PORT` once it accepts connections. SIGINT (ctrl-c)
stops it with exit status 0; the SDK flushes its spans on the way out. That holds even when
it is started with SIGINT ignored (under `nohup`, from `cmd &` in a script, by some CI
runners): Python installs no handler for a signal its parent ignores, so the relay puts
the default one back first.
"""

import argparse
import signal
import sys

import requests
from flask import Flask, Response, request
from opentelemetry import trace
from werkzeug.serving import make_server

# Headers of the formats OTEL_PROPAGATORS can name: W3C trace context and baggage, B3
# single and multi, Jaeger (with its uberctx-* baggage).
PROPAGATION = {
    "traceparent",
    "tracestate",
    "baggage",
    "b3",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-parentspanid",
    "x-b3-sampled",
    "x-b3-flags",
    "uber-trace-id",
}


def propagation_headers(names):
    found = {
        name.lower()
        for name in names
        if name.lower() in PROPAGATION or name.lower().startswith("uberctx-")
    }
    return ",".join(sorted(found))


def create_app(users):
    app = Flask("relay")

    @app.get("/users/<int:user_id>")
    def user(user_id):
        answer = requests.get(f"{users}/users/{user_id}", timeout=10)
        span = trace.get_current_span()
        span.set_attribute("relay.headers.in", propagation_headers(request.headers.keys()))
        span.set_attribute(
            "relay.headers.out", propagation_headers(answer.request.headers.keys())
        )
        return Response(
            answer.content,
            status=answer.status_code,
            content_type=answer.headers.get("content-type", "application/octet-stream"),
        )

    return app


def main():
    # An ignored SIGINT is inherited, and Python then leaves it ignored: the test's SIGINT
    # would never stop the relay. Raise KeyboardInterrupt on it, as Python does by default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", required=True, help="base URL of baton's users service")
    args = parser.parse_args()
    server = make_server("127.0.0.1", 0, create_app(args.users.rstrip("/")), threaded=True)
    print(f"relay listening on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
