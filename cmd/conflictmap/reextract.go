package main

import (
	"context"
	"fmt"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
)

func runReextract(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "reextract", "reextract [--db PATH|URL] [--pg-schema S]",
		"Re-runs the current extractor over every stored article and replaces its events (each\n"+
			"article in one transaction that bumps the data version, so running servers answer with the\n"+
			"new events at once). Progress goes to stderr.")
	db := fs.String("db", envOr(env, "CONFLICTMAP_DB", defaultDB), "SQLite file, or a postgres:// URL (CONFLICTMAP_DB)")
	pgSchema := fs.String("pg-schema", envOr(env, "CONFLICTMAP_PG_SCHEMA", "public"), "PostgreSQL schema, with a postgres:// --db (CONFLICTMAP_PG_SCHEMA)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "reextract: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	st, err := openStore(ctx, *db, *pgSchema)
	if err != nil {
		return err
	}
	defer st.Close()
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("loading the gazetteer: %w", err)
	}
	ex := extract.New(gaz)

	// Ids first, articles one at a time after: the store's walk is not
	// held open while the same store writes.
	var ids []string
	if err := st.ForEachArticle(ctx, func(a geo.Article) error {
		ids = append(ids, a.ID)
		return nil
	}); err != nil {
		return err
	}
	before, total := 0, 0
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after %d of %d articles: %w", i, len(ids), err)
		}
		a, err := st.Article(ctx, id)
		if err != nil {
			return err // the store's errors name the article already
		}
		events, err := ex.Extract(a)
		if err != nil {
			return fmt.Errorf("extracting article %s: %w", id, err)
		}
		if _, err := st.Ingest(ctx, a, events); err != nil {
			return err
		}
		before += a.Events
		total += len(events)
		fmt.Fprintf(env.Stderr, "[%d/%d] %s %q: %s (was %d)\n", i+1, len(ids), id, a.Title, plural(len(events), "event"), a.Events)
	}
	fmt.Fprintf(env.Stderr, "re-extracted %s with extractor %s: %s (was %d)\n", plural(len(ids), "article"), extract.Version, plural(total, "event"), before)
	return nil
}
