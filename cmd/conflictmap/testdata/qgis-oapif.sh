#!/usr/bin/env bash
# QGIS (headless PyQGIS, provider OAPIF) loads the events collection of a
# server holding N generated events by its URL and reads every feature; the
# server's request log then shows how many items requests QGIS made and the
# page size (limit=) it asked for. Output for BENCHMARKS.md "## QGIS".
#
#   bash cmd/conflictmap/testdata/qgis-oapif.sh [EVENTS]
#
# Needs the Debian packages qgis and python3-qgis (not part of make test).
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-25000}
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
"$tmp/cmbench" seed --db "$tmp/db.sqlite" --events "$n" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/conflictmap" serve --addr "127.0.0.1:$port" --db "$tmp/db.sqlite" --tiles "" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
QT_QPA_PLATFORM=offscreen /usr/bin/python3 cmd/conflictmap/testdata/qgis-oapif.py "http://127.0.0.1:$port/ogc"
echo "server log: items requests by QGIS, and the limit= of each:"
grep 'path=/ogc/collections/events/items ' "$tmp/log" | grep -o 'query="[^"]*"' | sed -E 's/.*limit=([0-9]+).*/limit=\1/; t; s/.*/(no limit)/' | sort | uniq -c
echo "items requests: $(grep -c 'path=/ogc/collections/events/items ' "$tmp/log")"
