package audit

import (
	"embed"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module shows the audit log to administrators.
type Module struct {
	log   *Log
	pages *render.Engine
}

// NewModule registers the audit pages.
func NewModule(l *Log, pages *render.Engine) (*Module, error) {
	if err := pages.AddPages("audit", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Module{log: l, pages: pages}, nil
}

// Routes registers GET /admin/audit for administrators.
func (m *Module) Routes(r *auth.Routes) {
	r.GET("/admin/audit", auth.Roles(auth.RoleAdmin), m.list)
}

type listPage struct {
	Subject string
	Events  []Event
}

// list shows the newest 200 events, or those about one subject given as
// ?subject=TYPE:ID.
func (m *Module) list(c echo.Context) error {
	subject := c.QueryParam("subject")
	kind, id, _ := strings.Cut(subject, ":")
	if id == "" {
		kind, subject = "", ""
	}
	events, err := m.log.Recent(c.Request().Context(), kind, id, 200)
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "audit/list", "Audit log", listPage{Subject: subject, Events: events})
}
