package eval

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the result as score.py prints it: one line per gold
// event, one per wrong feature, then the summary line.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, p := range r.Pairs {
		mark := "MISS"
		if p.Feature >= 0 {
			mark = "ok "
		}
		fmt.Fprintf(&b, "%s %-32s %-20s %-11s %-28s %s\n", mark, p.Event, pyOr(p.Location), pyOr(p.Date), pyOr(p.Type), pyOr(p.Modality))
	}
	for _, f := range r.ForbiddenHits {
		fmt.Fprintf(&b, "WRONG feature %d %s: %s\n", f.Feature, pyStr(f.Location), f.Why)
	}
	for _, f := range r.Unexplained {
		fmt.Fprintf(&b, "WRONG feature %d %s (%s, %s, %s): not a place of this article's events\n",
			f.Feature, pyStr(f.Location), pyNumberString(f.Lat), pyNumberString(f.Lon), pyStr(f.CountryCode))
	}
	fmt.Fprintf(&b, "core recall %d/%d  recall %s  precision %s  strict precision %s  duplicates %d  date %s  type %s  modality %s  fatalities %s  sub-type %s  time precision %s",
		r.CoreMatched, r.CoreEvents, pyFloat(r.Recall), pyFloat(r.Precision), pyFloat(r.StrictPrecision),
		r.Duplicates, r.DateAccuracy, r.TypeAccuracy, r.ModalityAccuracy, r.FatalitiesAccuracy,
		r.SubTypeAccuracy, r.TimePrecisionAccuracy)
	if r.LongQuotes > 0 {
		fmt.Fprintf(&b, "  quotes over %d chars: %d", MaxQuote, r.LongQuotes)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteTotal prints the summary line of a sum of results (see Sum), with
// the number of predictions that fell in forbidden places.
func (r Result) WriteTotal(w io.Writer) error {
	_, err := fmt.Fprintf(w, "predictions %d  events %d  core recall %d/%d  recall %s  precision %s  strict precision %s  duplicates %d  forbidden %d  date %s  type %s  modality %s  fatalities %s  sub-type %s  time precision %s\n",
		r.Predictions, r.Events, r.CoreMatched, r.CoreEvents, pyFloat(r.Recall), pyFloat(r.Precision),
		pyFloat(r.StrictPrecision), r.Duplicates, len(r.ForbiddenHits), r.DateAccuracy, r.TypeAccuracy,
		r.ModalityAccuracy, r.FatalitiesAccuracy, r.SubTypeAccuracy, r.TimePrecisionAccuracy)
	return err
}

// WriteJSON prints the result as score.py --json prints it.
func (r Result) WriteJSON(w io.Writer) error {
	var b strings.Builder
	writePyJSON(&b, r.object(), 2, 0)
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// object is the result as score.py's dictionary, keys in its order.
func (r Result) object() obj {
	strs := func(l []string) []any {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	forb := make([]any, len(r.ForbiddenHits))
	for i, f := range r.ForbiddenHits {
		forb[i] = obj{{"feature", f.Feature}, {"location", f.Location}, {"why", f.Why}}
	}
	unex := make([]any, len(r.Unexplained))
	for i, f := range r.Unexplained {
		unex[i] = obj{{"feature", f.Feature}, {"location", f.Location}, {"lat", f.Lat}, {"lon", f.Lon}, {"country_code", f.CountryCode}}
	}
	pairs := make([]any, len(r.Pairs))
	for i, p := range r.Pairs {
		var feature any
		if p.Feature >= 0 {
			feature = p.Feature
		}
		pairs[i] = obj{{"event", p.Event}, {"feature", feature}, {"location", p.Location}, {"date", p.Date}, {"type", p.Type}, {"modality", p.Modality}}
	}
	return obj{
		{"predictions", r.Predictions},
		{"events", r.Events},
		{"matched", r.Matched},
		{"core_matched", r.CoreMatched},
		{"core_events", r.CoreEvents},
		{"precision", r.Precision},
		{"strict_precision", r.StrictPrecision},
		{"recall", r.Recall},
		{"core_recall", r.CoreRecall},
		{"duplicates", r.Duplicates},
		{"errors", r.Errors},
		{"forbidden_hits", forb},
		{"date_accuracy", r.DateAccuracy.String()},
		{"type_accuracy", r.TypeAccuracy.String()},
		{"modality_accuracy", r.ModalityAccuracy.String()},
		{"fatalities_accuracy", r.FatalitiesAccuracy.String()},
		{"sub_type_accuracy", r.SubTypeAccuracy.String()},
		{"time_precision_accuracy", r.TimePrecisionAccuracy.String()},
		{"long_quotes", r.LongQuotes},
		{"missed", strs(r.Missed)},
		{"missed_core", strs(r.MissedCore)},
		{"unexplained", unex},
		{"pairs", pairs},
	}
}
