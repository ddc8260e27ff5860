package handlers

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"conflictmap/geo"
)

// Paging of GET /api/articles.
const (
	defaultArticleLimit = 100
	maxArticleLimit     = 1000
)

// articleRequest is the body of POST /api/articles.
type articleRequest struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Text      string `json:"text"`
}

// articleJSON is an article as the API shows it; Text is left out of lists.
type articleJSON struct {
	ID        string  `json:"id"`
	Title     *string `json:"title"`
	URL       *string `json:"url"`
	Published *string `json:"published"`
	// PublishedEstimated is true when published is the day the article
	// was fetched: its page and its feed gave no date.
	PublishedEstimated bool   `json:"published_estimated"`
	IngestedAt         string `json:"ingested_at"`
	Events             int    `json:"events"`
	Text               string `json:"text,omitempty"`
}

func toArticleJSON(a geo.Article, withText bool) articleJSON {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := articleJSON{
		ID:                 a.ID,
		Title:              opt(a.Title),
		URL:                opt(a.URL),
		Published:          opt(a.Published),
		PublishedEstimated: a.PublishedEstimated,
		IngestedAt:         a.IngestedAt.UTC().Format(time.RFC3339),
		Events:             a.Events,
	}
	if withText {
		out.Text = a.Text
	}
	return out
}

// authorize checks the bearer token in constant time. With no token
// configured every ingest is refused: a server must be opened to writes on
// purpose.
func (s *Server) authorize(r *http.Request) error {
	if s.cfg.Token == "" {
		return echo.NewHTTPError(http.StatusForbidden,
			"ingest is disabled on this server: start it with --token or CONFLICTMAP_TOKEN set, then send the header Authorization: Bearer TOKEN")
	}
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		return geo.Errorf(geo.EUNAUTHORIZED, "missing header Authorization: Bearer TOKEN (the token the server was started with)")
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.cfg.Token)) != 1 {
		return geo.Errorf(geo.EUNAUTHORIZED, "wrong token")
	}
	return nil
}

// Limits of a posted article's fields.
const (
	maxTitleLen = 1000 // characters
	maxURLLen   = 2048 // bytes
)

func (s *Server) tooLarge() error {
	return geo.Errorf(geo.ETOOLARGE, "request body is larger than the %d-byte limit (--max-body)", s.cfg.MaxBody)
}

// readArticle reads and checks the posted article, refusing bodies over
// the configured limit before reading them whole. A post of a url without
// text comes back as a request to fetch (non-nil), the article empty.
func (s *Server) readArticle(c echo.Context) (geo.Article, *articleRequest, error) {
	r := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return geo.Article{}, nil, s.tooLarge()
		}
		return geo.Article{}, nil, geo.Errorf(geo.EINVALID, "reading the request body: %v", err)
	}
	var req articleRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return geo.Article{}, nil, geo.Errorf(geo.EINVALID, "malformed JSON body: %s; want {\"title\", \"url\", \"published\", \"text\"}", jsonProblem(err))
	}
	if dec.More() {
		return geo.Article{}, nil, geo.Errorf(geo.EINVALID, "malformed JSON body: more than one JSON value; post one article per request")
	}
	if strings.TrimSpace(req.Text) == "" {
		if strings.TrimSpace(req.URL) != "" && s.cfg.Fetcher != nil {
			return geo.Article{}, &req, nil
		}
		return geo.Article{}, nil, geo.Errorf(geo.EINVALID, "text: missing; the article's text is required")
	}
	a, err := s.checkArticle(req)
	return a, nil, err
}

// checkArticle checks a posted article with its text.
func (s *Server) checkArticle(req articleRequest) (geo.Article, error) {
	published, err := parsePublished(req.Published)
	if err != nil {
		return geo.Article{}, err
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Title)); n > maxTitleLen {
		return geo.Article{}, geo.Errorf(geo.EINVALID, "title: %d characters, want at most %d", n, maxTitleLen)
	}
	u := strings.TrimSpace(req.URL)
	if len(u) > maxURLLen {
		return geo.Article{}, geo.Errorf(geo.EINVALID, "url: %d bytes, want at most %d", len(u), maxURLLen)
	}
	if u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return geo.Article{}, geo.Errorf(geo.EINVALID, "url: %q is not an absolute http or https URL", u)
		}
	}
	a := geo.Article{
		Title:     strings.TrimSpace(req.Title),
		URL:       u,
		Published: published,
		Text:      req.Text,
	}
	a.ID = geo.ArticleID(a.URL, a.Text)
	return a, nil
}

// earliestPublished is the first publication day accepted: older dates
// are typing mistakes, and would stretch the map's timeline.
const earliestPublished = "1900-01-01"

