package mentoring

import (
	"context"
	"strconv"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
	"onramp/modules/learning"
	"onramp/modules/notify"
	"onramp/modules/outcomes"
)

// canSee is the one rule for who may see a mentorship: its two people
// (a learner never sees a rejected proposal, a mentor only an approved
// mentorship), managers of the learner's organisation, admins, and
// safeguarding leads.
func canSee(u *auth.User, m Mentorship) bool {
	switch {
	case u.ID == m.LearnerID:
		return m.Status != StatusRejected
	case u.ID == m.MentorID:
		return m.Status == StatusActive || m.Status == StatusEnded
	case u.Has(auth.RoleSafeguardingLead):
		return true
	}
	scope, err := auth.ScopeOf(u)
	return err == nil && scope.Includes(m.OrganisationID)
}

// Mentorship returns one mentorship the viewer may see. Errors: NotFound
// for anyone else, so the answer does not say it exists.
func (s *Service) Mentorship(ctx context.Context, viewer *auth.User, id string) (Mentorship, error) {
	m, err := s.store.Mentorship(ctx, id)
	if isNotFound(err) || err == nil && !canSee(viewer, m) {
		return Mentorship{}, errNoMentorship
	}
	return m, err
}

// Mine lists the viewer's own mentorships: as a learner (proposals too,
// never rejected ones) and as a mentor (approved ones).
func (s *Service) Mine(ctx context.Context, viewer *auth.User) ([]Mentorship, error) {
	all, err := s.store.MentorshipsOf(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	out := []Mentorship{}
	for _, m := range all {
		if canSee(viewer, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// MinePage lists a page of the mentorships the viewer is in (as Mine),
// newest first, and the next page's cursor. Errors: page.ErrCursor.
func (s *Service) MinePage(ctx context.Context, viewer *auth.User, p page.Request) ([]Mentorship, string, error) {
	ms, next, err := s.store.MentorshipPage(ctx, viewer.ID, p)
	if err != nil {
		return nil, "", err
	}
	out := []Mentorship{}
	for _, m := range ms {
		if canSee(viewer, m) {
			out = append(out, m)
		}
	}
	return out, next, nil
}

// MentorOf returns the first name of the learner's mentor and the id of
// their mentorship while it is active ("", "" otherwise), for the
// learner's pages: their home and the help on every page.
func (s *Service) MentorOf(ctx context.Context, learnerID string) (firstName, mentorshipID string, err error) {
	all, err := s.store.MentorshipsOf(ctx, learnerID)
	if err != nil {
		return "", "", err
	}
	for _, m := range all {
		if m.LearnerID == learnerID && m.Status == StatusActive {
			return m.MentorFirstName(), m.ID, nil
		}
	}
	return "", "", nil
}

// MenteeOf returns the learner of mentorshipID and their first name when
// mentorID is its mentor and it is active, for a mentor reading the
// lessons their mentee takes. Errors: NotFound otherwise.
func (s *Service) MenteeOf(ctx context.Context, mentorID, mentorshipID string) (string, string, error) {
	m, err := s.store.Mentorship(ctx, mentorshipID)
	if isNotFound(err) || err == nil && (m.MentorID != mentorID || m.Status != StatusActive) {
		return "", "", errNoMentorship
	}
	if err != nil {
		return "", "", err
	}
	return m.LearnerID, m.LearnerFirstName(), nil
}

// Participant says whether userID is one of a mentorship's two people and
// whether it is active: messaging asks it before every read and write.
// A mentorship that does not exist is (false, false, nil).
func (s *Service) Participant(ctx context.Context, mentorshipID, userID string) (active bool, member bool, err error) {
	m, err := s.store.Mentorship(ctx, mentorshipID)
	if isNotFound(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	member = userID != "" && (userID == m.LearnerID || userID == m.MentorID) && m.Status != StatusRejected && m.Status != StatusProposed
	return m.Status == StatusActive && member, member, nil
}

// MenteeView is a mentee as their mentor sees them: their mentorship,
// goals, and a summary of their progress (never equality data or check
// answers).
type MenteeView struct {
	Mentorship Mentorship
	Goals      []Goal
	Progress   []ProgressSummary
	SurveyDue  bool
	// News is what the mentee told us of their own destinations (for
	// their mentor: kind and start date only).
	News []outcomes.News
}

// ProgressSummary is a mentee's standing on one programme.
type ProgressSummary struct {
	Programme     string
	Percent       int
	Complete      bool
	CurrentModule string
	NextStep      string
	LastActive    string
}

// LearnerView is the learner's mentor page.
type LearnerView struct {
	Preferences Preferences
	Current     *MenteeView // active or proposed
	Ended       []MenteeView
}

// MentorHome is the mentor's home page: their mentees.
type MentorHome struct {
	Profile    *Profile
	Eligible   Eligibility
	Active     []MenteeView
	Ended      []MenteeView
	Capacity   int
	HasVetting bool
	// Training is when they finished safeguarding training (the mentor
	// induction), nil until then.
	Training *time.Time
	// Induction is the mentor induction's page, where they start it.
	Induction string
}

func (s *Service) view(ctx context.Context, viewer *auth.User, m Mentorship, withProgress bool) (MenteeView, error) {
	v := MenteeView{Mentorship: m}
	var err error
	if m.Status == StatusActive || m.Status == StatusEnded {
		if v.Goals, err = s.store.Goals(ctx, m.ID); err != nil {
			return v, err
		}
	}
	if m.Status == StatusEnded {
		_, err := s.store.Survey(ctx, m.ID, sideOf(viewer, m))
		if err != nil && !isNotFound(err) {
			return v, err
		}
		v.SurveyDue = isNotFound(err)
	}
	if withProgress && m.Status == StatusActive && s.learning != nil {
		ens, err := s.learning.Enrolments(ctx, m.LearnerID)
		if err != nil {
			return v, err
		}
		v.Progress = summarise(ens)
	}
	if withProgress && m.Status == StatusActive && s.news != nil {
		if v.News, err = s.news.SelfReportedNews(ctx, m.LearnerID); err != nil {
			return v, err
		}
	}
	return v, nil
}

// summarise keeps only what a mentor may know of a mentee's learning: one
// line per programme, however many groups of it the mentee is in
// (progress belongs to the learner, not the group).
func summarise(ens []learning.EnrolmentProgress) []ProgressSummary {
	var out []ProgressSummary
	seen := map[string]bool{}
	for _, e := range ens {
		if e.Progress == nil || e.Enrolment.Status == "withdrawn" || seen[e.Enrolment.ProgrammeSlug] {
			continue
		}
		seen[e.Enrolment.ProgrammeSlug] = true
		p := e.Progress
		ps := ProgressSummary{Programme: p.Outline.Programme.Title, Percent: p.Percent, Complete: p.Complete, LastActive: "not yet"}
		if !p.LastActive.IsZero() {
			ps.LastActive = p.LastActive.UTC().Format("2 January 2006")
		}
		for _, mod := range p.Modules {
			if !mod.Complete {
				ps.CurrentModule = mod.Title
				break
			}
		}
		if p.Next != nil {
			ps.NextStep = p.Next.Title
		}
		out = append(out, ps)
	}
	return out
}

func sideOf(u *auth.User, m Mentorship) string {
	if u.ID == m.MentorID {
		return "mentor"
	}
	return "learner"
}

// Learner returns the learner's mentor page.
func (s *Service) Learner(ctx context.Context, learner *auth.User) (*LearnerView, error) {
	v := &LearnerView{}
	p, err := s.store.Preferences(ctx, learner.ID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	v.Preferences = p
	ms, err := s.Mine(ctx, learner)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.LearnerID != learner.ID {
			continue
		}
		mv, err := s.view(ctx, learner, m, false)
		if err != nil {
			return nil, err
		}
		if m.Status == StatusEnded {
			v.Ended = append(v.Ended, mv)
		} else if v.Current == nil {
			v.Current = &mv
		}
	}
	return v, nil
}

// Home returns the mentor's home page.
func (s *Service) Home(ctx context.Context, mentor *auth.User) (*MentorHome, error) {
	h := &MentorHome{Induction: "/learn/" + InductionProgramme}
	if p, err := s.store.Profile(ctx, mentor.ID); err == nil {
		h.Profile, h.Capacity = &p, p.Capacity
	} else if !isNotFound(err) {
		return nil, err
	}
	v, err := s.store.Vetting(ctx, mentor.ID)
	switch {
	case err == nil:
		h.HasVetting = true
		h.Eligible = Eligible(&v, s.today())
		h.Training = v.SafeguardingTrainingOn
	case isNotFound(err):
		h.Eligible = Eligible(nil, s.today())
	default:
		return nil, err
	}
	ms, err := s.Mine(ctx, mentor)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.MentorID != mentor.ID {
			continue
		}
		mv, err := s.view(ctx, mentor, m, true)
		if err != nil {
			return nil, err
		}
		if m.Status == StatusActive {
			h.Active = append(h.Active, mv)
		} else {
			h.Ended = append(h.Ended, mv)
		}
	}
	return h, nil
}

// member loads a mentorship the viewer is one of the two people of.
func (s *Service) member(ctx context.Context, viewer *auth.User, id string, lock bool) (Mentorship, error) {
	load := s.store.Mentorship
	if lock {
		load = s.store.LockMentorship
	}
	m, err := load(ctx, id)
	if isNotFound(err) || err == nil && viewer.ID != m.LearnerID && viewer.ID != m.MentorID {
		return Mentorship{}, errNoMentorship
	}
	return m, err
}

var errNotActive = apperr.New(apperr.Conflict, "This mentorship is not active")

// End ends an active mentorship early, for its learner, its mentor, or a
// manager of the learner's organisation, with a reason; the other side is
// told and both are asked for the close survey. Errors: NotFound,
// Invalid without a reason, Conflict when not active.
func (s *Service) End(ctx context.Context, viewer *auth.User, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.InvalidFields(apperr.FieldError{Field: "reason", Message: "Say why the mentoring is ending"})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.member(ctx, viewer, id, true)
		if err != nil {
			if m, err = s.inScope(ctx, viewer, id, true); err != nil {
				return errNoMentorship
			}
		}
		if m.Status != StatusActive {
			return errNotActive
		}
		return s.end(ctx, m, viewer.ID, reason, "Your mentoring has ended early")
	})
}

// end ends m and tells both sides, asking for the close survey.
func (s *Service) end(ctx context.Context, m Mentorship, by, reason, title string) error {
	if err := s.store.End(ctx, m.ID, by, reason, s.now()); err != nil {
		return err
	}
	if _, err := s.store.Prompt(ctx, m.ID, "ended", s.now()); err != nil {
		return err
	}
	link := "/mentoring/mentorships/" + m.ID + "/survey"
	if err := s.notify(ctx, notify.Notification{UserID: m.LearnerID, Kind: "mentorship_ended", Title: title,
		Body: "Your mentoring with " + m.MentorFirstName() + " has finished. Tell us how it went.", Link: link,
		DedupeKey: "mentorship:" + m.ID + ":ended:learner"}); err != nil {
		return err
	}
	return s.notify(ctx, notify.Notification{UserID: m.MentorID, Kind: "mentorship_ended", Title: title,
		Body: "Your mentoring with " + m.LearnerFirstName() + " has finished. Tell us how it went.", Link: link,
		DedupeKey: "mentorship:" + m.ID + ":ended:mentor"})
}

// Rematch is the learner or mentor asking for a change: the reason is
// recorded, the mentorship ends, and the pair is never proposed again.
// Errors: NotFound, Invalid without a reason, Conflict when not active.
func (s *Service) Rematch(ctx context.Context, viewer *auth.User, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.InvalidFields(apperr.FieldError{Field: "rematch-reason", Message: "Say why you would like a change"})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.member(ctx, viewer, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusActive {
			return errNotActive
		}
		if err := s.store.RequestRematch(ctx, m.ID, viewer.ID, reason, s.now()); err != nil {
			return err
		}
		return s.end(ctx, m, viewer.ID, "A change of mentor was asked for: "+reason, "Your mentoring has ended")
	})
}

// AddGoal adds a goal to an active mentorship, for either of its people.
// Errors: NotFound, Invalid, Conflict when not active.
func (s *Service) AddGoal(ctx context.Context, viewer *auth.User, id, title, day, month, year string) error {
	m, err := s.member(ctx, viewer, id, false)
	if err != nil {
		return err
	}
	if m.Status != StatusActive {
		return errNotActive
	}
	g := Goal{MentorshipID: m.ID, Title: strings.TrimSpace(title), CreatedBy: viewer.ID, CreatedAt: s.now()}
	var errs []apperr.FieldError
	if g.Title == "" || len(g.Title) > 200 {
		errs = append(errs, apperr.FieldError{Field: "goal-title", Message: "Enter the goal in 200 characters or fewer"})
	}
	if strings.TrimSpace(day+month+year) != "" {
		d, e1 := strconv.Atoi(strings.TrimSpace(day))
		mo, e2 := strconv.Atoi(strings.TrimSpace(month))
		y, e3 := strconv.Atoi(strings.TrimSpace(year))
		t := dayOf(s.now())
		if e1 == nil && e2 == nil && e3 == nil {
			t = t.AddDate(y-t.Year(), mo-int(t.Month()), d-t.Day())
		}
		if e1 != nil || e2 != nil || e3 != nil || t.Day() != d || int(t.Month()) != mo {
			errs = append(errs, apperr.FieldError{Field: "goal-day", Message: "Enter the target date as a real date, for example 15 3 2027"})
		} else {
			g.TargetOn = &t
		}
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs...)
	}
	return s.store.AddGoal(ctx, g)
}

