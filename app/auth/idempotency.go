package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/db"
)

// IdempotencyKeyLifetime is how long an Idempotency-Key is remembered:
// within it a replay gets the first response; after it the key is
// forgotten (and removed by RemoveExpiredIdempotencyKeys).
const IdempotencyKeyLifetime = 24 * time.Hour

// Idempotent is route middleware for API writes that create records: a
// request carrying an Idempotency-Key header that the same user already
// sent, with the same body, gets the first response again and writes
// nothing new; the same key with a different body is refused (422), and
// while the first request is still being handled a replay gets 409. The
// key is claimed in PostgreSQL before the handler runs, so concurrent
// replays across replicas cannot both write.
func (a *Auth) Idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		u := UserOf(c)
		if key == "" || u == nil || u.ID == "" {
			return next(c)
		}
		if len(key) > 200 {
			return apperr.InvalidFields(apperr.FieldError{Field: "Idempotency-Key", Message: "Use an Idempotency-Key of at most 200 characters"})
		}
		ctx := c.Request().Context()
		route := c.Request().Method + " " + c.Request().URL.Path
		// A key past its lifetime is forgotten even before the job removes it.
		if err := db.Conn(ctx, a.db).Exec("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at < ?",
			u.ID, key, a.opts.Now().Add(-IdempotencyKeyLifetime)).Error; err != nil {
			return err
		}
		claim := db.Conn(ctx, a.db).Exec(`INSERT INTO idempotency_keys (user_id, key, route, status, body, created_at)
			VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING`, u.ID, key, route, a.opts.Now())
		if claim.Error != nil {
			return claim.Error
		}
		if claim.RowsAffected == 0 {
			return a.replay(c, u.ID, key, route)
		}
		// The body is hashed as the handler reads it, and the rest after,
		// so a large upload is never held in memory for this.
		body := newHashingBody(c.Request())
		c.Request().Body = body
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = apperr.As(err).Kind.Status()
			var he *echo.HTTPError
			if errors.As(err, &he) {
				status = he.Code
			}
		}
		if err != nil || status >= 500 {
			// Let the client try again with the same key.
			db.Conn(ctx, a.db).Exec("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?", u.ID, key)
			return err
		}
		if uerr := db.Conn(ctx, a.db).Exec("UPDATE idempotency_keys SET status = ?, body = ?, request_hash = ? WHERE user_id = ? AND key = ?",
			status, rec.body.Bytes(), body.sum(), u.ID, key).Error; uerr != nil {
			return uerr
		}
		return nil
	}
}

func (a *Auth) replay(c echo.Context, userID, key, route string) error {
	var saved struct {
		Route       string
		Status      int
		Body        []byte
		RequestHash []byte
	}
	if err := db.Conn(c.Request().Context(), a.db).Raw("SELECT route, status, body, request_hash FROM idempotency_keys WHERE user_id = ? AND key = ?",
		userID, key).Scan(&saved).Error; err != nil {
		return err
	}
	reused := &apperr.Error{Kind: apperr.Invalid, Code: "idempotency-key-reused",
		Message: "This Idempotency-Key was already used for a different request. Use a new key."}
	switch {
	case saved.Route != route:
		return reused
	case saved.Status == 0:
		return &apperr.Error{Kind: apperr.Conflict, Code: "idempotency-in-flight",
			Message: "A request with this Idempotency-Key is still being handled. Try again in a moment."}
	}
	if saved.RequestHash != nil {
		body := newHashingBody(c.Request())
		if !bytes.Equal(body.sum(), saved.RequestHash) {
			return reused
		}
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	return c.Blob(saved.Status, echo.MIMEApplicationJSON, saved.Body)
}

// RemoveExpiredIdempotencyKeys deletes keys past IdempotencyKeyLifetime;
// a periodic job runs it.
func (a *Auth) RemoveExpiredIdempotencyKeys(ctx context.Context) error {
	return db.Conn(ctx, a.db).Exec("DELETE FROM idempotency_keys WHERE created_at < ?",
		a.opts.Now().Add(-IdempotencyKeyLifetime)).Error
}

// hashingBody hashes a request body as it is read. A multipart body is
// hashed without its boundary, which a client picks afresh for every
// request, so the same upload sent twice hashes the same.
type hashingBody struct {
	io.ReadCloser
	h        hash.Hash
	boundary []byte
	pending  []byte // the tail that may be the start of a boundary
}

func newHashingBody(r *http.Request) *hashingBody {
	b := &hashingBody{ReadCloser: r.Body, h: sha256.New()}
	if mediaType, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); err == nil &&
		strings.HasPrefix(mediaType, "multipart/") && params["boundary"] != "" {
		b.boundary = []byte(params["boundary"])
	}
	return b
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.write(p[:n])
	return n, err
}

func (b *hashingBody) write(p []byte) {
	if b.boundary == nil {
		b.h.Write(p)
		return
	}
	data := append(b.pending, p...)
	for {
		i := bytes.Index(data, b.boundary)
		if i < 0 {
			break
		}
		b.h.Write(data[:i])
		b.h.Write([]byte("--boundary--"))
		data = data[i+len(b.boundary):]
	}
	keep := min(len(data), len(b.boundary)-1)
	b.h.Write(data[:len(data)-keep])
	b.pending = append([]byte(nil), data[len(data)-keep:]...)
}

// sum reads what is left of the body and returns the hash of all of it.
func (b *hashingBody) sum() []byte {
	buf := make([]byte, 32<<10)
	for {
		n, err := b.ReadCloser.Read(buf)
		b.write(buf[:n])
		if err != nil {
			break
		}
	}
	b.h.Write(b.pending)
	return b.h.Sum(nil)
}

// recorder keeps a copy of what the handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