// parsePublished accepts a calendar date or an RFC 3339 timestamp (what
// feeds carry), keeping the date as written in the timestamp's own offset.
// A date before 1900 or more than a day after now is refused: relative
// dates in the text are resolved against it, and one wrong year puts
// every event of the article in it.
func parsePublished(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var day string
	if t, err := time.Parse(geo.DateLayout, s); err == nil {
		day = t.Format(geo.DateLayout)
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		day = t.Format(geo.DateLayout)
	} else {
		return "", geo.Errorf(geo.EINVALID, "published: %.40q is not a date, want YYYY-MM-DD", s)
	}
	if day < earliestPublished {
		return "", geo.Errorf(geo.EINVALID, "published: %s is before %s; want the article's publication date", day, earliestPublished)
	}
	if latest := time.Now().UTC().AddDate(0, 0, 1).Format(geo.DateLayout); day > latest {
		return "", geo.Errorf(geo.EINVALID, "published: %s is in the future (after %s); want the article's publication date", day, latest)
	}
	return day, nil
}

// jsonProblem words a decoding error for a client.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q is a JSON %s, want a string", te.Field, te.Value)
	case errors.Is(err, io.EOF):
		return "empty body"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "body ends in the middle of a JSON value"
	}
	return err.Error()
}

// Bounds on reading a request body.
const (
	// bodyReadTimeout bounds reading an accepted article's body.
	bodyReadTimeout = 30 * time.Second
	// maxDiscard and discardTimeout bound what is read and thrown away of
	// a refused request's body before the connection is closed.
	maxDiscard     = 16 << 20
	discardTimeout = 5 * time.Second
	// retryAfter is what a refused ingest is told to wait, in seconds.
	retryAfter = 2
	// slotWait is how long an ingest waits for an extraction slot, its
	// body unread, before it is refused: a client posting again at once
	// after each refusal would otherwise cost a body read per refusal.
	slotWait = 5 * time.Second
	// maxDrains bounds the refused bodies read at once; past it a refused
	// connection is closed without reading, which a flood earns.
	maxDrains = 4
)

// postArticle ingests one article: it extracts its events, then stores
// article and events in one transaction that also bumps the data version.
// Posting the same URL (or, without one, the same text) again replaces the
// article's events.
//
// The token is checked before a byte of the body is read, and at most
// MaxExtractions articles are extracted at once (the feed poller's
// included): a request waits up to slotWait for a slot, its body unread,
// and is then refused with 503 and Retry-After, so that a flood of
// ingests cannot take the processors, the memory or the connections that
// reads need. A posted url's page downloads without holding a slot (a
// slow site must not stall other ingests); reading its text and
// extracting its events take one again. Extraction stops when the client
// leaves or ExtractTimeout passes.
func (s *Server) postArticle(c echo.Context) error {
	r := c.Request()
	rc := http.NewResponseController(c.Response())
	// Reading the body after answering is how a refused request is
	// drained; HTTP/1 allows it only in full-duplex mode.
	_ = rc.EnableFullDuplex()
	if err := s.authorize(r); err != nil {
		return s.refuse(c, err)
	}
	if r.ContentLength > s.cfg.MaxBody {
		return s.refuse(c, s.tooLarge())
	}
	if !s.takeSlot(r.Context()) {
		if r.Context().Err() != nil {
			c.Response().Status = statusClientClosed
			return nil
		}
		return s.refuse(c, s.noSlot(c))
	}
	held := true
	defer func() {
		if held {
			s.slots.Release(1)
		}
	}()
	_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	a, fetchReq, err := s.readArticle(c)
	if geo.ErrorCode(err) == geo.ETOOLARGE {
		return s.refuse(c, err)
	}
	if err != nil {
		return err
	}
	if fetchReq != nil {
		s.slots.Release(1)
		held = false
		read, err := s.fetchPage(r.Context(), *fetchReq)
		if err != nil {
			if r.Context().Err() != nil {
				c.Response().Status = statusClientClosed
				return nil
			}
			return err
		}
		if !s.takeSlot(r.Context()) {
			if r.Context().Err() != nil {
				c.Response().Status = statusClientClosed
				return nil
			}
			return s.noSlot(c)
		}
		held = true
		var page *geo.Page
		if a, page, err = s.readFetched(*fetchReq, read); err != nil {
			return err
		}
		c.Set(fetchedKey, page)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ExtractTimeout)
	defer cancel()
	events, err := s.cfg.Extractor.ExtractContext(ctx, a)
	switch {
	case err != nil && r.Context().Err() != nil:
		// Nobody is left to answer: say so in the log, as what it is.
		s.log.Info("ingest abandoned: the client left during extraction", "article", a.ID, "bytes", len(a.Text), "after", time.Since(start).Round(time.Millisecond))
		c.Response().Status = statusClientClosed
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter))
		return echo.NewHTTPError(http.StatusServiceUnavailable,
			fmt.Sprintf("extracting the article took longer than its %s budget (--extract-timeout); send it in parts or when the server is less busy", s.cfg.ExtractTimeout))
	case err != nil:
		return fmt.Errorf("extracting events from article %s: %w", a.ID, err)
	}
	if events == nil {
		events = []geo.Event{}
	}
	geo.MarkEstimated(events, map[string]bool{a.ID: a.PublishedEstimated})
	// The work is done: store it even if the client leaves now, so that
	// its retry finds the article in place.
	stored, err := s.cfg.Store.Ingest(context.WithoutCancel(r.Context()), a, events)
	if err != nil {
		return err // the store's error names the article already
	}
	s.streams.notify()
	b := []byte(`{"article":`)
	aj, err := json.Marshal(toArticleJSON(stored, false))
	if err != nil {
		return fmt.Errorf("encoding article: %w", err)
	}
	b = append(b, aj...)
	if page, ok := c.Get(fetchedKey).(*geo.Page); ok {
		fj, err := json.Marshal(fetchedJSON(page))
		if err != nil {
			return fmt.Errorf("encoding the fetch: %w", err)
		}
		b = append(b, `,"fetched":`...)
		b = append(b, fj...)
	}
	b = append(b, `,"events":`...)
	b, err = appendFeatureCollection(b, geo.EventPage{Events: events, Matched: len(events)})
	if err != nil {
		return fmt.Errorf("encoding events: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = append(b, "}\n"...)
	c.Response().Header().Set("Location", "/api/articles/"+url.PathEscape(stored.ID))
	return c.Blob(http.StatusCreated, contentJSON, b)
}

