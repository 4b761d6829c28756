// Package outcomes records where learners went after a programme (a job,
// an apprenticeship, volunteering, education) and follows them up, and
// computes the conversion rates funders judge programmes by.
package outcomes

import (
	"embed"
	"html/template"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the outcomes feature: managers record and verify destinations
// and follow them up, learners tell us their news, and everyone with a
// right to see it gets conversion rates by cohort, programme and
// organisation.
type Module struct {
	svc   *Service
	pages *render.Engine
}

// New registers the module's templates. audit records every change; now
// is the clock.
func New(d *db.DB, pages *render.Engine, audit Recorder, now func() time.Time) (*Module, error) {
	funcs := template.FuncMap{
		"kindLabel": KindLabel, "newsKindLabel": NewsKindLabel, "contractLabel": ContractLabel,
		"followUpLabel": FollowUpLabel, "outcomeLabel": OutcomeLabel, "rateTable": newRateTable,
	}
	if err := pages.AddPages("outcomes", templates, "templates/*.html", funcs); err != nil {
		return nil, err
	}
	return &Module{svc: NewService(d, audit, now), pages: pages}, nil
}

// Service returns the module's service, for seeding and other modules.
func (m *Module) Service() *Service { return m.svc }

// Routes registers the feature's routes with their rules. The service
// narrows what a manager sees to their own organisation.
func (m *Module) Routes(r *auth.Routes) {
	staff := auth.Roles(auth.RoleManager, auth.RoleAdmin)
	r.GET("/manage/outcomes", staff, m.report)
	r.GET("/manage/outcomes.csv", staff, m.reportCSV)
	r.GET("/api/v1/reports/outcomes", staff.OrScope(auth.ScopeReportsRead), m.apiReport)
	r.GET("/manage/follow-ups", staff, m.followUps)
	r.GET("/manage/learners/:id/destinations", staff, m.learner)
	r.POST("/manage/learners/:id/destinations", staff, m.recordDestination)
	r.POST("/manage/destinations/:id/verify", staff, m.verify)
	r.POST("/manage/destinations/:id/follow-ups/:kind", staff, m.recordFollowUp)

	learner := auth.Roles(auth.RoleLearner)
	r.GET("/learn/news", learner, m.news)
	r.POST("/learn/news", learner, m.reportNews)
}
