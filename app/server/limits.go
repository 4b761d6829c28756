package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Messages shown to a client that is too slow or asks too much at once.
const (
	bodyTooSlow   = "What you sent took too long to arrive. Check your connection and try again."
	tooManyAtOnce = "Too many requests at once from your network. Wait a moment and try again."
)

// budget gives each request a deadline for all its work: database
// queries and calls to other services see it through the request's
// context and fail, as a 503, once it passes. Uploads get uploadBudget
// (their body takes time to arrive); long-lived streams (paths in
// streams, see largePath) get none.
func budget(ordinary, uploadBudget time.Duration, uploads, streams []string) echo.MiddlewareFunc {
	upload := isLarge(uploads, true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			d := ordinary
			if upload(c) {
				d = uploadBudget
			}
			for _, p := range streams {
				if largePath(p, c.Request().URL.Path) {
					d = 0
				}
			}
			if d <= 0 {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// bodyDeadline bounds how long a request's body may take to arrive, by
// what the route needs: uploads get upload, everything else ordinary. A
// client trickling a body holds its connection no longer than that, and
// is told 408. The deadline is lifted once the whole body has arrived,
// so a handler that then takes its time is not cut off.
func bodyDeadline(ordinary, upload time.Duration, uploads []string) echo.MiddlewareFunc {
	isUpload := isLarge(uploads, true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody || (r.ContentLength == 0 && len(r.TransferEncoding) == 0) {
				return next(c)
			}
			limit := ordinary
			if isUpload(c) {
				limit = upload
			}
			if limit <= 0 {
				return next(c)
			}
			rc := http.NewResponseController(c.Response().Writer)
			if rc.SetReadDeadline(time.Now().Add(limit)) != nil {
				return next(c) // not a connection (a test recorder)
			}
			r.Body = &deadlineBody{ReadCloser: r.Body, lift: func() { _ = rc.SetReadDeadline(time.Time{}) }}
			return next(c)
		}
	}
}

// errBodyTooSlow is the read error of a body cut off by its deadline;
// handlers pass it on (wrapped or not) and it becomes a 408.
var errBodyTooSlow = echo.NewHTTPError(http.StatusRequestTimeout, bodyTooSlow)

// deadlineBody lifts the read deadline at the end of the body and
// reports a body cut short by it as errBodyTooSlow.
type deadlineBody struct {
	io.ReadCloser
	lift func()
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF):
		b.lift()
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = errBodyTooSlow
	}
	return n, err
}

// perClient caps the requests one client address has in flight at once
// (the address as clientIP decides it, so behind trusted proxies it is
// the person's, not the proxy's). Probes are not counted: a load balancer
// checking readiness must never be turned away. max 0 means no cap.
func perClient(max int, refused prometheus.Counter) echo.MiddlewareFunc {
	var mu sync.Mutex
	inFlight := map[string]int{}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if max <= 0 {
			return next
		}
		return func(c echo.Context) error {
			if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" {
				return next(c)
			}
			ip := c.RealIP()
			mu.Lock()
			if inFlight[ip] >= max {
				mu.Unlock()
				refused.Inc()
				c.Response().Header().Set("Retry-After", "5")
				return echo.NewHTTPError(http.StatusTooManyRequests, tooManyAtOnce)
			}
			inFlight[ip]++
			mu.Unlock()
			defer func() {
				mu.Lock()
				if inFlight[ip]--; inFlight[ip] <= 0 {
					delete(inFlight, ip)
				}
				mu.Unlock()
			}()
			return next(c)
		}
	}
}

// LimitConns caps the connections one address may hold open on ln at
// once; a connection over the cap is closed as soon as it is accepted.
// Addresses in trusted (the proxies and load balancers in front) are not
// capped here, since each of their connections carries many people; the
// per-client request cap counts those people by X-Forwarded-For instead.
// max 0 returns ln unchanged.
func LimitConns(ln net.Listener, max int, trusted []*net.IPNet) net.Listener {
	if max <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, max: max, trusted: trusted, open: map[string]int{}}
}

type limitListener struct {
	net.Listener
	max     int
	trusted []*net.IPNet
	mu      sync.Mutex
	open    map[string]int
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(conn.RemoteAddr().String())
		ip := net.ParseIP(host)
		if err != nil || ip == nil || l.isTrusted(ip) {
			return conn, nil
		}
		l.mu.Lock()
		if l.open[host] >= l.max {
			l.mu.Unlock()
			_ = conn.Close()
			continue
		}
		l.open[host]++
		l.mu.Unlock()
		return &countedConn{Conn: conn, release: func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.open[host]--; l.open[host] <= 0 {
				delete(l.open, host)
			}
		}}, nil
	}
}

func (l *limitListener) isTrusted(ip net.IP) bool {
	for _, n := range l.trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// countedConn gives its place back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
