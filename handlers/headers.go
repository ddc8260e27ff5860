package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
)

// contentSecurityPolicy is the policy of every answer: the pages (the map
// and the OGC HTML views) load scripts, styles, images and data from their
// own origin only, images also from the tile server, and no other site may
// frame them (the map page holds the ingest token field). The OGC views'
// one <style> block is allowed by its hash. Images may also be data: URLs:
// Leaflet cancels a tile's download by pointing it at a blank data: GIF
// (L.Util.emptyImageUrl), and an image cannot run code.
func contentSecurityPolicy(tileURL string) string {
	img := "'self' data:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' " + styleHash(ogcStyle()),
		"img-src " + img,
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// tileOrigin is the scheme and host of a tile URL template ({s}, {z}, ...
// in the host become a wildcard), or "" when there are no tiles.
func tileOrigin(tmpl string) string {
	if tmpl == "" {
		return ""
	}
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "}"); i >= 0 {
		// A subdomain placeholder such as {s}.tile.example.org.
		host = "*" + host[i+1:]
		if !strings.HasPrefix(host, "*.") {
			return scheme + "://*"
		}
	}
	if host == "" || strings.ContainsAny(host, " ;,'\"") {
		return ""
	}
	return scheme + "://" + host
}

// ogcStyle is the text of the OGC views' <style> element.
func ogcStyle() string {
	_, after, _ := strings.Cut(ogcTemplateText, "<style>")
	style, _, _ := strings.Cut(after, "</style>")
	return style
}

func styleHash(style string) string {
	sum := sha256.Sum256([]byte(style))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// redactQuery hides secrets in a query string before it is logged: the
// value of any parameter named like a credential, and the server's token
// wherever it appears.
func redactQuery(raw, token string) string {
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' })
	changed := false
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		name = strings.ToLower(name)
		if hasValue && (strings.Contains(name, "token") || strings.Contains(name, "key") ||
			strings.Contains(name, "secret") || strings.Contains(name, "password") || strings.Contains(name, "auth")) {
			parts[i] = k + "=REDACTED"
			changed = true
		}
	}
	out := raw
	if changed {
		out = strings.Join(parts, "&")
	}
	if token != "" {
		for _, form := range []string{token, url.QueryEscape(token), url.PathEscape(token)} {
			out = strings.ReplaceAll(out, form, "REDACTED")
		}
	}
	return out
}
