package extract

// plMaxColocChecks bounds the work of colocate on one article.
const plMaxColocChecks = 200_000

// colocate marks the readings of each name that lie in a county another
// name of the article may be, and the county readings that hold a reading
// of another name: in US local news "Henry County" is the one around
// "Paris" and Paris the one in Henry County, whichever states their names
// alone would suggest. Counties are second-level regions with an extent
// (ADM2); other places are tested by their point.
func (r *plResolver) colocate() {
	checks := 0
	for ci, cg := range r.groups {
		for k, county := range cg.cands {
			if county.place.FeatureCode != "ADM2" || county.place.Bound == nil {
				continue
			}
			for gi, g := range r.groups {
				if gi == ci {
					continue
				}
				for i, c := range g.cands {
					if checks++; checks > plMaxColocChecks {
						return
					}
					p := c.place
					if p.FeatureCode == "ADM2" || p.Bound != nil || p.CountryCode != county.place.CountryCode ||
						p.Admin1 != county.place.Admin1 || !county.place.Bound.Contains(p.Point) {
						continue
					}
					if g.coloc == nil {
						g.coloc = make([]bool, len(g.cands))
					}
					if cg.coloc == nil {
						cg.coloc = make([]bool, len(cg.cands))
					}
					g.coloc[i], cg.coloc[k] = true, true
				}
			}
		}
	}
}
