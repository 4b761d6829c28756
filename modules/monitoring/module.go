// Package monitoring collects optional, self-declared equality data and
// reports it only in aggregate: counts of people (never enrolments), small
// numbers suppressed, every number adjusted by the cell-key method, and
// small reports withheld whole, so it can never be read about one person.
//
// Learners answer at /learn/about-you. Managers and admins see counts per
// characteristic at /manage/equality (also as CSV, and as JSON at
// /api/v1/reports/equality); every view is audited. No page or API shows
// one person's answers to anyone but that person.
package monitoring

import (
	"embed"
	"fmt"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the equality monitoring feature.
type Module struct {
	svc   *Service
	pages *render.Engine
}

// New registers the feature's templates and returns it. audit records
// every view of a report; a report is withheld when fewer than minPeople
// people in it have answered (more than Threshold, or New fails); now is
// the clock.
func New(d *db.DB, pages *render.Engine, audit Recorder, minPeople int, now func() time.Time) (*Module, error) {
	if minPeople <= Threshold {
		return nil, fmt.Errorf("monitoring: the minimum number of people for a report (%d) must be more than the suppression threshold (%d)", minPeople, Threshold)
	}
	if err := pages.AddPages("monitoring", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Module{svc: NewService(d, audit, minPeople, now), pages: pages}, nil
}

// Routes registers the learner's form and the reports.
func (m *Module) Routes(r *auth.Routes) {
	learner := auth.Roles(auth.RoleLearner)
	r.GET("/learn/about-you", learner, m.aboutYou)
	r.POST("/learn/about-you", learner, m.saveAboutYou)
	r.POST("/learn/about-you/delete", learner, m.removeAboutYou)

	staff := auth.Roles(auth.RoleManager, auth.RoleAdmin)
	r.GET("/manage/equality", staff, m.report)
	r.GET("/manage/equality.csv", staff, m.reportCSV)
	r.GET("/api/v1/reports/equality", staff.OrScope(auth.ScopeReportsRead), m.apiReport)
}
