#!/usr/bin/env bash
# Builds Jaeger v2 (v1.76.0) from tests/jaeger/ (a Go module whose only content is a `tool`
# dependency on cmd/jaeger) unless the cached binary is already there, and prints its path.
# The binary is cached outside the repository, keyed by the hash of go.mod and go.sum, so a
# fresh machine builds it once (about ten minutes on two cores) and later runs skip the build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
    echo "scripts/jaeger.sh: the Go toolchain is missing (install Go 1.26.8 or newer: the" \
         "end-to-end tests build Jaeger from the Go module proxy)" >&2
    exit 1
fi

key="$( (go version; cat tests/jaeger/go.mod tests/jaeger/go.sum) | sha256sum | cut -c1-16)"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/baton/jaeger-$key"
bin="$dir/jaeger"
if [ ! -x "$bin" ]; then
    mkdir -p "$dir"
    echo "building Jaeger v1.76.0 into $dir (once per machine)" >&2
    start=$SECONDS
    tmp="$(mktemp "$dir/jaeger.XXXXXX")"
    trap 'rm -f "$tmp"' EXIT
    (cd tests/jaeger && GOFLAGS=-buildvcs=false go build -o "$tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
    mv "$tmp" "$bin"
    echo "built Jaeger in $((SECONDS - start)) s" >&2
fi
echo "$bin"
