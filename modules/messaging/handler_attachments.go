package messaging

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// StreamPaths are the live event streams, which stay open for as long as
// the page does: the server gives them no time budget.
var StreamPaths = []string{"/api/v1/mentorships/*/events"}

// UploadPaths are the routes that take files; the server's general body
// limit gives way there, and the handler applies the attachment limit. A
// "*" stands for one part of the path.
var UploadPaths = []string{"/api/v1/attachments", "/mentoring/mentorships/*/messages"}

// apiSendFile takes multipart fields "mentorship", "file" and an optional
// "body" from one of a mentorship's two people and answers 201 with the
// message's id and status and the attachment.
func (m *Module) apiSendFile(c echo.Context) error {
	req := c.Request()
	up, ok, err := m.readFile(c)
	if err != nil {
		return err
	}
	if !ok {
		return errNoFile
	}
	defer up.R.(io.Closer).Close()
	sent, a, err := m.svc.SendFile(req.Context(), auth.UserOf(c), req.FormValue("mentorship"), req.FormValue("body"), up)
	if err != nil {
		return err
	}
	// The message is read in its thread.
	c.Response().Header().Set("Location", "/api/v1/mentorships/"+req.FormValue("mentorship")+"/messages")
	return c.JSON(http.StatusCreated, map[string]any{"id": sent.ID, "status": sent.Status, "attachment": a})
}

var errNoFile = apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to send"})

// readFile reads a multipart request within the attachment limit (the
// form may have been read already, by the CSRF check) and returns its
// "file" field, whose R the caller closes; ok is false when no file was
// chosen. Errors: TooLarge, and Invalid (field "file") for a body that
// is not a readable form.
func (m *Module) readFile(c echo.Context) (Upload, bool, error) {
	req := c.Request()
	limit := m.svc.files.MaxBytes + 1<<20
	if req.ContentLength > limit {
		return Upload{}, false, m.svc.tooLarge()
	}
	if req.MultipartForm == nil {
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		if err := req.ParseMultipartForm(8 << 20); err != nil {
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				return Upload{}, false, m.svc.tooLarge()
			}
			return Upload{}, false, errNoFile
		}
	}
	f, hdr, err := req.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return Upload{}, false, nil
	}
	if err != nil {
		return Upload{}, false, errNoFile
	}
	return Upload{R: f, Size: hdr.Size, Filename: hdr.Filename}, true, nil
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
