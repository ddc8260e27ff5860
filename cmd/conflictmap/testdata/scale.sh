#!/usr/bin/env bash
# Builds the scale stores and times them: generates EVENTS events as an
# ACLED CSV export (cmbench gen --hotspots: 90% of them in three hotspots),
# imports the file into a new SQLite file and into a new PostgreSQL schema
# (timing each import and its peak memory), then times every request of
# cmbench's scaleQueries (each filter alone and some combined, stats,
# clusters, a vector tile) on a server on each store, RUNS times each:
#   cold: a server with --cache-mb 0, so that every request builds its
#         answer from the store (X-Cache: miss);
#   warm: a server with the default in-process cache, after one request of
#         each query filled it (X-Cache: hit).
# Rows: | store and cache | request | status | p50 | p99 | bytes | X-Cache |
# (with RUNS < 100, p99 is the slowest run). Then, on a fresh server per
# store, every event streamed (limit=all, CSV and GeoJSON) and one page of
# 10,000, each with the server's peak resident memory (VmHWM) after it
# and how much of its memory is then the store's file mapped by SQLite's
# readers (RssFile, with the program's own code: the kernel's page cache,
# shared and reclaimable, not memory the server allocated).
# Its second and last lines say how fast the machine was (cmbench calibrate).
#
# usage (from the repository root):
#   bash cmd/conflictmap/testdata/scale.sh [EVENTS] [RUNS]
# environment: OUT (work directory, default /tmp/conflictmap-scale),
# PG (PostgreSQL URL; empty skips PostGIS), SCHEMA (default cm_scale),
# COLD_RUNS (runs of the cold measurement, default RUNS), PGFS (a
# pg_featureserv binary: the same PostGIS table and comparable requests,
# COLD_RUNS times each, beside ours; empty skips it) and PGFS_ASSETS (its
# assets directory), KEEP=1 (measure the stores a previous run built, after
# the schema migrations of this commit, instead of importing again).
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-20}
OUT=${OUT:-/tmp/conflictmap-scale}
PG=${PG-postgres://root@127.0.0.1:5432/test?sslmode=disable}
SCHEMA=${SCHEMA:-cm_scale}
COLD_RUNS=${COLD_RUNS:-$RUNS}
PGFS=${PGFS:-}
PGFS_ASSETS=${PGFS_ASSETS:-}
mkdir -p "$OUT"
go build -o "$OUT/conflictmap" ./cmd/conflictmap
go build -o "$OUT/cmbench" ./cmd/cmbench
CSV="$OUT/events-$N.csv"
[ -s "$CSV" ] || "$OUT/cmbench" gen --events "$N" --hotspots > "$CSV"
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) events $N runs $RUNS load $(cut -d' ' -f1-3 /proc/loadavg)"
# How fast the machine is, before and after (cmbench calibrate): figures of
# different machines, or of one that slows down, compare only beside it.
echo "# $("$OUT/cmbench" calibrate)"

import() { # label, then import flags
	local label=$1; shift
	/usr/bin/time -v "$OUT/conflictmap" import "$@" "$CSV" > "$OUT/import-$label.out" 2> "$OUT/import-$label.err"
	echo "import $label: $(cut -f3,5 "$OUT/import-$label.out" | tr '\t' ' ')," \
		"wall $(grep 'Elapsed (wall' "$OUT/import-$label.err" | awk '{print $NF}')," \
		"cpu $(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/import-$label.err") s," \
		"peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$OUT/import-$label.err")"
}

start() { # label, port, then serve flags; sets pid
	local label=$1 port=$2; shift 2
	"$OUT/conflictmap" serve --addr "127.0.0.1:$port" --tiles "" --log-level warn "$@" 2> "$OUT/serve-$label.log" &
	pid=$!
	for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.5; done
}

serve() { # label, port, then serve flags; runs the measurement
	local label=$1 port=$2 runs=$RUNS
	start "$@"
	if [ "${label##* }" = warm ]; then "$OUT/cmbench" measure --url "http://127.0.0.1:$port" --runs 1 > /dev/null; else runs=$COLD_RUNS; fi
	"$OUT/cmbench" measure --url "http://127.0.0.1:$port" --runs "$runs" --label "$label"
	kill "$pid"; wait "$pid" || true
}

hwm() { awk '/VmHWM/ {h = $2} /RssFile/ {f = $2} END {printf "%.0f MB (file pages %.0f MB)", h/1024, f/1024}' "/proc/$1/status"; }

