package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// calibrate prints one line that says how fast this machine is at the
// two things the scale measurements spend their time on, so that figures
// taken on different machines can be set side by side: loads from memory
// at random (a walk along one cycle through a large array, each load
// waiting for the last) and SQLite handing index entries to the program
// (a density read's shape: a range of a covering index, its rows scanned
// into Go values). Each is timed several times; the best and the middle
// run are printed, for a machine that runs at two speeds shows both. A
// third figure, a first write to a page of new memory, is what a process
// pays the first time it touches a page of memory it shares (PostgreSQL's
// buffers in each of its backends) or of a file it maps (SQLite's readers):
// some virtual machines take ten times as long as others, and a
// request's first run on a fresh server pays it for every page it reads.
func calibrate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	mb := fs.Int("mb", 256, "MB of the array walked at random")
	rows := fs.Int("rows", 200_000, "rows of the SQLite table; a quarter are read per run")
	runs := fs.Int("runs", 21, "runs of each measurement")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mb < 1 || *rows < 4 || *runs < 1 {
		return errors.New("calibrate: --mb, --rows and --runs must be positive (--rows at least 4)")
	}
	loads := randomLoads(*mb<<20/4, *runs)
	dir, err := os.MkdirTemp("", "cmbench-calibrate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	entries, read, err := sqliteEntries(ctx, filepath.Join(dir, "calibrate.db"), *rows, *runs)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	// 32 MB is 8,192 pages of 4 KiB: enough to time, and a run takes a
	// tenth of a second even where a fault costs 10 µs.
	faults, err := pageFaults(min(*mb, 32)<<20, *runs)
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	_, err = fmt.Fprintf(out, "calibration: a random load from %d MB %s ns (best, middle); %d SQLite index entries to the program %s ms; a first write to a page of new memory %s µs\n",
		*mb, pair(loads, 1), entries, pair(read, 1e6), pair(faults, 1e3))
	return err
}

// pageFaults returns, per run, the ns that the first write to each page
// of size bytes of memory just mapped takes.
func pageFaults(size, runs int) ([]float64, error) {
	page := os.Getpagesize()
	times := make([]float64, runs)
	for k := range times {
		m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return nil, fmt.Errorf("map %d bytes: %w", size, err)
		}
		start := time.Now()
		for i := 0; i < len(m); i += page {
			m[i] = 1
		}
		times[k] = float64(time.Since(start).Nanoseconds()) / float64(len(m)/page)
		if err := syscall.Munmap(m); err != nil {
			return nil, err
		}
	}
	return times, nil
}

// pair is the best and the middle of times (ns), in units of unit ns.
func pair(times []float64, unit float64) string {
	slices.Sort(times)
	f := func(v float64) string { return strconv.FormatFloat(v/unit, 'f', 1, 64) }
	return f(times[0]) + ", " + f(times[len(times)/2])
}

// randomLoads returns, per run, the ns a load takes when each load's
// address is the value the last one read: the array holds one cycle
// through all of its n slots (Sattolo's shuffle), so that no load is
// cached or guessed ahead.
func randomLoads(n, runs int) []float64 {
	next := make([]uint32, n)
	for i := range next {
		next[i] = uint32(i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i)
		next[i], next[j] = next[j], next[i]
	}
	const steps = 500_000
	times := make([]float64, runs)
	at := uint32(0)
	for k := range times {
		start := time.Now()
		for range steps {
			at = next[at]
		}
		times[k] = float64(time.Since(start).Nanoseconds()) / steps
	}
	if at == uint32(n) { // never: keeps the walk from being optimized away
		fmt.Fprintln(io.Discard, at)
	}
	return times
}

// sqliteEntries fills a table of rows points with a covering index on
// their column, latitude and type, then reads, per run, the entries of a
// quarter of the columns into typed values as a density read does. It
// returns the entries a run reads and the ns each run took.
func sqliteEntries(ctx context.Context, path string, rows, runs int) (int, []float64, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE p (x INTEGER, lat REAL, lon REAL, kind TEXT, n INTEGER);
		CREATE INDEX p_cover ON p (x, lat, lon, kind, n)`); err != nil {
		return 0, nil, err
	}
	kinds := []string{"Battles", "Protests", "Riots", "Strategic developments", "Violence against civilians", "Explosions/Remote violence"}
	r := rand.New(rand.NewPCG(3, 4))
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	const batch = 100
	stmt := "INSERT INTO p VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", batch), ", ")
	args := make([]any, 0, 5*batch)
	for i := range rows {
		args = append(args, r.IntN(100), r.Float64()*180-90, r.Float64()*360-180, kinds[r.IntN(len(kinds))], r.IntN(10))
		if len(args) == cap(args) || i == rows-1 {
			q := stmt
			if len(args) < cap(args) {
				q = "INSERT INTO p VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(args)/5), ", ")
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return 0, nil, err
			}
			args = args[:0]
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, err
	}
	times := make([]float64, runs)
	entries := 0
	for k := range times {
		start := time.Now()
		rs, err := db.QueryContext(ctx, "SELECT lon, lat, kind, n FROM p WHERE x < 25")
		if err != nil {
			return 0, nil, err
		}
		var (
			lon, lat float64
			kind     sql.RawBytes
			n        int
		)
		entries = 0
		for rs.Next() {
			if err := rs.Scan(&lon, &lat, &kind, &n); err != nil {
				rs.Close()
				return 0, nil, err
			}
			entries++
		}
		if err := rs.Close(); err != nil {
			return 0, nil, err
		}
		times[k] = float64(time.Since(start).Nanoseconds())
	}
	return entries, times, nil
}
