package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// The R*Tree of the event points is built in one go after a bulk import
// (Bulk.Commit) by writing its three shadow tables, in the R*Tree module's
// file format (SQLite's ext/rtree/rtree.c, which every version reads):
//
//   - events_rtree_node (nodeno, data): node 1 is the root; a node's data is
//     a 2-byte big-endian depth (the root's: how many levels lie below it;
//     0 elsewhere), a 2-byte cell count, then its cells, zero-filled to the
//     node size, which is the length of the root's data;
//   - a cell is an 8-byte big-endian id (the event's seq in a leaf, a child's
//     nodeno above) and min_lon, max_lon, min_lat, max_lat as big-endian
//     32-bit floats, rounded outwards from the stored doubles;
//   - events_rtree_rowid (rowid, nodeno): the leaf of each seq;
//   - events_rtree_parent (nodeno, parentnode): the parent of each node but
//     the root.
//
// Inserting a million points through the module costs about 18 s of CPU
// (each chooses its leaf by comparing with every cell of a node per level),
// packing them costs a sort. The tree is packed Sort-Tile-Recursive: the
// entries sorted by longitude, cut into vertical slices, each slice sorted
// by latitude and cut into nodes; the nodes' boxes are packed the same way
// one level up until one node holds them all. Nodes are filled to
// rtreeFill of their cells, leaving room for the events added one by one
// later before a node splits.

// rtreeFill is the share of a node's cells a packed node fills.
const rtreeFill = 0.8

// rtreeEntry is one cell: an id (seq or child nodeno) and its box, in the
// R*Tree's 32-bit floats.
type rtreeEntry struct {
	id                     int64
	minX, maxX, minY, maxY float32
}

// rtreeDown is the float32 at or below d, as the R*Tree module stores a
// box's lower bound (rtreeValueDown).
func rtreeDown(d float64) float32 {
	f := float32(d)
	if float64(f) > d {
		b := math.Float32bits(f)
		if b&0x80000000 != 0 {
			b++
		} else {
			b--
		}
		f = math.Float32frombits(b)
	}
	return f
}

// rtreeUp is the float32 at or above d (rtreeValueUp).
func rtreeUp(d float64) float32 {
	f := float32(d)
	if float64(f) < d {
		b := math.Float32bits(f)
		if b&0x80000000 != 0 {
			b--
		} else {
			b++
		}
		f = math.Float32frombits(b)
	}
	return f
}

// pointEntry is the cell of the event seq at lon, lat.
func pointEntry(seq int64, lon, lat float64) rtreeEntry {
	return rtreeEntry{id: seq, minX: rtreeDown(lon), maxX: rtreeUp(lon), minY: rtreeDown(lat), maxY: rtreeUp(lat)}
}

// rtreeNode is a packed node: its number, its parent's (0 for the root),
// how many levels lie below it and its cells.
type rtreeNode struct {
	no, parent int64
	level      int
	cells      []rtreeEntry
}

// packRtree packs the entries into nodes of at most perNode cells each and
// returns the nodes, root (number 1) first, numbered level by level from
// the root down, and the tree's depth. The entries are reordered.
func packRtree(entries []rtreeEntry, perNode int) ([]rtreeNode, int) {
	if len(entries) <= perNode {
		return []rtreeNode{{no: 1, cells: entries}}, 0
	}
	// levels[0] are the leaves; a cell of a node above them names a node of
	// the level below by its position there until the numbering.
	var levels [][]rtreeNode
	cells := entries
	for len(levels) == 0 || len(cells) > perNode {
		nodes := strPack(cells, perNode)
		cells = make([]rtreeEntry, len(nodes))
		for i := range nodes {
			nodes[i].level = len(levels)
			cells[i] = boxOf(nodes[i].cells)
			cells[i].id = int64(i)
		}
		levels = append(levels, nodes)
	}
	depth := len(levels)
	root := rtreeNode{no: 1, level: depth, cells: cells}
	next := int64(2)
	for l := depth - 1; l >= 0; l-- {
		for i := range levels[l] {
			levels[l][i].no = next
			next++
		}
	}
	// Each cell above the leaves gets its child's number, each child its
	// parent's.
	renumber := func(parent *rtreeNode, below []rtreeNode) {
		for ci := range parent.cells {
			child := &below[parent.cells[ci].id]
			parent.cells[ci].id = child.no
			child.parent = parent.no
		}
	}
	renumber(&root, levels[depth-1])
	for l := depth - 1; l > 0; l-- {
		for i := range levels[l] {
			renumber(&levels[l][i], levels[l-1])
		}
	}
	out := []rtreeNode{root}
	for l := depth - 1; l >= 0; l-- {
		out = append(out, levels[l]...)
	}
	return out, depth
}

