package handlers

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// static serves the map page's files. A missing file, a directory without
// an index.html, or a path that tries to climb out is a JSON 404 like every
// other unknown route.
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
	st, err := fs.Stat(s.cfg.Static, name)
	if err == nil && st.IsDir() {
		name = path.Join(name, "index.html")
		st, err = fs.Stat(s.cfg.Static, name)
	}
	if err != nil || st.IsDir() {
		return echo.ErrNotFound
	}
	if path.Base(name) == "index.html" {
		// The page must pick up a new release at once; its assets may be
		// revalidated too (the embedded files carry no modification time).
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(c.Response(), c.Request(), s.cfg.Static, name)
	return nil
}
