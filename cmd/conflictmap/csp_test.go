package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The map page and the OGC HTML views load in a real browser under the
// Content-Security-Policy the server sends: nothing they need is refused.
func TestPagesLoadUnderTheirCSP(t *testing.T) {
	t.Parallel()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI installs chromium): %v", chromium, err)
		}
		t.Skipf("%s is missing (apt-get install chromium): %v", chromium, err)
	}
	s, _ := startServer(t, "--tiles", "https://tile.example.org/{z}/{x}/{y}.png")
	for _, c := range []struct{ path, want string }{
		{"/", `id="map"`},
		{"/ogc?f=html", "conflictmap OGC API"},
		{"/ogc/collections/events/items?f=html", "conflictmap OGC API"},
	} {
		// The map page keeps its event stream open, so virtual time never
		// runs out: the dump is taken at the load event or after 10 s.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
			"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--log-level=0",
			"--timeout=10000", "--dump-dom", s.URL()+c.path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", c.path, err, stderr.String())
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%s: the page did not load (no %q):\n%.500s", c.path, c.want, out)
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(line, "Content Security Policy") {
				t.Errorf("%s: %s", c.path, line)
			}
		}
	}
}
