package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"conflictmap/geo"
)

// MinText is the fewest characters of main text a page must hold to be an
// article; less is a consent wall, an error page or a video page.
const MinText = 200

// pageAccept is the Accept header of an article fetch.
const pageAccept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

// Article fetches the page at raw (after checking the host's robots.txt)
// and reads its main text, title, publication date and canonical URL. The
// page's ID is geo.ArticleID of the canonical URL. It is Page, then
// ReadPage.
func (c *Client) Article(ctx context.Context, raw string) (geo.Page, error) {
	resp, err := c.Page(ctx, raw)
	if err != nil {
		return geo.Page{}, err
	}
	return c.ReadPage(raw, resp)
}

// Page fetches the web page at raw, after checking the host's robots.txt
// (and, after a redirect to another site, that site's), and refuses an
// answer that is not HTML. It only waits on the network: ReadPage does the
// work that takes processors and memory, which a server bounds.
func (c *Client) Page(ctx context.Context, raw string) (*Response, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	ok, err := c.allowed(ctx, u)
	if err != nil {
		return nil, classify(raw, err)
	}
	if !ok {
		return nil, fail(ReasonRobots, raw, "the robots.txt of %s disallows this page for %s", u.Host, robotsAgent)
	}
	resp, err := c.Get(ctx, raw, pageAccept, Conditional{})
	if err != nil {
		return nil, err
	}
	// A redirect to another site (a link shortener, a feed proxy) is read
	// only where that site's robots.txt allows it too.
	if final, err := url.Parse(resp.URL); err == nil && !strings.EqualFold(final.Host, u.Host) {
		ok, err := c.allowed(ctx, final)
		if err != nil {
			return nil, classify(raw, err)
		}
		if !ok {
			return nil, fail(ReasonRobots, raw, "redirected to %s, which the robots.txt of %s disallows for %s", final, final.Host, robotsAgent)
		}
	}
	mt := mediaType(resp.ContentType)
	if mt == "" {
		mt = mediaType(http.DetectContentType(resp.Body))
	}
	if mt != "text/html" && mt != "application/xhtml+xml" {
		return nil, fail(ReasonNotHTML, raw, "the answer is %s, not a web page", mt)
	}
	return resp, nil
}

// ReadPage reads the article of a page Page fetched from raw: its main
// text, title, publication date (else today, flagged as an estimate) and
// canonical URL.
func (c *Client) ReadPage(raw string, resp *Response) (geo.Page, error) {
	return c.readPage(raw, resp, time.Now())
}

// readPage extracts the article of a fetched page; fetched is the day
// used when the page has no date. A page that makes the extractor panic
// is refused like one without text, so that one odd page of the web never
// stops the server.
func (c *Client) readPage(raw string, resp *Response, fetched time.Time) (page geo.Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			page, err = geo.Page{}, fail(ReasonNoText, raw, "the page could not be read (%v)", r)
		}
	}()
	r, err := charset.NewReader(bytes.NewReader(resp.Body), resp.ContentType)
	if err != nil {
		return geo.Page{}, fail(ReasonNotHTML, raw, "unknown character set: %v", err)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return geo.Page{}, fail(ReasonNotHTML, raw, "unreadable HTML: %v", err)
	}
	final, err := url.Parse(resp.URL)
	if err != nil {
		final, _ = url.Parse(raw)
	}
	meta := scanDocument(doc, final)
	p := readability.NewParser()
	art, err := p.ParseAndMutate(doc, final)
	if err != nil || art.Node == nil {
		return geo.Page{}, fail(ReasonNoText, raw, "no article text found")
	}
	var sb strings.Builder
	if err := art.RenderText(&sb); err != nil {
		return geo.Page{}, fail(ReasonNoText, raw, "no article text found")
	}
	text := tidyText(sb.String())
	if n := utf8.RuneCountInString(text); n < MinText {
		return geo.Page{}, fail(ReasonNoText, raw, "the page's main text is %d characters, fewer than %d", n, MinText)
	}
	page = geo.Page{FetchedURL: resp.URL}
	page.Title = strings.Join(strings.Fields(art.Title()), " ")
	if page.Title == "" {
		page.Title = meta.title
	}
	page.Text = text
	if t, err := art.PublishedTime(); err == nil && !t.IsZero() {
		page.Published, page.PublishedFrom = t.Format(geo.DateLayout), geo.PublishedFromPage
	} else if meta.time != "" {
		page.Published, page.PublishedFrom = meta.time, geo.PublishedFromPage
	} else {
		page.Published, page.PublishedFrom = fetched.UTC().Format(geo.DateLayout), geo.PublishedFromFetchDay
		page.PublishedEstimated = true
	}
	page.URL = c.canon.Canonical(meta.canonical)
	if page.URL == "" {
		page.URL = c.canon.Canonical(resp.URL)
	}
	page.ID = geo.ArticleID(page.URL, "")
	return page, nil
}

// Canonical returns the identity form of a URL (see Canonicalizer).
func (c *Client) Canonical(raw string) string { return c.canon.Canonical(raw) }

// documentMeta is what the extractor does not give: the canonical link,
// a <time> element's date, the <title>.
type documentMeta struct {
	canonical string
	time      string
	title     string
}

func scanDocument(doc *html.Node, base *url.URL) documentMeta {
	var m documentMeta
	var pubTime, anyTime string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "link":
				if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					if ref, err := base.Parse(strings.TrimSpace(attr(n, "href"))); err == nil && attr(n, "href") != "" {
						m.canonical = ref.String()
					}
				}
			case "time":
				if d := dateOf(attr(n, "datetime")); d != "" {
					if pubTime == "" && (hasAttr(n, "pubdate") || strings.EqualFold(attr(n, "itemprop"), "datePublished")) {
						pubTime = d
					}
					if anyTime == "" {
						anyTime = d
					}
				}
			case "title":
				if m.title == "" && n.FirstChild != nil {
					m.title = strings.Join(strings.Fields(n.FirstChild.Data), " ")
				}
			case "svg", "script", "style":
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	m.time = pubTime
	if m.time == "" {
		m.time = anyTime
	}
	return m
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// dateOf reads the calendar day of a datetime attribute (a date, or a
// date and time in any offset, kept in its own offset).
func dateOf(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", geo.DateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(geo.DateLayout)
		}
	}
	return ""
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText trims each line and keeps at most one blank line between
// paragraphs.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// feedTypes are the media types a page's <link rel=alternate> names its
// feeds with.
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true, "application/json": true,
}

// FeedLinks returns the feeds a web page names in its <link rel=alternate>
// elements, as absolute URLs, so that a site's address given where a feed
// was expected can be answered with the feed's.
func FeedLinks(body []byte, base string) []string {
	b, err := url.Parse(base)
	if err != nil {
		return nil
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	var out []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "body" {
				return out
			}
			if string(name) != "link" || !hasAttr {
				continue
			}
			var rel, typ, href string
			for {
				k, v, more := z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "rel":
					rel = string(v)
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = strings.TrimSpace(string(v))
				}
				if !more {
					break
				}
			}
			if hasToken(rel, "alternate") && feedTypes[typ] && href != "" {
				if u, err := b.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					out = append(out, u.String())
				}
			}
		}
	}
}