// takeSlot waits up to slotWait for an extraction slot; false when none
// came or the client left.
func (s *Server) takeSlot(ctx context.Context) bool {
	wctx, cancel := context.WithTimeout(ctx, slotWait)
	defer cancel()
	return s.slots.Acquire(wctx, 1) == nil
}

// noSlot is the answer to an ingest that waited for an extraction slot in
// vain.
func (s *Server) noSlot(c echo.Context) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter))
	return echo.NewHTTPError(http.StatusServiceUnavailable,
		fmt.Sprintf("the server is extracting %d articles already (--max-extractions); retry after %d seconds", s.cfg.MaxExtractions, retryAfter))
}

// statusClientClosed is logged for a request whose client left before its
// answer (nginx's 499); nothing is sent.
const statusClientClosed = 499

// refuse answers err at once, then reads and throws away what is left of
// the request body (up to maxDiscard, for at most discardTimeout) before
// the connection is closed. A client that sends its whole body before
// reading the answer (Python's urllib, many scripts) then reads the 4xx
// or 503; closing on unread data would reset the connection under it.
func (s *Server) refuse(c echo.Context, err error) error {
	r := c.Request()
	c.Response().Header().Set("Connection", "close")
	c.Error(err)
	if r.ContentLength == 0 || strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return nil // no body, or the client waits for a go-ahead that will not come
	}
	rc := http.NewResponseController(c.Response())
	if ferr := rc.Flush(); ferr != nil {
		return nil
	}
	select {
	case s.drains <- struct{}{}:
		defer func() { <-s.drains }()
	default:
		return nil
	}
	_ = rc.SetReadDeadline(time.Now().Add(discardTimeout))
	_, _ = io.CopyN(io.Discard, r.Body, maxDiscard)
	return nil
}

// deleteArticle removes an article and its events (bearer token), bumping
// the data version so that no reader sees them after it returns.
func (s *Server) deleteArticle(c echo.Context) error {
	if err := s.authorize(c.Request()); err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no article %.20q...", id)
	}
	n, err := s.cfg.Store.DeleteArticle(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s.streams.notify()
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"deleted": id, "events": n})
}

func (s *Server) listArticles(c echo.Context) error {
	q, err := parseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	if err := checkParams(q, []string{"limit", "offset"}); err != nil {
		return err
	}
	limit, err := parseLimit(q.Get("limit"), defaultArticleLimit, maxArticleLimit)
	if err != nil {
		return err
	}
	offset, err := parseOffset(q.Get("offset"))
	if err != nil {
		return err
	}
	list, total, err := s.cfg.Store.Articles(c.Request().Context(), limit, offset)
	if err != nil {
		return err
	}
	out := make([]articleJSON, len(list))
	for i, a := range list {
		out[i] = toArticleJSON(a, false)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, map[string]any{
		"articles": out, "total": total, "limit": limit, "offset": offset,
	})
}

func (s *Server) getArticle(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxIDLen {
		return geo.Errorf(geo.ENOTFOUND, "no article %.20q...", id)
	}
	a, err := s.cfg.Store.Article(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, toArticleJSON(a, true))
}
