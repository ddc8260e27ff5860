// Package fetch is conflictmap's outbound HTTP: a client that reaches only
// public addresses (the resolved address of every connection is checked, so
// neither a redirect nor a DNS answer that changes between two lookups gets
// through to loopback, private, link-local or multicast addresses), keeps a
// politeness delay per host, honours robots.txt for article pages, bounds
// redirects, size and time, and reads a news page's main text, title,
// publication date and canonical URL.
//
// Every failure is an *Error whose Reason says what went wrong in one word
// (dns, status, timeout, not_html, too_large, robots, no_text, address, ...)
// so that the feed poller can show it and the API can answer with it.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"conflictmap/geo"
)

// Defaults of Options.
const (
	DefaultMaxBytes     = 5 << 20
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 5
	DefaultHostDelay    = time.Second
)

// Reasons a fetch fails, as Error.Reason holds them.
const (
	ReasonURL       = "url"       // not an absolute http or https URL
	ReasonAddress   = "address"   // the host resolves to an address outbound fetches may not reach
	ReasonDNS       = "dns"       // the host name does not resolve
	ReasonNetwork   = "network"   // the connection failed or broke
	ReasonTimeout   = "timeout"   // no complete answer within the timeout
	ReasonRedirects = "redirects" // too many redirects, or a redirect loop
	ReasonStatus    = "status"    // the server answered with a status other than 2xx (or 304 when asked)
	ReasonTooLarge  = "too_large" // the body is larger than the size limit
	ReasonNotHTML   = "not_html"  // an article URL that does not answer a web page
	ReasonRobots    = "robots"    // the site's robots.txt disallows the page
	ReasonNoText    = "no_text"   // the page holds no article text
	ReasonParse     = "parse"     // a feed that is not RSS, Atom or JSON Feed
)

// Error is a failed fetch. Its message is meant for the user who asked for
// the URL; errors.As finds a *geo.Error (EINVALID) in it, so the HTTP layer
// answers 400 with the message.
type Error struct {
	Reason string
	URL    string
	Status int    // the HTTP status, for ReasonStatus
	Detail string // what happened, in words
	// RetryAfter is the wait a 429 or 503 answer asked for; 0 when none.
	RetryAfter time.Duration
}

// Error returns "URL: reason: detail".
func (e *Error) Error() string {
	return fmt.Sprintf("fetching %s: %s: %s", e.URL, e.Reason, e.Detail)
}

// Unwrap gives the domain error the HTTP layer maps to a status.
func (e *Error) Unwrap() error { return &geo.Error{Code: geo.EINVALID, Message: e.Error()} }

// Temporary reports whether the same fetch may succeed later: a timeout, a
// broken connection, a DNS failure, or a 5xx or 429 answer. Refusals (address,
// robots, not_html, too_large, no_text) and other statuses stay as they are.
func (e *Error) Temporary() bool {
	switch e.Reason {
	case ReasonTimeout, ReasonNetwork, ReasonDNS:
		return true
	case ReasonStatus:
		return e.Status >= 500 || e.Status == http.StatusTooManyRequests
	}
	return false
}

// Reason returns the reason of the *Error in err's chain, "" for nil and
// "internal" for any other error.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return "internal"
}

func fail(reason, u, format string, args ...any) *Error {
	return &Error{Reason: reason, URL: u, Detail: fmt.Sprintf(format, args...)}
}

// Options configure a Client; a zero MaxBytes, Timeout, UserAgent or
// RobotsTTL means its default.
type Options struct {
	// AllowPrivate lets fetches reach loopback, private, link-local and
	// multicast addresses (a server reading feeds on its own network).
	AllowPrivate bool
	// MaxBytes bounds a response body.
	MaxBytes int64
	// Timeout bounds one fetch, from the request to the last byte of the body.
	Timeout time.Duration
	// HostDelay is the least time between two requests to one host; zero
	// or negative means none.
	HostDelay time.Duration
	// UserAgent names conflictmap and its version.
	UserAgent string
	// Resolve looks a host name up; nil uses the system resolver. Tests
	// point a test host name at a local server with it.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Dial opens a connection to an address that passed the guard; nil
	// dials it. Tests use it to reach a local server through an address
	// that looks public.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RobotsTTL is how long a host's robots.txt is kept; 0 means an hour.
	RobotsTTL time.Duration
}

// Client fetches feeds and pages. It is safe for concurrent use.
type Client struct {
	opt   Options
	http  *http.Client
	canon *Canonicalizer

	mu        sync.Mutex
	nextSlot  map[string]time.Time // host -> earliest start of its next request
	robots    map[string]robotsEntry
	robotsMus map[string]*sync.Mutex
}

