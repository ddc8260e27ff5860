package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeStatementsUseIndexes checks the plan of every statement an
// ingest runs to merge an article's reports: each finds its rows through
// an index, never by scanning a table, so that the cost of merging one
// article depends on the events it touches and not on the size of the
// store (BENCHMARKS.md, "Merging at scale").
func TestMergeStatementsUseIndexes(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		"SELECT event_id, body FROM reports WHERE article_id = 'a'",
		"SELECT event_id, body FROM reports WHERE id IN ('a', 'b')",
		"SELECT event_id, body FROM reports WHERE event_id IN ('a', 'b')",
		`SELECT event_id, body FROM reports WHERE place_key = 'g1' AND event_type = 'Battles'
			AND event_date <= '2024-03-10' AND event_date >= date('2024-01-01', '-3 days') AND date_last >= '2024-01-01'`,
		"SELECT related_id FROM event_links WHERE event_id IN ('a', 'b')",
		"DELETE FROM reports WHERE article_id = 'a'",
		"DELETE FROM events WHERE id IN ('a', 'b')",
		"DELETE FROM event_sources WHERE event_id IN ('a', 'b')",
		"DELETE FROM event_links WHERE event_id IN ('a', 'b')",
		"DELETE FROM event_links WHERE related_id IN ('a', 'b')",
		"SELECT event_id, source_count, sources FROM event_sources WHERE event_id IN ('a', 'b')",
		"DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - 10000 RETURNING version",
		"UPDATE meta SET value = max(value, 5) WHERE key = 'changes_from'",
		"SELECT version, event_id, gone FROM changes WHERE version > 5 ORDER BY version, seq LIMIT 10",
		"SELECT count(*) FROM reports WHERE article_id = 'a'",
	} {
		rows, err := s.writer.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, d := range plan {
			if strings.HasPrefix(d, "SCAN") || strings.Contains(d, "TEMP B-TREE") {
				t.Errorf("%s\nscans a table: %v", strings.Join(strings.Fields(q), " "), plan)
			}
		}
	}
}
