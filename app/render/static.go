package render

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// StaticPrefix is where static files are served.
const StaticPrefix = "/static/"

// Static serves embedded files at fingerprinted URLs
// (/static/<hash>/<path>) that can be cached for a year, because a changed
// file gets a new URL.
type Static struct {
	fsys   fs.FS
	hashes map[string]string
}

// NewStatic hashes every file in fsys once.
func NewStatic(fsys fs.FS) (*Static, error) {
	s := &Static{fsys: fsys, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return s, err
}

// URL returns the fingerprinted URL of a static file. It panics on a file
// that does not exist, which surfaces at start-up when templates are first
// rendered in tests.
func (s *Static) URL(name string) string {
	h, ok := s.hashes[name]
	if !ok {
		panic("render: no static file " + name)
	}
	return StaticPrefix + h + "/" + name
}

// Handle serves GET /static/<hash>/<path>. A stale hash still serves the
// current file, but without the long cache lifetime.
func (s *Static) Handle(c echo.Context) error {
	rest := strings.TrimPrefix(c.Request().URL.Path, StaticPrefix)
	hash, name, ok := strings.Cut(rest, "/")
	current, exists := s.hashes[name]
	if !ok || !exists {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	b, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if hash == current {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	return c.Blob(http.StatusOK, ctype, b)
}
