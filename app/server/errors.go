package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"onramp/app/apperr"
	"onramp/app/db"
	"onramp/app/render"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
}

// errorPage is what the error template shows.
type errorPage struct {
	Status    int
	Message   string
	Fields    []apperr.FieldError
	RequestID string
}

// databaseDown is what someone reads when PostgreSQL cannot be reached
// or does not answer in time.
const databaseDown = "Onramp cannot reach its records just now. If you were saving something, it may not have been saved. Wait a minute, then try again."

// databaseRetryAfter is the Retry-After, in seconds, of a 503 caused by
// the database: outages worth retrying are usually short (a restart or
// a failover).
const databaseRetryAfter = "10"

// ctxRenderingError marks a request whose error page is being rendered,
// so page hooks skip their extras (see RenderingError).
const ctxRenderingError = "server.rendering_error"

// RenderingError reports whether the page being rendered is the error
// page: hooks that add to every page (the unread count) skip it, since
// the database may be the reason for the error.
func RenderingError(c echo.Context) bool {
	v, _ := c.Get(ctxRenderingError).(bool)
	return v
}

// errorHandler is the one place errors become responses: JSON problem
// details under /api, an NHS-style page everywhere else. Causes of 5xx
// errors are logged with the request id and never shown. A database that
// cannot be reached, whatever the code that met it, is a 503 with
// Retry-After, counted in dbDown.
func errorHandler(pages *render.Engine, dbDown prometheus.Counter) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, message, fields := classify(err)
		rid := requestID(c)
		if status == http.StatusServiceUnavailable && databaseUnavailable(err) {
			dbDown.Inc()
			if c.Response().Header().Get("Retry-After") == "" {
				c.Response().Header().Set("Retry-After", databaseRetryAfter)
			}
		}
		if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
			c.Response().Header().Set("Retry-After", "30")
		}
		c.Set(ctxRenderingError, true)
		if status >= 500 {
			slog.ErrorContext(c.Request().Context(), "request failed", "request_id", rid, "status", status, "err", err)
		}
		var werr error
		switch {
		case c.Request().Method == http.MethodHead:
			werr = c.NoContent(status)
		case strings.HasPrefix(c.Request().URL.Path, "/api/") || !acceptsHTML(c):
			c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
			werr = c.JSON(status, problem{
				Type: ProblemTypePrefix + problemCode(err), Title: http.StatusText(status), Status: status, Detail: message,
				Instance: c.Request().URL.Path, RequestID: rid, Errors: fields,
			})
		default:
			werr = pages.HTML(c, status, "app/error", render.StatusText(status),
				errorPage{Status: status, Message: message, Fields: fields, RequestID: rid})
		}
		if werr != nil {
			slog.ErrorContext(c.Request().Context(), "writing error response", "request_id", rid, "err", werr)
		}
	}
}

// ProblemTypePrefix starts the type of every problem details body; the
// rest names the problem (not-found, csrf-token, idempotency-in-flight),
// so clients can tell apart errors that share a status.
const ProblemTypePrefix = "urn:onramp:problem:"

// problemCode names the problem err is, for its problem type.
func problemCode(err error) string {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return "not-found"
		case http.StatusMethodNotAllowed:
			return "method-not-allowed"
		case http.StatusRequestEntityTooLarge:
			return "too-large"
		}
		return "http-" + strconv.Itoa(he.Code)
	}
	return apperr.As(err).ProblemCode()
}

func classify(err error) (int, string, []apperr.FieldError) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg, _ := he.Message.(string)
		switch he.Code {
		case http.StatusNotFound:
			msg = "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."
		case http.StatusMethodNotAllowed:
			msg = "That action is not possible on this page."
		case http.StatusRequestEntityTooLarge:
			msg = "What you sent is too large. Try a smaller file or shorter text."
		}
		if he.Code >= 500 || msg == "" {
			msg = render.StatusText(he.Code)
		}
		return he.Code, msg, nil
	}
	e := apperr.As(err)
	if e.Kind == apperr.Internal && db.IsUnavailable(err) {
		return http.StatusServiceUnavailable, databaseDown, nil
	}
	return e.Kind.Status(), e.Message, e.Fields
}

// databaseUnavailable reports whether err is a 503 because of the
// database: one classify turned from an internal error, or one a service
// or middleware reported as unavailable with a database cause.
func databaseUnavailable(err error) bool {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return false
	}
	k := apperr.As(err).Kind
	return (k == apperr.Internal || k == apperr.Unavailable) && db.IsUnavailable(err)
}

// acceptsHTML is true for browsers; API clients asking for JSON get
// problem details even outside /api.
func acceptsHTML(c echo.Context) bool {
	a := c.Request().Header.Get("Accept")
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}
