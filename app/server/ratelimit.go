package server

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Messages shown to a client over a rate limit.
const (
	signInTooOften = "You have tried to sign in too many times. Wait a minute and try again."
	codeTooOften   = "Too many tries. Wait a minute and try again."
)

// rateLimit slows guessing on the pages under prefixes (each prefix and
// everything below it), per client address: password-style abuse of
// sign-in, and guessing invite and certificate codes. It counts per
// replica, which is enough to blunt a flood. Each call has its own
// counters, so tries on one kind of page do not use up another's.
func rateLimit(prefixes []string, perSecond float64, burst int, message string) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return !underAny(c.Request().URL.Path, prefixes) },
		Store:   store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "10")
			return echo.NewHTTPError(http.StatusTooManyRequests, message)
		},
	})
}

// underAny reports whether path is one of prefixes or below one.
func underAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// clientIP decides which address a request comes from, for rate limits
// and logs. With no trusted proxies it is the connection's address and
// X-Forwarded-For is ignored, so nobody can pick their own address. With
// trusted proxies it is the nearest address in X-Forwarded-For that is not
// one of them; loopback, link-local and private addresses are not trusted
// unless listed.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
