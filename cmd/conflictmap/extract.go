package main

import (
	"context"
	"errors"
)

func runExtract(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "extract", "extract [--published YYYY-MM-DD] [--title T] [--url U] FILE|-",
		"Prints the events of one article as a GeoJSON FeatureCollection on stdout, touching no store.")
	published := fs.String("published", "", "publication date of the article, YYYY-MM-DD; relative dates are resolved against it")
	title := fs.String("title", "", "title of the article")
	url := fs.String("url", "", "source URL of the article")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	_, _, _ = published, title, url
	return errors.New("extract: not built yet")
}
