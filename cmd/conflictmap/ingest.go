package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxTitleLine is the longest first line of a text file taken as its title;
// a longer one is a paragraph, and the file name is used instead.
const maxTitleLine = 200

// ingestItem is one article to post: from a text file, or from one line of
// a .jsonl file.
type ingestItem struct {
	Name    string // file name, or file:line for .jsonl
	Article articleBody
	Err     error // reading or decoding failed; the item is not posted
}

// articleBody is the JSON body of POST /api/articles.
type articleBody struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Text      string `json:"text"`
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "ingest", "ingest [--server URL] [--token T] [--published D] [--title T] [--url U] FILE|URL...",
		"Posts articles to a running server (POST /api/articles), so that its cache sees the change.\n"+
			"An http:// or https:// URL is fetched by the server, which reads the page's text, title and date.\n"+
			"A FILE ending in .jsonl holds one article per line as JSON {\"title\",\"url\",\"published\",\"text\"};\n"+
			"any other FILE is the text of one article. A text file's title is --title, else its first\n"+
			"line when that line is at most 200 characters, else the file name. Progress and a summary go\n"+
			"to stderr, one line per ingested article (name, article id, events) to stdout; the exit\n"+
			"status is 1 when any article failed.")
	server := fs.String("server", envOr(env, "CONFLICTMAP_SERVER", "http://localhost:8080"), "server base URL (CONFLICTMAP_SERVER)")
	token := fs.String("token", env.Getenv("CONFLICTMAP_TOKEN"), "bearer token the server was started with (CONFLICTMAP_TOKEN)")
	published := fs.String("published", "", "publication date YYYY-MM-DD of text files; for .jsonl lines that have none")
	title := fs.String("title", "", "title of a text file (one FILE only)")
	url := fs.String("url", "", "source URL of a text file (one FILE only): the article's identity, re-ingesting it replaces its events")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound on each request")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(env.Stderr, "ingest: no FILE given")
		fs.Usage()
		return errUsage
	}
	if (*title != "" || *url != "") && len(files) > 1 {
		fmt.Fprintln(env.Stderr, "ingest: --title and --url name one article; give one FILE with them")
		return errUsage
	}
	if *token == "" {
		fmt.Fprintln(env.Stderr, "ingest: warning: no --token or CONFLICTMAP_TOKEN; the server will refuse the articles")
	}
	var items []ingestItem
	for _, f := range files {
		if isWebURL(f) {
			// The server fetches the page (POST /api/articles with a url
			// and no text) and finds its title and date.
			items = append(items, ingestItem{Name: f, Article: articleBody{URL: f, Title: *title}})
			continue
		}
		items = append(items, readIngestFile(f, articleBody{Title: *title, URL: *url, Published: *published})...)
	}
	client := &http.Client{Timeout: *timeout}
	endpoint := strings.TrimRight(*server, "/") + "/api/articles"
	var failed []string
	events := 0
	for i, it := range items {
		if ctx.Err() != nil {
			failed = append(failed, fmt.Sprintf("%s (interrupted)", it.Name))
			continue
		}
		prefix := fmt.Sprintf("[%d/%d] %s:", i+1, len(items), it.Name)
		if it.Err != nil {
			fmt.Fprintln(env.Stderr, prefix, "FAILED:", it.Err)
			failed = append(failed, fmt.Sprintf("%s (%v)", it.Name, it.Err))
			continue
		}
		id, n, err := postArticleRetrying(ctx, client, endpoint, *token, it.Article)
		if err != nil {
			fmt.Fprintln(env.Stderr, prefix, "FAILED:", err)
			failed = append(failed, fmt.Sprintf("%s (%v)", it.Name, err))
			continue
		}
		events += n
		fmt.Fprintf(env.Stderr, "%s %s (article %s)\n", prefix, plural(n, "event"), id)
		fmt.Fprintf(env.Stdout, "%s\t%s\t%d\n", it.Name, id, n)
	}
	ok := len(items) - len(failed)
	fmt.Fprintf(env.Stderr, "ingested %d of %s, %s, into %s\n", ok, plural(len(items), "article"), plural(events, "event"), *server)
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d articles failed: %s", len(failed), len(items), strings.Join(failed, "; "))
	}
	return nil
}

// isWebURL reports whether an ingest argument is a page to fetch rather
// than a file.
func isWebURL(arg string) bool {
	return strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")
}

// readIngestFile reads the articles of one file; def carries the flags'
// title, URL and date.
func readIngestFile(name string, def articleBody) []ingestItem {
	data, err := os.ReadFile(name)
	if err != nil {
		return []ingestItem{{Name: name, Err: err}}
	}
	if strings.EqualFold(filepath.Ext(name), ".jsonl") {
		return readJSONLines(name, data, def.Published)
	}
	a := def
	a.Text = string(data)
	if a.Title == "" {
		a.Title = defaultTitle(name, a.Text)
	}
	return []ingestItem{{Name: name, Article: a}}
}

// defaultTitle is a text file's first line when it reads like a headline,
// else the file's base name.
func defaultTitle(name, text string) string {
	first, _, _ := strings.Cut(strings.TrimLeft(text, " \t\r\n\ufeff"), "\n")
	first = strings.TrimSpace(first)
	if first != "" && len(first) <= maxTitleLine {
		return first
	}
	return filepath.Base(name)
}

func readJSONLines(name string, data []byte, published string) []ingestItem {
	var items []ingestItem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		it := ingestItem{Name: fmt.Sprintf("%s:%d", name, line)}
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&it.Article); err != nil {
			it.Err = fmt.Errorf("not a JSON article {title,url,published,text}: %v", err)
		} else if it.Article.Published == "" {
			it.Article.Published = published
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		items = append(items, ingestItem{Name: name, Err: err})
	}
	return items
}

// postArticle sends one article and returns its id and event count, or the
// server's own error message.
func postArticle(ctx context.Context, client *http.Client, endpoint, token string, a articleBody) (string, int, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return "", 0, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		if wait, ok := retryAfter(resp); ok {
			return "", 0, &busyError{wait: wait, err: answerError(resp, data)}
		}
		return "", 0, answerError(resp, data)
	}
	var out struct {
		Article struct {
			ID string `json:"id"`
		} `json:"article"`
		Events struct {
			Features []json.RawMessage `json:"features"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.Article.ID == "" {
		return "", 0, errors.New("server answered 201 with an unreadable body")
	}
	return out.Article.ID, len(out.Events.Features), nil
}

// plural writes a count with its noun, "1 event" or "4 events".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
