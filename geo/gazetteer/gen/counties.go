package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"conflictmap/geo/gazetteer"
)

// usCounties reads the counties of the United States (the Census Bureau's
// cartographic boundaries, as us-atlas redistributes them) as second-level
// regions named as US news writes them, "Walker County", "Rapides Parish",
// "Kenai Peninsula Borough", each at the centroid of its outline and
// spanning it. Local news places events by county; GeoNames' towns alone
// would read "Walker County" as a town called Walker in another state.
// Independent cities (county codes 500 and up) are towns GeoNames already
// holds. admin1 maps "US.AL" to the state's name.
func usCounties(src string, admin1 map[string]string) ([]*place, error) {
	path := filepath.Join(src, "us-atlas", "counties-10m.json")
	states, err := readTopology(path, "states")
	if err != nil {
		return nil, err
	}
	codeOf := map[string]string{} // state name -> admin1 code
	for code, name := range admin1 {
		if a1, ok := strings.CutPrefix(code, "US."); ok {
			codeOf[name] = a1
		}
	}
	stateCode := map[string]string{} // FIPS state code -> admin1 code
	for _, s := range states {
		if a1, ok := codeOf[s.Name]; ok {
			stateCode[s.ID] = a1
		}
	}
	if len(stateCode) < 50 {
		return nil, fmt.Errorf("%s: matched %d states to GeoNames' first-level regions, want 50 and DC", path, len(stateCode))
	}
	counties, err := readTopology(path, "counties")
	if err != nil {
		return nil, err
	}
	var out []*place
	for _, c := range counties {
		if len(c.ID) != 5 || len(c.Geom) == 0 || c.Name == "" {
			continue
		}
		fips, err := strconv.Atoi(c.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: county id %q is not a FIPS code", path, c.ID)
		}
		a1, ok := stateCode[c.ID[:2]]
		if !ok || fips%1000 >= 500 {
			continue // outside the states (Puerto Rico), or an independent city
		}
		name := c.Name + " County"
		switch a1 {
		case "LA":
			name = c.Name + " Parish"
		case "AK":
			if strings.Contains(c.Name, "Census Area") || strings.Contains(c.Name, "Borough") || strings.Contains(c.Name, "Municipality") {
				name = c.Name
			} else {
				name = c.Name + " Borough"
			}
		}
		pt := representativePoint(c.Geom)
		b := mainExtent(c.Geom)
		p := &place{id: -(1_000_000_000 + int64(fips)), name: name, cc: "US", a1: a1, fc: "ADM2",
			lat: pt[1], lon: pt[0], bound: &b, tier: tierOf("ADM2")}
		p.addKey(gazetteer.Normalize(name))
		out = append(out, p)
	}
	if len(out) < 3000 {
		return nil, fmt.Errorf("%s: %d counties, want the 3,100 of the states", path, len(out))
	}
	return out, nil
}
