package static_test

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"conflictmap/static"
)

// TestPageReferencesResolve checks that every file index.html loads, and
// every module the page's modules import, is in the embedded file system,
// so the served page has no broken link. The vendor files exist only after
// `make assets`; without them the page must say how to build them.
func TestPageReferencesResolve(t *testing.T) {
	page, err := fs.ReadFile(static.FS(), "index.html")
	if err != nil {
		t.Fatalf("index.html is not at the root of FS(): %v", err)
	}
	_, statErr := os.Stat("vendor/leaflet/leaflet.js")
	built := statErr == nil
	refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(refs) < 8 {
		t.Fatalf("index.html references %d files, want the page's modules, style, outlines and libraries", len(refs))
	}
	for _, m := range refs {
		name := m[1]
		if strings.HasPrefix(name, "api/") {
			continue
		}
		if strings.HasPrefix(name, "vendor/") && !built {
			continue
		}
		if _, err := fs.Stat(static.FS(), name); err != nil {
			t.Errorf("index.html loads %s, which FS() lacks: %v", name, err)
		}
	}
	imports := regexp.MustCompile(`(?:from|import)\s*\(?\s*'(\./[^']+)'`)
	modules, err := fs.Glob(static.FS(), "js/*.js")
	if err != nil || len(modules) < 8 {
		t.Fatalf("js/ holds %d modules (%v), want the page split by concern", len(modules), err)
	}
	for _, name := range modules {
		b, _ := fs.ReadFile(static.FS(), name)
		for _, m := range imports.FindAllStringSubmatch(string(b), -1) {
			if _, err := fs.Stat(static.FS(), "js/"+strings.TrimPrefix(m[1], "./")); err != nil {
				t.Errorf("%s imports %s, which FS() lacks", name, m[1])
			}
		}
		// The page runs under a Content-Security-Policy without
		// 'unsafe-inline': no module writes inline style attributes or
		// script through HTML strings.
		for _, bad := range []string{"innerHTML =", "insertAdjacentHTML", "setAttribute('style'", "eval("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
	}
	for _, bad := range []string{"<script>", "style=\"", "data:"} {
		if strings.Contains(string(page), bad) {
			t.Errorf("index.html holds %q: the page must need no inline script or style and no data: URL", bad)
		}
	}
	if !strings.Contains(string(page), "make assets") {
		t.Error("index.html does not tell how to build missing assets (make assets)")
	}
	if _, err := fs.Stat(static.FS(), "vendor/README.md"); err != nil {
		t.Errorf("vendor/README.md is not embedded: %v", err)
	}
	if built {
		for _, f := range []string{"vendor/world-atlas/countries-50m.json", "vendor/world-atlas/countries-110m.json"} {
			if _, err := fs.Stat(static.FS(), f); err != nil {
				t.Errorf("the country outlines are not embedded: %v", err)
			}
		}
	}
}
