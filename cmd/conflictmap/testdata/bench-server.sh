#!/usr/bin/env bash
# Server benchmark for BENCHMARKS.md "## Server": requests/s and p99 of
# GET /api/events answered (a) from the in-process cache (no --redis),
# (b) by a --redis server with its near cache (default --near-cache-mb: a
# repeated answer is an in-process copy of the Redis entry), (c) by a --redis
# server with --near-cache-mb 0 (every hit a Redis round trip), (d) by a
# trivial handler sending the same bytes, on the sample article and on
# 10,000 generated events, in one run on this machine.
#
#   bash cmd/conflictmap/testdata/bench-server.sh [DURATION] [CONNECTIONS]
#
# Needs wrk, curl, redis-cli and Redis on 127.0.0.1:6379 (its keys go under a
# prefix of their own, deleted at the end). Listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/../../.."
dur=${1:-10s}
conns=${2:-16}
tmp=$(mktemp -d)
prefix="cmbench:$$:"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	redis-cli -h 127.0.0.1 --scan --pattern "${prefix}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/conflictmap" ./cmd/conflictmap
go build -o "$tmp/cmbench" ./cmd/cmbench
script=cmd/conflictmap/testdata/wrk-events.lua

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitready() {
	for _ in $(seq 100); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "server at $1 did not become ready" >&2; return 1
}
# xcache prints the X-Cache and X-Cache-Tier ("-" when absent) of an answer.
xcache() {
	curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$1" | tr -d '\r' |
		awk -F': ' 'tolower($1)=="x-cache"{c=$2} tolower($1)=="x-cache-tier"{t=$2} END{print c, (t==""?"-":t)}'
}
bench() { wrk -t2 -c"$conns" -d"$dur" -s "$script" "$1" | grep '^RESULT' | sed 's/^RESULT //'; }

echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t2 -c$conns -d$dur, Accept-Encoding: gzip"
for data in sample 10000; do
	db="$tmp/$data.db"
	path="/api/events"
	if [ "$data" = 10000 ]; then
		"$tmp/cmbench" seed --db "$db" --events 10000 >/dev/null
		path="/api/events?limit=10000"
	fi
	pm=$(freeport)
	"$tmp/conflictmap" serve --addr "127.0.0.1:$pm" --db "$db" --log-level error &
	pids+=($!)
	waitready "http://127.0.0.1:$pm"
	pn=$(freeport)
	"$tmp/conflictmap" serve --addr "127.0.0.1:$pn" --db "$db" --redis redis://127.0.0.1:6379/0 --redis-prefix "$prefix" --log-level error &
	pids+=($!)
	waitready "http://127.0.0.1:$pn"
	pr=$(freeport)
	"$tmp/conflictmap" serve --addr "127.0.0.1:$pr" --db "$db" --redis redis://127.0.0.1:6379/0 --redis-prefix "$prefix" --near-cache-mb 0 --log-level error &
	pids+=($!)
	waitready "http://127.0.0.1:$pr"
	# Each server answers a hit from the tier it is meant to measure: the
	# near-cache server from its near copy, the other from Redis (no tier
	# header: the near cache is off).
	for want in "$pm hit -" "$pn hit near" "$pr hit -"; do
		set -- $want
		curl -fs -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$1$path"
		state=$(xcache "http://127.0.0.1:$1$path")
		[ "$state" = "$2 $3" ] || { echo "port $1 answers X-Cache/X-Cache-Tier '$state', want '$2 $3'" >&2; exit 1; }
	done
	curl -fs -H 'Accept-Encoding: gzip' -o "$tmp/body.gz" "http://127.0.0.1:$pm$path"
	ps=$(freeport)
	"$tmp/cmbench" static --addr "127.0.0.1:$ps" --body "$tmp/body.gz" --gzip 2>/dev/null &
	pids+=($!)
	for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$ps/" && break; sleep 0.1; done
	n=$(curl -fs --compressed "http://127.0.0.1:$pm$path" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["numberReturned"])')
	echo "## data=$data path=$path features=$n gzip_bytes=$(stat -c %s "$tmp/body.gz")"
	echo "memory-hit      $(bench "http://127.0.0.1:$pm$path")"
	echo "redis-near-hit  $(bench "http://127.0.0.1:$pn$path")"
	echo "redis-rt-hit    $(bench "http://127.0.0.1:$pr$path")"
	echo "trivial         $(bench "http://127.0.0.1:$ps$path")"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
done
