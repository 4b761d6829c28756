package auth

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/db"
)

// Idempotent is route middleware for API writes that create records: a
// request carrying an Idempotency-Key header that the same user already
// sent gets the first response again and writes nothing new. The key is
// claimed in PostgreSQL before the handler runs, so concurrent replays
// across replicas cannot both write.
func (a *Auth) Idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		u := UserOf(c)
		if key == "" || u == nil {
			return next(c)
		}
		if len(key) > 200 {
			return apperr.InvalidFields(apperr.FieldError{Field: "Idempotency-Key", Message: "Use an Idempotency-Key of at most 200 characters"})
		}
		ctx := c.Request().Context()
		route := c.Request().Method + " " + c.Request().URL.Path
		claim := db.Conn(ctx, a.db).Exec(`INSERT INTO idempotency_keys (user_id, key, route, status, body)
			VALUES (?, ?, ?, 0, '') ON CONFLICT DO NOTHING`, u.ID, key, route)
		if claim.Error != nil {
			return claim.Error
		}
		if claim.RowsAffected == 0 {
			return a.replay(c, u.ID, key, route)
		}
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
		if uerr := db.Conn(ctx, a.db).Exec("UPDATE idempotency_keys SET status = ?, body = ? WHERE user_id = ? AND key = ?",
			status, rec.body.Bytes(), u.ID, key).Error; uerr != nil {
			return uerr
		}
		return nil
	}
}

func (a *Auth) replay(c echo.Context, userID, key, route string) error {
	var saved struct {
		Route  string
		Status int
		Body   []byte
	}
	if err := db.Conn(c.Request().Context(), a.db).Raw("SELECT route, status, body FROM idempotency_keys WHERE user_id = ? AND key = ?",
		userID, key).Scan(&saved).Error; err != nil {
		return err
	}
	switch {
	case saved.Route != route:
		return apperr.New(apperr.Invalid, "This Idempotency-Key was already used for a different request. Use a new key.")
	case saved.Status == 0:
		return apperr.New(apperr.Conflict, "A request with this Idempotency-Key is still being handled. Try again in a moment.")
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	return c.Blob(saved.Status, echo.MIMEApplicationJSON, saved.Body)
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
