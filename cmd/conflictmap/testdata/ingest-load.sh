#!/usr/bin/env bash
# Read latency under saturated ingest, for BENCHMARKS.md "## Ingest under
# load": a server on the sample article, a cached GET /api/events and
# GET /healthz timed every 20 ms, first alone, then while CLIENTS clients
# post 1 MB articles back to back (cmbench ingestload). Prints the probes'
# percentiles, what the posts were answered, and the server's peak memory.
#
#   bash cmd/conflictmap/testdata/ingest-load.sh [SECONDS] [CLIENTS] [-- serve flags]
# (SECONDS as 30s; the probes under load run for SECONDS - 4, starting
# 2 s after the posts.)
set -euo pipefail
cd "$(dirname "$0")/../../.."
dur=${1:-30s}
clients=${2:-100}
shift $(( $# > 2 ? 2 : $# )) || true
[ "${1:-}" = "--" ] && shift
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/conflictmap" ./cmd/conflictmap
go build -o "$tmp/cmbench" ./cmd/cmbench
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# --max-body 2 MB: a 1 MB article is a little more as JSON.
"$tmp/conflictmap" serve --addr "127.0.0.1:$port" --db "$tmp/db.sqlite" --tiles "" --token load-token \
	--max-body 2097152 --log-level warn "$@" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "server: $(nproc) processors, flags: ${*:-(defaults)}"
base="http://127.0.0.1:$port"
echo "== probes alone (5s)"
"$tmp/cmbench" ingestload --server "$base" --probe 5s
echo "== probes while $clients clients post 1 MB articles back to back ($dur)"
"$tmp/cmbench" ingestload --server "$base" --token load-token --clients "$clients" --duration "$dur" >"$tmp/load.out" &
load=$!
sleep 2 # let the posts pile up first
"$tmp/cmbench" ingestload --server "$base" --probe "$(( ${dur%s} - 4 ))s"
wait "$load"
cat "$tmp/load.out"
echo "server peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
echo "server log lines at ERROR: $(grep -c 'level=ERROR' "$tmp/log" || true)"
