package static_test

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"conflictmap/static"
)

// TestPageReferencesResolve checks that every file index.html loads is in
// the embedded file system, so the served page has no broken link. The
// vendor files exist only after `make assets`; without them the page must
// say how to build them.
func TestPageReferencesResolve(t *testing.T) {
	page, err := fs.ReadFile(static.FS(), "index.html")
	if err != nil {
		t.Fatalf("index.html is not at the root of FS(): %v", err)
	}
	_, statErr := os.Stat("vendor/leaflet/leaflet.js")
	built := statErr == nil
	refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(refs) < 5 {
		t.Fatalf("index.html references %d files, want the page's script, style and libraries", len(refs))
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
	if !strings.Contains(string(page), "make assets") {
		t.Error("index.html does not tell how to build missing assets (make assets)")
	}
	if _, err := fs.Stat(static.FS(), "vendor/README.md"); err != nil {
		t.Errorf("vendor/README.md is not embedded: %v", err)
	}
	if built {
		if _, err := fs.Stat(static.FS(), "vendor/world-atlas/countries-50m.json"); err != nil {
			t.Errorf("the country outlines are not embedded: %v", err)
		}
	}
}
