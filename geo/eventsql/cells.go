package eventsql

import (
	"math"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

// CellLevels are the zooms of the density grid (geo.CellOf) at which the
// stores keep counts of their events per cell: cell_types (per event type,
// week, last week, modality and origin, with the fatalities and the sums of
// the points) and cell_countries (per event type, country code, modality
// and origin). Every other zoom up to the last is answered from the next
// finer level, whose cells nest in its own. Finer levels hold about as many
// groups as events in a hotspot (the million's level 8: 142,000 groups of
// cell_types), so that a finer grid would save little over reading the
// events.
var cellLevels = [...]int{2, 4, 6, 8}

// fineLevels are the finer zooms at which the stores keep counts per cell
// in cell_fine: per event type, modality, origin and precision, with the
// fatalities and the sums of the points, but no week and no country, so
// that a cell holds a few groups however many events it holds (a hotspot's
// view at zoom 9 groups 300,000 events otherwise). They answer the density
// of zooms 9 to 14 without dates.
var fineLevels = [...]int{10, 12, 14}

// WeekFineLevel is the finer zoom at which the stores keep counts per
// cell and week in cell_fine_weeks, grouped as cell_types groups them, so
// that the density of zooms 9 and 10 between dates reads groups rather
// than every event in view: a hotspot's view at zoom 9 over a year holds
// 165,000 events of the million (0.1 s read one by one) and 55,000 groups
// of this level. A finer level holds about half as many groups as events
// (WeekFinerLevel).
const WeekFineLevel = 10

// WeekFinerLevel is the level of cell_fine_weeks that a store whose
// dialect is a WeekFiner keeps too, for the density of zoom 11 between
// dates alone: a hotspot's view at that zoom since a date holds 55,000
// events of the million and 27,500 groups of this level, where zooms 9
// and 10 read fewer groups at WeekFineLevel.
const WeekFinerLevel = 11

// WeekFiner is a Dialect whose store keeps cell_fine_weeks at
// WeekFinerLevel as well as WeekFineLevel.
type WeekFiner interface {
	// KeepsWeekFiner reports whether the store keeps WeekFinerLevel.
	KeepsWeekFiner() bool
}

// keepsWeekFiner reports whether d's store keeps WeekFinerLevel.
func keepsWeekFiner(d Dialect) bool {
	w, ok := d.(WeekFiner)
	return ok && w.KeepsWeekFiner()
}

// weekLevel reports whether level is one of cell_fine_weeks'.
func weekLevel(level int) bool { return level == WeekFineLevel || level == WeekFinerLevel }

// maxFineBoxCells bounds the cells of WeekFineLevel a box's count or
// stats read (PlanBox): a box of 1.4 by 1.4 degrees or less, whose edge
// strips at level 8 (0.35 degrees wide) would hold most of its events
// (the stats of a hotspot's box of 0.6 by 0.4 degrees read the rows of
// 90,000 of its 101,000). A larger box's cells of level 10 would hold
// about as many groups as its strips at level 8 hold events.
const maxFineBoxCells = 256

// maxWeekFineCells bounds the cells of WeekFineLevel a plan reads: more
// than a view at zoom 9 holds on the widest screens (a cell of level 10 is
// 32 pixels of it), and few enough that their groups of every week are
// fewer than the events a short span of dates holds the world over (the
// whole world's 428,000 groups of the million: 66 ms for a month's density
// at zoom 9 without a box, 36 ms from its 37,000 events).
const maxWeekFineCells = 1 << 16

// CellLevels returns the zooms the stores keep cell counts at, coarsest
// first; the migrations that create the cell tables list the same.
func CellLevels() []int { return cellLevels[:] }

// FineLevels returns the zooms of cell_fine, coarsest first.
func FineLevels() []int { return fineLevels[:] }

// cellTable is the table that keeps the cells of r's level, for its dates.
func cellTable(r CellRect) string {
	switch {
	case r.Level <= cellLevels[len(cellLevels)-1]:
		return "cell_types"
	case r.Start != "" || r.End != "":
		return "cell_fine_weeks"
	}
	return "cell_fine"
}

// maxInnerCells bounds the cells a box's count or stats read from the kept
// counts at one level: the finest level whose cells inside the box are at
// most this many is used.
const maxInnerCells = 1024

// CellsUsable reports whether the kept cell counts answer f, with its box
// if any: when f names no words, sub-event type, precision, source count or
// country, and its dates, if any, parse. The cells count events per week
// of their first and last day, so that a plan reads them for the whole
// weeks of f's dates and the days at either end from the events
// (weekSplit). Stats also need f to name no dates (StatsUsable).
func CellsUsable(f geo.Filter) bool {
	if strings.TrimSpace(f.Actor) != "" || strings.TrimSpace(f.Q) != "" || len(f.SubTypes) > 0 ||
		len(f.GeoPrecisions) > 0 || f.MinSources > 1 || f.Country != "" {
		return false
	}
	if f.BBox != nil && f.BBox.West > f.BBox.East {
		return false // across the antimeridian: rare, and answered from the events
	}
	_, _, ok := weekSplit(textDates{}, f)
	return ok
}

// countryCellsUsable reports whether the kept counts per country
// (cell_countries, which keeps the fatalities and the sums of the points
// as cell_types does) answer the density cells of f: f names a country, no
// dates (cell_countries keeps no weeks) and is otherwise CellsUsable.
func countryCellsUsable(f geo.Filter) bool {
	if f.Country == "" || f.Start != "" || f.End != "" {
		return false
	}
	g := f
	g.Country = ""
	return CellsUsable(g)
}

// fineCellsUsable reports whether cell_fine, which keeps the precision
// (migration 0036), answers the density cells of f at its zooms: f names
// precisions, ACLED's only as DetailCellsUsable's, and no dates, and is
// otherwise CellsUsable.
func fineCellsUsable(f geo.Filter) bool {
	if len(f.GeoPrecisions) == 0 || f.Start != "" || f.End != "" {
		return false
	}
	for _, p := range f.GeoPrecisions {
		if p < geo.GeoTown || p > geo.GeoRegion {
			return false
		}
	}
	g := f
	g.GeoPrecisions = nil
	return CellsUsable(g)
}

// StatsUsable reports whether the kept cell counts answer the stats of f:
// CellsUsable, and either no dates, or dates with a box and no event type,
// modality or origin, for the counts per country and week
// (cell_country_weeks) keep none of those. Dates without a box are
// answered from event_counts.
func StatsUsable(f geo.Filter) bool {
	if !CellsUsable(f) {
		return false
	}
	if f.Start == "" && f.End == "" {
		return true
	}
	return f.BBox != nil && len(f.Types) == 0 && len(f.Modalities) == 0 && len(f.Origins) == 0
}

// weekSplit splits f's dates for the kept cells, which count events by
// the weeks of their first and last day: it returns f with its dates moved
// in to whole weeks (Start on to the next Monday, End back to the last
// Sunday) and the strips of the events that match f but not those weeks,
// over f's whole box. An event that meets [Start, End] but not [Monday,
// Sunday] either ends before that Monday (it meets the days from Start to
// the Sunday before) or starts after that Sunday (the days from the Monday
// after to End): two strips of at most six days of events, which the date
// index finds. False when the dates do not parse, or hold no whole week:
// the events answer such a filter, a few days of them.
func weekSplit(d Dialect, f geo.Filter) (geo.Filter, []Strip, bool) {
	weeks := f
	if f.Start != "" && f.End != "" && f.Start > f.End {
		return weeks, nil, true // matches nothing (cellCond)
	}
	var edges []Strip
	if f.Start != "" {
		t, err := time.Parse(geo.DateLayout, f.Start)
		if err != nil {
			return f, nil, false
		}
		if wd := int(t.Weekday()); wd != 1 {
			monday := t.AddDate(0, 0, (8-wd)%7)
			weeks.Start = monday.Format(geo.DateLayout)
			edges = append(edges, Strip{Box: f.BBox, Start: f.Start, End: monday.AddDate(0, 0, -1).Format(geo.DateLayout), Days: true,
				Cond: "coalesce(e.event_date_end, e.event_date) < " + d.DateValue("'"+weeks.Start+"'")})
		}
	}
	if f.End != "" {
		t, err := time.Parse(geo.DateLayout, f.End)
		if err != nil {
			return f, nil, false
		}
		if wd := int(t.Weekday()); wd != 0 {
			sunday := t.AddDate(0, 0, -wd)
			weeks.End = sunday.Format(geo.DateLayout)
			edges = append(edges, Strip{Box: f.BBox, Start: sunday.AddDate(0, 0, 1).Format(geo.DateLayout), End: f.End, Days: true,
				Cond: "e.event_date > " + d.DateValue("'"+weeks.End+"'")})
		}
	}
	if weeks.Start != "" && weeks.End != "" && weeks.Start > weeks.End {
		return f, nil, false
	}
	return weeks, edges, true
}

// textDates spells dates as text: CellsUsable only asks whether f splits.
type textDates struct{ Dialect }

func (textDates) DateValue(ph string) string { return ph }

// cellCoord is the raw cell coordinate of a coordinate offset (lon + 180 or
// lat + 90) at n cells around the world: the expression the stores compute
// in SQL, before its integer part is taken.
func cellCoord(offset float64, n int64) float64 { return offset * float64(n) / 360 }

// CellPlan is how a query over a box is split: the cells of Level
// X0..X1 by Y0..Y1, each wholly inside the box, are read from the kept
// counts, and the events of the box outside them (Strips) from the events.
// A plan without a box reads every cell of Level and no strip.
type CellPlan struct {
	Level          int
	X0, X1, Y0, Y1 int
	// Start and End are the dates its cells are read with: the filter's,
	// moved in to whole weeks (weekSplit).
	Start, End string
	Strips     []Strip
	// Rects are the cells read, when the plan reads several levels
	// (PlanZoom): the cells above at coarser levels where whole coarser
	// cells fit, and at Level only along the edges; empty, the cells above.
	Rects []CellRect
	all   bool
	// part marks a plan of Parts, whose Rects are all it reads, none
	// when empty.
	part bool
}

// CellRect is a rectangle of cells of one level: X0..X1 by Y0..Y1.
type CellRect struct {
	Level          int
	X0, X1, Y0, Y1 int
	Start, End     string // the plan's dates
	all            bool
}

// finer is p's cells (not its strips) at level, finer than p's: each of
// p's cells is 2^(level-p.Level) of them across, as the levels' grids
// nest.
func (p CellPlan) finer(level int) CellPlan {
	s := level - p.Level
	return CellPlan{Level: level, all: p.all, X0: p.X0 << s, Y0: p.Y0 << s, X1: (p.X1+1)<<s - 1, Y1: (p.Y1+1)<<s - 1}
}

// CellRects returns the rectangles of cells p reads.
func (p CellPlan) CellRects() []CellRect {
	if len(p.Rects) > 0 || p.part {
		return p.Rects
	}
	return []CellRect{{Level: p.Level, X0: p.X0, X1: p.X1, Y0: p.Y0, Y1: p.Y1, Start: p.Start, End: p.End, all: p.all}}
}

// Parts deals the reads of p into at most n plans that together read what
// p reads, once each, for a store to read them at once: its rectangles of
// cells, one rectangle cut into bands of columns (a view's cells of
// cell_fine_weeks are most of its reads), and its strips, in turn.
func (p CellPlan) Parts(n int) []CellPlan {
	n = max(n, 1)
	rects := p.CellRects()
	if r := rects[0]; len(rects) == 1 && !r.all && n > 1 {
		k := min(n, r.X1-r.X0+1)
		rects = make([]CellRect, k)
		for i := range k {
			rects[i] = r
			rects[i].X0 = r.X0 + i*(r.X1-r.X0+1)/k
			rects[i].X1 = r.X0 + (i+1)*(r.X1-r.X0+1)/k - 1
		}
	}
	parts := make([]CellPlan, min(n, len(rects)+len(p.Strips)))
	for i := range parts {
		parts[i] = p
		parts[i].Rects, parts[i].Strips, parts[i].part = nil, nil, true
	}
	for i, r := range rects {
		parts[i%len(parts)].Rects = append(parts[i%len(parts)].Rects, r)
	}
	for i, s := range p.Strips {
		j := (len(rects) + i) % len(parts)
		parts[j].Strips = append(parts[j].Strips, s)
	}
	return parts
}

// Strip is a part of a box answered from the events: the events inside
// Box (all of them when nil) between Start and End (dates that replace the
// filter's) for which Cond (a condition on the events table e) holds. A Minus
// strip holds events of the plan's cells outside the box (points just
// before an edge that falls on a cell edge, which rounding puts in the
// cell), to be taken out of its answer. The strips of a plan, added and
// taken out, make up the box exactly with its cells.
type Strip struct {
	Box        *geo.BBox
	Start, End string
	Cond       string
	Minus      bool
	// Days marks a strip of the few days at an edge of the filter's
	// dates (weekSplit), over its whole box: its dates select few events
	// whatever the box (DaysDialect).
	Days bool
	// Sparse marks a strip whose box holds few events beside those of its
	// dates, as the store judges (SparseDialect).
	Sparse bool
}

// SparseDialect is a Dialect that spells the conditions of a Sparse strip
// its own way: a narrow box beside the dense middle of a filter's box is
// better looked up in its index alone, its events tested for the dates row
// by row, than ANDed with the index of dates that hold many more events
// (PostgreSQL listed 43,000 entries of six weeks' dates for a strip of 537
// events: 9 ms of a strip's 10).
type SparseDialect interface {
	ForSparse() Dialect
}

// DaysDialect is a Dialect that spells the conditions of a Days strip its
// own way: a box that holds many more events than a few days do is better
// tested row by row on those days' events than looked up in its index
// (PostgreSQL's GiST lists a box of 300,000 events in 0.1-0.5 s).
type DaysDialect interface {
	ForDays() Dialect
}

// Sign is -1 for a Minus strip, else 1.
func (s Strip) Sign() int {
	if s.Minus {
		return -1
	}
	return 1
}

// PlanCells returns the plan that answers f (CellsUsable) from the cells of
// level, and false when no cell of level lies wholly inside f's box.
//
// A cell's events are those whose raw coordinate (cellCoord) has the
// cell's index as integer part; that expression does not decrease as lon or
// lat grows, so that a cell whose index exceeds the raw coordinate of the
// last point before the west edge holds only points at or past the edge,
// and one whose index plus one is at most that of the first point past the
// east edge only points at or before it (firstCell, lastCell). The last column
// and row, which also hold the points on 180° and 90° (geo.CellOf), are
// never inner cells, so that the raw expression and the kept index agree
// on every inner cell.
func PlanCells(d Dialect, f geo.Filter, level int) (CellPlan, bool) {
	n := geo.CellsAround(level)
	p := CellPlan{Level: level, Start: f.Start, End: f.End}
	if f.BBox == nil {
		p.all, p.X1, p.Y1 = true, int(n-1), int(n/2-1)
		return p, true
	}
	b := *f.BBox
	var westNear, southNear bool
	p.X0, westNear = firstCell(b.West, 180, n)
	p.Y0, southNear = firstCell(b.South, 90, n)
	p.X1, p.Y1 = min(lastCell(b.East, 180, n), int(n-2)), min(lastCell(b.North, 90, n), int(n/2-2))
	if p.X0 > p.X1 || p.Y0 > p.Y1 {
		return CellPlan{}, false
	}
	size := geo.CellSize(level)
	// The strips' boxes reach a little past the cells' edges (the raw
	// expression rounds); their conditions on the cell index decide.
	const slack = 1e-9
	west := -180 + float64(p.X0)*size + slack
	east := -180 + float64(p.X1+1)*size - slack
	south := -90 + float64(p.Y0)*size + slack
	north := -90 + float64(p.Y1+1)*size - slack
	cx, cy := CellX(d, level), CellY(d, level)
	x0, x1 := strconv.Itoa(p.X0), strconv.Itoa(p.X1)
	inX := cx + " >= " + x0 + " AND " + cx + " <= " + x1
	p.Strips = []Strip{
		{Box: &geo.BBox{West: b.West, South: b.South, East: min(west, b.East), North: b.North}, Cond: cx + " < " + x0},
		{Box: &geo.BBox{West: max(east, b.West), South: b.South, East: b.East, North: b.North}, Cond: cx + " > " + x1},
		{Box: &geo.BBox{West: max(west-2*slack, b.West), South: b.South, East: min(east+2*slack, b.East), North: min(south, b.North)},
			Cond: inX + " AND " + cy + " < " + strconv.Itoa(p.Y0)},
		{Box: &geo.BBox{West: max(west-2*slack, b.West), South: max(north, b.South), East: min(east+2*slack, b.East), North: b.North},
			Cond: inX + " AND " + cy + " > " + strconv.Itoa(p.Y1)},
	}
	inRect := inX + " AND " + cy + " >= " + strconv.Itoa(p.Y0) + " AND " + cy + " <= " + strconv.Itoa(p.Y1)
	if westNear {
		p.Strips = append(p.Strips, Strip{Box: &geo.BBox{West: b.West - slack, South: b.South - slack, East: b.West, North: north + 2*slack},
			Cond: inRect + " AND " + d.Lon() + " < " + floatLiteral(b.West), Minus: true})
	}
	if southNear {
		p.Strips = append(p.Strips, Strip{Box: &geo.BBox{West: b.West, South: b.South - slack, East: east + 2*slack, North: b.South},
			Cond: inRect + " AND " + d.Lat() + " < " + floatLiteral(b.South) + " AND " + d.Lon() + " >= " + floatLiteral(b.West), Minus: true})
	}
	for i := range p.Strips {
		// An edge rounded past the box's own makes an empty strip, never
		// one that crosses the antimeridian.
		s := p.Strips[i].Box
		s.East, s.North = max(s.East, s.West), max(s.North, s.South)
		p.Strips[i].Start, p.Strips[i].End = f.Start, f.End
	}
	return p, true
}

// firstCell is the first cell (column or row) at n cells around the world
// whose index is at least the raw coordinate of edge (a coordinate whose
// offset is edge + shift), so that an edge on a cell's own edge (a tile's)
// starts at that cell. near reports whether points just before the edge,
// outside the box, may round into it (their raw coordinate reaches the
// index): the plan then takes them out (Strip.Minus).
func firstCell(edge, shift float64, n int64) (first int, near bool) {
	k := math.Ceil(cellCoord(edge+shift, n))
	return int(k), cellCoord(math.Nextafter(edge, math.Inf(-1))+shift, n) >= k
}

// floatLiteral spells v in SQL so that it reads back exactly.
func floatLiteral(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// lastCell is the last cell whose points all lie at or before edge: the
// last whose index plus one is at most the raw coordinate of every point
// past the edge.
func lastCell(edge, shift float64, n int64) int {
	return int(math.Floor(cellCoord(math.Nextafter(edge, math.Inf(1))+shift, n))) - 1
}

// PlanBox returns the plan a box's count or stats read: WeekFineLevel
// when the box holds at most maxFineBoxCells of its cells (and, for
// stats, f names no event type, modality or origin, which
// cell_country_weeks does not keep), else the finest level with at most
// maxInnerCells cells inside the box; false when f is not CellsUsable or
// names no box, or no level has a cell inside it.
func PlanBox(d Dialect, f geo.Filter, stats bool) (CellPlan, bool) {
	if f.BBox == nil || !CellsUsable(f) {
		return CellPlan{}, false
	}
	weeks, edges, _ := weekSplit(d, f)
	if !stats || (len(f.Types) == 0 && len(f.Modalities) == 0 && len(f.Origins) == 0) {
		if p, ok := PlanCells(d, weeks, WeekFineLevel); ok && (p.X1-p.X0+1)*(p.Y1-p.Y0+1) <= maxFineBoxCells {
			p.Strips = append(p.Strips, edges...)
			return p, true
		}
	}
	for i := len(cellLevels) - 1; i >= 0; i-- {
		p, ok := PlanCells(d, weeks, cellLevels[i])
		if ok && (p.X1-p.X0+1)*(p.Y1-p.Y0+1) <= maxInnerCells {
			p.Strips = append(p.Strips, edges...)
			return p, true
		}
	}
	return CellPlan{}, false
}

// PlanStats returns the plan of the stats of f, which names no box, from
// every kept cell of the coarsest level: StatsUsable filters, whose event
// types, modalities and origins the cells group by too. The stats of the
// whole store, which the page asks for first, then add up the groups of
// cell_types by type and week and of cell_countries by country (a million
// events: 8,025 and 294), where event_counts holds 52,560 groups by type,
// country, week, day and last day, 7,632 answers to group (20-55 ms of
// the statement's time against 4-9). False when f names a box (PlanBox
// plans it).
func PlanStats(d Dialect, f geo.Filter) (CellPlan, bool) {
	if f.BBox != nil || !StatsUsable(f) {
		return CellPlan{}, false
	}
	return PlanCells(d, f, cellLevels[0])
}

// PlanZoom returns the plan of the density cells of f at zoom: the kept
// levels at zoom or finer (cell_types' up to zoom 8, cell_fine's above it
// when f names no dates, cell_fine_weeks' at zooms 9 and 10 when it does,
// and at zoom 11 in a store that keeps WeekFinerLevel;
// cell_countries' up to zoom 8 for a country without dates,
// countryCellsUsable), the
// box's edges at the finest of them, whose cells along the edges are read
// from that level and, further in, from the coarsest level whose whole
// cells fit (nestCells): the events read are those of strips less than a
// cell of the finest level wide, and the groups read few. False when f is
// not CellsUsable, zoom is finer than every kept level, or no cell of the
// finest level lies inside the box.
func PlanZoom(d Dialect, f geo.Filter, zoom int) (CellPlan, bool) {
	country, precise := countryCellsUsable(f), fineCellsUsable(f)
	if !country && !precise && !CellsUsable(f) {
		return CellPlan{}, false
	}
	// Coarse zooms read cell_types, whose finest level leaves strips of
	// a few tenths of a degree; finer zooms cell_fine, when it answers.
	var levels []int
	kept := cellLevels[:]
	if zoom > cellLevels[len(cellLevels)-1] {
		kept = nil
		switch {
		case country: // cell_fine keeps no country
		case f.Start == "" && f.End == "":
			kept = fineLevels[:]
		case zoom > WeekFineLevel && keepsWeekFiner(d):
			kept = []int{WeekFinerLevel} // dates
		default: // dates, and so no precision (fineCellsUsable)
			kept = []int{WeekFineLevel}
		}
	} else if precise {
		kept = nil // cell_types keeps no precision
	}
	for _, l := range kept {
		if l >= zoom {
			levels = append(levels, l)
		}
	}
	if len(levels) == 0 {
		return CellPlan{}, false
	}
	weeks, edges, _ := weekSplit(d, f)
	if f.BBox == nil {
		if weekLevel(levels[0]) {
			return CellPlan{}, false // every cell of the world (maxWeekFineCells)
		}
		p, ok := PlanCells(d, weeks, levels[0])
		p.Strips = append(p.Strips, edges...)
		return p, ok
	}
	if !country && !precise {
		if finer := edgeLevels(d, f, zoom); len(finer) > 0 {
			if p, ok := nestPlan(d, weeks, edges, append(levels, finer...)); ok {
				return p, true
			}
		}
	}
	return nestPlan(d, weeks, edges, levels)
}

// edgeLevels returns the finer kept levels whose cells the plan of f's
// density at zoom reads along the box's edges too, nested in its own
// cells, so that a strip of events along an edge is less than a cell of
// the finest wide. A view of zoom 7 or 8 reads level 8 alone, whose
// strips are up to 0.35 degrees wide: a view of zoom 8 in a hotspot took
// 50-60 ms without dates, most of it the events of its strips, and 12-21
// with levels 10, 12 and 14 along the edges; over a year 32-37 ms, and
// 22-34 with the levels of weeks. Coarser views read level 6 too, whose
// strips are narrower than the finer levels' bands would be worth; at
// zooms 9 and 10 between dates, level 11 along the edges of level 10
// made a hotspot's view over a year slower (43 ms, 53-59).
func edgeLevels(d Dialect, f geo.Filter, zoom int) []int {
	last := len(cellLevels) - 1
	switch {
	case zoom <= cellLevels[last-1] || zoom > cellLevels[last]:
		return nil
	case f.Start == "" && f.End == "":
		return fineLevels[:]
	case keepsWeekFiner(d):
		return []int{WeekFineLevel, WeekFinerLevel}
	}
	return []int{WeekFineLevel}
}

// nestPlan is the plan of weeks' box at levels (coarsest first): the
// cells of the finest inside the box, read at the coarsest level whose
// whole cells fit (nestCells), and the strips left, with edges (the
// days outside weeks' dates). False when no cell of the finest level lies
// inside the box, or it is a level of weeks with too many cells there.
func nestPlan(d Dialect, weeks geo.Filter, edges []Strip, levels []int) (CellPlan, bool) {
	p, ok := PlanCells(d, weeks, levels[len(levels)-1])
	if !ok || (weekLevel(p.Level) && (p.X1-p.X0+1)*(p.Y1-p.Y0+1) > maxWeekFineCells) {
		return CellPlan{}, false
	}
	p.Rects = nestCells(CellRect{Level: p.Level, X0: p.X0, X1: p.X1, Y0: p.Y0, Y1: p.Y1}, levels)
	for i := range p.Rects {
		p.Rects[i].Start, p.Rects[i].End = p.Start, p.End
	}
	p.Strips = append(p.Strips, edges...)
	return p, true
}

// nestCells splits the rectangle r of cells of the finest level (the last
// of levels, coarsest first) into rectangles of cells of each level
// covering it once: at each level the cells wholly inside r (a cell of a
// coarser level holds those of a finer one whose index, halved once per
// level, is its own) not already covered by a coarser level, as at most
// four rectangles around them. Only integers: the cells nest exactly.
func nestCells(r CellRect, levels []int) []CellRect {
	var (
		out  []CellRect
		prev *CellRect
	)
	for _, l := range levels {
		k := r.Level - l
		in := CellRect{Level: l, X0: ceilShift(r.X0, k), X1: ((r.X1 + 1) >> k) - 1, Y0: ceilShift(r.Y0, k), Y1: ((r.Y1 + 1) >> k) - 1}
		if in.X0 > in.X1 || in.Y0 > in.Y1 {
			continue
		}
		if prev == nil {
			out = append(out, in)
		} else {
			// The coarser rectangle in this level's cells, inside in.
			j := l - prev.Level
			h := CellRect{Level: l, X0: prev.X0 << j, X1: ((prev.X1 + 1) << j) - 1, Y0: prev.Y0 << j, Y1: ((prev.Y1 + 1) << j) - 1}
			for _, c := range []CellRect{
				{Level: l, X0: in.X0, X1: in.X1, Y0: in.Y0, Y1: h.Y0 - 1},
				{Level: l, X0: in.X0, X1: in.X1, Y0: h.Y1 + 1, Y1: in.Y1},
				{Level: l, X0: in.X0, X1: h.X0 - 1, Y0: h.Y0, Y1: h.Y1},
				{Level: l, X0: h.X1 + 1, X1: in.X1, Y0: h.Y0, Y1: h.Y1},
			} {
				if c.X0 <= c.X1 && c.Y0 <= c.Y1 {
					out = append(out, c)
				}
			}
		}
		prev = &in
	}
	return out
}

// ceilShift is v divided by 2^k, rounded up (v >= 0).
func ceilShift(v, k int) int { return (v + (1 << k) - 1) >> k }

// CellX and CellY are the raw cell index of the events table e's point at
// level (geo.CellOf before its clamp to the last column and row).
func CellX(d Dialect, level int) string {
	return d.Floor("(" + d.Lon() + " + 180) * " + cellsLiteral(level) + " / 360")
}

// MaxStripColumns bounds the columns of level 12 (0.022° each) that an
// edge strip of a plan may meet for a store to read it from an index keyed
// by those columns (each a descent of the index) rather than from its
// events' rows: a strip along a wide box's edge meets many columns and
// holds few events, where a strip of a hotspot's view at zoom 11 meets 27
// and holds thousands. (A million events, the page of an actor's word in
// a box 20° wide, whose count's strips along the north and south edges
// meet 910 columns each, SQLite, ten runs of each binary in turn: median
// 51-52 ms with those strips read through the columns, 42-43 through
// their rows, 46-48 before the strips read the columns at all.)
const MaxStripColumns = 256

// ColumnRange returns the raw columns (CellX) at level of b's west and
// east edges. CellX does not decrease as the longitude grows, so that
// every point between the edges (b not across the antimeridian) lies in
// a column between theirs.
func ColumnRange(b geo.BBox, level int) (x0, x1 int) {
	n := float64(geo.CellsAround(level))
	column := func(lon float64) int { return int(math.Floor((lon + 180) * n / 360)) }
	return column(b.West), column(b.East)
}

// CellY is CellX's row.
func CellY(d Dialect, level int) string {
	return d.Floor("(" + d.Lat() + " + 90) * " + cellsLiteral(level) + " / 360")
}

func cellsLiteral(level int) string { return strconv.FormatInt(geo.CellsAround(level), 10) + ".0" }

// StripFilter returns the filter and the condition of a strip's events: f
// with the strip's box and dates, and the strip's condition added.
func StripFilter(d Dialect, f geo.Filter, s Strip) *Query {
	switch {
	case s.Days:
		d = forDays(d)
	case s.Sparse:
		d = forSparse(d)
	}
	g := f
	g.BBox, g.Start, g.End = s.Box, s.Start, s.End
	q := Filter(d, g)
	q.Add(s.Cond)
	return q
}

// maxListedColumns bounds the columns of cells a query lists one by one
// (cellCond); wider rectangles are read as a range.
const maxListedColumns = 2048

// WeekSeeker is a Dialect whose store reads the groups of a kept table by
// type and week (cell_types, cell_fine_weeks) between dates faster when
// each cell's and type's weeks are sought in the table's key: the cells'
// rows and the types listed, the first week bounded from below by
// WeeksFrom. A range of rows reads each cell's every type and week: a
// hotspot's view at zoom 10 between two dates read 90,155 groups of
// level 10 for their 32,764 (SQLite, 22 ms against 13 seeking them).
type WeekSeeker interface {
	// WeeksFrom is the first week (the Monday of an event's first day)
	// of an event that ends on or after the Monday that placeholder ph
	// holds: ph less the longest span of the stored events, as a week.
	WeeksFrom(ph string) string
}

// maxWeekSeeks bounds the cells times types whose weeks a statement seeks
// (seekWeeks): a hotspot's view at zoom 9 seeks 4,416 and reads its year's
// groups in 25 ms rather than 45 (SQLite).
const maxWeekSeeks = 16384

// seekWeeks reports whether the statement reading the groups of r (of a
// table by type and week) matching f seeks each cell's and type's weeks
// (WeekSeeker), and which types it lists: f's, or every event type of
// the taxonomy, which the stores hold alone (eventfile and the extractor
// check an event's type against it).
func seekWeeks(d Dialect, r CellRect, f geo.Filter) ([]string, bool) {
	if _, ok := d.(WeekSeeker); !ok || r.all || (r.Start == "" && r.End == "") || (r.Start != "" && r.End != "" && r.Start > r.End) {
		return nil, false
	}
	types := f.Types
	if len(types) == 0 {
		for _, c := range geo.Taxonomy() {
			types = append(types, c.Type)
		}
	}
	cells := (r.X1 - r.X0 + 1) * (r.Y1 - r.Y0 + 1)
	if r.X1-r.X0 >= maxListedColumns || cells > maxWeekSeeks/len(types) {
		return nil, false
	}
	return types, true
}

// weekCond is cellCond with dates for a table by type and week
// (cell_types, cell_fine_weeks): its groups sought by cell, type and week
// when seekWeeks says so.
func weekCond(d Dialect, r CellRect, f geo.Filter) *Query {
	types, ok := seekWeeks(d, r, f)
	if !ok {
		return cellCond(d, r, f, true)
	}
	q := NewQuery(d)
	q.Add("c.level = " + strconv.Itoa(r.Level))
	q.Add("c.x IN ("+intList(r.X0, r.X1)+")", "c.y IN ("+intList(r.Y0, r.Y1)+")")
	q.In("c.event_type", types)
	q.Add("c.week <> ''")
	if r.Start != "" {
		q.Add("c.week >= "+d.(WeekSeeker).WeeksFrom(q.Arg(r.Start)), "c.week_last >= "+q.Arg(r.Start))
	}
	if r.End != "" {
		q.Add("c.week <= " + q.Arg(r.End))
	}
	q.In("c.modality", f.Modalities)
	q.In("c.origin", f.Origins)
	return q
}

// intList is the integers from a to b, comma-separated.
func intList(a, b int) string {
	var s strings.Builder
	for i := a; i <= b; i++ {
		if i > a {
			s.WriteString(", ")
		}
		s.WriteString(strconv.Itoa(i))
	}
	return s.String()
}

// cellCond returns the condition on a cell table c (cell_types,
// cell_countries, cell_country_weeks, cell_fine or cell_fine_weeks) that
// selects the groups of p's cells matching f, between p's dates.
func cellCond(d Dialect, p CellRect, f geo.Filter, dates bool) *Query {
	q := NewQuery(d)
	q.Add("c.level = " + strconv.Itoa(p.Level))
	switch {
	case p.all:
	case p.X1-p.X0 < maxListedColumns:
		// The tables are ordered by level, x, y: a range of x would read
		// every row of those columns, at every y, the world's latitudes
		// (a strip along a box's south edge read the hotspot's columns
		// whole: 0.1-0.2 s; a hotspot's view at zoom 11 since a date read
		// 113,600 rows of cell_fine_weeks for its 42,400), while the
		// columns listed are each looked up with the range of y. SQLite
		// reads them in key order; PostgreSQL hashes their groups (the
		// same view in PostgreSQL: 13.7 ms against 30.7, and at zoom 9 over
		// a year 32-44 ms against 37-54).
		q.Add("c.x IN ("+intList(p.X0, p.X1)+")", "c.y >= "+strconv.Itoa(p.Y0), "c.y <= "+strconv.Itoa(p.Y1))
	default:
		q.Add("c.x >= "+strconv.Itoa(p.X0), "c.x <= "+strconv.Itoa(p.X1),
			"c.y >= "+strconv.Itoa(p.Y0), "c.y <= "+strconv.Itoa(p.Y1))
	}
	if dates {
		switch {
		case p.Start != "" && p.End != "" && p.Start > p.End:
			q.Add("1 = 0")
		case p.Start != "" || p.End != "":
			// Start is a Monday and End a Sunday (weekSplit): an event
			// ends on or after Start when its last week does, and starts
			// on or before End when its first week does.
			q.Add("c.week <> ''")
			if p.Start != "" {
				q.Add("c.week_last >= " + q.Arg(p.Start))
			}
			if p.End != "" {
				q.Add("c.week <= " + q.Arg(p.End))
			}
		}
	}
	q.In("c.event_type", f.Types)
	q.In("c.modality", f.Modalities)
	q.In("c.origin", f.Origins)
	return q
}

// CellCountSQL counts the events of p's cells matching f: from
// cell_types when p has dates, else from cell_countries, which keeps no
// weeks and so holds far fewer groups per cell (a million events, the
// hotspot's box at level 8: 184 against 14,780, on 453 pages of
// cell_types that a first run read in 36 ms on PostGIS); at level 10
// likewise from cell_fine_weeks or cell_fine.
func CellCountSQL(d Dialect, p CellPlan, f geo.Filter) (string, []any) {
	r := p.CellRects()[0]
	table := "cell_types"
	switch {
	case r.Level > cellLevels[len(cellLevels)-1]:
		table = cellTable(r) // cell_fine_weeks, or cell_fine without dates
	case r.Start == "" && r.End == "":
		table = "cell_countries"
	}
	q := weekCond(d, r, f) // with dates, a table by type and week
	return "SELECT coalesce(sum(c.n), 0) FROM " + table + " c WHERE " + q.Where(), q.Args
}

// CellTypeWeekSQL groups the events of p's cells matching f (StatsUsable)
// in p's whole weeks by event type and week, the rows of Tally.AddType and
// AddWeek: from cell_types, or cell_fine_weeks at its level.
func CellTypeWeekSQL(d Dialect, p CellPlan, f geo.Filter) (string, []any) {
	r := p.CellRects()[0]
	table := "cell_types"
	if r.Level > cellLevels[len(cellLevels)-1] {
		table = "cell_fine_weeks"
	}
	q := weekCond(d, r, f)
	return "SELECT c.event_type, c.week, sum(c.n) FROM " + table + " c WHERE " + q.Where() +
		" GROUP BY 1, 2 HAVING sum(c.n) > 0", q.Args
}

// CellCountrySQL groups the events of p's cells matching f (StatsUsable)
// by country code, the rows of Tally.AddCountry: from cell_countries, or,
// when p has dates or reads level 10, from the counts per country and week
// of their first and last day (cell_country_weeks) in p's whole weeks.
func CellCountrySQL(d Dialect, p CellPlan, f geo.Filter) (string, []any) {
	r := p.CellRects()[0]
	table := "cell_countries"
	if r.Start != "" || r.End != "" || r.Level > cellLevels[len(cellLevels)-1] {
		table = "cell_country_weeks" // the only one of level 10
	}
	q := cellCond(d, r, f, true)
	return "SELECT c.country_code, sum(c.n) FROM " + table + " c WHERE " + q.Where() +
		" GROUP BY 1 HAVING sum(c.n) > 0", q.Args
}

// CellGroupsSQL groups the events of the cells r (one of a plan's
// CellRects) matching f by cell of r's level and event type, in the columns
// of CellsSQL. cell_fine and cell_countries keep no weeks: a plan reads
// them only for a filter without dates (PlanZoom); the latter for a
// country's.
func CellGroupsSQL(d Dialect, r CellRect, f geo.Filter) (string, []any) {
	var q *Query
	if f.Country == "" && len(f.GeoPrecisions) == 0 {
		q = weekCond(d, r, f) // with dates, a table by type and week
	} else {
		q = cellCond(d, r, f, true)
	}
	table := cellTable(r)
	if f.Country != "" {
		table = "cell_countries"
		q.Add("c.country_code = " + q.Arg(f.Country))
	}
	if len(f.GeoPrecisions) > 0 {
		q.Add("c.geo_precision IN (" + precisionList(f.GeoPrecisions) + ")") // cell_fine (fineCellsUsable)
	}
	return "SELECT c.x, c.y, c.event_type, sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat) FROM " + table + " c WHERE " +
		q.Where() + " GROUP BY 1, 2, 3 HAVING sum(c.n) > 0", q.Args
}

// ScanCellRows appends the rows of CellsSQL or CellGroupsSQL to groups,
// their cells moved from level to zoom (a cell of a finer level lies in
// the cell of its index halved once per level), each counted sign times.
func ScanCellRows(rows Rows, level, zoom, sign int, groups []geo.CellRow) ([]geo.CellRow, error) {
	shift := level - zoom
	for rows.Next() {
		var (
			r          geo.CellRow
			x, y, n, f int64
		)
		if err := rows.Scan(&x, &y, &r.EventType, &n, &f, &r.SumLon, &r.SumLat); err != nil {
			return nil, err
		}
		r.X, r.Y, r.Count, r.Fatalities = int(x>>shift), int(y>>shift), sign*int(n), sign*int(f)
		r.SumLon, r.SumLat = float64(sign)*r.SumLon, float64(sign)*r.SumLat
		groups = append(groups, r)
	}
	return groups, rows.Err()
}

// TallyTypeWeeks adds the rows of CellTypeWeekSQL to t.
func TallyTypeWeeks(rows Rows, t *geo.Tally) error {
	for rows.Next() {
		var typ, week string
		var n int64
		if err := rows.Scan(&typ, &week, &n); err != nil {
			return err
		}
		t.AddType(typ, int(n))
		t.AddWeek(week, int(n))
	}
	return rows.Err()
}

// TallyCountries adds the rows of CellCountrySQL to t.
func TallyCountries(rows Rows, t *geo.Tally) error {
	for rows.Next() {
		var country string
		var n int64
		if err := rows.Scan(&country, &n); err != nil {
			return err
		}
		t.AddCountry(country, int(n))
	}
	return rows.Err()
}

// TallyRows adds the rows of StatsSQL to t, each counted sign times.
func TallyRows(rows Rows, sign int, t *geo.Tally) error {
	for rows.Next() {
		var typ, country, week string
		var n int64
		if err := rows.Scan(&typ, &country, &week, &n); err != nil {
			return err
		}
		t.Add(typ, country, week, sign*int(n))
	}
	return rows.Err()
}

// offsetDialect numbers its placeholders after those of the parts of a
// statement before it.
type offsetDialect struct {
	Dialect
	off int
}

func (o offsetDialect) Placeholder(n int) string { return o.Dialect.Placeholder(n + o.off) }

// forDays is d's dialect for a Days strip (DaysDialect), d itself when it
// has none.
func forDays(d Dialect) Dialect {
	switch v := d.(type) {
	case offsetDialect:
		return offsetDialect{forDays(v.Dialect), v.off}
	case DaysDialect:
		return v.ForDays()
	}
	return d
}

// forSparse is d's dialect for a Sparse strip (SparseDialect), d itself
// when it has none.
func forSparse(d Dialect) Dialect {
	switch v := d.(type) {
	case offsetDialect:
		return offsetDialect{forSparse(v.Dialect), v.off}
	case SparseDialect:
		return v.ForSparse()
	}
	return d
}

// CellPlanSQL reads every part of plan p for f at zoom in one statement
// (its cells, level by level, and its strips), for a store to which each
// statement is a round trip and a plan of its own: rows of level, sign,
// then the columns of CellsSQL, for ScanPlanRows.
func CellPlanSQL(d Dialect, p CellPlan, f geo.Filter, zoom int) (string, []any) {
	return cellPlanSQL(d, p, f, zoom, CellGroupsSQL, StripFilter)
}

// cellPlanSQL is CellPlanSQL with the groups of each rectangle of cells
// read by groups (CellGroupsSQL, DetailCellGroupsSQL) and the events of
// each strip selected by strip (StripFilter, DetailStripFilter).
func cellPlanSQL(d Dialect, p CellPlan, f geo.Filter, zoom int, groups func(Dialect, CellRect, geo.Filter) (string, []any),
	strip func(Dialect, geo.Filter, Strip) *Query) (string, []any) {
	var (
		parts []string
		args  []any
	)
	for _, r := range p.CellRects() {
		stmt, a := groups(offsetDialect{d, len(args)}, r, f)
		parts = append(parts, "SELECT "+strconv.Itoa(r.Level)+", 1, g.* FROM ("+stmt+") g")
		args = append(args, a...)
	}
	for _, s := range p.Strips {
		sq := strip(offsetDialect{d, len(args)}, f, s)
		parts = append(parts, "SELECT "+strconv.Itoa(zoom)+", "+strconv.Itoa(s.Sign())+", g.* FROM ("+CellsSQL(d, sq, zoom)+") g")
		args = append(args, sq.Args...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// ScanPlanRows appends the rows of CellPlanSQL to groups, their cells moved
// to zoom and counted by their sign.
func ScanPlanRows(rows Rows, zoom int, groups []geo.CellRow) ([]geo.CellRow, error) {
	for rows.Next() {
		var (
			r                         geo.CellRow
			level, sign, x, y, n, fat int64
		)
		if err := rows.Scan(&level, &sign, &x, &y, &r.EventType, &n, &fat, &r.SumLon, &r.SumLat); err != nil {
			return nil, err
		}
		shift := int(level) - zoom
		r.X, r.Y, r.Count, r.Fatalities = int(x>>shift), int(y>>shift), int(sign*n), int(sign*fat)
		r.SumLon, r.SumLat = float64(sign)*r.SumLon, float64(sign)*r.SumLat
		groups = append(groups, r)
	}
	return groups, rows.Err()
}

// OccupiedSQL selects the cells that hold events at the coarsest level the
// store keeps: the level, then the first and last column and row of them
// (ScanUnboxed); all NULL when the store holds no event.
func OccupiedSQL() string {
	return "SELECT min(c.level), min(c.x), max(c.x), min(c.y), max(c.y) FROM cell_countries c " +
		"WHERE c.level = (SELECT min(l.level) FROM cell_levels l) AND c.n > 0"
}

// ScanUnboxed reads the row of OccupiedSQL and returns f without its box
// when the box holds every event (Unboxed).
func ScanUnboxed(row Scanner, f geo.Filter) (geo.Filter, error) {
	var level, x0, x1, y0, y1 *int64
	if err := row.Scan(&level, &x0, &x1, &y0, &y1); err != nil {
		return f, err
	}
	if level == nil || x0 == nil || x1 == nil || y0 == nil || y1 == nil {
		return f, nil // no event: the box is planned as it is, and matches nothing
	}
	return Unboxed(f, int(*level), int(*x0), int(*x1), int(*y0), int(*y1)), nil
}

// Unboxed returns f without its box when the box holds every event: when
// it covers the cells of level from column x0 to x1 and row y0 to y1
// (OccupiedSQL), which hold every event's point, and the slack of the
// rounding that puts a point just outside a cell's edge in it (PlanBox's
// Minus strips). Such a box selects nothing, but a store would plan it as
// a box: a map's whole-world view with a word would test the word event
// by event in it (0.4-0.8 s in a million events), where the word alone is
// answered from the kept word counts (30 ms).
func Unboxed(f geo.Filter, level, x0, x1, y0, y1 int) geo.Filter {
	if f.BBox == nil || f.BBox.West > f.BBox.East {
		return f
	}
	const slack = 1e-9
	size := 360 / float64(geo.CellsAround(level))
	west := max(-180, -180+float64(x0)*size-slack)
	east := min(180, -180+float64(x1+1)*size+slack)
	south := max(-90, -90+float64(y0)*size-slack)
	north := min(90, -90+float64(y1+1)*size+slack)
	b := *f.BBox
	if b.West <= west && b.East >= east && b.South <= south && b.North >= north {
		f.BBox = nil
	}
	return f
}

// maxCountryCells bounds the cells of cell_countries' finest level that
// CountryAloneSQL reads: a view of a region at zoom 6 or finer (some 60 by
// 30 cells); a wider box holds several countries, whose first other
// event ends the read anyway.
const maxCountryCells = 4096

// CountryAloneSQL selects whether any event of a country other than f's
// lies in the cells of the finest level of cell_countries that f's box
// meets (ScanCountryAlone); false when f names no country or no box, its
// box crosses the antimeridian or meets more than maxCountryCells cells.
// The cells reach one past each edge, so that a point the rounding puts in
// a neighbouring cell is among them.
func CountryAloneSQL(d Dialect, f geo.Filter) (string, []any, bool) {
	if f.Country == "" || f.BBox == nil || f.BBox.West > f.BBox.East {
		return "", nil, false
	}
	level := cellLevels[len(cellLevels)-1]
	n := geo.CellsAround(level)
	x0, x1 := ColumnRange(*f.BBox, level)
	y0 := int(math.Floor((f.BBox.South + 90) * float64(n) / 360))
	y1 := int(math.Floor((f.BBox.North + 90) * float64(n) / 360))
	x0, x1 = max(x0-1, 0), min(x1+1, int(n-1))
	y0, y1 = max(y0-1, 0), min(y1+1, int(n/2-1))
	if (x1-x0+1)*(y1-y0+1) > maxCountryCells {
		return "", nil, false
	}
	q := NewQuery(d)
	q.Add("c.level = "+strconv.Itoa(level),
		"c.x >= "+strconv.Itoa(x0), "c.x <= "+strconv.Itoa(x1), "c.y >= "+strconv.Itoa(y0), "c.y <= "+strconv.Itoa(y1),
		"c.country_code <> "+q.Arg(f.Country), "c.n > 0")
	return "SELECT EXISTS (SELECT 1 FROM cell_countries c WHERE " + q.Where() + ")", q.Args, true
}

// BoxBoundSQL counts the events of the cells of cell_fine's coarsest
// level (0.088°) that box b (not across the antimeridian) meets, at least
// the events of the box: a store can weigh reading the box's events
// against reading those of another index. False when the box meets more
// than maxInnerCells of them (a view of zoom 9 or coarser), whose groups
// would cost more to add up than the choice saves.
func BoxBoundSQL(d Dialect, b geo.BBox) (string, []any, bool) {
	level := fineLevels[0]
	n := geo.CellsAround(level)
	x0, x1 := ColumnRange(b, level)
	r := CellRect{Level: level, X0: max(x0, 0), X1: min(x1, int(n-1)),
		Y0: max(int(math.Floor(cellCoord(b.South+90, n))), 0), Y1: min(int(math.Floor(cellCoord(b.North+90, n))), int(n/2-1))}
	if (r.X1-r.X0+1)*(r.Y1-r.Y0+1) > maxInnerCells {
		return "", nil, false
	}
	q := cellCond(d, r, geo.Filter{}, false)
	return "SELECT coalesce(sum(c.n), 0) FROM cell_fine c WHERE " + q.Where(), q.Args, true
}

// Reduced returns f without what the kept cells show it need not test: a
// box that holds every event (ScanUnboxed), and a country that holds
// every event of the box (ScanCountryAlone). row runs a statement of one
// row.
func Reduced(d Dialect, f geo.Filter, row func(stmt string, args ...any) Scanner) (geo.Filter, error) {
	if f.BBox == nil {
		return f, nil
	}
	f, err := ScanUnboxed(row(OccupiedSQL()), f)
	if err != nil {
		return f, err
	}
	if stmt, args, ok := CountryAloneSQL(d, f); ok {
		return ScanCountryAlone(row(stmt, args...), f)
	}
	return f, nil
}

// ScanCountryAlone reads the row of CountryAloneSQL and returns f without
// its country when no event of another country lies in its box: the
// country then selects every event the box does, and the kept counts that
// keep no country (cell_fine, cell_details, cell_types by week) answer f
// (the density cells of a view inside a country at zoom 11, filtered by
// the country, from 101,000 events of a hotspot to a few hundred groups).
func ScanCountryAlone(row Scanner, f geo.Filter) (geo.Filter, error) {
	var other bool
	if err := row.Scan(&other); err != nil {
		return f, err
	}
	if !other {
		f.Country = ""
	}
	return f, nil
}

// WordCellLevel is the level of the density grid at which the stores keep
// counts of the events per word and cell (cell_words, migration 0017): the
// finest of cellLevels, whose edge strips hold few of a box's events, and
// whose cells every coarser zoom's hold. No coarser level is kept: the
// groups of one word at it are few enough to add up for any coarser zoom
// (a word in a quarter of the million events: about 10,000 groups), and
// each written event costs one group per word and kept level
// (WordFineLevel the other; cell_word_weeks keeps the next by week,
// WordWeekLevel).
const WordCellLevel = 8

// WordWeekLevel is the level of cell_word_weeks (migrations 0041 and 0042
// of SQLite, 0040 and 0041 of PostGIS): the counts per word, cell, week
// and event type that a word's density between dates adds up
// (WordWeekCells), at every zoom up to this one. Level 9, not
// WordCellLevel, so that zoom 9's cells are its cells: a hotspot's view
// at zoom 9, a common word since a day, held 39,000 matching events among
// the view's 300,000, each entry read and tested (116-141 ms). The
// million holds 2.2 million groups at level 8 and 4.0 million at level 9.
const WordWeekLevel = 9

// WordWeekCoarseLevel is the level of cell_word_weeks_coarse, the same
// groups in coarser cells, for the zooms up to this one without a box or
// with a box on its cells' edges (as the page asks for blocks of whole
// cells): the world's groups of a common word since a day are 54,000 at
// WordWeekLevel, 45 ms to add up, and about 9,500 at this level. The
// million's groups at this level are 0.7 million, written by a bulk
// import from those of WordWeekLevel (CoarseWeeks).
const WordWeekCoarseLevel = 5

// WordFineLevel is the finer level at which the stores keep the same
// counts per word and cell (cell_word_fine, migrations 0031 and 0032), for
// the density cells of zooms 9 to 11: there a hotspot's view holds tens or
// hundreds of thousands of events, of which the entries read for a word's
// cells were every one in the box (a million events, a common word in a
// hotspot's box: zoom 9, 300,000 entries read in 100-170 ms; zoom 11,
// 101,000 in 47-86 ms), where its kept groups inside the box are a few
// thousand (2-6 ms). Level 11, not 10, since zoom 11's cells are its
// cells: the million holds 1.1 million groups at level 10, 1.8 million at
// level 11 and 3.3 million at level 12, about a group per event and word,
// for views that hold fewer events.
const WordFineLevel = 11

// wordCellTable is the table that keeps the counts per word and cell of
// level.
func wordCellTable(level int) string {
	if level == WordFineLevel {
		return "cell_word_fine"
	}
	return "cell_words"
}

// WordCellsWord returns, when the table cell_words may answer f's count
// and density cells, the one word f looks for and its field: f names one
// word, in Actor or in Q, and besides only a box (not across the
// antimeridian) and event types, which cell_words groups the events by
// with each of their words. As with word_counts (WordCountsWord), it
// answers them when the word starts one stored word of the field (TermSQL,
// OneTerm).
func WordCellsWord(f geo.Filter) (field, word string, ok bool) {
	if f.BBox != nil && f.BBox.West > f.BBox.East {
		return "", "", false
	}
	if f.Start != "" || f.End != "" || f.Country != "" || len(f.Modalities) > 0 || len(f.Origins) > 0 {
		return "", "", false
	}
	g := f
	g.BBox = nil
	return WordCountsWord(g)
}

// PlanWordCells returns the plan of f's count, or of its density cells at
// zoom (at most WordFineLevel; a count passes WordCellLevel), from
// cell_words, or from cell_word_fine for a zoom finer than WordCellLevel:
// the cells of the kept level inside f's box (every cell without a box)
// and the strips of the box's edges. False when zoom is finer than the
// kept levels or no cell lies inside the box.
func PlanWordCells(d Dialect, f geo.Filter, zoom int) (CellPlan, bool) {
	level := WordCellLevel
	switch {
	case zoom > WordFineLevel:
		return CellPlan{}, false
	case zoom > WordCellLevel:
		level = WordFineLevel
	}
	g := f
	g.Start, g.End = "", ""
	return PlanCells(d, g, level)
}

// wordCellCond returns the condition on cell_words (or cell_word_fine) c
// that selects the groups of p's cells holding term, the stored word of
// field that f's word starts (an empty term: no stored word, nothing).
func wordCellCond(d Dialect, p CellPlan, f geo.Filter, field, term string) *Query {
	q := NewQuery(d)
	if term == "" {
		q.Add("1 = 0")
		return q
	}
	q.Add("c.field = "+q.Arg(field), "c.word = "+q.Arg(term))
	if !p.all {
		q.Add("c.x >= "+strconv.Itoa(p.X0), "c.x <= "+strconv.Itoa(p.X1),
			"c.y >= "+strconv.Itoa(p.Y0), "c.y <= "+strconv.Itoa(p.Y1))
	}
	q.In("c.event_type", f.Types)
	return q
}

// WordCellCountSQL counts the events of p's cells holding term
// (wordCellCond).
func WordCellCountSQL(d Dialect, p CellPlan, f geo.Filter, field, term string) (string, []any) {
	q := wordCellCond(d, p, f, field, term)
	return "SELECT coalesce(sum(c.n), 0) FROM " + wordCellTable(p.Level) + " c WHERE " + q.Where(), q.Args
}

// WordCellGroupsSQL groups the events of p's cells holding term by cell of
// zoom (at most p's level; a cell's index halved once per level) and
// event type, in the columns of CellsSQL: a word's groups at the kept
// level are many more than the cells of a coarse zoom (a common word's
// 10,000 at zoom 2: 50 ms of a store's CPU to read them one by one).
func WordCellGroupsSQL(d Dialect, p CellPlan, f geo.Filter, field, term string, zoom int) (string, []any) {
	q := wordCellCond(d, p, f, field, term)
	shift := strconv.Itoa(p.Level - zoom)
	return "SELECT c.x >> " + shift + ", c.y >> " + shift + ", c.event_type, sum(c.n), sum(c.fatalities), sum(c.sum_lon), sum(c.sum_lat) FROM " +
		wordCellTable(p.Level) + " c WHERE " + q.Where() + " GROUP BY 1, 2, 3 HAVING sum(c.n) > 0", q.Args
}
