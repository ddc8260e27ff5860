package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"conflictmap/geo"
	"conflictmap/handlers"
	"conflictmap/static"
)

const testPalette = `{"_comment": "test", "colours": {"Battles": "#D55E00", "Explosions/Remote violence": "#0072B2",
"Violence against civilians": "#CC79A7", "Protests": "#009E73", "Riots": "#F0E442", "Strategic developments": "#56B4E9"},
"unknown": "#777777"}`

func pageFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":   {Data: []byte(`<!doctype html><link rel="stylesheet" href="style.css"><link rel="modulepreload" href="js/main.js"><script type="module" src="js/main.js"></script><a href="api/events">x</a>`)},
		"style.css":    {Data: []byte("body { margin: 0 }\n" + strings.Repeat("/* padding so it compresses */\n", 40))},
		"js/main.js":   {Data: []byte("import { a } from './dep.js';\nimport('./lazy.js');\nconsole.log(a);\n")},
		"js/dep.js":    {Data: []byte("export const a = 1;\n")},
		"js/lazy.js":   {Data: []byte("export default 2;\n")},
		"palette.json": {Data: []byte(testPalette)},
	}
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestStaticFingerprints: the page names its files with their content hash,
// a module names its imports' hashes, and a fingerprinted request is cached
// as immutable while the page itself must revalidate.
func TestStaticFingerprints(t *testing.T) {
	page := pageFS()
	s := newServer(t, serverOptions{static: page})
	w := s.get("/")
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" || w.Header().Get("ETag") == "" {
		t.Fatalf("/: %d %v", w.Code, w.Header())
	}
	html := w.Body.String()
	ref := regexp.MustCompile(`src="js/main\.js\?v=([0-9a-f]{16})"`).FindStringSubmatch(html)
	if ref == nil || !strings.Contains(html, `href="style.css?v=`) || !strings.Contains(html, `href="api/events"`) {
		t.Fatalf("index.html references not fingerprinted (or api/ rewritten): %s", html)
	}
	// Every module is preloaded, fingerprinted, beside the entry module.
	for _, m := range []string{"main", "dep", "lazy"} {
		if !regexp.MustCompile(`<link rel="modulepreload" href="js/` + m + `\.js\?v=[0-9a-f]{16}">`).MatchString(html) {
			t.Errorf("index.html does not preload js/%s.js: %s", m, html)
		}
	}
	main := s.get("/js/main.js?v=" + ref[1])
	if main.Code != 200 || main.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("fingerprinted main.js: %d %v", main.Code, main.Header())
	}
	if !strings.HasPrefix(main.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("main.js Content-Type %q", main.Header().Get("Content-Type"))
	}
	dep := regexp.MustCompile(`from '\./dep\.js\?v=([0-9a-f]{16})'`).FindStringSubmatch(main.Body.String())
	if dep == nil || !regexp.MustCompile(`import\('\./lazy\.js\?v=[0-9a-f]{16}'\)`).MatchString(main.Body.String()) {
		t.Fatalf("main.js imports not fingerprinted: %s", main.Body.String())
	}
	if w := s.get("/js/dep.js?v=" + dep[1]); w.Code != 200 || w.Body.String() != "export const a = 1;\n" || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("dep.js: %d %v %q", w.Code, w.Header(), w.Body.String())
	}
	// A stale or missing fingerprint is served, but must revalidate.
	for _, target := range []string{"/js/dep.js", "/js/dep.js?v=0000000000000000"} {
		if w := s.get(target); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q", target, w.Code, w.Header().Get("Cache-Control"))
		}
	}
	// A change in a dependency changes the fingerprint of the module that imports it.
	page["js/dep.js"] = &fstest.MapFile{Data: []byte("export const a = 2;\n")}
	s2 := newServer(t, serverOptions{static: page})
	ref2 := regexp.MustCompile(`src="js/main\.js\?v=([0-9a-f]{16})"`).FindStringSubmatch(s2.get("/").Body.String())
	if ref2 == nil || ref2[1] == ref[1] {
		t.Errorf("main.js kept fingerprint %v after its import changed", ref2)
	}
}

// TestStaticCompressionAndValidators: text files go gzip-compressed to a
// client that accepts it, with a per-encoding ETag, and a matching
// If-None-Match gets an empty 304.
func TestStaticCompressionAndValidators(t *testing.T) {
	s := newServer(t, serverOptions{static: pageFS()})
	plain := s.get("/style.css")
	gz := s.get("/style.css", "Accept-Encoding", "br, gzip;q=0.8")
	if plain.Header().Get("Content-Encoding") != "" || gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("encodings: plain %q, gzip %q", plain.Header().Get("Content-Encoding"), gz.Header().Get("Content-Encoding"))
	}
	if gz.Body.Len() >= plain.Body.Len() || gunzip(t, gz.Body.Bytes()) != plain.Body.String() {
		t.Errorf("gzip body %d bytes for %d plain, or different content", gz.Body.Len(), plain.Body.Len())
	}
	if gz.Header().Get("Vary") != "Accept-Encoding" || gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Errorf("Vary %q, ETags %q %q", gz.Header().Get("Vary"), gz.Header().Get("ETag"), plain.Header().Get("ETag"))
	}
	if w := s.get("/style.css", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
	again := s.get("/style.css", "Accept-Encoding", "gzip", "If-None-Match", gz.Header().Get("ETag"))
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != gz.Header().Get("ETag") {
		t.Errorf("revalidation: %d, %d bytes, %v", again.Code, again.Body.Len(), again.Header())
	}
	if w := s.get("/style.css", "If-None-Match", `"other"`); w.Code != 200 {
		t.Errorf("a different ETag: %d", w.Code)
	}
	if w := s.do(http.MethodHead, "/style.css", ""); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %d", w.Code, w.Body.Len())
	}
}

