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
// Mentors use the same pages and API for mentor programmes (their
// induction); which programmes each person sees is the service's rule
// (Sees), not the routes'.
func (m *Module) Routes(r *auth.Routes) {
	takers := auth.Roles(auth.RoleLearner, auth.RoleMentor) // people who take programmes
	r.GET("/learn", takers, m.home)
	r.GET("/learn/help", auth.Roles(auth.RoleLearner), m.help)
	r.GET("/learn/:slug", takers, m.programme)
	r.GET("/learn/:slug/lessons/:id", takers, m.lesson)
	r.POST("/learn/:slug/start", takers, m.start)
	r.POST("/learn/:slug/lessons/:id/complete", takers, m.completeLesson)
	r.POST("/learn/:slug/lessons/:id/questions/:question", takers, m.answerQuestion)
	r.POST("/learn/:slug/lessons/:id/try-this", auth.Roles(auth.RoleLearner), m.saveTryThis)
	r.GET("/learn/:slug/checks/:id", takers, m.check)
	r.POST("/learn/:slug/checks/:id", takers, m.submitCheck)
	r.GET("/learn/:slug/certificate", takers, m.certificate)
	r.GET("/learn/:slug/certificate.pdf", takers, m.certificatePDF)
	// A mentor reads (never marks) the lessons their mentee is taking.
	mentor := auth.Roles(auth.RoleMentor)
	r.GET("/mentoring/mentorships/:id/learning", mentor, m.menteeLearning)
	r.GET("/mentoring/mentorships/:id/lessons/:lesson", mentor, m.menteeLesson)
	r.GET("/verify", auth.Public, m.verifyForm)
	r.GET("/verify/:code", auth.Public, m.verify)

	r.GET("/api/v1/programmes", auth.SignedIn, m.apiProgrammes)
	r.GET("/api/v1/programmes/:slug", auth.SignedIn, m.apiProgramme)
	r.POST("/api/v1/programmes/:slug/enrolment", takers, m.apiStart, r.Idempotent())
	r.GET("/api/v1/me/enrolments", takers, m.apiEnrolments)
	r.POST("/api/v1/lessons/:id/complete", takers, m.apiCompleteLesson)
	r.POST("/api/v1/lessons/:id/questions/:question/answers", takers, m.apiAnswerQuestion)
	r.POST("/api/v1/quizzes/:id/attempts", takers, m.apiAttempt, r.Idempotent())
	r.GET("/api/v1/learners/:id/progress", auth.Roles(auth.RoleManager, auth.RoleAdmin), m.apiLearnerProgress)
}
