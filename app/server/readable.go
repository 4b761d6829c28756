package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// errUnreadable refuses text Onramp cannot store: PostgreSQL rejects a
// NUL byte or bytes that are not UTF-8 in a text value, which would
// otherwise surface as a server error.
var errUnreadable = apperr.New(apperr.BadRequest,
	"The address or form contains characters Onramp cannot read. Go back and try again.")

// maxJSONBytes caps a JSON body read for checking: far above any API
// document and the general body limit, so it only bounds memory on the
// upload routes, which take multipart bodies.
const maxJSONBytes = 10 << 20

// readableAddress refuses a request whose path, query keys or query values
// hold a NUL byte or invalid UTF-8. It needs no body, so it runs for every
// request.
func readableAddress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !readable(c.Request().URL.Path) || !readableValues(c.QueryParams()) {
			return errUnreadable
		}
		return next(c)
	}
}

// ReadableBody refuses a write whose form fields, uploaded file names or
// JSON strings hold a NUL byte or invalid UTF-8. It reads the body, so it
// belongs after the route's rule and CSRF check (auth.RouteOptions.Admitted):
// a URL-encoded form is parsed here, a multipart one is checked if the
// CSRF check parsed it (otherwise its handler reads it within its own size
// limit), and a JSON body is read into memory and put back.
func ReadableBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := auth.ReadForm(r, false); err != nil {
			return err
		}
		if !readableValues(r.PostForm) || !readableFiles(r) {
			return errUnreadable
		}
		if isJSON(r) {
			if err := readableJSON(r); err != nil {
				return err
			}
		}
		return next(c)
	}
}

func readable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func readableValues(v url.Values) bool {
	for k, vs := range v {
		if !readable(k) {
			return false
		}
		for _, s := range vs {
			if !readable(s) {
				return false
			}
		}
	}
	return true
}

func readableFiles(r *http.Request) bool {
	if r.MultipartForm == nil {
		return true
	}
	for field, files := range r.MultipartForm.File {
		if !readable(field) {
			return false
		}
		for _, f := range files {
			if !readable(f.Filename) {
				return false
			}
		}
	}
	return true
}

func isJSON(r *http.Request) bool {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return mediaType == echo.MIMEApplicationJSON || strings.HasSuffix(mediaType, "+json")
}

// readableJSON reads r's JSON body, refuses it if it holds a NUL (raw or
// as the escape \u0000) or invalid UTF-8, and puts it back for the handler.
func readableJSON(r *http.Request) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBytes+1))
	if err != nil {
		var limit *echo.HTTPError
		if errors.As(err, &limit) {
			return limit // the body limit
		}
		return apperr.Wrap(apperr.BadRequest, "We could not read what you sent. Try again.", err)
	}
	if len(b) > maxJSONBytes {
		return echo.ErrStatusRequestEntityTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	if !utf8.Valid(b) || hasNUL(b) {
		return errUnreadable
	}
	return nil
}

// hasNUL reports whether JSON text b holds a NUL byte or encodes one. An
// escaped backslash is skipped as a pair, so the text \\u0000 (a
// backslash, then "u0000") is not mistaken for the escape.
func hasNUL(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	for i := 0; i < len(b)-1; i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && bytes.HasPrefix(b[i+2:], []byte("0000")) {
			return true
		}
		i++ // the escaped character
	}
	return false
}
