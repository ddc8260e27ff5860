package extract

// mentions returns the place mentions of the text, found and resolved by
// the gazetteer's mention finder.
func (x *Extractor) mentions(text string) []placeRef {
	return refsOf(x.places(text))
}

// refsOf turns the place finder's mentions into the extractor's.
func refsOf(ms []Mention) []placeRef {
	refs := make([]placeRef, len(ms))
	for i, m := range ms {
		refs[i] = placeRef{start: m.Start, end: m.End, text: m.Text, place: m.Place, conf: m.Confidence, part: m.Near}
	}
	return refs
}
