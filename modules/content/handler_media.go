package content

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/storage"
)

// signedURLTTL is how long a redirect to the store stays valid.
const signedURLTTL = 5 * time.Minute

// MaxUploadBody is the largest request an upload route accepts: the
// largest file plus room for the form around it.
func (l Limits) MaxUploadBody() int64 { return max(l.Video, l.Other) + 1<<20 }

// apiUpload takes multipart field "file" (and "alt" for images) from an
// editor and answers 201 with the stored media's id, type and size.
func (m *Handlers) apiUpload(c echo.Context) error {
	med, err := m.upload(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/media/"+med.ID)
	return c.JSON(http.StatusCreated, map[string]any{"id": med.ID, "content_type": med.ContentType, "size": med.Size,
		"kind": med.Kind, "url": "/media/" + med.ID})
}

// upload reads the multipart form within the size limit (an oversized body
// fails while it is read, before anything reaches the store) and stores
// the file.
func (m *Handlers) upload(c echo.Context) (*Media, error) {
	req := c.Request()
	limit := m.svc.limits.MaxUploadBody()
	if req.ContentLength > limit {
		return nil, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other))
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	if err := req.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other))
		}
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to upload."})
	}
	defer req.MultipartForm.RemoveAll()
	f, hdr, err := req.FormFile("file")
	if err != nil {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to upload."})
	}
	defer f.Close()
	return m.svc.Upload(req.Context(), auth.UserOf(c).ID, f, hdr.Size, hdr.Filename, req.FormValue("alt"))
}

// media serves GET /media/:id to signed-in people: editors may read any
// file, everyone else only files shown in a published lesson. S3 answers
// with a redirect to a signed URL valid for five minutes; the disk store
// streams the file with Range support.
func (m *Handlers) media(c echo.Context) error {
	ctx := c.Request().Context()
	med, err := m.svc.store.MediaByID(ctx, c.Param("id"))
	if isNotFound(err) {
		return apperr.New(apperr.NotFound, "There is no such file")
	}
	if err != nil {
		return err
	}
	if u := auth.UserOf(c); !u.HasAny(auth.RoleAdmin, auth.RoleContentEditor) {
		ok, err := m.svc.store.MediaVisibleToLearners(ctx, med.ID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.NotFound, "There is no such file")
		}
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	url, err := m.svc.files.SignedURL(ctx, med.Key, signedURLTTL, med.Filename)
	if err != nil {
		return mediaError(err)
	}
	if url != "" {
		return c.Redirect(http.StatusFound, url)
	}
	r, obj, err := m.svc.files.Open(ctx, med.Key)
	if err != nil {
		return mediaError(err)
	}
	defer r.Close()
	h := c.Response().Header()
	h.Set("Content-Type", med.ContentType)
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Content-Disposition", "inline")
	http.ServeContent(c.Response(), c.Request(), "", obj.ModTime, r)
	return nil
}

func mediaError(err error) error {
	if errors.Is(err, storage.ErrUnavailable) {
		return apperr.Wrap(apperr.Unavailable, "This file cannot be shown right now. Try again in a few minutes.", err)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return apperr.Wrap(apperr.NotFound, "There is no such file", err)
	}
	return err
}