// New returns a client with the options' defaults filled in.
func New(o Options) (*Client, error) {
	canon, err := NewCanonicalizer()
	if err != nil {
		return nil, err
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = "conflictmap"
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = time.Hour
	}
	c := &Client{
		opt:       o,
		canon:     canon,
		nextSlot:  map[string]time.Time{},
		robots:    map[string]robotsEntry{},
		robotsMus: map[string]*sync.Mutex{},
	}
	tr := &http.Transport{
		// No proxy from the environment: a proxy would make the connection
		// the guard checks the proxy's, not the target's.
		Proxy:                 nil,
		DialContext:           c.dialGuarded,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
	}
	c.http = &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > DefaultMaxRedirects {
				return fail(ReasonRedirects, via[0].URL.String(), "more than %d redirects (last to %s)", DefaultMaxRedirects, req.URL)
			}
			for _, v := range via {
				if v.URL.String() == req.URL.String() {
					return fail(ReasonRedirects, via[0].URL.String(), "redirect loop through %s", req.URL)
				}
			}
			if err := checkURL(req.URL); err != nil {
				return fail(ReasonURL, via[0].URL.String(), "redirected to %s, %v", req.URL, err)
			}
			return c.wait(req.Context(), req.URL)
		},
	}
	return c, nil
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.Hostname() == "" {
		return errors.New("no host")
	}
	if u.User != nil {
		return errors.New("user name or password in the URL")
	}
	return nil
}

// ParseURL parses an absolute http or https URL, or says why it is not one.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail(ReasonURL, raw, "not a URL: %v", err)
	}
	if err := checkURL(u); err != nil {
		return nil, fail(ReasonURL, raw, "%v", err)
	}
	return u, nil
}

// Check resolves the URL's host and refuses it when no address it resolves
// to may be fetched, so that a refused URL is answered at once, before any
// request.
func (c *Client) Check(ctx context.Context, raw string) error {
	u, err := ParseURL(raw)
	if err != nil {
		return err
	}
	_, err = c.resolve(ctx, u.Hostname())
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			fe.URL = raw
		}
		return err
	}
	return nil
}

// wait holds a request to u's host until the politeness delay since the
// host's previous request has passed. Slots are handed out in order, so
// concurrent callers for one host are spaced by the delay.
func (c *Client) wait(ctx context.Context, u *url.URL) error {
	if c.opt.HostDelay <= 0 {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	c.mu.Lock()
	now := time.Now()
	slot := c.nextSlot[host]
	if slot.Before(now) {
		slot = now
	}
	c.nextSlot[host] = slot.Add(c.opt.HostDelay)
	c.mu.Unlock()
	d := time.Until(slot)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Conditional holds the validators of a previous answer, for a conditional
// GET.
type Conditional struct {
	ETag         string
	LastModified string
}

// Response is a fetched body.
type Response struct {
	URL          string // after redirects
	Status       int
	ContentType  string
	ETag         string
	LastModified string
	NotModified  bool // 304 to a conditional GET; Body is empty
	Body         []byte
}

// Get fetches raw with the validators of cond (zero for none), following
// at most five redirects, and reads at most MaxBytes of the body. Any
// answer but 2xx, or 304 to a conditional request, is an *Error.
func (c *Client) Get(ctx context.Context, raw string, accept string, cond Conditional) (*Response, error) {
	return c.get(ctx, raw, accept, cond, c.opt.MaxBytes)
}

func (c *Client) get(ctx context.Context, raw, accept string, cond Conditional, maxBytes int64) (*Response, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	if err := c.wait(ctx, u); err != nil {
		return nil, fail(ReasonTimeout, raw, "waiting for the host's politeness delay: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(ReasonURL, raw, "%v", err)
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classify(raw, err)
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode == http.StatusNotModified && (cond.ETag != "" || cond.LastModified != "") {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return out, &Error{Reason: ReasonStatus, URL: raw, Status: resp.StatusCode,
			Detail: fmt.Sprintf("the server answered %s", resp.Status), RetryAfter: retryAfter(resp, time.Now())}
	}
	if resp.ContentLength > maxBytes {
		return out, fail(ReasonTooLarge, raw, "the body is %d bytes, over the %d-byte limit", resp.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return out, classify(raw, err)
	}
	if int64(len(body)) > maxBytes {
		return out, fail(ReasonTooLarge, raw, "the body is over the %d-byte limit", maxBytes)
	}
	out.Body = body
	return out, nil
}

// retryAfter reads the Retry-After header of a 429 or 503 answer: seconds
// or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// classify turns a transport error into an *Error with its reason.
func classify(raw string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		fe.URL = raw
		return fe
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		return fail(ReasonDNS, raw, "%v", dnsErr)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fail(ReasonTimeout, raw, "no complete answer in time")
	case errors.Is(err, context.Canceled):
		return fail(ReasonTimeout, raw, "cancelled")
	}
	return fail(ReasonNetwork, raw, "%v", unwrapURLError(err))
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// mediaType is the lower-case media type of a Content-Type value.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}
