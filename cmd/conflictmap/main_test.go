package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every test of this package runs beside the others (t.Parallel): each has
// its own temporary directory, port and PostgreSQL schema, and reads its
// settings from an Env of its own, never from the process's environment.
// In sequence they kept one core of two busy for five minutes of the suite
// under the race detector.

// buildBinary builds conflictmap into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "conflictmap")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// cleanEnv is the environment of the processes the test starts: none of the
// developer's CONFLICTMAP_* or REDIS_URL settings leak in.
func cleanEnv(extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, extra...)
}

func waitReady(t *testing.T, base string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("the server exited before it was ready")
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", base)
}

// The binary as a user runs it: serve on a free port with a temporary
// database and a token, `conflictmap ingest` of two text files and a
// .jsonl, the events read back over HTTP, then SIGTERM while a request is
// in flight: that request completes and the server exits 0.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	base := "http://127.0.0.1:" + freePort(t)
	var logs syncBuffer
	srv := exec.Command(bin, "serve", "--addr", strings.TrimPrefix(base, "http://"), "--db", filepath.Join(dir, "e2e.db"), "--token", "e2e-token", "--tiles", "")
	srv.Env = cleanEnv()
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		srv.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	waitReady(t, base, exited)

	var before struct{ NumberMatched int }
	getJSON(t, base+"/api/events", &before)

	a := writeFile(t, dir, "jordan.txt", "Drone strike in Jordan\nA drone strike on a base in Jordan killed three US soldiers on Sunday, officials said.\n")
	b := writeFile(t, dir, "baghdad.txt", "Militia leaders met the Quds Force commander in Baghdad last week.\n")
	jl := writeFile(t, dir, "more.jsonl",
		`{"title": "Rafah", "url": "https://example.org/rafah", "published": "2024-02-27", "text": "Israel threatened an offensive on Rafah in Gaza."}`+"\n"+
			`{"title": "Red Sea", "url": "https://example.org/red-sea", "published": "2024-02-26", "text": "Houthi forces attacked ships in the Red Sea on Monday."}`+"\n")
	ing := exec.Command(bin, "ingest", "--server", base, "--published", "2024-02-27", a, b, jl)
	ing.Env = cleanEnv("CONFLICTMAP_TOKEN=e2e-token")
	var stdout, stderr strings.Builder
	ing.Stdout, ing.Stderr = &stdout, &stderr
	if err := ing.Run(); err != nil {
		t.Fatalf("conflictmap ingest: %v\n%s", err, stderr.String())
	}
	reported := 0
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("ingest reported %d articles, want 4:\n%s\n%s", len(lines), stdout.String(), stderr.String())
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		n, err := strconv.Atoi(f[len(f)-1])
		if len(f) != 3 || err != nil {
			t.Fatalf("result line %q", l)
		}
		reported += n
	}
	var list struct{ Total int }
	getJSON(t, base+"/api/articles", &list)
	if list.Total != 5 {
		t.Errorf("%d articles, want the sample and 4 ingested", list.Total)
	}
	var after struct {
		NumberMatched int
		Features      []struct {
			Properties map[string]any
		}
	}
	getJSON(t, base+"/api/events?limit=10000", &after)
	// Reports of events the sample told already merge into them: every
	// report is one source of one served event.
	sources := 0
	for _, f := range after.Features {
		n, _ := f.Properties["source_count"].(float64)
		sources += int(n)
	}
	if after.NumberMatched > before.NumberMatched+reported || sources != before.NumberMatched+reported {
		t.Errorf("%d events with %d sources served after ingesting %d into %d", after.NumberMatched, sources, reported, before.NumberMatched)
	}
	var rafah struct{ Title, Published string }
	getJSON(t, base+"/api/articles/"+strings.Fields(lines[2])[1], &rafah)
	if rafah.Title != "Rafah" || rafah.Published != "2024-02-27" {
		t.Errorf("the .jsonl article read back: %+v", rafah)
	}

	// A request in flight: the server has read its headers and asked for
	// the body (100 Continue) when SIGTERM arrives.
	body := `{"title": "Late", "text": "Shelling hit Kharkiv on Friday.", "published": "2024-02-23"}`
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/articles HTTP/1.1\r\nHost: e2e\r\nAuthorization: Bearer e2e-token\r\nContent-Type: application/json\r\n"+
		"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(body))
	br := bufio.NewReader(conn)
	cont, err := http.ReadResponse(br, nil)
	if err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("waiting for 100 Continue: %v %v", cont, err)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	refused := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Fatal("the server still takes connections after SIGTERM")
	}
	select {
	case <-exited:
		t.Fatal("the server exited with a request in flight")
	default:
	}
	io.WriteString(conn, body)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	var created struct {
		Article struct{ Title string }
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(answer, &created) != nil || created.Article.Title != "Late" {
		t.Errorf("the request in flight: %d %s", resp.StatusCode, answer)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if waitErr != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", waitErr)
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown line in the log:\n%s", logs.String())
	}
}
