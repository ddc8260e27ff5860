package static_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestBrowserLive runs test/live.mjs (headless Chromium) against a real
// server: articles posted while the page is open appear without a reload,
// with their sources and a permalink. It logs the latency from the post's
// answer to the marker on the map (BENCHMARKS.md, "Live map").
func TestBrowserLive(t *testing.T) {
	node := requireTools(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "conflictmap")
	build := exec.Command("go", "build", "-o", bin, "conflictmap/cmd/conflictmap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building conflictmap: %v\n%s", err, out)
	}
	base := startServer(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "live.mjs"), base)
	cmd.Env = append(os.Environ(), "CONFLICTMAP_TOKEN="+token, "CHROMIUM="+chromiumPath)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Logf("node test/live.mjs %s:\n%s", base, out.String())
	if err != nil {
		t.Fatalf("live map test failed: %v", err)
	}
	if m := regexp.MustCompile(`live latency: (\d+) ms`).FindSubmatch(out.Bytes()); m != nil {
		t.Logf("live latency (post answered to marker drawn): %s ms", m[1])
	}
}
