package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"conflictmap/geo"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
)

func runExtract(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "extract", "extract [--published YYYY-MM-DD] [--title T] [--url U] FILE|-",
		"Prints the events of one article as a GeoJSON FeatureCollection on stdout, touching no store.\n"+
			"FILE is the article's plain text; - reads it from stdin. The same input always prints the\n"+
			"same bytes.")
	published := fs.String("published", "", "publication date of the article, YYYY-MM-DD; relative dates are resolved against it")
	title := fs.String("title", "", "title of the article")
	url := fs.String("url", "", "source URL of the article")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "extract: want exactly one FILE (or - for stdin)")
		fs.Usage()
		return errUsage
	}
	if *published != "" {
		if _, err := time.Parse(geo.DateLayout, *published); err != nil {
			return fmt.Errorf("extract: --published %q is not a date, want YYYY-MM-DD", *published)
		}
	}
	text, err := readArticleText(env, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("extract: loading the gazetteer: %w", err)
	}
	a := geo.Article{
		Title:     strings.TrimSpace(*title),
		URL:       strings.TrimSpace(*url),
		Published: *published,
		Text:      text,
	}
	a.ID = geo.ArticleID(a.URL, a.Text)
	events, err := extract.New(gaz).Extract(a)
	if err != nil {
		// A user error (too large, bad date) reads best without its chain;
		// anything else is a bug whose detail must reach the terminal.
		if geo.ErrorCode(err) == geo.EINTERNAL {
			return fmt.Errorf("extract: %w", err)
		}
		return fmt.Errorf("extract: %s", geo.ErrorMessage(err))
	}
	b, err := json.MarshalIndent(geo.FeatureCollection(events), "", " ")
	if err != nil {
		return fmt.Errorf("extract: encoding events: %w", err)
	}
	_, err = env.Stdout.Write(append(b, '\n'))
	return err
}

// readArticleText reads an article's text from a file, or from stdin for
// "-", refusing more than the extractor reads.
func readArticleText(env *Env, name string) (string, error) {
	var r io.Reader
	if name == "-" {
		r = env.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, extract.MaxTextBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > extract.MaxTextBytes {
		return "", fmt.Errorf("%s is larger than the %d-byte limit of an article", name, extract.MaxTextBytes)
	}
	return string(b), nil
}
