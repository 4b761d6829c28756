package messaging

import (
	"embed"
	"html/template"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/app/render"
	"onramp/modules/mentoring"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the messaging feature's pages, API and live streams.
type Module struct {
	svc       *Service
	hub       *Hub
	pages     *render.Engine
	heartbeat time.Duration
}

// New registers the module's templates over svc; hub wakes its event
// streams.
func New(svc *Service, hub *Hub, pages *render.Engine) (*Module, error) {
	funcs := template.FuncMap{
		"categoryLabel": func(code string) string {
			if code == "message" {
				return "A held message"
			}
			return mentoring.Label(Categories, code)
		},
		"caseStatus": func(code string) string { return mentoring.Label(CaseStatuses, code) },
		"categoryOptions": func() []render.Option {
			out := make([]render.Option, len(Categories))
			for i, c := range Categories {
				out[i] = render.Option{Value: c.Value, Label: c.Label}
			}
			return out
		},
		"statusOptions": func() []render.Option {
			out := make([]render.Option, len(CaseStatuses))
			for i, c := range CaseStatuses {
				out[i] = render.Option{Value: c.Value, Label: c.Label}
			}
			return out
		},
		"threadPath": ThreadPath,
		"isImage":    func(ctype string) bool { return strings.HasPrefix(ctype, "image/") },
		"fileType":   FileType,
		"fileSize":   FileSize,
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"statusTag":  StatusTag,
		"noteAfter":  NoteAfter,
		"actionLabel": func(code string) string {
			if l, ok := actionLabels[code]; ok {
				return l
			}
			return code
		},
		"reviewLabel": func(code *string) string {
			if code == nil {
				return ""
			}
			return reviewLabels[*code]
		},
	}
	if err := pages.AddPages("messaging", templates, "templates/*.html", funcs); err != nil {
		return nil, err
	}
	return &Module{svc: svc, hub: hub, pages: pages, heartbeat: 25 * time.Second}, nil
}

// Routes registers the feature's routes with their rules; the service
// narrows each to the people it concerns (a thread to its two people and
// safeguarding leads).
func (m *Module) Routes(r *auth.Routes) {
	pair := auth.Roles(auth.RoleLearner, auth.RoleMentor)
	readers := auth.Roles(auth.RoleLearner, auth.RoleMentor, auth.RoleSafeguardingLead)
	lead := auth.Roles(auth.RoleSafeguardingLead)

	r.GET("/mentoring/mentorships/:id/messages", readers, m.thread)
	r.POST("/mentoring/mentorships/:id/messages", pair, m.send)
	r.GET("/concerns/new", pair, m.newConcern)
	r.POST("/concerns", pair, m.report)
	r.GET("/concerns/sent", pair, m.reported)

	r.GET("/safeguarding", lead, m.home)
	r.GET("/safeguarding/messages/:id", lead, m.held)
	r.POST("/safeguarding/messages/:id/review", lead, m.review)
	r.POST("/safeguarding/messages/:id/concern", lead, m.openCase)
	r.GET("/safeguarding/cases/:id", lead, m.caseView)
	r.POST("/safeguarding/cases/:id", lead, m.updateCase)
	r.POST("/safeguarding/cases/:id/notes", lead, m.addNote)
	r.POST("/safeguarding/mentorships/:id/pause", lead, m.pause)
	r.POST("/safeguarding/mentorships/:id/resume", lead, m.resume)
	r.GET("/safeguarding/mentorships/:id/history", lead, m.history)
	r.POST("/safeguarding/mentors/:id/suspend", lead, m.suspendMentor)
	r.POST("/safeguarding/mentors/:id/reinstate", lead, m.reinstateMentor)

	r.GET("/api/v1/mentorships/:id/messages", readers, m.apiThread)
	r.POST("/api/v1/mentorships/:id/messages", pair, m.apiSend, r.Idempotent())
	r.GET("/api/v1/mentorships/:id/events", pair, m.events)
	r.POST("/api/v1/attachments", pair, m.apiSendFile)
	r.GET("/mentoring/attachments/:id", readers, m.attachment)
	r.GET("/api/v1/moderation/queue", lead, m.apiQueue)
	r.POST("/api/v1/moderation/messages/:id/release", lead, m.apiReview(ActionReleased))
	r.POST("/api/v1/moderation/messages/:id/redact", lead, m.apiReview(ActionRedacted))
	r.POST("/api/v1/moderation/messages/:id/block", lead, m.apiReview(ActionBlocked))
}
