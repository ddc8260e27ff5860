// Package static holds conflictmap's map page: its HTML, script and style,
// and the third-party files (Leaflet, Leaflet.markercluster, topojson-client,
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

//go:embed index.html app.js style.css vendor
var files embed.FS

// FS returns the page's files with index.html at its root, ready to be
// served at "/".
func FS() fs.FS {
	return files
}