// GoalDone marks a goal done, for either of the mentorship's people.
// Errors: NotFound.
func (s *Service) GoalDone(ctx context.Context, viewer *auth.User, id, goalID string) error {
	m, err := s.member(ctx, viewer, id, false)
	if err != nil {
		return err
	}
	if err := s.store.GoalDone(ctx, m.ID, goalID, s.now()); isNotFound(err) {
		return apperr.New(apperr.NotFound, "There is no such goal")
	} else if err != nil {
		return err
	}
	return nil
}

// SurveyInput is the close survey as typed.
type SurveyInput struct{ Useful, HelpedWork, Comment string }

// SubmitSurvey stores the viewer's close survey for an ended mentorship.
// Errors: NotFound, Invalid, Conflict when it has not ended.
func (s *Service) SubmitSurvey(ctx context.Context, viewer *auth.User, id string, in SurveyInput) error {
	m, err := s.member(ctx, viewer, id, false)
	if err != nil {
		return err
	}
	if m.Status != StatusEnded {
		return apperr.New(apperr.Conflict, "You can tell us how it went once the mentoring has finished")
	}
	v := Survey{MentorshipID: m.ID, Side: sideOf(viewer, m), RespondentID: viewer.ID, Comment: strings.TrimSpace(in.Comment),
		HelpedWork: in.HelpedWork, SubmittedAt: s.now()}
	var errs []apperr.FieldError
	n, err := strconv.Atoi(in.Useful)
	if err != nil || n < 1 || n > 5 {
		errs = append(errs, apperr.FieldError{Field: "useful", Message: "Choose how useful the mentoring was"})
	}
	v.Useful = n
	if !validCode(HelpedWorkAnswers, in.HelpedWork) {
		errs = append(errs, apperr.FieldError{Field: "helped-work", Message: "Choose whether the mentoring helped with getting work"})
	}
	if len(v.Comment) > 2000 {
		errs = append(errs, apperr.FieldError{Field: "comment", Message: "Your comment must be 2000 characters or fewer"})
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs...)
	}
	return s.store.SaveSurvey(ctx, v)
}

// HelpedWorkAnswers are the answers to "did mentoring help you get work".
var HelpedWorkAnswers = []Option{{"yes", "Yes"}, {"no", "No"}, {"not_yet", "Not yet"}}
