#!/usr/bin/env bash
# Compares two running servers (say, the binaries before and after a change,
# each on its own copy of a store) request by request: for each URL path,
# requests it RUNS times from each server in turn (A, B, A, B, ...), so that
# the machine's load and page cache weigh on both alike, and prints each
# server's wall p50 in ms:
#   A p50 | B p50 | path
# Start the servers with --cache-mb 0, so that every request is built from
# the store, and give each the same data (two imports of one file, or two
# copies of one store file, read once into the page cache).
#
# usage: bash cmd/conflictmap/testdata/alternate.sh URL_A URL_B RUNS PATH...
#   URL_A, URL_B: e.g. http://127.0.0.1:18516; PATH: e.g. '/api/events?q=drone'.
set -euo pipefail
A=$1 B=$2 RUNS=$3
shift 3
for path in "$@"; do
	for _ in $(seq "$RUNS"); do
		for s in A B; do
			url=$A
			[ "$s" = B ] && url=$B
			curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w "$s %{time_total}\n" "$url$path"
		done
	done | sort -k1,1 -k2,2n | awk -v path="$path" '
		{ t[$1, ++n[$1]] = $2 * 1000 }
		END { printf "%.1f | %.1f | %s\n", t["A", int(n["A"] / 2) + 1], t["B", int(n["B"] / 2) + 1], path }'
done
