package messaging

import (
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// UploadPaths are the routes that take files; the server's general body
// limit gives way there, and the handler applies the attachment limit.
var UploadPaths = []string{"/api/v1/attachments"}

// apiSendFile takes multipart fields "mentorship", "file" and an optional
// "body" from one of a mentorship's two people and answers 201 with the
// message's id and status and the attachment.
func (m *Module) apiSendFile(c echo.Context) error {
	req := c.Request()
	limit := m.svc.files.MaxBytes + 1<<20
	tooLarge := func() error { return m.svc.tooLarge() }
	if req.ContentLength > limit {
		return tooLarge()
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	if err := req.ParseMultipartForm(8 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return tooLarge()
		}
		return apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to send"})
	}
	f, hdr, err := req.FormFile("file")
	if err != nil {
		return apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to send"})
	}
	defer f.Close()
	sent, a, err := m.svc.SendFile(req.Context(), auth.UserOf(c), req.FormValue("mentorship"), req.FormValue("body"),
		Upload{R: f, Size: hdr.Size, Filename: hdr.Filename})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": sent.ID, "status": sent.Status, "attachment": a})
}

// attachment serves a message's file to whoever may see the message: a
// redirect to a signed link valid for a minute, or, from the disk store,
// the bytes themselves. Nothing is cached beyond the viewer's browser.
func (m *Module) attachment(c echo.Context) error {
	a, url, r, err := m.svc.OpenAttachment(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	if url != "" {
		return c.Redirect(http.StatusFound, url)
	}
	defer r.Close()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.Filename}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, r)
	return nil
}
