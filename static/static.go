// Package static holds conflictmap's map page: its HTML, its ES modules
// (js/, served as they are: no bundler), its style, the colours of the
// event types (palette.json, which the server checks and serves with the
// taxonomy at /api/taxonomy), the names of countries and capitals drawn
// on the offline map (labels.json, written by gen-labels.mjs from the
// embedded gazetteer), and the third-party files (Leaflet, Leaflet.markercluster, topojson-client,
// Natural Earth outlines) that `make assets` copies into vendor/ from the
// npm packages pinned by package-lock.json. Everything is embedded so the
// binary serves the page with no internet and no files beside it.
//
// A clone built without `make assets` still compiles (vendor/ keeps its
// README) and its page says in words how to build the missing libraries.
package static

import (
	"embed"
	"io/fs"
)

//go:embed index.html favicon.svg style.css palette.json labels.json js vendor
var files embed.FS

// FS returns the page's files with index.html at its root, ready to be
// served at "/".
func FS() fs.FS {
	return files
}
