#!/usr/bin/env bash
# Measures a server's CPU per request: starts BIN serve on STORE with the
# answer cache off (--cache-mb 0), then, for each URL path, requests it
# once (untimed) and RUNS times more, and prints the server process's CPU
# time (user + system, /proc/PID/stat, in clock ticks of 10 ms) over those
# RUNS divided by RUNS, and the requests' wall p50 and slowest, in ms:
#   CPU ms | wall p50 max | path
# Server CPU is steadier than wall time on a loaded machine; the ticks make
# it coarse, so use RUNS of 10 or more. With CPU=machine the CPU column is
# the whole machine's busy time instead (/proc/stat: user, nice, system,
# irq and softirq), which holds PostgreSQL's backends, where a PostGIS
# store does its work, and the client's; run it on an otherwise idle
# machine.
#
# usage: bash cmd/conflictmap/testdata/cpu.sh BIN STORE RUNS PATH...
#   BIN: a conflictmap binary; STORE: an SQLite file or a postgres:// URL;
#   PATH: e.g. '/api/events?bbox=36,47,39,49'.
# environment: SERVE_FLAGS (more serve flags, e.g. '--pg-schema cm_scale'),
# PORT (default 18471), CPU (server, the default, or machine).
set -euo pipefail
BIN=$1 STORE=$2 RUNS=$3
shift 3
PORT=${PORT:-18471}
# shellcheck disable=SC2086
"$BIN" serve --addr "127.0.0.1:$PORT" --tiles "" --log-level warn --db "$STORE" --cache-mb 0 ${SERVE_FLAGS:-} 2> /dev/null &
pid=$!
trap 'kill "$pid" 2> /dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.5; done
tck=$(getconf CLK_TCK)
cpu() {
	if [ "${CPU:-server}" = machine ]; then
		awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
	else
		awk '{print $14 + $15}' "/proc/$pid/stat"
	fi
}
for path in "$@"; do
	curl -s -o /dev/null "http://127.0.0.1:$PORT$path"
	a=$(cpu)
	wall=$(for _ in $(seq "$RUNS"); do curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}\n' "http://127.0.0.1:$PORT$path"; done |
		sort -n | awk '{t[NR] = $1 * 1000} END {printf "%.1f %.1f", t[int(NR / 2) + 1], t[NR]}')
	b=$(cpu)
	awk -v a="$a" -v b="$b" -v t="$tck" -v r="$RUNS" -v w="$wall" -v p="$path" 'BEGIN {printf "%.1f | %s | %s\n", (b - a) * 1000 / t / r, w, p}'
done
