package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// The store suites, the R*Tree rebuild, the bulk imports and the count
// checks after imports are most of this package's time (a quarter of an
// hour under the race detector): they run beside each other (t.Parallel),
// each on files of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, filepath.Join(t.TempDir(), "data", "conflictmap.db"))
	})
}

// The plans a million events call for (a box dense in events kept off the
// R*Tree, pages walking the date index) answer as the model does: with
// the thresholds at 1, every query with a box or words takes them; pages
// of several sub-event types walk the list order; density cells of words
// with a box read the points' index with their words; and walked stats
// read three pieces of their dates at once.
func TestConformanceDensePlans(t *testing.T) {
	t.Parallel()
	storetest.RunPlans(t, func(t *testing.T) storetest.Store {
		s := open(t, filepath.Join(t.TempDir(), "data", "conflictmap.db"))
		sqlite.SetPlanThresholds(s, 1, 0, 1<<30)
		sqlite.SetRowEntries(s, 0)
		sqlite.SetPointWords(s, 1<<30)
		sqlite.SetPieces(s, 3)
		return s
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conflictmap.db")
	opener := func(t *testing.T) storetest.Store { return open(t, path) }
	storetest.Reopen(t, opener, opener)
}

func TestTwoStoresOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conflictmap.db")
	storetest.Shared(t, open(t, path), open(t, path))
}

// TestTwoStoresOpenANewFile opens a new file from two stores at once, as
// two server processes started together would: both must come up, the
// schema must be applied once, and both must answer.
func TestTwoStoresOpenANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "conflictmap.db")
	type opened struct {
		s   *sqlite.Store
		err error
	}
	results := make(chan opened, 2)
	for range 2 {
		go func() {
			s, err := sqlite.Open(context.Background(), path)
			results <- opened{s, err}
		}()
	}
	// Both results are read before any check, so that no Open is still
	// running when the test removes its directory.
	rs := []opened{<-results, <-results}
	for _, r := range rs {
		if r.s != nil {
			t.Cleanup(func() { r.s.Close() })
		}
	}
	for _, r := range rs {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if err := r.s.Ping(t.Context()); err != nil {
			t.Error(err)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conflictmap.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = sqlite.Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("a file written by a newer schema opened without error")
	}
	if !strings.Contains(err.Error(), "999") {
		t.Errorf("error %q does not name the file's schema version", err)
	}
}

func TestRefusesNonFilePaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := sqlite.Open(t.Context(), p); geo.ErrorCode(err) != geo.EINVALID {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q) gives %v, want %s", p, err, geo.EINVALID)
		}
	}
}

// killChildEnv names the database file a re-executed test binary ingests
// into until it is killed.
const killChildEnv = "CONFLICTMAP_TEST_KILL_CHILD_DB"

// TestIngestSurvivesKill re-executes the test binary as a child that ingests
// article after article into one file, printing each article's id once
// Ingest has returned. The parent kills it with SIGKILL the moment it reads
// the third id, in the middle of the next ingest, then opens the file: every
// article the child reported must be there with its events, and nothing
// half-written may be.
func TestIngestSurvivesKill(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		ingestUntilKilled(path)
		return
	}
	path := filepath.Join(t.TempDir(), "conflictmap.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestIngestSurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var reported []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if id, ok := strings.CutPrefix(lines.Text(), "ok "); ok {
			reported = append(reported, id)
			if len(reported) == 3 {
				break
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	if len(reported) < 3 {
		t.Fatalf("the child reported %v before it ended (%v)", reported, err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended with %v, not by SIGKILL", cmd.ProcessState)
	}

	s := open(t, path)
	for _, id := range reported {
		a, err := s.Article(t.Context(), id)
		if err != nil {
			t.Errorf("article %s, reported ingested before the kill: %v", id, err)
			continue
		}
		if a.Events != 20 {
			t.Errorf("article %s has %d events after the kill, want 20", id, a.Events)
		}
	}
	page, err := s.Events(t.Context(), geo.Filter{Limit: geo.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched%20 != 0 || page.Matched < 20*len(reported) {
		t.Errorf("after the kill the file holds %d events, want a whole number of 20-event articles, at least %d", page.Matched, 20*len(reported))
	}
}

func ingestUntilKilled(path string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		a := geo.Article{ID: fmt.Sprintf("killed-%03d", i), Title: "kill -9", Text: "ingested before SIGKILL"}
		if _, err := s.Ingest(ctx, a, storetest.Generate(uint64(i), a, 20)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("ok %s\n", a.ID)
		if i > 1000 {
			// The parent never reads this far; do not run forever if it died.
			time.Sleep(time.Minute)
			os.Exit(4)
		}
	}
}

// BenchmarkStore: go test -run '^$' -bench . ./geo/sqlite/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store {
		s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "conflictmap.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

// TestWarmOpensReaders: a server warms its store before it listens, so
// that its first requests find every reader connection open with the
// schema read; a store that cannot be read says so.
func TestWarmOpensReaders(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "conflictmap.db"))
	if n, _ := sqlite.OpenReaders(s); n > 1 {
		t.Fatalf("a new store holds %d reader connections open before Warm; want at most the one its version statement took", n)
	}
	if err := s.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, max := sqlite.OpenReaders(s); n != max {
		t.Fatalf("after Warm, %d of %d reader connections are open", n, max)
	}
	if _, err := s.Stats(t.Context(), geo.Filter{}); err != nil {
		t.Fatal(err)
	}
	closed, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := closed.Warm(t.Context()); err == nil || !strings.Contains(err.Error(), "warm the readers") {
		t.Fatalf("Warm on a closed store: %v, want an error that says what failed", err)
	}
}
