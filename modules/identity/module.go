package identity

import (
	"embed"

	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the identity feature: the admin's user pages and /api/v1/me.
type Module struct {
	svc   *Service
	pages *render.Engine
}

// New registers the module's templates and returns it.
func New(svc *Service, pages *render.Engine) (*Module, error) {
	if err := pages.AddPages("identity", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Module{svc: svc, pages: pages}, nil
}

// Routes registers the module's routes with their rules.
func (m *Module) Routes(r *auth.Routes) {
	admin := auth.Roles(auth.RoleAdmin)
	r.GET("/admin/users", admin, m.listUsers)
	r.GET("/admin/users/:id", admin, m.showUser)
	r.POST("/admin/users/:id/roles", admin, m.grantRole)
	r.POST("/admin/users/:id/roles/revoke", admin, m.revokeRole)
	r.POST("/admin/users/:id/organisation", admin, m.setOrganisation)
	r.GET("/api/v1/me", auth.SignedIn, m.me)
	r.GET("/api/v1/organisations", auth.Roles(auth.RoleManager, auth.RoleAdmin).
		OrScope(auth.ScopeCohortsRead).OrScope(auth.ScopeReportsRead), m.apiOrganisations)
	r.GET("/admin/service-tokens", admin, m.listTokens)
	r.POST("/admin/service-tokens", admin, m.createToken)
	r.POST("/admin/service-tokens/:id/revoke", admin, m.revokeToken)
	r.GET("/api/v1/service-tokens", admin, m.apiListTokens)
	// No Idempotency-Key: a replay would have to keep the secret it returns.
	r.POST("/api/v1/service-tokens", admin, m.apiCreateToken)
	r.GET("/api/v1/service-tokens/:id", admin, m.apiGetToken)
	r.DELETE("/api/v1/service-tokens/:id", admin, m.apiRevokeToken)
}
