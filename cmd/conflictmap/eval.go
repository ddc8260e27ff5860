package main

import (
	"context"
	"fmt"
	"strings"

	"conflictmap/geo/eval"
	"conflictmap/geo/extract"
	"conflictmap/geo/gazetteer"
)

func runEval(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "eval", "eval [--json] [--ablate] [--without RULE,...] GOLD.json...",
		"Extracts each gold file's article (its text_file, relative to the gold file) with the current\n"+
			"rules and scores the events against the gold file, printing the same figures as\n"+
			"../shared/eval/score.py (see ../shared/eval/FORMAT.md). With several gold files, each is\n"+
			"printed under its name and a last line sums them up (counts added, rates recomputed).\n"+
			"--ablate prints instead, for every named rule of the extractor, what core recall, recall\n"+
			"and strict precision become on all the files together with that rule switched off.")
	asJSON := fs.Bool("json", false, "print each result as score.py --json does")
	ablate := fs.Bool("ablate", false, "print a table of the figures with each named rule switched off in turn")
	without := fs.String("without", "", "comma-separated names of rules to switch off (see --ablate for the names)")
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
	if *without != "" {
		if x, err = x.Without(strings.Split(*without, ",")...); err != nil {
			return fmt.Errorf("eval: --without: %w", err)
		}
	}
	if *ablate {
		return ablation(ctx, env, x, fs.Args())
	}
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

// ablation prints, for each named rule, the summed figures on the gold
// files with that rule switched off, beside the figures with every rule on.
func ablation(ctx context.Context, env *Env, x *extract.Extractor, files []string) error {
	score := func(x *extract.Extractor) (eval.Result, error) {
		var results []eval.Result
		for _, path := range files {
			if err := ctx.Err(); err != nil {
				return eval.Result{}, err
			}
			r, err := eval.File(x, path)
			if err != nil {
				return eval.Result{}, fmt.Errorf("eval: %w", err)
			}
			results = append(results, r)
		}
		return eval.Sum(results...), nil
	}
	base, err := score(x)
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "%d gold files; each row switches one rule off (change against all rules on)\n", len(files))
	fmt.Fprintf(w, "%-28s %-9s %-14s %-16s %-16s %-9s %-8s %-8s %-8s %-8s %s\n", "rule", "kind", "core recall", "recall", "strict prec.",
		"forbidden", "date", "type", "sub-type", "modality", "fatalities")
	row := func(name, kind string, r eval.Result) {
		fmt.Fprintf(w, "%-28s %-9s %-14s %-16s %-16s %-9d %-8s %-8s %-8s %-8s %s\n", name, kind,
			fmt.Sprintf("%d/%d %+d", r.CoreMatched, r.CoreEvents, r.CoreMatched-base.CoreMatched),
			fmt.Sprintf("%.3f %+.3f", r.Recall, r.Recall-base.Recall),
			fmt.Sprintf("%.3f %+.3f", r.StrictPrecision, r.StrictPrecision-base.StrictPrecision),
			len(r.ForbiddenHits), r.DateAccuracy, r.TypeAccuracy, r.SubTypeAccuracy, r.ModalityAccuracy, r.FatalitiesAccuracy)
	}
	row("(all rules on)", "", base)
	for _, rule := range extract.Rules() {
		y, err := x.Without(rule.Name)
		if err != nil {
			return err
		}
		r, err := score(y)
		if err != nil {
			return err
		}
		row(rule.Name, rule.Kind, r)
	}
	return nil
}
