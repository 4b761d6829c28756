package render

import (
	"bytes"
	"compress/gzip"
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
	files map[string]staticFile
}

type staticFile struct {
	hash  string
	ctype string
	raw   []byte
	gz    []byte // nil when compressing does not pay
}

// NewStatic reads, hashes and compresses every file in fsys once, so
// serving one costs no CPU.
func NewStatic(fsys fs.FS) (*Static, error) {
	s := &Static{files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := staticFile{hash: hex.EncodeToString(sum[:6]), ctype: mime.TypeByExtension(path.Ext(p)), raw: b}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(b)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if gz.Len() < len(b)*9/10 {
			f.gz = gz.Bytes()
		}
		s.files[p] = f
		return nil
	})
	return s, err
}

// URL returns the fingerprinted URL of a static file. It panics on a file
// that does not exist, which surfaces at start-up when templates are first
// rendered in tests.
func (s *Static) URL(name string) string {
	f, ok := s.files[name]
	if !ok {
		panic("render: no static file " + name)
	}
	return StaticPrefix + f.hash + "/" + name
}

// Handle serves GET /static/<hash>/<path>. A stale hash still serves the
// current file, but without the long cache lifetime.
func (s *Static) Handle(c echo.Context) error {
	rest := strings.TrimPrefix(c.Request().URL.Path, StaticPrefix)
	hash, name, ok := strings.Cut(rest, "/")
	f, exists := s.files[name]
	if !ok || !exists {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	if hash == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Add("Vary", "Accept-Encoding")
	if f.gz != nil && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, f.ctype, f.gz)
	}
	return c.Blob(http.StatusOK, f.ctype, f.raw)
}
