package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/paulmach/orb"
)

// topology is the part of a TopoJSON document the generator reads: quantised,
// delta-encoded arcs and polygon geometries that refer to them.
type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64            `json:"arcs"`
	Objects map[string]topoCollection `json:"objects"`
}

type topoCollection struct {
	Type       string         `json:"type"`
	Geometries []topoGeometry `json:"geometries"`
	// A collection may itself be a geometry (world-atlas "land" is a
	// MultiPolygon in some files and a collection in others).
	Arcs json.RawMessage `json:"arcs"`
}

type topoGeometry struct {
	Type       string            `json:"type"`
	ID         *string           `json:"id"`
	Properties map[string]string `json:"properties"`
	Arcs       json.RawMessage   `json:"arcs"`
}

// topoFeature is one decoded geometry with its id and name.
type topoFeature struct {
	ID   string // ISO 3166-1 numeric code; empty when Natural Earth has none
	Name string
	Geom orb.MultiPolygon
}

// readTopology decodes a TopoJSON file and returns the polygons of one of its
// objects.
func readTopology(path, object string) ([]topoFeature, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t topology
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.Type != "Topology" {
		return nil, fmt.Errorf("%s: not a TopoJSON topology", path)
	}
	arcs := t.decodeArcs()
	coll, ok := t.Objects[object]
	if !ok {
		return nil, fmt.Errorf("%s: no object %q", path, object)
	}
	geoms := coll.Geometries
	if coll.Type != "GeometryCollection" {
		geoms = []topoGeometry{{Type: coll.Type, Arcs: coll.Arcs}}
	}
	var out []topoFeature
	for i, g := range geoms {
		mp, err := g.polygons(arcs)
		if err != nil {
			return nil, fmt.Errorf("%s: %s geometry %d: %w", path, object, i, err)
		}
		f := topoFeature{Name: g.Properties["name"], Geom: mp}
		if g.ID != nil {
			f.ID = *g.ID
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeArcs turns the quantised, delta-encoded arcs into longitude/latitude.
func (t *topology) decodeArcs() [][]orb.Point {
	out := make([][]orb.Point, len(t.Arcs))
	for i, arc := range t.Arcs {
		pts := make([]orb.Point, len(arc))
		var x, y float64
		for j, p := range arc {
			if t.Transform == nil {
				pts[j] = orb.Point{p[0], p[1]}
				continue
			}
			x += p[0]
			y += p[1]
			pts[j] = orb.Point{
				x*t.Transform.Scale[0] + t.Transform.Translate[0],
				y*t.Transform.Scale[1] + t.Transform.Translate[1],
			}
		}
		out[i] = pts
	}
	return out
}

// polygons resolves the arc references of a Polygon or MultiPolygon.
func (g topoGeometry) polygons(arcs [][]orb.Point) (orb.MultiPolygon, error) {
	switch g.Type {
	case "Polygon":
		var rings [][]int
		if err := json.Unmarshal(g.Arcs, &rings); err != nil {
			return nil, err
		}
		p, err := polygon(rings, arcs)
		if err != nil {
			return nil, err
		}
		return orb.MultiPolygon{p}, nil
	case "MultiPolygon":
		var polys [][][]int
		if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return nil, err
		}
		var mp orb.MultiPolygon
		for _, rings := range polys {
			p, err := polygon(rings, arcs)
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		return mp, nil
	case "", "null":
		return nil, nil
	}
	return nil, fmt.Errorf("unsupported geometry type %q", g.Type)
}

// polygon stitches each ring from its arcs; a negative index ~i means arc i
// reversed, and consecutive arcs share their joining point.
func polygon(rings [][]int, arcs [][]orb.Point) (orb.Polygon, error) {
	var p orb.Polygon
	for _, refs := range rings {
		var ring orb.Ring
		for k, ref := range refs {
			idx := ref
			if ref < 0 {
				idx = ^ref
			}
			if idx < 0 || idx >= len(arcs) {
				return nil, fmt.Errorf("arc %d out of range", ref)
			}
			arc := arcs[idx]
			pts := make([]orb.Point, len(arc))
			copy(pts, arc)
			if ref < 0 {
				for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
					pts[i], pts[j] = pts[j], pts[i]
				}
			}
			if k > 0 && len(pts) > 0 {
				pts = pts[1:]
			}
			ring = append(ring, pts...)
		}
		p = append(p, unwrap(ring))
	}
	return p, nil
}

// unwrap keeps a ring that crosses the antimeridian continuous: after a jump
// of more than 180 degrees of longitude the following points are shifted by
// 360, so that Fiji or Chukotka span 179..181 instead of the whole world.
func unwrap(r orb.Ring) orb.Ring {
	shift := 0.0
	for i := 1; i < len(r); i++ {
		prev := r[i-1][0]
		x := r[i][0] + shift
		switch {
		case x-prev > 180:
			shift -= 360
		case prev-x > 180:
			shift += 360
		}
		r[i][0] += shift
	}
	// Shift the whole ring so that the middle of its span is in [-180, 180].
	b := r.Bound()
	mid := (b.Min[0] + b.Max[0]) / 2
	turn := 0.0
	for mid+turn > 180 {
		turn -= 360
	}
	for mid+turn < -180 {
		turn += 360
	}
	if turn != 0 {
		for i := range r {
			r[i][0] += turn
		}
	}
	return r
}
