package notify

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the notification pages and API: everyone signed in sees and
// manages only their own.
type Module struct {
	svc   *Service
	pages *render.Engine
}

// New registers the module's templates.
func New(svc *Service, pages *render.Engine) (*Module, error) {
	if err := pages.AddPages("notify", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Module{svc: svc, pages: pages}, nil
}

// Routes registers the pages and the API. Every route acts on the caller's
// own notifications only.
func (m *Module) Routes(r *auth.Routes) {
	r.GET("/notifications", auth.SignedIn, m.list)
	r.POST("/notifications/read-all", auth.SignedIn, m.readAll)
	r.POST("/notifications/:id/read", auth.SignedIn, m.read)
	r.GET("/notifications/settings", auth.SignedIn, m.settings)
	r.POST("/notifications/settings", auth.SignedIn, m.saveSettings)
	r.GET("/api/v1/notifications", auth.SignedIn, m.apiList)
}

func (m *Module) list(c echo.Context) error {
	in, err := m.svc.List(c.Request().Context(), auth.UserOf(c).ID, page.First(listLimit))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "notify/notifications", "Notifications", in)
}

func (m *Module) read(c echo.Context) error {
	if err := m.svc.MarkRead(c.Request().Context(), auth.UserOf(c).ID, c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}

func (m *Module) readAll(c echo.Context) error {
	if err := m.svc.MarkAllRead(c.Request().Context(), auth.UserOf(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications")
}

// settingsView is the settings page: the saved choice, or what was sent
// with its error.
type settingsView struct {
	Email  string // "yes" or "no"
	Saved  bool
	Errors []apperr.FieldError
}

func (m *Module) settings(c echo.Context) error {
	p, err := m.svc.Preferences(c.Request().Context(), auth.UserOf(c).ID)
	if err != nil {
		return err
	}
	v := settingsView{Email: "no", Saved: c.QueryParam("saved") == "1"}
	if p.Email {
		v.Email = "yes"
	}
	return m.pages.HTML(c, http.StatusOK, "notify/settings", "Notification settings", v)
}

func (m *Module) saveSettings(c echo.Context) error {
	var f struct {
		Email string `form:"email"`
	}
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read")
	}
	if f.Email != "yes" && f.Email != "no" {
		v := settingsView{Errors: []apperr.FieldError{{Field: "email", Message: "Select yes if you want an email when you have a new notification"}}}
		return m.pages.HTML(c, http.StatusUnprocessableEntity, "notify/settings", "Error: Notification settings", v)
	}
	if err := m.svc.SetEmail(c.Request().Context(), auth.UserOf(c).ID, f.Email == "yes"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notifications/settings?saved=1")
}

func (m *Module) apiList(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	in, err := m.svc.List(c.Request().Context(), auth.UserOf(c).ID, p)
	if err != nil {
		return err
	}
	if in.NextCursor != nil {
		page.SetNext(c.Response().Header(), c.Request().URL, *in.NextCursor)
	}
	if in.Items == nil {
		in.Items = []Item{}
	}
	return c.JSON(http.StatusOK, in)
}
