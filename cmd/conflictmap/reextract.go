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

	// The walk holds no transaction while its function runs, so each
	// article is stored again as soon as it is read.
	_, n, err := st.Articles(ctx, 1, 0)
	if err != nil {
		return err
	}
	done, before, total := 0, 0, 0
	err = st.ForEachArticle(ctx, func(a geo.Article) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after %d of %d articles: %w", done, n, err)
		}
		events, err := ex.Extract(a)
		if err != nil {
			return fmt.Errorf("extracting article %s: %w", a.ID, err)
		}
		if _, err := st.Ingest(ctx, a, events); err != nil {
			return err // the store's errors name the article already
		}
		done++
		before += a.Events
		total += len(events)
		fmt.Fprintf(env.Stderr, "[%d/%d] %s %q: %s (was %d)\n", done, max(n, done), a.ID, a.Title, plural(len(events), "event"), a.Events)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "re-extracted %s with extractor %s: %s (was %d)\n", plural(done, "article"), extract.Version, plural(total, "event"), before)
	return nil
}
