package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// static serves the map page's files. A missing file, a directory without
// an index.html, or a path that tries to climb out is a JSON 404 like every
// other unknown route.
//
// Every file has a strong ETag (a 304 answers a matching If-None-Match) and
// is sent compressed to a client that accepts it: Brotli when the page's
// build left a NAME.br beside the file (make assets does for the vendored
// libraries and outlines), else gzip made on first use. index.html and the
// page's ES modules name the files they load with a fingerprint
// (`app.js?v=<hash>`); a request carrying a file's current fingerprint is
// cached for a year as immutable, anything else must revalidate, so a new
// release shows at once and a reload costs a few 304s.
func (s *Server) static(c echo.Context) error {
	if s.cfg.Static == nil {
		return echo.ErrNotFound
	}
	name := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if !fs.ValidPath(name) || strings.HasPrefix(name, "api/") {
		return echo.ErrNotFound
	}
	a, err := s.assets.get(s.cfg.Static, name)
	if err != nil {
		return err
	}
	if a == nil {
		return echo.ErrNotFound
	}
	a.serve(c.Response(), c.Request())
	return nil
}

// assetSet holds the page's files as served: read once, fingerprinted,
// references rewritten, compressed on first use.
type assetSet struct {
	once  sync.Once
	err   error
	files map[string]*asset
}

type asset struct {
	name  string
	ctype string
	body  []byte
	hash  string // hex, first 16 digits of the SHA-256 of body
	gzOne sync.Once
	gz    []byte // nil when compression does not pay
	br    []byte // the build's Brotli twin of body, if any
}

// get returns the asset of a file name (a directory's index.html), nil when
// there is none.
func (as *assetSet) get(fsys fs.FS, name string) (*asset, error) {
	as.once.Do(func() { as.files, as.err = loadAssets(fsys) })
	if as.err != nil {
		return nil, as.err
	}
	if a, ok := as.files[name]; ok {
		return a, nil
	}
	if a, ok := as.files[path.Join(name, "index.html")]; ok {
		return a, nil
	}
	return nil, nil
}

// references in HTML (src, href) and in ES modules (import ... from,
// import(...), import '...') to files beside them.
var (
	htmlRef   = regexp.MustCompile(`((?:src|href)=")([^"#?:]+)(")`)
	moduleRef = regexp.MustCompile(`((?:\bfrom|\bimport)\s*\(?\s*['"])(\.{1,2}/[^'"?#]+)(['"])`)
)

// loadAssets reads every file of the page, then rewrites the references of
// index.html and of the ES modules so that each names its target's
// fingerprint. A module's fingerprint covers the fingerprints it names, so
// a change anywhere changes every file that (indirectly) loads it.
func loadAssets(fsys fs.FS) (map[string]*asset, error) {
	raw := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		raw[p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the page's files: %w", err)
	}
	files := map[string]*asset{}
	visiting := map[string]bool{}
	var build func(name string) *asset
	build = func(name string) *asset {
		if a, ok := files[name]; ok {
			return a
		}
		b, ok := raw[name]
		if !ok {
			return nil
		}
		if strings.HasSuffix(name, ".br") {
			return nil
		}
		if visiting[name] {
			// An import cycle: the module is named by its own content's hash.
			return &asset{name: name, hash: hashOf(b)}
		}
		visiting[name] = true
		defer delete(visiting, name)
		switch {
		case path.Ext(name) == ".html":
			b = rewriteRefs(htmlRef, preloadModules(b, raw), path.Dir(name), build)
		case path.Ext(name) == ".js" && strings.HasPrefix(name, "js/"):
			b = rewriteRefs(moduleRef, b, path.Dir(name), build)
		}
		a := &asset{name: name, ctype: contentType(name), body: b, hash: hashOf(b)}
		files[name] = a
		return a
	}
	for name := range raw {
		if strings.HasSuffix(name, ".br") {
			continue
		}
		build(name)
	}
	// A Brotli twin serves only a file that was not rewritten here.
	for name, b := range raw {
		base, ok := strings.CutSuffix(name, ".br")
		if a := files[base]; ok && a != nil && bytes.Equal(a.body, raw[base]) {
			a.br = b
		}
	}
	return files, nil
}

// mainPreload is the page's preload of its entry module; the server adds
// one preload per module beside it, so that the browser fetches every
// module at once rather than one import level after another, and a new
// module needs no edit of index.html. A module the page preloads itself
// (earlier, to have it first) is not preloaded twice.
const mainPreload = `<link rel="modulepreload" href="js/main.js">`

func preloadModules(page []byte, raw map[string][]byte) []byte {
	if !bytes.Contains(page, []byte(mainPreload)) {
		return page
	}
	var names []string
	for name := range raw {
		if path.Dir(name) == "js" && path.Ext(name) == ".js" && name != "js/main.js" &&
			!bytes.Contains(page, []byte(`<link rel="modulepreload" href="`+name+`">`)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var links strings.Builder
	links.WriteString(mainPreload)
	for _, n := range names {
		links.WriteString("\n<link rel=\"modulepreload\" href=\"" + n + "\">")
	}
	return bytes.Replace(page, []byte(mainPreload), []byte(links.String()), 1)
}

func rewriteRefs(re *regexp.Regexp, b []byte, dir string, build func(string) *asset) []byte {
	return re.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		ref := string(sub[2])
		if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "api/") {
			return m
		}
		target := build(path.Join(dir, ref))
		if target == nil {
			return m
		}
		return []byte(string(sub[1]) + ref + "?v=" + target.hash + string(sub[3]))
	})
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown; charset=utf-8"
	case "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible: text formats gain from gzip; images and fonts do not.
func (a *asset) compressible() bool {
	t := a.ctype
	return len(a.body) >= 512 && (strings.HasPrefix(t, "text/") || strings.Contains(t, "json") ||
		strings.Contains(t, "javascript") || strings.Contains(t, "svg") || strings.Contains(t, "xml"))
}

func (a *asset) gzipped() []byte {
	a.gzOne.Do(func() {
		if !a.compressible() {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		if buf.Len() < len(a.body) {
			a.gz = buf.Bytes()
		}
	})
	return a.gz
}

// accepts reads Accept-Encoding for a coding, honouring an explicit q=0.
func accepts(r *http.Request, want string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		coding := strings.ToLower(strings.TrimSpace(fields[0]))
		if coding != want && coding != "*" {
			continue
		}
		q := 1.0
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(f), "q="); ok {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		return q > 0
	}
	return false
}

// etagMatches reads If-None-Match: "*" or a list of (weak or strong) tags.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == etag {
			return true
		}
	}
	return false
}

func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	body := a.body
	etag := `"` + a.hash + `"`
	if a.compressible() || a.br != nil {
		h.Set("Vary", "Accept-Encoding")
		if a.br != nil && accepts(r, "br") {
			body = a.br
			etag = `"` + a.hash + `-br"`
			h.Set("Content-Encoding", "br")
		} else if accepts(r, "gzip") {
			if gz := a.gzipped(); gz != nil {
				body = gz
				etag = `"` + a.hash + `-gz"`
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	h.Set("ETag", etag)
	if v := r.URL.Query().Get("v"); v != "" && v == a.hash && path.Base(a.name) != "index.html" {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
