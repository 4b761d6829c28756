package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/render"
)

// infoPage is what the footer's pages say about this Onramp as it is
// configured: who to write to, and how long things are kept.
type infoPage struct {
	ContactEmail     string
	MessageRetention string // "7 years"
	IdleTimeout      string // "30 minutes"
	AbsoluteTimeout  string // "12 hours"
	BaseURL          string
}

// infoRoutes registers the pages every footer links to. They are public:
// someone deciding whether to sign in needs to read them first.
func infoRoutes(r *auth.Routes, pages *render.Engine, cfg config.Config) {
	retention := cfg.MessageRetention
	if retention <= 0 {
		retention = DefaultMessageRetention
	}
	data := infoPage{ContactEmail: cfg.ContactEmail, MessageRetention: span(retention),
		IdleTimeout: span(cfg.SessionIdleTimeout), AbsoluteTimeout: span(cfg.SessionAbsoluteTimeout), BaseURL: cfg.BaseURL}
	for path, title := range map[string]string{
		"/accessibility": "Accessibility statement",
		"/privacy":       "Privacy notice",
		"/cookies":       "Cookies",
		"/contact":       "Contact us",
	} {
		name := "app/" + path[1:]
		r.GET(path, auth.Public, func(c echo.Context) error {
			return pages.HTML(c, http.StatusOK, name, title, data)
		})
	}
}

// span says a duration the way a person would: "7 years", "30 days",
// "12 hours", "30 minutes".
func span(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	const day, year = 24 * time.Hour, 8760 * time.Hour
	switch {
	case d >= year && d%year == 0:
		return unit(int64(d/year), "year")
	case d >= day && d%day == 0:
		return unit(int64(d/day), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	default:
		return unit(int64(d.Round(time.Minute)/time.Minute), "minute")
	}
}