stream() { # label, port, then serve flags: the streamed answers and the server's peak memory
	local label=$1 port=$2 path
	start "$@"
	echo "$label: server started, peak RSS $(hwm "$pid")"
	for path in "/api/events.csv?limit=all" "/api/events?limit=all" "/api/events?limit=10000"; do
		echo "$label: $path: $(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{http_code}, %{size_download} bytes (gzip), %{time_total} s' "http://127.0.0.1:$port$path"), server peak RSS after it $(hwm "$pid")"
	done
	kill "$pid"; wait "$pid" || true
}

if [ "${KEEP:-}" != 1 ]; then
	rm -f "$OUT"/scale.db*
	import sqlite --db "$OUT/scale.db"
	# Each import is timed on a machine at rest: the SQLite file's pages
	# reach the disk before the PostGIS import starts, not during it.
	sync
	if [ -n "$PG" ]; then
		psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"
		import postgis --db "$PG" --pg-schema "$SCHEMA"
	fi
	# The imports' writes reach the disk before anything is timed, so that
	# neither the kernel's writeback nor PostgreSQL's checkpoint of its
	# write-ahead log runs during the measurement.
	sync
	if [ -n "$PG" ]; then psql "$PG" -qc "CHECKPOINT"; fi
fi
echo "| store, cache | request | status | p50 | p99 | bytes (gzip) | X-Cache |"
echo "|---|---|---:|---:|---:|---:|---|"
serve "sqlite cold" 18461 --db "$OUT/scale.db" --cache-mb 0
serve "sqlite warm" 18462 --db "$OUT/scale.db"
if [ -n "$PG" ]; then
	serve "postgis cold" 18463 --db "$PG" --pg-schema "$SCHEMA" --cache-mb 0
	serve "postgis warm" 18464 --db "$PG" --pg-schema "$SCHEMA"
fi
timed() { # label, URL: COLD_RUNS requests, p50 and slowest
	local label=$1 url=$2 t
	t=$(for _ in $(seq "$COLD_RUNS"); do curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total} %{http_code} %{size_download}\n' "$url"; done |
		sort -n | awk '{t[NR] = $1 * 1000; c = $2; b = $3} END {printf "%s | %.1f ms | %.1f ms | %d", c, t[int(NR / 2) + 1], t[NR], b}')
	echo "| $label | \`${url#http://127.0.0.1:*/}\` | $t |"
}

if [ -n "$PG" ] && [ -n "$PGFS" ]; then
	# pg_featureserv on the same table: no count, no cache; it lists in
	# table order unless sortby asks for ours (newest first).
	DATABASE_URL="$PG" PGFS_SERVER_HTTPHOST=127.0.0.1 PGFS_SERVER_HTTPPORT=18467 PGFS_SERVER_ASSETSPATH="$PGFS_ASSETS" \
		PGFS_PAGING_LIMITMAX=10000 PGFS_SERVER_WRITETIMEOUTSEC=300 "$PGFS" > "$OUT/pgfs.log" 2>&1 &
	pgfspid=$!
	for _ in $(seq 100); do curl -sf http://127.0.0.1:18467/collections > /dev/null && break; sleep 0.2; done
	items="http://127.0.0.1:18467/collections/$SCHEMA.events/items.json"
	ours="http://127.0.0.1:18468"
	start "postgis ogc" 18468 --db "$PG" --pg-schema "$SCHEMA" --cache-mb 0
	ourpid=$pid
	echo "| server | request | status | p50 | p99 | bytes (gzip) |"
	echo "|---|---|---:|---:|---:|---:|"
	for q in "limit=1000" "limit=1000&bbox=36,47,39,49" "limit=1000&event_type=Battles" "limit=1000&sortby=-event_date" "limit=10000"; do
		timed pg_featureserv "$items?$q"
	done
	for q in "limit=1000" "limit=1000&bbox=36,47,39,49" "limit=1000&event_type=Battles" "limit=10000"; do
		timed conflictmap "$ours/ogc/collections/events/items?$q"
	done
	kill "$ourpid" "$pgfspid"; wait "$ourpid" "$pgfspid" || true
fi
stream "sqlite stream" 18465 --db "$OUT/scale.db"
if [ -n "$PG" ]; then
	stream "postgis stream" 18466 --db "$PG" --pg-schema "$SCHEMA"
fi
echo "# $("$OUT/cmbench" calibrate)"
