package content

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

type libraryPage struct {
	Items  []LibraryItem
	Alt    string // kept when an upload is refused
	Errors []apperr.FieldError
	Done   string
	Limits Limits
}

func (m *Handlers) library(c echo.Context) error {
	return m.renderLibrary(c, http.StatusOK, libraryPage{Done: doneMessage(c)})
}

func (m *Handlers) renderLibrary(c echo.Context, status int, data libraryPage) error {
	items, err := m.svc.MediaLibrary(c.Request().Context())
	if err != nil {
		return err
	}
	data.Items, data.Limits = items, m.svc.limits
	return m.pages.HTML(c, status, "content/media", "Media library", data)
}

// uploadToLibrary stores a file through the same path as the upload API,
// so the type, alt text and size rules are the same.
func (m *Handlers) uploadToLibrary(c echo.Context) error {
	_, err := m.upload(c)
	if err == nil {
		return seeOther(c, "/admin/media", "uploaded", "")
	}
	fields, status, ok := formProblem(err)
	if e := apperr.As(err); e.Kind == apperr.TooLarge {
		fields, status, ok = []apperr.FieldError{{Field: "file", Message: e.Message}}, e.Kind.Status(), true
	}
	if !ok {
		return err
	}
	return m.renderLibrary(c, status, libraryPage{Errors: fields, Alt: c.Request().FormValue("alt")})
}
