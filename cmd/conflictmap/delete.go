package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"conflictmap/geo"
)

func runDelete(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "delete", "delete [--server URL] [--token T] ID|URL...",
		"Removes articles and their events from a running server (DELETE /api/articles/{id}), so that\n"+
			"its cache sees the change. Name an article by its id (as ingest prints it) or by the URL it\n"+
			"was ingested with. One line per deleted article (id, events removed) goes to stdout; the exit\n"+
			"status is 1 when any article could not be deleted.")
	server := fs.String("server", envOr(env, "CONFLICTMAP_SERVER", "http://localhost:8080"), "server base URL (CONFLICTMAP_SERVER)")
	token := fs.String("token", env.Getenv("CONFLICTMAP_TOKEN"), "bearer token the server was started with (CONFLICTMAP_TOKEN)")
	timeout := fs.Duration("timeout", time.Minute, "bound on each request")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "delete: no article id or URL given")
		fs.Usage()
		return errUsage
	}
	client := &http.Client{Timeout: *timeout}
	var failed []string
	for _, arg := range fs.Args() {
		id := arg
		if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
			id = geo.ArticleID(arg, "")
		}
		n, err := deleteArticle(ctx, client, strings.TrimRight(*server, "/")+"/api/articles/"+url.PathEscape(id), *token)
		if err != nil {
			fmt.Fprintf(env.Stderr, "delete: %s: %v\n", arg, err)
			failed = append(failed, arg)
			continue
		}
		fmt.Fprintf(env.Stdout, "%s\t%d\n", id, n)
		fmt.Fprintf(env.Stderr, "deleted %s: %s\n", arg, plural(n, "event"))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d articles not deleted: %s", len(failed), fs.NArg(), strings.Join(failed, ", "))
	}
	return nil
}

func deleteArticle(ctx context.Context, client *http.Client, endpoint, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, endpoint, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, answerError(resp, data)
	}
	var out struct {
		Events int `json:"events"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return 0, errors.New("server answered 200 with an unreadable body")
	}
	return out.Events, nil
}

// answerError words a server's error answer.
func answerError(resp *http.Response, data []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return fmt.Errorf("server answered %d: %s", resp.StatusCode, e.Error)
	}
	return fmt.Errorf("server answered %s", resp.Status)
}

// maxBusyRetries bounds how often ingest retries an article the server is
// too busy to take (503 with Retry-After).
const maxBusyRetries = 30

// postArticleRetrying posts an article, waiting as the server asks
// (Retry-After) while it answers that it is busy.
func postArticleRetrying(ctx context.Context, client *http.Client, endpoint, token string, a articleBody) (string, int, error) {
	for attempt := 0; ; attempt++ {
		id, n, err := postArticle(ctx, client, endpoint, token, a)
		var busy *busyError
		if !errors.As(err, &busy) || attempt >= maxBusyRetries {
			return id, n, err
		}
		select {
		case <-ctx.Done():
			return "", 0, err
		case <-time.After(busy.wait):
		}
	}
}

// busyError is a 503 with Retry-After: the server asks to come back.
type busyError struct {
	wait time.Duration
	err  error
}

func (e *busyError) Error() string { return e.err.Error() }

func (e *busyError) Unwrap() error { return e.err }

// retryAfter reads a 503's Retry-After in seconds; false when it has none.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || s < 0 {
		return 0, false
	}
	return time.Duration(min(s, 60)) * time.Second, true
}