// TestTaxonomy: the page's event types, sub-types, colours and modalities
// come from the server, in the taxonomy's order, with a validator.
func TestTaxonomy(t *testing.T) {
	s := newServer(t, serverOptions{static: pageFS()})
	w := s.get("/api/taxonomy")
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	type class struct {
		Type     string   `json:"type"`
		SubTypes []string `json:"sub_types"`
		Colour   string   `json:"colour"`
	}
	body := decode[struct {
		EventTypes []class `json:"event_types"`
		Modalities []struct {
			Name string `json:"name"`
		} `json:"modalities"`
		Unknown string `json:"unknown_colour"`
	}](t, w)
	tax := geo.Taxonomy()
	if len(body.EventTypes) != len(tax) {
		t.Fatalf("%d types, want %d", len(body.EventTypes), len(tax))
	}
	for i, c := range tax {
		got := body.EventTypes[i]
		if got.Type != c.Type || strings.Join(got.SubTypes, "|") != strings.Join(c.SubTypes, "|") || got.Colour == "" {
			t.Errorf("type %d: %+v, want %s with %v", i, got, c.Type, c.SubTypes)
		}
	}
	if body.EventTypes[0].Colour != "#D55E00" || body.Unknown != "#777777" || len(body.Modalities) != 3 || body.Modalities[2].Name != geo.Threatened {
		t.Errorf("colours or modalities: %s", w.Body.String())
	}
	if again := s.get("/api/taxonomy", "If-None-Match", w.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.Code)
	}
}

func TestParsePalette(t *testing.T) {
	if _, err := handlers.ParsePalette([]byte(testPalette)); err != nil {
		t.Fatal(err)
	}
	// The palette the binary embeds is valid.
	b, err := fs.ReadFile(static.FS(), handlers.PaletteFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handlers.ParsePalette(b); err != nil {
		t.Errorf("static/%s: %v", handlers.PaletteFile, err)
	}
	for name, bad := range map[string]string{
		"missing type":  strings.Replace(testPalette, `"Riots": "#F0E442", `, "", 1),
		"unknown type":  strings.Replace(testPalette, `"Riots"`, `"Riot"`, 1),
		"bad colour":    strings.Replace(testPalette, `#F0E442`, `yellow`, 1),
		"shared colour": strings.Replace(testPalette, `#F0E442`, `#d55e00`, 1),
		"unknown key":   strings.Replace(testPalette, `"_comment"`, `"comment"`, 1),
		"not JSON":      "{",
	} {
		if _, err := handlers.ParsePalette([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A server whose page lacks a valid palette says so as a 500, not a guess.
	page := pageFS()
	page["palette.json"] = &fstest.MapFile{Data: []byte("{}")}
	s := newServer(t, serverOptions{static: page})
	if w := s.get("/api/taxonomy"); w.Code != http.StatusInternalServerError {
		t.Errorf("invalid palette: %d", w.Code)
	}
}

// TestStaticBrotli: a file the build compressed with Brotli (NAME.br
// beside it) goes as br to a browser that accepts it, with its own ETag;
// the .br file is not a page of its own.
func TestStaticBrotli(t *testing.T) {
	page := pageFS()
	page["vendor/lib.js"] = &fstest.MapFile{Data: []byte(strings.Repeat("var x = 1;\n", 100))}
	page["vendor/lib.js.br"] = &fstest.MapFile{Data: []byte("brotli bytes")}
	s := newServer(t, serverOptions{static: page})
	br := s.get("/vendor/lib.js", "Accept-Encoding", "gzip, deflate, br")
	if br.Header().Get("Content-Encoding") != "br" || br.Body.String() != "brotli bytes" || !strings.HasSuffix(br.Header().Get("ETag"), `-br"`) {
		t.Errorf("br: %v %q", br.Header(), br.Body.String())
	}
	if gz := s.get("/vendor/lib.js", "Accept-Encoding", "gzip"); gz.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip only: %v", gz.Header())
	}
	if w := s.get("/vendor/lib.js.br"); w.Code != http.StatusNotFound {
		t.Errorf("/vendor/lib.js.br: %d", w.Code)
	}
	if w := s.get("/vendor/lib.js", "Accept-Encoding", "br", "If-None-Match", br.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Errorf("br revalidation: %d", w.Code)
	}
}
