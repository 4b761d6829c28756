// Package server builds the echo instance every request goes through: the
// middleware chain, security headers, the one error handler, health checks
// and metrics, and running with a graceful shutdown.
package server

import (
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"onramp/app/render"
)

// Options shape the server.
type Options struct {
	// HTTPS turns on HSTS; the base URL decides it.
	HTTPS bool
	// FormTargets are extra origins forms may post to or redirect through
	// (the identity provider, for sign-out).
	FormTargets []string
	// MediaOrigins may serve images, audio and video (the object store,
	// whose signed URLs the browser is redirected to).
	MediaOrigins []string
	BodyLimit    string
	// LargeBodyPaths (POSTs) get LargeBodyLimit instead of BodyLimit;
	// their handlers apply tighter limits of their own.
	LargeBodyPaths []string
	LargeBodyLimit string
	// AuthRate and AuthBurst limit requests per client address to /auth
	// and, counted apart, to the public code pages /join and /verify.
	AuthRate  float64
	AuthBurst int
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// with none, the client address is the connection's.
	TrustedProxies []*net.IPNet
	Pages          *render.Engine
	Metrics        *prometheus.Registry
	// RequestTimeout is each request's budget for all its work (see
	// budget); uploads get UploadTimeout on top, and StreamPaths (live
	// event streams, patterns as for LargeBodyPaths) none. Zero: none.
	RequestTimeout time.Duration
	StreamPaths    []string
	// BodyTimeout bounds how long a body may take to arrive, and
	// UploadTimeout a body on LargeBodyPaths. Zero: no bound.
	BodyTimeout, UploadTimeout time.Duration
	// MaxPerClient caps the requests one client address has in flight.
	// Zero: no cap.
	MaxPerClient int
}

// New returns echo with everything up to, but not including, sessions:
// removal of upload temporary files, the deadline for a body to arrive,
// request id, request log, recover, metrics, the cap on requests in
// flight per client, the request's time budget, security headers,
// compression, body limit, the refusal of unreadable addresses and the
// rate limits on sign-in and code pages.
func New(o Options) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	dbDown := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "onramp_db_unavailable_total", Help: "Requests answered 503 because PostgreSQL could not be reached or did not answer in time.",
	})
	refused := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "onramp_client_limit_refused_total", Help: "Requests refused because their client had too many in flight.",
	})
	o.Metrics.MustRegister(dbDown, refused)
	e.HTTPErrorHandler = errorHandler(o.Pages, dbDown)
	e.IPExtractor = clientIP(o.TrustedProxies)
	upload := o.UploadTimeout + o.RequestTimeout
	if o.RequestTimeout <= 0 || o.UploadTimeout <= 0 {
		upload = 0
	}
	e.Use(
		removeUploads,
		bodyDeadline(o.BodyTimeout, o.UploadTimeout, o.LargeBodyPaths),
		middleware.RequestID(),
		requestLog,
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: logPanic}),
		metricsMiddleware(o.Metrics),
		perClient(o.MaxPerClient, refused),
		budget(o.RequestTimeout, upload, o.LargeBodyPaths, o.StreamPaths),
		securityHeaders(o.HTTPS, o.FormTargets, o.MediaOrigins),
		compress(),
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: o.BodyLimit, Skipper: isLarge(o.LargeBodyPaths, true)}),
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: o.LargeBodyLimit, Skipper: isLarge(o.LargeBodyPaths, false)}),
		readableAddress,
		rateLimit([]string{"/auth"}, o.AuthRate, o.AuthBurst, signInTooOften),
		rateLimit([]string{"/join", "/verify"}, o.AuthRate, o.AuthBurst, codeTooOften),
	)
	return e
}

var requestLog = middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
	LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
	HandleError: true,
	LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
		level := slog.LevelInfo
		if v.Status >= 500 {
			level = slog.LevelError
		}
		slog.LogAttrs(c.Request().Context(), level, "request",
			slog.String("request_id", v.RequestID), slog.String("method", v.Method),
			slog.String("path", v.URIPath), slog.Int("status", v.Status),
			slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
		return nil
	},
})

func logPanic(c echo.Context, err error, stack []byte) error {
	slog.ErrorContext(c.Request().Context(), "panic", "request_id", requestID(c), "err", err, "stack", string(stack))
	return err
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// securityHeaders sets a strict Content Security Policy (no inline script
// or style anywhere) and the other headers every response carries.
func securityHeaders(https bool, formTargets, mediaOrigins []string) echo.MiddlewareFunc {
	formAction := strings.TrimSpace("'self' " + strings.Join(formTargets, " "))
	media := strings.TrimSpace("'self' " + strings.Join(mediaOrigins, " "))
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + media + " data:; font-src 'self'; " +
		"connect-src 'self'; media-src " + media + "; object-src 'none'; base-uri 'none'; " +
		"form-action " + formAction + "; frame-ancestors 'none'"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// largePath says whether path is under pattern: a prefix, or, when the
// pattern has a "*" (one part of a path, no slashes), exactly that path.
func largePath(pattern, p string) bool {
	if !strings.Contains(pattern, "*") {
		return strings.HasPrefix(p, pattern)
	}
	ok, err := path.Match(pattern, p)
	return ok && err == nil
}

// isLarge returns a skipper that matches POSTs to the large-body paths
// (see largePath), or (when want is false) everything else.
func isLarge(paths []string, want bool) middleware.Skipper {
	return func(c echo.Context) bool {
		if c.Request().Method == http.MethodPost {
			for _, p := range paths {
				if largePath(p, c.Request().URL.Path) {
					return want
				}
			}
		}
		return !want
	}
}

// compress gzips pages and JSON with klauspost/compress at its fastest
// level: a lesson page costs a fraction of the CPU of the standard
// library's gzip and is barely larger. Static files come compressed
// already.
func compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed),
		gzhttp.ContentTypes([]string{"text/html", "application/json", "application/problem+json", "text/plain"}))
	if err != nil {
		panic(err) // the options above are constant and valid
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, render.StaticPrefix) {
				return next(c)
			}
			// Errors are turned into responses inside the wrapper, while the
			// compressed stream is still open.
			res := c.Response()
			orig := res.Writer
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				if err := next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(orig, c.Request())
			res.Writer = orig
			return nil
		}
	}
}
