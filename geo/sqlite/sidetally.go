package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// keptTables are the tables a bulk import's tally writes (tally.write);
// a table it writes that is missing here fails a new store's import
// (writeSide), and one missing from the copy fails its tests.
var keptTables = []string{"event_counts", "detail_counts", "word_counts", "cell_types", "cell_countries", "cell_word_stats",
	"cell_detail_stats", "cell_details", "cell_word_fine", "cell_words", "cell_fine", "cell_country_weeks",
	"cell_fine_weeks", "cell_word_weeks", "cell_word_weeks_coarse"}

// sideTally writes a bulk import's kept counts into a file of their own
// beside a new store (Create), on a connection of its own, while the
// import's commit builds the events' indexes on the writer's: SQLite
// writes one file at a time, and the tally's 6.2 million rows of a
// million events took 17 s of the commit's 49. Once both are done the
// store copies the tables in whole (copySide): SQLite copies the rows of
// an empty table from an identical one without decoding them.
type sideTally struct {
	path   string
	done   chan error
	err    error
	waited bool
}

// wait waits for the side write to end and returns its error, the same
// each time it is called.
func (st *sideTally) wait() error {
	if !st.waited {
		st.err, st.waited = <-st.done, true
	}
	return st.err
}

// startSideTally writes t into a new file at path, whose tables are made
// by defs (keptDefinitions), on a goroutine; its result arrives on done.
func startSideTally(ctx context.Context, path string, defs []string, t *tally, log *slog.Logger) *sideTally {
	st := &sideTally{path: path, done: make(chan error, 1)}
	go func() {
		start := time.Now()
		err := writeSide(ctx, path, defs, t)
		log.DebugContext(ctx, "bulk import: kept counts written beside", "took", time.Since(start))
		st.done <- err
	}()
	return st
}

func writeSide(ctx context.Context, path string, defs []string, t *tally) (err error) {
	// A scratch file: nothing to roll back to, and nobody reads it but
	// the copy. Its rows go in the order of their keys, each where the
	// last went, and want little cache.
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=page_size(16384)"+
		"&_pragma=temp_store(memory)&_pragma=cache_size(-8192)")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, d := range defs {
		if _, err := tx.ExecContext(ctx, d); err != nil {
			return err
		}
	}
	if err := t.write(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// keptDefinitions returns the statements that make keptTables and their
// indexes as tx's database has them, tables first: the copy takes the
// rows as they are only between tables alike, indexes and all.
func keptDefinitions(ctx context.Context, tx *sql.Tx) ([]string, error) {
	names := strings.Repeat("?, ", len(keptTables)-1) + "?"
	args := make([]any, len(keptTables))
	for i, t := range keptTables {
		args[i] = t
	}
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE tbl_name IN (`+names+`) AND sql IS NOT NULL
		AND type IN ('table', 'index') ORDER BY type = 'index', name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var defs []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	return defs, rows.Err()
}

// keptEmpty reports whether every kept table is empty in tx, as those of
// a new store are: the copy adds rows, and cannot add to a group.
func keptEmpty(ctx context.Context, tx *sql.Tx) (bool, error) {
	for _, t := range keptTables {
		var held bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&held); err != nil {
			return false, err
		}
		if held {
			return false, nil
		}
	}
	return true, nil
}

// copySide copies the tables of the side file at path into the store's,
// in one transaction. The store's events are committed by then: if the
// copy fails, the store holds events without their counts, and Publish
// refuses it.
func (s *Store) copySide(ctx context.Context, path string) error {
	if err := s.copyKept(ctx, path); err != nil {
		return s.keptLost(fmt.Errorf("counts and cells: copy: %w", err))
	}
	return nil
}

func (s *Store) copyKept(ctx context.Context, path string) (err error) {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS kept", path); err != nil {
		return err
	}
	defer func() {
		_, derr := conn.ExecContext(context.WithoutCancel(ctx), "DETACH DATABASE kept")
		err = errors.Join(err, derr)
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range keptTables {
		// This exact form, into an empty table from one alike, copies
		// the stored rows (SQLite's transfer optimization).
		if _, err := tx.ExecContext(ctx, "INSERT INTO main."+t+" SELECT * FROM kept."+t); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return tx.Commit()
}

// keptLost records that a bulk import of a new store committed its
// events but not their kept counts, so that Publish refuses the store,
// and returns err.
func (s *Store) keptLost(err error) error {
	s.unpublishable = err
	return err
}

// sidePath is the file of the kept counts of a bulk import into the new
// store at temp.
func sidePath(temp string) string { return temp + "-kept" }
