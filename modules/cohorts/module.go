package cohorts

import (
	"embed"
	"html/template"
	"strings"

	"onramp/app/auth"
	"onramp/app/percent"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Handlers is the cohorts feature's web side: the managers' home, cohort
// dashboards, exports and the cohorts API.
type Handlers struct {
	svc     *Service
	pages   *render.Engine
	baseURL string
}

// NewHandlers registers the cohort templates. baseURL is Onramp's public
// address (ONRAMP_BASE_URL), for the links managers give learners: never
// taken from a request, whose Host header the sender chooses.
func NewHandlers(svc *Service, pages *render.Engine, baseURL string) (*Handlers, error) {
	funcs := template.FuncMap{"pct": percent.Label}
	if err := pages.AddPages("cohorts", templates, "templates/*.html", funcs); err != nil {
		return nil, err
	}
	return &Handlers{svc: svc, pages: pages, baseURL: strings.TrimRight(baseURL, "/")}, nil
}

// staff are the people who manage cohorts.
var staff = auth.Roles(auth.RoleManager, auth.RoleAdmin)

// Routes registers the managers' pages and the cohorts API.
func (h *Handlers) Routes(r *auth.Routes) {
	r.GET("/manage", staff, h.list)
	r.GET("/manage/cohorts/new", staff, h.newCohort)
	r.POST("/manage/cohorts", staff, h.createCohort)
	r.GET("/manage/cohorts/:id", staff, h.dashboard)
	r.GET("/manage/cohorts/:id/export.csv", staff, h.exportCSV)
	r.GET("/manage/cohorts/:id/export.xlsx", staff, h.exportXLSX)
	// A reporting tool's service token with cohorts:read reads these too.
	r.GET("/api/v1/cohorts", staff.OrScope(auth.ScopeCohortsRead), h.apiCohorts)
	r.GET("/api/v1/cohorts/:id/progress", staff.OrScope(auth.ScopeCohortsRead), h.apiProgress)
	h.enrolmentRoutes(r)
}
