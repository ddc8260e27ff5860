package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// MaxCellZoom is the deepest zoom Cells are counted at: at 22 a cell is
// about 2 m wide, finer than any event's place.
const MaxCellZoom = 22

// CellSize is the side, in degrees, of the density grid at a web map zoom:
// 4 << zoom cells around the world, so that a cell is 64 pixels of a
// 256-pixel-tile map at that zoom (longitude and latitude alike).
func CellSize(zoom int) float64 { return 360 / float64(int64(4)<<zoom) }

// CellsAround is the number of density cells around the world at zoom.
func CellsAround(zoom int) int64 { return int64(4) << zoom }

// CellOf returns the grid cell (column from -180, row from -90) holding
// the point (lon, lat) at zoom: the integer part of (lon + 180) * n / 360
// and (lat + 90) * n / 360 with n = CellsAround(zoom), the east and north
// edges in the last cell. Stores compute the same expression in SQL (the
// product by a power of two is exact, the division rounds once), so they
// put every point in the same cell.
func CellOf(lon, lat float64, zoom int) (int, int) {
	n := CellsAround(zoom)
	return cellIndex(lon+180, n, n), cellIndex(lat+90, n, n/2)
}

func cellIndex(offset float64, n, cells int64) int {
	return int(min(max(int64(math.Floor(offset*float64(n)/360)), 0), cells-1))
}

// Cell is one cell of the density grid with the matching events in it.
type Cell struct {
	X, Y int
	// Center is the mean point of the cell's events, where a map draws
	// the cell's count.
	Center orb.Point
	// Bound is the cell's extent.
	Bound      orb.Bound
	Count      int
	ByType     map[string]int // counts by event type, each event once
	Fatalities int            // sum of the known fatalities
}

// CellRow is one group a store counts: the events of one type in one cell,
// with the sums their cell needs.
type CellRow struct {
	X, Y       int
	EventType  string
	Count      int
	Fatalities int
	SumLon     float64
	SumLat     float64
}

// FoldCells folds a store's groups into cells ordered by row then column,
// so that every store answers alike. A group may count negatively (events
// taken out of a cell they were counted in).
func FoldCells(zoom int, rows []CellRow) []Cell {
	size := CellSize(zoom)
	nx, ny := int(int64(4)<<zoom), int(int64(2)<<zoom)
	type acc struct {
		cell       Cell
		sLon, sLat float64
	}
	m := map[[2]int]*acc{}
	for _, r := range rows {
		x, y := min(max(r.X, 0), nx-1), min(max(r.Y, 0), ny-1)
		a := m[[2]int{x, y}]
		if a == nil {
			a = &acc{cell: Cell{X: x, Y: y, ByType: map[string]int{},
				Bound: orb.Bound{Min: orb.Point{-180 + float64(x)*size, -90 + float64(y)*size},
					Max: orb.Point{-180 + float64(x+1)*size, -90 + float64(y+1)*size}}}}
			m[[2]int{x, y}] = a
		}
		a.cell.Count += r.Count
		a.cell.ByType[r.EventType] += r.Count
		a.cell.Fatalities += r.Fatalities
		a.sLon += r.SumLon
		a.sLat += r.SumLat
	}
	out := make([]Cell, 0, len(m))
	for _, a := range m {
		c := a.cell
		// A store may take events out of a cell (rows of negative
		// counts): what is left empty is not answered.
		for t, n := range c.ByType {
			if n == 0 {
				delete(c.ByType, t)
			}
		}
		if c.Count == 0 {
			continue
		}
		c.Center = orb.Point{a.sLon / float64(c.Count), a.sLat / float64(c.Count)}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Y != out[j].Y {
			return out[i].Y < out[j].Y
		}
		return out[i].X < out[j].X
	})
	return out
}
