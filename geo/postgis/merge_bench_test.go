package postgis_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"conflictmap/geo/postgis"
	"conflictmap/geo/storetest"
)

// BenchmarkMergeScale is geo/sqlite's BenchmarkMergeScale on PostGIS: 10,000
// articles about 2,000 events into one schema (storetest.MergeScale says
// what it measures). Besides the time, it counts per article the buffers
// the store's tables and indexes were read through (pg_statio_user_tables:
// the work of the statements, whatever the machine's load), the CPU time of
// the server processes serving the store (read from /proc, so only with
// the server on this machine) and that of this process. Run it once:
//
//	go test -run '^$' -bench MergeScale -benchtime 1x ./geo/postgis/
func BenchmarkMergeScale(b *testing.B) {
	storetest.MergeScale(b, func(b *testing.B) (storetest.Store, []storetest.Meter) {
		schema := newSchema(b)
		conn := admin(b)
		b.Cleanup(func() { conn.Close(b.Context()) })
		// The store's connections carry the schema's name, so that their
		// server processes can be told from the others.
		s, err := postgis.Open(b.Context(), dsn()+paramSep(dsn())+"application_name="+schema, schema)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		buffers := storetest.Meter{Unit: "buffers", Settle: 11 * time.Second, Read: func() (float64, error) {
			// A server process publishes its counts within 10 s of going
			// idle (PGSTAT_IDLE_INTERVAL), hence Settle.
			var n float64
			err := conn.QueryRow(b.Context(), `SELECT coalesce(sum(coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0)
				+ coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0) + coalesce(toast_blks_hit, 0) + coalesce(toast_blks_read, 0)
				+ coalesce(tidx_blks_hit, 0) + coalesce(tidx_blks_read, 0)), 0)
				FROM pg_statio_user_tables WHERE schemaname = $1`, schema).Scan(&n)
			return n, err
		}}
		// The CPU time of the store's server processes so far (a process
		// that has ended no longer counts: the pool keeps its connections).
		serverCPU := storetest.Meter{Unit: "µs-server-cpu", Read: func() (float64, error) {
			rows, err := conn.Query(b.Context(), "SELECT pid FROM pg_stat_activity WHERE application_name = $1", schema)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			var total float64
			for rows.Next() {
				var pid int
				if err := rows.Scan(&pid); err != nil {
					return 0, err
				}
				ticks, err := processTicks(pid)
				if err != nil {
					return 0, err
				}
				total += ticks * 1e6 / 100 // USER_HZ
			}
			return total, rows.Err()
		}}
		return s, []storetest.Meter{buffers, serverCPU, storetest.ProcessCPU()}
	})
}

// paramSep is what joins one more parameter to a PostgreSQL URL or a
// key=value DSN.
func paramSep(dsn string) string {
	switch {
	case !strings.Contains(dsn, "://"):
		return " "
	case strings.Contains(dsn, "?"):
		return "&"
	}
	return "?"
}

// processTicks returns the user and system CPU time of a process in clock
// ticks, from /proc/PID/stat.
func processTicks(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which may hold spaces, in brackets.
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return utime + stime, nil
}
