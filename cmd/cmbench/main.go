// Command cmbench holds what the server benchmarks in BENCHMARKS.md need
// besides conflictmap itself: a generator that fills an SQLite store with
// reproducible events, and a trivial HTTP handler that serves one fixed
// body, the ceiling a cached answer is compared against.
//
//	cmbench seed --db FILE --events N
//	cmbench static --addr ADDR --body FILE [--gzip] [--content-type T]
//	cmbench ingestload --server URL --token T [--clients 100] [--size 1048576] [--duration 30s]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/sqlite"
	"conflictmap/geo/storetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: cmbench seed|static [flags]")
	}
	switch args[0] {
	case "seed":
		return seed(ctx, args[1:])
	case "static":
		return serveStatic(ctx, args[1:])
	case "ingestload":
		return ingestLoad(ctx, args[1:])
	}
	return fmt.Errorf("unknown command %q; want seed, static or ingestload", args[0])
}

// seed stores n generated events, in articles of 10,000 through the
// store's bulk import, so that a server started on the file answers with
// them.
func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	db := fs.String("db", "", "SQLite file to fill (created if missing)")
	n := fs.Int("events", 10000, "how many events to generate")
	s := fs.Uint64("seed", 1, "random seed; the same seed gives the same events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("seed: --db is required")
	}
	st, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	const batch = 10000
	for done, i := 0, 0; done < *n; i++ {
		a := geo.Article{Title: "Generated events", Published: "2024-12-31", Text: fmt.Sprintf("generated: seed %d, batch %d", *s, i)}
		a.ID = geo.ArticleID("", a.Text)
		evs := storetest.Generate(*s+uint64(i), a, min(batch, *n-done))
		if err := st.Import(ctx, []geo.Article{a}, evs); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		done += len(evs)
		fmt.Fprintf(os.Stderr, "\rstored %d of %d events", done, *n)
	}
	fmt.Fprintf(os.Stderr, "\n")
	fmt.Printf("stored %d events in %s in %s\n", *n, *db, time.Since(start).Round(time.Millisecond))
	return nil
}

// serveStatic answers every request with the same bytes and the headers a
// cached answer carries, doing no other work.
func serveStatic(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("static", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8091", "listen address")
	bodyFile := fs.String("body", "", "file whose bytes every answer carries")
	gz := fs.Bool("gzip", false, "the body is gzip-compressed: send Content-Encoding: gzip")
	ct := fs.String("content-type", "application/geo+json", "Content-Type of the answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Type", *ct)
		hd.Set("ETag", `"static"`)
		hd.Set("Vary", "Accept-Encoding")
		if *gz {
			hd.Set("Content-Encoding", "gzip")
		}
		w.Write(body)
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	slog.Info("serving fixed body", "addr", *addr, "bytes", len(body), "gzip", *gz)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
