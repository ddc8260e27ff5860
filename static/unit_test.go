package static_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestUnitJS runs the unit tests of the page's pure modules (URL state,
// dates and the time bar's arithmetic, outline geometry, the palette, the
// offline labels) with node's built-in test runner, so that `go test
// ./static/` and `make test` cover them. Without node it skips, and fails
// under CI=true.
func TestUnitJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not on PATH (install Node.js 20); CI=true requires the page's unit tests to run")
		}
		t.Skip("node is not on PATH (install Node.js 20); skipping the page's unit tests")
	}
	files, err := filepath.Glob(filepath.Join("test", "unit", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no unit tests under test/unit (%v)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"--test", "--test-reporter=spec"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %v: %v\n%s", files, err, out)
	}
	t.Logf("node --test:\n%s", out)
}
