package merge

import (
	"context"
	"sort"

	"conflictmap/geo"
)

// Stored is a report as a store keeps it: the report, and the id of the
// event (the group) it is merged into.
type Stored struct {
	Report  geo.Event
	EventID string
}

// Reader is what Update reads from a store, inside the transaction that
// then writes the Plan.
type Reader interface {
	// ArticleReports returns the stored reports of an article.
	ArticleReports(ctx context.Context, articleID string) ([]Stored, error)
	// ReportsByID returns the stored reports with the ids, of any article.
	ReportsByID(ctx context.Context, ids []string) ([]Stored, error)
	// GroupReports returns the stored reports merged into the events.
	GroupReports(ctx context.Context, eventIDs []string) ([]Stored, error)
	// Candidates returns the stored reports with e's PlaceKey and event
	// type, threats or not as threats says, whose date range meets [from,
	// to]. Stores answer it from an index, so that its cost depends on how
	// much happened at that place around that time, not on the size of
	// the store.
	Candidates(ctx context.Context, e geo.Event, threats bool, from, to string) ([]Stored, error)
}

// Plan is what a store writes after an article's reports changed: the
// events to delete, then the events to write with their reports.
type Plan struct {
	// Delete are the ids of the events the change touches; the store
	// deletes them (and their sources and links) before writing Groups.
	Delete []string
	// Groups are the events to write, with every report merged into each;
	// each event's Related holds all its links, inside the plan or not.
	Groups []Group
	// Gone are the ids of Delete that no group of the plan takes over:
	// events that no longer exist.
	Gone []string
}

// Update returns how the events change when the article's stored reports
// are replaced by reports (none: the article is deleted). Only the groups
// that the article's old and new reports belong to, or join, are
// recomputed: groups are connected components, so no other group can
// change. Reports must carry the article's id.
func (r *Rules) Update(ctx context.Context, rd Reader, articleID string, reports []geo.Event) (Plan, error) {
	old, err := rd.ArticleReports(ctx, articleID)
	if err != nil {
		return Plan{}, err
	}
	touched := map[string]bool{}
	for _, s := range old {
		touched[s.EventID] = true
	}
	// A report id stored under another article moves to this one: the
	// group it leaves changes too.
	newIDs := make([]string, len(reports))
	for i, e := range reports {
		newIDs[i] = e.ID
	}
	moved, err := rd.ReportsByID(ctx, newIDs)
	if err != nil {
		return Plan{}, err
	}
	for _, s := range moved {
		touched[s.EventID] = true
	}
	set := map[string]geo.Event{} // report id -> report, the reports to regroup
	var queue []string
	add := func(e geo.Event) {
		if _, ok := set[e.ID]; !ok && e.ArticleID != articleID {
			set[e.ID] = e
			queue = append(queue, e.ID)
		}
	}
	join := func(ids []string) error {
		members, err := rd.GroupReports(ctx, ids)
		if err != nil {
			return err
		}
		for _, m := range members {
			add(m.Report)
		}
		return nil
	}
	if err := join(keys(touched)); err != nil {
		return Plan{}, err
	}
	for _, e := range reports {
		if _, ok := set[e.ID]; !ok {
			queue = append(queue, e.ID)
		}
		set[e.ID] = e
	}
	outside := map[string]Stored{} // candidates that stay in their groups
	for len(queue) > 0 {
		e := set[queue[0]]
		queue = queue[1:]
		cands, err := candidates(ctx, rd, e)
		if err != nil {
			return Plan{}, err
		}
		for _, c := range cands {
			if c.Report.ArticleID == articleID {
				continue // the article's old reports, being replaced
			}
			if _, in := set[c.Report.ID]; in {
				continue
			}
			if r.Same(e, c.Report) && !touched[c.EventID] {
				touched[c.EventID] = true
				if err := join([]string{c.EventID}); err != nil {
					return Plan{}, err
				}
				continue
			}
			outside[c.Report.ID] = c
		}
	}
	all := make([]geo.Event, 0, len(set))
	for _, e := range set {
		all = append(all, e)
	}
	groups := r.Groups(all)
	ids := map[string]bool{}
	for i := range groups {
		g := &groups[i]
		ids[g.Event.ID] = true
		rel := map[string]bool{}
		for _, id := range g.Event.Related {
			rel[id] = true
		}
		for _, c := range outside {
			if _, in := set[c.Report.ID]; in || touched[c.EventID] {
				continue
			}
			for _, rep := range g.Reports {
				if r.Follows(rep, c.Report) || r.Follows(c.Report, rep) {
					rel[c.EventID] = true
					break
				}
			}
		}
		g.Event.Related = keys(rel)
	}
	p := Plan{Delete: keys(touched), Groups: groups}
	for _, id := range p.Delete {
		if !ids[id] {
			p.Gone = append(p.Gone, id)
		}
	}
	return p, nil
}

// Relinked returns the events outside the plan whose links it changes: those
// its groups link to, and those in before (the events the deleted ones were
// linked to), leaving out the plan's own events.
func (p Plan) Relinked(before map[string]bool) []string {
	set := map[string]bool{}
	for id := range before {
		set[id] = true
	}
	for _, g := range p.Groups {
		for _, id := range g.Event.Related {
			set[id] = true
		}
	}
	for _, id := range p.Delete {
		delete(set, id)
	}
	for _, g := range p.Groups {
		delete(set, g.Event.ID)
	}
	return keys(set)
}

// keys returns a set's members, sorted; nil for an empty set.
func keys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// candidates returns the stored reports that e may be merged or linked
// with: reports of its own modality whose days meet its own (Same), and
// the threats it may follow or the happenings it may announce (Follows).
// Only the second query needs the FollowDays window, and only for the other
// modality, so that an ordinary report never reads the months of reports
// around it at its place.
func candidates(ctx context.Context, rd Reader, e geo.Event) ([]Stored, error) {
	s, end, ok := dateRange(e)
	if !ok {
		return nil, nil // an undated report has no candidates
	}
	same, err := rd.Candidates(ctx, e, threat(e), s, end)
	if err != nil {
		return nil, err
	}
	from, to := addDays(s, -FollowDays), s // the threats e may follow
	if threat(e) {
		from, to = s, addDays(end, FollowDays) // the happenings e may announce
	}
	other, err := rd.Candidates(ctx, e, !threat(e), from, to)
	if err != nil {
		return nil, err
	}
	return append(same, other...), nil
}
