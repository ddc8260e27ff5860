package main

import (
	"context"
	"strings"
	"testing"

	"conflictmap/geo"
)

// delete removes an article named by its id or by its URL from a running
// server; an unknown one fails by name and the command exits non-zero.
func TestDeleteCommand(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, "--token", "tok")
	dir := t.TempDir()
	jl := writeFile(t, dir, "two.jsonl",
		`{"title": "Rafah", "url": "https://example.org/rafah", "published": "2024-02-27", "text": "Israel threatened an offensive on Rafah."}`+"\n"+
			`{"title": "Red Sea", "url": "https://example.org/red-sea", "published": "2024-02-27", "text": "Houthi forces attacked a ship in the Red Sea on Monday."}`+"\n")
	env, _, errb := testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL(), "CONFLICTMAP_TOKEN": "tok"})
	if err := Main(context.Background(), env, []string{"ingest", jl}); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errb)
	}
	rafah, redSea := geo.ArticleID("https://example.org/rafah", ""), geo.ArticleID("https://example.org/red-sea", "")
	env, out, errb := testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL(), "CONFLICTMAP_TOKEN": "tok"})
	if err := Main(context.Background(), env, []string{"delete", rafah, "https://example.org/red-sea"}); err != nil {
		t.Fatalf("delete: %v\n%s", err, errb)
	}
	for _, id := range []string{rafah, redSea} {
		if !strings.Contains(out.String(), id+"\t") {
			t.Errorf("stdout does not list %s:\n%s", id, out)
		}
		if _, err := s.store.Article(context.Background(), id); geo.ErrorCode(err) != geo.ENOTFOUND {
			t.Errorf("article %s after delete: %v", id, err)
		}
	}
	env, _, _ = testEnv(map[string]string{"CONFLICTMAP_SERVER": s.URL(), "CONFLICTMAP_TOKEN": "tok"})
	err := Main(context.Background(), env, []string{"delete", rafah})
	if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), rafah) {
		t.Errorf("deleting an unknown article: %v", err)
	}
}
