package handlers

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	ID         string  `json:"id"`
	Title      *string `json:"title"`
	URL        *string `json:"url"`
	Published  *string `json:"published"`
	IngestedAt string  `json:"ingested_at"`
	Events     int     `json:"events"`
	Text       string  `json:"text,omitempty"`
}

func toArticleJSON(a geo.Article, withText bool) articleJSON {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := articleJSON{
		ID:         a.ID,
		Title:      opt(a.Title),
		URL:        opt(a.URL),
		Published:  opt(a.Published),
		IngestedAt: a.IngestedAt.UTC().Format(time.RFC3339),
		Events:     a.Events,
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

// readArticle reads and checks the posted article, refusing bodies over
// the configured limit before reading them whole.
func (s *Server) readArticle(c echo.Context) (geo.Article, error) {
	r := c.Request()
	tooLarge := geo.Errorf(geo.ETOOLARGE, "request body is larger than the %d-byte limit (--max-body)", s.cfg.MaxBody)
	if r.ContentLength > s.cfg.MaxBody {
		return geo.Article{}, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return geo.Article{}, tooLarge
		}
		return geo.Article{}, geo.Errorf(geo.EINVALID, "reading the request body: %v", err)
	}
	var req articleRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return geo.Article{}, geo.Errorf(geo.EINVALID, "malformed JSON body: %s; want {\"title\", \"url\", \"published\", \"text\"}", jsonProblem(err))
	}
	if dec.More() {
		return geo.Article{}, geo.Errorf(geo.EINVALID, "malformed JSON body: more than one JSON value; post one article per request")
	}
	if strings.TrimSpace(req.Text) == "" {
		return geo.Article{}, geo.Errorf(geo.EINVALID, "text: missing; the article's text is required")
	}
	published, err := parsePublished(req.Published)
	if err != nil {
		return geo.Article{}, err
	}
	u := strings.TrimSpace(req.URL)
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

// parsePublished accepts a calendar date or an RFC 3339 timestamp (what
// feeds carry), keeping the date as written in the timestamp's own offset.
func parsePublished(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if t, err := time.Parse(geo.DateLayout, s); err == nil {
		return t.Format(geo.DateLayout), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(geo.DateLayout), nil
	}
	return "", geo.Errorf(geo.EINVALID, "published: %q is not a date, want YYYY-MM-DD", s)
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

// postArticle ingests one article: it extracts its events, then stores
// article and events in one transaction that also bumps the data version.
// Posting the same URL (or, without one, the same text) again replaces the
// article's events.
func (s *Server) postArticle(c echo.Context) error {
	if err := s.authorize(c.Request()); err != nil {
		return err
	}
	a, err := s.readArticle(c)
	if err != nil {
		return err
	}
	events, err := s.cfg.Extractor.Extract(a)
	if err != nil {
		return fmt.Errorf("extracting events from article %s: %w", a.ID, err)
	}
	if events == nil {
		events = []geo.Event{}
	}
	stored, err := s.cfg.Store.Ingest(c.Request().Context(), a, events)
	if err != nil {
		return err // the store's error names the article already
	}
	b := []byte(`{"article":`)
	aj, err := json.Marshal(toArticleJSON(stored, false))
	if err != nil {
		return fmt.Errorf("encoding article: %w", err)
	}
	b = append(b, aj...)
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

func (s *Server) listArticles(c echo.Context) error {
	q := c.QueryParams()
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
