package static_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// hotspot is a small area holding many events, placed well inside one
// density cell of the world zooms (cells are 22.5 degrees at zoom 2, with
// edges at multiples of 22.5 from -180 and -90), so that the cell that
// holds it counts it and nothing else.
type hotspot struct {
	Name   string         `json:"name"`
	Lon    float64        `json:"lon"`
	Lat    float64        `json:"lat"`
	Total  int            `json:"total"`
	ByType map[string]int `json:"by_type"`
}

// densityTypes are the event types the generated events take, in turn
// weighted so that each hotspot's mix differs.
var densityTypes = []string{"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots", "Strategic developments"}

// skewedStore writes a GeoJSON file of generated events, most of them in
// three hotspots and the rest scattered over the Americas (no hotspot's
// cell), and returns the file and the hotspots with their true totals.
func skewedStore(t *testing.T, dir string) (string, []hotspot) {
	t.Helper()
	spots := []hotspot{
		{Name: "Levant", Lon: 33.75, Lat: 33.75, Total: 12345},
		{Name: "Sahel", Lon: 11.25, Lat: 11.25, Total: 6789},
		{Name: "Mekong", Lon: 101.25, Lat: 18, Total: 2468},
	}
	const scattered = 1500
	r := rand.New(rand.NewPCG(15, 2))
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	var features []feature
	add := func(lon, lat float64, typ string, i int) {
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%360).Format("2006-01-02")
		features = append(features, feature{
			Type:     "Feature",
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{lon, lat}},
			Properties: map[string]any{
				"event_date": day, "event_type": typ, "modality": "occurred", "fatalities": i % 4,
				"location": "Generated place", "geo_precision": 1,
			},
		})
	}
	for k := range spots {
		s := &spots[k]
		s.ByType = map[string]int{}
		for i := range s.Total {
			// Types drawn with a weight per hotspot: each ring looks different.
			typ := densityTypes[(i*(k+1)+r.IntN(3))%len(densityTypes)]
			s.ByType[typ]++
			add(s.Lon+r.Float64()*2-1, s.Lat+r.Float64()*2-1, typ, i)
		}
	}
	for i := range scattered {
		add(-120+r.Float64()*80, -40+r.Float64()*80, densityTypes[i%len(densityTypes)], i)
	}
	b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "skewed.geojson")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name, spots
}

// TestBrowserDensity runs test/density.mjs (headless Chromium) on a store
// of about 23,000 events, most of them in three hotspots, imported with
// `conflictmap import`: at world zoom the hotspots read their true totals
// (not the count of the events drawn), cells follow the filters, clicking
// a cell zooms into it until single markers show, and /api/stats is asked
// once per view or filter change.
func TestBrowserDensity(t *testing.T) {
	node := requireTools(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "conflictmap")
	build := exec.Command("go", "build", "-o", bin, "conflictmap/cmd/conflictmap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building conflictmap: %v\n%s", err, out)
	}
	file, spots := skewedStore(t, dir)
	imp := exec.Command(bin, "import", "--db", filepath.Join(dir, "db"), file)
	imp.Env = serverEnv()
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("conflictmap import: %v\n%s", err, out)
	}
	base := startServer(t, bin, dir)

	want, err := json.Marshal(spots)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "density.mjs"), base, string(want))
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err = cmd.Run()
	t.Logf("node test/density.mjs %s:\n%s", base, out.String())
	if err != nil {
		t.Fatalf("density test failed: %v", err)
	}
}
