package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// removeUploads deletes the temporary files of any multipart form parsed
// while the request was handled, whatever the outcome. net/http removes
// them only for the request it created, but sessions and compression
// replace the request with copies, and the form is parsed on a copy; a
// refused upload would otherwise leave its file behind for good. It must
// be the outermost middleware.
func removeUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		first := c.Request()
		defer func() {
			removeForm(first)
			if last := c.Request(); last != first {
				removeForm(last)
			}
		}()
		return next(c)
	}
}

func removeForm(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll() // a file already removed is not an error worth reporting
	}
}
