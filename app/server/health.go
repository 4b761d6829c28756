package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"onramp/app/auth"
)

// NewRegistry returns a Prometheus registry with Go runtime and process
// metrics already registered.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// HealthRoutes registers /healthz (the process is up) and /readyz (it is
// not shutting down, it can reach PostgreSQL, checked on every call so it
// recovers by itself, and people can sign in: signInReady reports the
// identity provider found). Metrics are not among them: MetricsHandler
// serves them on an address of their own.
func HealthRoutes(r *auth.Routes, ready *Readiness, ping func(context.Context) error, signInReady func() bool) {
	r.GET("/healthz", auth.Public, func(c echo.Context) error {
		return c.String(http.StatusOK, "ok\n")
	})
	r.GET("/readyz", auth.Public, func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		c.Response().Header().Set("Cache-Control", "no-store")
		if ready.Draining() {
			return c.String(http.StatusServiceUnavailable, "shutting down\n")
		}
		if err := ping(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "database unavailable\n")
		}
		if !signInReady() {
			return c.String(http.StatusServiceUnavailable, "identity provider not found yet\n")
		}
		return c.String(http.StatusOK, "ready\n")
	})
}

// MetricsHandler serves reg at /metrics in the Prometheus text format,
// and nothing else. It has no authentication: serve it only on an address
// the public cannot reach (ONRAMP_METRICS_ADDR).
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func metricsMiddleware(reg *prometheus.Registry) echo.MiddlewareFunc {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "onramp_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"method", "route", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "onramp_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	reg.MustRegister(requests, latency)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			route := c.Path() // the pattern, so ids do not explode the label set
			if route == "" {
				route = "unmatched"
			}
			status := c.Response().Status
			if err != nil {
				status = statusOf(err)
			}
			requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
			latency.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

func statusOf(err error) int {
	s, _, _ := classify(err)
	return s
}
