package main

import (
	"context"
	"fmt"

	"conflictmap/geo/eval"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
)

func runEval(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "eval", "eval [--json] GOLD.json...",
		"Extracts each gold file's article (its text_file, relative to the gold file) with the current\n"+
			"rules and scores the events against the gold file, printing the same figures as\n"+
			"../shared/eval/score.py (see ../shared/eval/FORMAT.md). With several gold files, each is\n"+
			"printed under its name and a last line sums them up (counts added, rates recomputed).")
	asJSON := fs.Bool("json", false, "print each result as score.py --json does")
	// score.py takes --json anywhere on the line; so does eval.
	var rest []string
	for _, a := range args {
		if a == "--json" || a == "-json" {
			*asJSON = true
			continue
		}
		rest = append(rest, a)
	}
	if err := parseFlags(env, fs, rest); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "eval: want at least one gold file")
		fs.Usage()
		return errUsage
	}
	gaz, err := gazetteer.Load()
	if err != nil {
		return fmt.Errorf("eval: loading the gazetteer: %w", err)
	}
	x := extract.New(gaz)
	var results []eval.Result
	for i, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := eval.File(x, path)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		results = append(results, r)
		if fs.NArg() > 1 {
			if i > 0 {
				fmt.Fprintln(env.Stdout)
			}
			fmt.Fprintf(env.Stdout, "== %s\n", path)
		}
		if *asJSON {
			err = r.WriteJSON(env.Stdout)
		} else {
			err = r.WriteText(env.Stdout)
		}
		if err != nil {
			return err
		}
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(env.Stdout, "\n== all %d files\n", len(results))
		return eval.Sum(results...).WriteTotal(env.Stdout)
	}
	return nil
}
