// Package monitoring collects optional, self-declared equality data and
// reports it only in aggregate, with small numbers suppressed, so it can
// never be read about one person.
package monitoring

import (
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/render"
)

// Module is the equality monitoring feature.
type Module struct {
	db    *db.DB
	pages *render.Engine
}

// New returns the equality monitoring feature.
func New(d *db.DB, pages *render.Engine) (*Module, error) {
	return &Module{db: d, pages: pages}, nil
}

// Routes registers the feature's routes.
func (m *Module) Routes(r *auth.Routes) {}