// strPack cuts the entries into nodes Sort-Tile-Recursive, reordering them;
// a node's cells are a part of entries.
func strPack(entries []rtreeEntry, perNode int) []rtreeNode {
	n := len(entries)
	nodes := (n + perNode - 1) / perNode
	tiles := int(math.Ceil(math.Sqrt(float64(nodes))))
	perTile := perNode * ((nodes + tiles - 1) / tiles)
	sortBy(entries, func(e rtreeEntry) float32 { return e.minX/2 + e.maxX/2 })
	out := make([]rtreeNode, 0, nodes)
	for start := 0; start < n; start += perTile {
		tile := entries[start:min(n, start+perTile)]
		sortBy(tile, func(e rtreeEntry) float32 { return e.minY/2 + e.maxY/2 })
		for s := 0; s < len(tile); s += perNode {
			out = append(out, rtreeNode{cells: tile[s:min(len(tile), s+perNode)]})
		}
	}
	return out
}

func sortBy(entries []rtreeEntry, key func(rtreeEntry) float32) {
	slices.SortFunc(entries, func(a, b rtreeEntry) int { return cmp.Compare(key(a), key(b)) })
}

// boxOf is the cell covering cells (its id unset).
func boxOf(cells []rtreeEntry) rtreeEntry {
	b := cells[0]
	for _, c := range cells[1:] {
		b.minX, b.maxX = min(b.minX, c.minX), max(b.maxX, c.maxX)
		b.minY, b.maxY = min(b.minY, c.minY), max(b.maxY, c.maxY)
	}
	return rtreeEntry{minX: b.minX, maxX: b.maxX, minY: b.minY, maxY: b.maxY}
}

// nodeData is a node's data blob of size bytes.
func nodeData(n rtreeNode, depth, size int) []byte {
	b := make([]byte, size)
	if n.no == 1 {
		binary.BigEndian.PutUint16(b, uint16(depth))
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(n.cells)))
	p := b[4:]
	for _, c := range n.cells {
		binary.BigEndian.PutUint64(p, uint64(c.id))
		binary.BigEndian.PutUint32(p[8:], math.Float32bits(c.minX))
		binary.BigEndian.PutUint32(p[12:], math.Float32bits(c.maxX))
		binary.BigEndian.PutUint32(p[16:], math.Float32bits(c.minY))
		binary.BigEndian.PutUint32(p[20:], math.Float32bits(c.maxY))
		p = p[24:]
	}
	return b
}

// rebuildRtree replaces the R*Tree's content with every event's point,
// packed, in tx.
func rebuildRtree(ctx context.Context, tx *sql.Tx) error {
	var size int
	if err := tx.QueryRowContext(ctx, "SELECT length(data) FROM events_rtree_node WHERE nodeno = 1").Scan(&size); err != nil {
		return fmt.Errorf("R*Tree node size: %w", err)
	}
	maxCells := (size - 4) / 24
	if maxCells < 4 {
		return fmt.Errorf("R*Tree nodes of %d bytes", size)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&n); err != nil {
		return err
	}
	entries := make([]rtreeEntry, 0, n)
	rows, err := tx.QueryContext(ctx, "SELECT seq, lon, lat FROM events")
	if err != nil {
		return err
	}
	for rows.Next() {
		var seq int64
		var lon, lat float64
		if err := rows.Scan(&seq, &lon, &lat); err != nil {
			rows.Close()
			return err
		}
		entries = append(entries, pointEntry(seq, lon, lat))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	nodes, depth := packRtree(entries, max(4, int(float64(maxCells)*rtreeFill)))
	for _, q := range []string{"DELETE FROM events_rtree_node", "DELETE FROM events_rtree_rowid", "DELETE FROM events_rtree_parent"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	// The leaves name their events in the rowid table, in seq order.
	var leaves [][2]int64
	nodeRows := newRowWriter(tx, "events_rtree_node (nodeno, data)", 2, "")
	parents := newRowWriter(tx, "events_rtree_parent (nodeno, parentnode)", 2, "")
	for _, nd := range nodes {
		if err := nodeRows.add(ctx, nd.no, nodeData(nd, depth, size)); err != nil {
			return err
		}
		if nd.no != 1 {
			if err := parents.add(ctx, nd.no, nd.parent); err != nil {
				return err
			}
		}
		if nd.level == 0 {
			for _, c := range nd.cells {
				leaves = append(leaves, [2]int64{c.id, nd.no})
			}
		}
	}
	if err := nodeRows.flush(ctx); err != nil {
		return err
	}
	if err := parents.flush(ctx); err != nil {
		return err
	}
	slices.SortFunc(leaves, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	rowids := newRowWriter(tx, "events_rtree_rowid (rowid, nodeno)", 2, "")
	for _, l := range leaves {
		if err := rowids.add(ctx, l[0], l[1]); err != nil {
			return err
		}
	}
	return rowids.flush(ctx)
}
