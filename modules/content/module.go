package content

import (
	"embed"

	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Handlers is the content feature's web side: authoring pages for editors,
// media upload and authorised media reads.
type Handlers struct {
	svc   *Service
	pages *render.Engine
}

// NewHandlers registers the content templates.
func NewHandlers(svc *Service, pages *render.Engine) (*Handlers, error) {
	if err := pages.AddPages("content", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Handlers{svc: svc, pages: pages}, nil
}

// editors may write course content.
var editors = auth.Roles(auth.RoleAdmin, auth.RoleContentEditor)

// Routes registers media and authoring routes.
func (m *Handlers) Routes(r *auth.Routes) {
	r.POST("/api/v1/media", editors, m.apiUpload, r.Idempotent())
	r.GET("/media/:id", auth.SignedIn, m.media)
	m.authoringRoutes(r)
}

// MaxPackageMB is the largest programme zip an editor may import, and so
// the largest request body the server accepts on any upload route.
const MaxPackageMB = 500

// UploadPaths are the routes that take large bodies; the server's general
// body limit gives way to MaxPackageMB there, and each upload handler
// applies its own, tighter limit.
var UploadPaths = []string{"/api/v1/media", "/admin/media", "/admin/content/lessons/", "/admin/content/import"}
