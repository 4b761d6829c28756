// Package outcomes records where learners went after a programme (a job,
// an apprenticeship, volunteering, education) and follows them up, and
// computes the conversion rates funders judge programmes by.
package outcomes

import (
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/render"
)

// Module is the outcomes feature.
type Module struct {
	db    *db.DB
	pages *render.Engine
}

// New returns the outcomes feature.
func New(d *db.DB, pages *render.Engine) (*Module, error) {
	return &Module{db: d, pages: pages}, nil
}

// Routes registers the feature's routes.
func (m *Module) Routes(r *auth.Routes) {}
