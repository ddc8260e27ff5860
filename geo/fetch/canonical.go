package fetch

import (
	"bufio"
	_ "embed"
	"fmt"
	"net/url"
	"strings"
)

//go:embed data/tracking.txt
var trackingFile string

// tracking is the list of tracking query parameters, read from
// data/tracking.txt.
type tracking struct {
	exact    map[string]bool
	prefixes []string
}

func loadTracking(src string) (*tracking, error) {
	t := &tracking{exact: map[string]bool{}}
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name := strings.ToLower(line)
		prefix := strings.HasSuffix(name, "*")
		name = strings.TrimSuffix(name, "*")
		if name == "" || strings.ContainsAny(name, " \t*=&?#") {
			return nil, fmt.Errorf("tracking.txt:%d: %q is not a query parameter name", n, line)
		}
		if prefix {
			t.prefixes = append(t.prefixes, name)
		} else {
			t.exact[name] = true
		}
	}
	return t, sc.Err()
}

func (t *tracking) has(param string) bool {
	p := strings.ToLower(param)
	if t.exact[p] {
		return true
	}
	for _, pre := range t.prefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// Canonicalizer turns a URL into the form that identifies an article.
type Canonicalizer struct{ t *tracking }

// NewCanonicalizer loads the embedded list of tracking parameters.
func NewCanonicalizer() (*Canonicalizer, error) {
	t, err := loadTracking(trackingFile)
	if err != nil {
		return nil, err
	}
	return &Canonicalizer{t: t}, nil
}

// Canonical returns u's identity form: scheme and host in lower case, no
// default port, no fragment, no tracking parameters (utm_*, fbclid, ...),
// the other parameters kept in their order. It returns "" for anything but
// an absolute http or https URL.
func (c *Canonicalizer) Canonical(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS") || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		var kept []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if kv == "" {
				continue
			}
			k, _, _ := strings.Cut(kv, "=")
			if name, err := url.QueryUnescape(k); err == nil && c.t.has(name) {
				continue
			}
			kept = append(kept, kv)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	return u.String()
}
