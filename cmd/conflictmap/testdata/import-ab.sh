#!/usr/bin/env bash
# Times PostGIS imports of one file by two or more conflictmap binaries,
# called in turn ROUNDS times, each into a new schema (dropped before and
# after), so that both meet the same state of the machine: on two shared
# cores the same binary's import ranged from 54 to 69 s within an hour.
# For each import: the wall time, the import's own CPU time and peak
# memory, the machine's busy and idle CPU seconds over it (all processes,
# PostgreSQL's included), and the steps of its debug log (the end of the
# copy, each index built, the kept counts written).
#
# usage (from the repository root):
#   bash cmd/conflictmap/testdata/import-ab.sh ROUNDS FILE BINARY...
# environment: PG (PostgreSQL URL), SCHEMA (default cm_import_ab).
set -euo pipefail
ROUNDS=$1 FILE=$2
shift 2
PG=${PG:-postgres://root@127.0.0.1:5432/test?sslmode=disable}
SCHEMA=${SCHEMA:-cm_import_ab}
LOG=$(mktemp)
trap 'rm -f "$LOG"; psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2> /dev/null' EXIT
cpu() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }
for _ in $(seq "$ROUNDS"); do
	for bin in "$@"; do
		psql "$PG" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2> /dev/null
		sync
		sleep 2
		read -r busy0 idle0 < <(cpu)
		/usr/bin/time -f "%e s wall, import CPU %U+%S s, peak %M KB" \
			"$bin" import --db "$PG" --pg-schema "$SCHEMA" --log-level debug "$FILE" > /dev/null 2> "$LOG"
		read -r busy1 idle1 < <(cpu)
		steps=$(tr '\r' '\n' < "$LOG" | grep -E 'rows copied|index built|kept counts written' |
			sed -E 's/^time=[0-9-]*T([0-9:.]*)Z.*msg="bulk import: ([a-z ]*)"( index=([a-z_]*))?.*/\1 \2 \4/' | tr '\n' ';')
		echo "$bin: $(tail -1 "$LOG"), machine busy $(((busy1 - busy0) / 100)) s, idle $(((idle1 - idle0) / 100)) s | $steps"
	done
done
