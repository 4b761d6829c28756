package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/render"
)

const (
	sessionCookie = "onramp_session"
	keySession    = "auth_session" // id of the identity module's sign-in record
	keyCSRF       = "csrf"
	keySeen       = "seen" // unix seconds of the last request, for the idle timeout
	keyStarted    = "started"
	ctxUser       = "auth.user"
	// seenEvery is how stale "seen" may get before it is written again:
	// the idle timeout is exact to within this, and a busy session costs
	// one write a minute instead of one per request.
	seenEvery = 60
)

// SessionOptions are the cookie rules for browser sessions.
type SessionOptions struct {
	AbsoluteTimeout time.Duration
	Secure          bool
}

// NewSessions returns a session manager storing sessions in PostgreSQL, so
// any replica can serve any request. The cookie lives only as long as the
// browser, which matters on shared computers. The idle timeout is enforced
// by LoadUser, not scs, whose idle timeout rewrites the session on every
// request.
func NewSessions(pool *pgxpool.Pool, o SessionOptions) *scs.SessionManager {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(pool, 10*time.Minute)
	sm.Codec = sessionCodec{}
	sm.Lifetime = o.AbsoluteTimeout
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = o.Secure
	sm.Cookie.Persist = false
	sm.Cookie.Path = "/"
	return sm
}

// LoadSessions is the session middleware: scs's LoadAndSave, but with
// failures returned to Onramp's error handler instead of scs's plain-text
// 500, so a database that cannot be reached is a 503 with Retry-After on
// an NHS page or as problem details like every other error. The session
// is saved just before the response's headers are written; if saving
// fails the response still goes out (the change, such as a sign-in, is
// lost and is logged) since the handler has already done its work.
func LoadSessions(sm *scs.SessionManager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Add("Vary", "Cookie")
			var token string
			if cookie, err := c.Request().Cookie(sm.Cookie.Name); err == nil {
				token = cookie.Value
			}
			ctx, err := sm.Load(c.Request().Context(), token)
			if err != nil {
				return fmt.Errorf("auth: loading the session: %w", err)
			}
			c.SetRequest(c.Request().WithContext(ctx))
			saved := false
			save := func() {
				if saved {
					return
				}
				saved = true
				saveSession(sm, ctx, c.Response())
			}
			c.Response().Before(save)
			err = next(c)
			if err == nil && !c.Response().Committed {
				save()
			}
			return err
		}
	}
}

// saveSession writes a changed or destroyed session to the store and its
// cookie to w, as scs's LoadAndSave does.
func saveSession(sm *scs.SessionManager, ctx context.Context, w http.ResponseWriter) {
	switch sm.Status(ctx) {
	case scs.Modified:
		token, expiry, err := sm.Commit(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "auth: saving the session failed; the change is lost", "err", err)
			return
		}
		sm.WriteSessionCookie(ctx, w, token, expiry)
	case scs.Destroyed:
		sm.WriteSessionCookie(ctx, w, "", time.Time{})
	}
}

// LoadUser is middleware that finds the signed-in user for the request, if
// any, and records them for handlers (UserOf) and templates (render.Viewer).
// A session whose sign-in has ended, or that sat idle past the idle
// timeout or outlived the absolute one, is cleared.
func (a *Auth) LoadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if raw, ok := bearerToken(c.Request()); ok {
			return a.loadBearer(c, raw, next)
		}
		ctx := c.Request().Context()
		sid := a.sessions.GetString(ctx, keySession)
		if sid == "" {
			return next(c)
		}
		now := a.opts.Now().Unix()
		seen := a.sessions.GetInt64(ctx, keySeen)
		started := a.sessions.GetInt64(ctx, keyStarted)
		if now-seen > int64(a.opts.IdleTimeout.Seconds()) || now-started > int64(a.opts.AbsoluteTimeout.Seconds()) {
			if _, err := a.dir.EndSession(ctx, sid); err != nil {
				return err
			}
			if err := a.sessions.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		}
		if now-seen >= seenEvery {
			a.sessions.Put(ctx, keySeen, now)
		}
		u, err := a.dir.SessionUser(ctx, sid)
		if errors.Is(err, ErrSessionEnded) {
			if err := a.sessions.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		}
		if err != nil {
			return apperr.Wrap(apperr.Unavailable, "We could not check who you are. Try again in a minute.", err)
		}
		c.Set(ctxUser, u)
		render.SetViewer(c, render.Viewer{SignedIn: true, Name: u.Name, Roles: u.Roles, CSRFToken: a.CSRFToken(c)})
		return next(c)
	}
}

// UserOf returns the signed-in user, or nil for an anonymous request.
func UserOf(c echo.Context) *User {
	u, _ := c.Get(ctxUser).(*User)
	return u
}

// CSRFToken returns the session's anti-forgery token, or "" without one.
func (a *Auth) CSRFToken(c echo.Context) string {
	return a.sessions.GetString(c.Request().Context(), keyCSRF)
}

// csrf refuses cookie-authenticated writes that do not carry the session's
// token in the X-CSRF-Token header or the _csrf field of a form body. The
// query string is never read: a token in an address leaks into logs,
// history and Referer headers. Routes runs it after the route's rule, so
// a caller the rule refuses never has their body read.
func (a *Auth) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if ViaBearer(c) {
			// A browser never adds an Authorization header on its own, so
			// another site cannot forge a bearer-authenticated request.
			return next(c)
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			if err := ReadForm(r, true); err != nil {
				return err
			}
			if f := r.MultipartForm; f != nil {
				// The server removes these too; removing them here as well
				// keeps that true whatever later replaces the request.
				defer f.RemoveAll()
			}
			got = r.PostForm.Get("_csrf")
		}
		want := a.CSRFToken(c)
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			slog.WarnContext(r.Context(), "csrf token missing or wrong", "path", r.URL.Path)
			if isAPI(c) {
				return &apperr.Error{Kind: apperr.Forbidden, Code: "csrf-token", Message: "Send the csrf_token from GET /api/v1/me as the " +
					"X-CSRF-Token header, or call the API with a bearer token instead of the session cookie."}
			}
			return &apperr.Error{Kind: apperr.Forbidden, Code: "csrf-token", Message: "This form has expired. Go back, refresh the page and try again."}
		}
		return next(c)
	}
}

// formMemory is how much of a multipart body is held in memory; larger
// file parts go to temporary files, removed when the request ends.
const formMemory = 8 << 20

// ReadForm parses r's form body once, so the edge can read fields before
// the handler does: a URL-encoded body always, a multipart one only when
// files is true. Other bodies are left unread. It returns a TooLarge error
// for a body over its limit and a BadRequest one for a body that is not a
// readable form.
func ReadForm(r *http.Request, files bool) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var err error
	switch {
	case mediaType == echo.MIMEApplicationForm:
		err = r.ParseForm()
	case mediaType == echo.MIMEMultipartForm && files:
		err = r.ParseMultipartForm(formMemory)
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	var limit *echo.HTTPError
	if errors.As(err, &tooBig) || errors.As(err, &limit) && limit.Code == http.StatusRequestEntityTooLarge {
		return apperr.Wrap(apperr.TooLarge, "What you sent is too large. Try a smaller file or shorter text.", err)
	}
	return apperr.Wrap(apperr.BadRequest, "We could not read the form you sent. Go back and try again.", err)
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
