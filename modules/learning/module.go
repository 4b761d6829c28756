package learning

import (
	"embed"
	"html/template"

	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the learner-facing feature: pages under /learn, certificate
// verification and the learning API.
type Module struct {
	svc          *Service
	pages        *render.Engine
	render       LessonRenderer
	mediaHealthy func() bool
	baseURL      string // printed on certificates for verification
}

// LessonRenderer turns a lesson's Markdown into safe HTML; the content
// module's renderer provides it.
type LessonRenderer interface {
	Cached(id string, version int64, src string) template.HTML
}

// New registers the module's templates. mediaHealthy reports whether the
// media store answered its last health check.
func New(svc *Service, pages *render.Engine, r LessonRenderer, mediaHealthy func() bool, baseURL string) (*Module, error) {
	if err := pages.AddPages("learning", templates, "templates/*.html", template.FuncMap{"nextURL": nextURL}); err != nil {
		return nil, err
	}
	return &Module{svc: svc, pages: pages, render: r, mediaHealthy: mediaHealthy, baseURL: baseURL}, nil
}

// Routes registers the learner pages, certificate verification and API.
func (m *Module) Routes(r *auth.Routes) {
	learner := auth.Roles(auth.RoleLearner)
	r.GET("/learn", learner, m.home)
	r.GET("/learn/:slug", learner, m.programme)
	r.GET("/learn/:slug/lessons/:id", learner, m.lesson)
	r.POST("/learn/:slug/start", learner, m.start)
	r.POST("/learn/:slug/lessons/:id/complete", learner, m.completeLesson)
	r.GET("/learn/:slug/checks/:id", learner, m.check)
	r.POST("/learn/:slug/checks/:id", learner, m.submitCheck)
	r.GET("/learn/:slug/certificate", learner, m.certificate)
	r.GET("/verify", auth.Public, m.verifyForm)
	r.GET("/verify/:code", auth.Public, m.verify)

	r.GET("/api/v1/programmes", auth.SignedIn, m.apiProgrammes)
	r.GET("/api/v1/programmes/:slug", auth.SignedIn, m.apiProgramme)
	r.POST("/api/v1/programmes/:slug/enrolment", learner, m.apiStart, r.Idempotent())
	r.GET("/api/v1/me/enrolments", learner, m.apiEnrolments)
	r.POST("/api/v1/lessons/:id/complete", learner, m.apiCompleteLesson)
	r.POST("/api/v1/quizzes/:id/attempts", learner, m.apiAttempt, r.Idempotent())
	r.GET("/api/v1/learners/:id/progress", auth.Roles(auth.RoleManager, auth.RoleAdmin), m.apiLearnerProgress)
}
