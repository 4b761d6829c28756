// Package mentoring matches each learner who has been on Get Started or
// Get Into with a vetted professional mentor for six months: mentor
// profiles and vetting, learners' preferences, whole-pool matching that
// managers approve, goals, close surveys, and the periodic sweep that
// prompts check-ins and ends mentorships on time.
package mentoring

import (
	"embed"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the mentoring feature's pages and API.
type Module struct {
	svc    *Service
	pages  *render.Engine
	unread UnreadMessages
}

// New registers the module's templates over svc; unread counts each
// thread's unread messages for the thread links (nil shows none).
func New(svc *Service, pages *render.Engine, unread UnreadMessages) (*Module, error) {
	funcs := template.FuncMap{
		"familyLabel": func(code string) string { return Label(CareerFamilies, code) },
		"slotLabels": func(codes []string) string {
			out := make([]string, len(codes))
			for i, c := range codes {
				out[i] = Label(Slots, c)
			}
			return strings.Join(out, ", ")
		},
		"firstName": FirstName,
		"kindLabel": func(code string) string { return Label(ConflictKinds, code) },
		"yesNo": func() []render.Option {
			return []render.Option{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
		},
		"swapOptions": func(opts []SwapOption) []render.Option {
			out := make([]render.Option, len(opts))
			for i, o := range opts {
				out[i] = render.Option{Value: o.MentorID, Label: o.Name + ", " + o.JobRole + " (" + o.Reasons + ")"}
			}
			return out
		},
		"dateOf":   dateOf,
		"longDate": func(t time.Time) string { return dateOf(&t) },
		// newMessages is a thread's unread count in words ("" for none).
		"newMessages": func(n int) string {
			switch {
			case n <= 0:
				return ""
			case n == 1:
				return "1 new message"
			}
			return strconv.Itoa(n) + " new messages"
		},
		"regionOptions": func() []render.Option {
			out := make([]render.Option, len(Regions))
			for i, r := range Regions {
				out[i] = render.Option{Value: r, Label: r}
			}
			return out
		},
		// choices turns codes and their words into the form partials'
		// options; ticked ticks those whose code is in values.
		"choices": func(opts []Option) []render.Option {
			out := make([]render.Option, len(opts))
			for i, o := range opts {
				out[i] = render.Option{Value: o.Value, Label: o.Label}
			}
			return out
		},
		"ticked": func(opts []render.Option, values []string) []render.Option {
			for i := range opts {
				opts[i].Checked = slices.Contains(values, opts[i].Value)
			}
			return opts
		},
	}
	if err := pages.AddPages("mentoring", templates, "templates/*.html", funcs); err != nil {
		return nil, err
	}
	return &Module{svc: svc, pages: pages, unread: unread}, nil
}

// Routes registers the feature's routes with their rules; the service
// narrows each to the people it concerns.
func (m *Module) Routes(r *auth.Routes) {
	mentor := auth.Roles(auth.RoleMentor)
	r.GET("/mentoring", mentor, m.home)
	r.GET("/mentoring/profile", mentor, m.profile)
	r.POST("/mentoring/profile", mentor, m.saveProfile)

	vetters := auth.Roles(auth.RoleSafeguardingLead, auth.RoleManager, auth.RoleAdmin)
	r.GET("/mentoring/mentors", vetters, m.mentors)
	r.GET("/mentoring/mentors/:id/vetting", vetters, m.vetting)
	r.POST("/mentoring/mentors/:id/vetting", vetters, m.recordVetting)
	r.POST("/mentoring/mentors/:id/conflicts", vetters, m.declareConflict)

	learner := auth.Roles(auth.RoleLearner)
	r.GET("/learn/mentor", learner, m.learner)
	r.POST("/learn/mentor", learner, m.savePreferences)

	staff := auth.Roles(auth.RoleManager, auth.RoleAdmin)
	r.GET("/manage/mentoring", staff, m.matching)
	r.POST("/manage/mentoring/match", staff, m.runMatching)
	r.GET("/manage/mentoring/proposals/:id", staff, m.proposal)
	r.POST("/manage/mentoring/proposals/:id/approve", staff, m.approve)
	r.POST("/manage/mentoring/proposals/:id/reject", staff, m.reject)
	r.POST("/manage/mentoring/proposals/:id/swap", staff, m.swap)
	r.POST("/manage/mentoring/proposals/:id/conflict", staff, m.proposalConflict)
	r.GET("/manage/mentoring/invitations", staff, m.invitePage)
	r.POST("/manage/mentoring/invitations", staff, m.invite)

	// Anyone signed in may open an invitation; the service shows it only
	// to the person whose verified email it was sent to (404 for others).
	r.GET("/mentoring/invitations/:id", auth.SignedIn, m.invitation)
	r.POST("/mentoring/invitations/:id/accept", auth.SignedIn, m.acceptInvitation)

	admin := auth.Roles(auth.RoleAdmin)
	r.GET("/admin/mentoring/weights", admin, m.weights)
	r.GET("/admin/mentoring/weights/:programme", admin, m.editWeights)
	r.POST("/admin/mentoring/weights/:programme", admin, m.saveWeights)
	r.POST("/admin/mentoring/weights/:programme/reset", admin, m.resetWeights)

	pair := auth.Roles(auth.RoleLearner, auth.RoleMentor)
	r.POST("/mentoring/mentorships/:id/end", auth.Roles(auth.RoleLearner, auth.RoleMentor, auth.RoleManager, auth.RoleAdmin), m.end)
	r.POST("/mentoring/mentorships/:id/rematch", pair, m.rematch)
	r.POST("/mentoring/mentorships/:id/goals", pair, m.addGoal)
	r.POST("/mentoring/mentorships/:id/goals/:goal/done", pair, m.goalDone)
	r.GET("/mentoring/mentorships/:id/survey", pair, m.survey)
	r.POST("/mentoring/mentorships/:id/survey", pair, m.submitSurvey)

	r.GET("/api/v1/mentorships", pair, m.apiList)
	r.GET("/api/v1/mentorships/:id", auth.SignedIn, m.apiGet)
	r.GET("/api/v1/mentoring/proposals", staff, m.apiProposals)
	r.POST("/api/v1/mentoring/proposals/:id/approve", staff, m.apiApprove)
	r.POST("/api/v1/mentoring/proposals/:id/reject", staff, m.apiReject)
	r.POST("/api/v1/mentoring/proposals/:id/swap", staff, m.apiSwap)
	r.POST("/api/v1/mentoring/matches", staff, m.apiMatch, r.Idempotent())
}
