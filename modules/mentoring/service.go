package mentoring

import (
	"context"
	"strconv"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/dayinput"
	"onramp/app/db"
	"onramp/modules/learning"
	"onramp/modules/mentoring/match"
	"onramp/modules/notify"
	"onramp/modules/outcomes"
)

// Learning tells a mentor how their mentee is getting on; the learning
// module provides it. Only progress is read from it, never equality
// answers or check answers.
type Learning interface {
	Enrolments(ctx context.Context, userID string) ([]learning.EnrolmentProgress, error)
}

// News tells a mentor what their mentee has told us of their own news
// (a job, an apprenticeship, a course); the outcomes module provides it,
// with the kind and start date only.
type News interface {
	SelfReportedNews(ctx context.Context, learnerID string) ([]outcomes.News, error)
}

// MatchedProgrammes are the programmes after which a learner is matched
// with a mentor.
// everyone is the scope of seeding and the sweep.
var everyone = auth.Scope{All: true}

var MatchedProgrammes = []string{"get-started", "get-into"}

// InductionProgramme is the mentor induction course: finishing it records
// the mentor's safeguarding training date.
const InductionProgramme = "mentoring-young-people-safely"

// Service holds the mentoring rules: who may mentor, who is matched with
// whom, and how a six-month mentorship runs and ends.
type Service struct {
	db       *db.DB
	store    *Store
	notifier Notifier
	learning Learning
	audit    Auditor
	news     News
	people   People
	model    match.Model
	now      func() time.Time
}

// NewService returns the mentoring service. notifier, progress and audit
// may be nil (no notices; no progress shown; nothing audited). now is the
// clock.
func NewService(d *db.DB, notifier Notifier, progress Learning, audit Auditor, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), notifier: notifier, learning: progress, audit: audit,
		model: match.DefaultModel(), now: now}
}

// SetNews sets where a mentor's home page reads their mentees' news; nil
// (the default) shows none.
func (s *Service) SetNews(n News) { s.news = n }

func (s *Service) today() time.Time { return dayOf(s.now()) }

func (s *Service) notify(ctx context.Context, n notify.Notification) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.Notify(ctx, n)
}

var (
	errNoMentor     = apperr.New(apperr.NotFound, "There is no such mentor")
	errNoMentorship = apperr.New(apperr.NotFound, "There is no such mentorship")
	errNoProfile    = apperr.New(apperr.NotFound, "You have not filled in your mentor profile yet")
)

// ProfileInput is the mentor profile form as typed.
type ProfileInput struct {
	JobRole, CareerFamily, Employer, Region, Languages string
	Interests, Availability                            []string
	Capacity, LivedExperience, Bio, Gender             string
}

// Genders are the mentor genders a profile may state and a learner may
// ask for.
var Genders = []Option{{"female", "Female"}, {"male", "Male"}, {"non-binary", "Non-binary"}}

// MyProfile returns the mentor's own profile, or NotFound when they have
// none yet.
func (s *Service) MyProfile(ctx context.Context, mentor *auth.User) (Profile, error) {
	p, err := s.store.Profile(ctx, mentor.ID)
	if isNotFound(err) {
		return p, errNoProfile
	}
	return p, err
}

// SaveProfile validates and saves the mentor's own profile. Errors:
// Invalid naming each field.
func (s *Service) SaveProfile(ctx context.Context, mentor *auth.User, in ProfileInput) error {
	return s.SaveProfileFor(ctx, mentor.ID, in)
}

// SaveProfileFor saves userID's mentor profile; seeding and tests use it.
func (s *Service) SaveProfileFor(ctx context.Context, userID string, in ProfileInput) error {
	p, fields := validateProfile(in)
	if len(fields) > 0 {
		return apperr.InvalidFields(fields...)
	}
	now := s.now()
	p.UserID, p.CreatedAt, p.UpdatedAt = userID, now, now
	if old, err := s.store.Profile(ctx, userID); err == nil {
		p.CreatedAt = old.CreatedAt
	}
	return s.store.SaveProfile(ctx, p)
}

func validateProfile(in ProfileInput) (Profile, []apperr.FieldError) {
	var errs []apperr.FieldError
	bad := func(field, msg string) { errs = append(errs, apperr.FieldError{Field: field, Message: msg}) }
	p := Profile{JobRole: strings.TrimSpace(in.JobRole), CareerFamily: in.CareerFamily, Employer: strings.TrimSpace(in.Employer),
		Region: in.Region, LivedExperience: strings.TrimSpace(in.LivedExperience), Bio: strings.TrimSpace(in.Bio), Gender: in.Gender}
	switch {
	case p.JobRole == "":
		bad("job-role", "Enter your job role, for example healthcare support worker")
	case len(p.JobRole) > 120:
		bad("job-role", "Job role must be 120 characters or fewer")
	}
	if !validCode(CareerFamilies, p.CareerFamily) {
		bad("career-family", "Choose the career family you work in")
	}
	if len(p.Employer) > 200 {
		bad("employer", "Employer must be 200 characters or fewer")
	}
	if !contains(Regions, p.Region) {
		bad("region", "Choose the region you work in")
	}
	langs, msg := parseLanguages(in.Languages)
	if msg != "" {
		bad("languages", msg)
	}
	p.Languages = langs
	p.Interests = Strings{}
	for _, i := range in.Interests {
		if !validCode(CareerFamilies, i) {
			bad("interests", "Choose careers from the list")
			break
		}
		p.Interests = append(p.Interests, i)
	}
	p.Availability = Strings{}
	for _, a := range in.Availability {
		if !validCode(Slots, a) {
			bad("availability", "Choose times from the list")
			break
		}
		p.Availability = append(p.Availability, a)
	}
	if len(in.Availability) == 0 {
		bad("availability", "Choose when you can usually meet online")
	}
	n, err := strconv.Atoi(in.Capacity)
	if err != nil || n < 0 || n > match.MaxCapacity {
		bad("capacity", "Choose how many mentees you can take at once, or pause new matches")
	}
	p.Capacity = n
	if len(p.LivedExperience) > 2000 {
		bad("lived-experience", "Your route into the job must be 2000 characters or fewer")
	}
	switch {
	case p.Bio == "":
		bad("bio", "Write a few lines about yourself for your mentees")
	case len(p.Bio) > 2000:
		bad("bio", "About you must be 2000 characters or fewer")
	}
	if p.Gender != "" && !validCode(Genders, p.Gender) {
		bad("gender", "Choose an answer from the list")
	}
	return p, errs
}

// parseLanguages reads a comma-separated list of languages, first the one
// the person is most at ease in.
func parseLanguages(s string) (Strings, string) {
	out := Strings{}
	for _, l := range strings.Split(s, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if len(l) > 40 {
			return out, "Each language must be 40 characters or fewer"
		}
		out = append(out, l)
	}
	if len(out) > 10 {
		return out, "List up to 10 languages"
	}
	return out, ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// MentorState is a mentor as leads and managers see them in the list.
type MentorState struct {
	ID, Name     string
	HasProfile   bool
	JobRole      string
	CareerFamily string
	Region       string
	Capacity     int
	Active       int
	Vetting      *Vetting
	Eligibility  Eligibility
	// Conflicts are the learners (whom the viewer may see) the mentor
	// must never be matched with; filled in by Mentor only.
	Conflicts []Conflict
}

func (s *Service) mentorState(r mentorRow) MentorState {
	v := r.vetting()
	return MentorState{ID: r.UserID, Name: r.Name, HasProfile: r.HasProfile, JobRole: r.JobRole, CareerFamily: r.CareerFamily,
		Region: r.Region, Capacity: r.Capacity, Active: r.Active, Vetting: v, Eligibility: Eligible(v, s.today())}
}

func mayVet(u *auth.User) bool {
	return u.HasAny(auth.RoleSafeguardingLead, auth.RoleManager, auth.RoleAdmin)
}

// Mentors lists every mentor with whether they may be matched, for
// safeguarding leads, managers and admins. Errors: Forbidden otherwise.
func (s *Service) Mentors(ctx context.Context, viewer *auth.User) ([]MentorState, error) {
	if !mayVet(viewer) {
		return nil, auth.ErrNoScope
	}
	rows, err := s.store.Mentors(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MentorState, len(rows))
	for i, r := range rows {
		out[i] = s.mentorState(r)
	}
	return out, nil
}

// Mentor returns one mentor's state. Errors: Forbidden as Mentors;
// NotFound for someone who is not a mentor.
func (s *Service) Mentor(ctx context.Context, viewer *auth.User, id string) (MentorState, error) {
	if !mayVet(viewer) {
		return MentorState{}, auth.ErrNoScope
	}
	r, err := s.store.Mentor(ctx, id)
	if isNotFound(err) {
		return MentorState{}, errNoMentor
	}
	if err != nil {
		return MentorState{}, err
	}
	st := s.mentorState(r)
	if scope, err := conflictScope(viewer); err == nil { // a manager with no organisation sees none
		if st.Conflicts, err = s.store.ConflictsOf(ctx, id, scope); err != nil {
			return MentorState{}, err
		}
	}
	return st, nil
}

// VettingInput is the vetting form as typed; dates are day, month, year.
type VettingInput struct {
	DBSEnhancedBarred                        string // "yes" or "no"
	DBSDay, DBSMonth, DBSYear                string
	DBSUpdateService                         bool
	TrainingDay, TrainingMonth, TrainingYear string
	ReferencesOK, ApprovedUnder18            bool
}

// RecordVetting records a mentor's checks. Errors: Forbidden, NotFound,
// Invalid naming each field.
func (s *Service) RecordVetting(ctx context.Context, viewer *auth.User, mentorID string, in VettingInput) error {
	if !mayVet(viewer) {
		return auth.ErrNoScope
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Mentor(ctx, mentorID); isNotFound(err) {
			return errNoMentor
		} else if err != nil {
			return err
		}
		v := Vetting{UserID: mentorID, DBSUpdateService: in.DBSUpdateService, ReferencesOK: in.ReferencesOK,
			ApprovedUnder18: in.ApprovedUnder18, RecordedBy: viewer.ID, RecordedAt: s.now()}
		var errs []apperr.FieldError
		switch in.DBSEnhancedBarred {
		case "yes":
			v.DBSEnhancedBarred = true
			d, bad := s.pastDate("dbs", "Date on the DBS certificate", dayinput.Input{Day: in.DBSDay, Month: in.DBSMonth, Year: in.DBSYear})
			if bad != nil {
				errs = append(errs, *bad)
			}
			v.DBSCertificateOn = d
		case "no":
		default:
			errs = append(errs, apperr.FieldError{Field: "dbs-checked", Message: "Say whether they have an enhanced DBS check with the children's barred list"})
		}
		if training := (dayinput.Input{Day: in.TrainingDay, Month: in.TrainingMonth, Year: in.TrainingYear}); !training.Empty() {
			d, bad := s.pastDate("training", "Date they finished safeguarding training", training)
			if bad != nil {
				errs = append(errs, *bad)
			}
			v.SafeguardingTrainingOn = d
		}
		if len(errs) > 0 {
			return apperr.InvalidFields(errs...)
		}
		return s.store.SaveVetting(ctx, v)
	})
}

// pastDate reads a date typed into the boxes of the input name, which
// must be today or earlier.
func (s *Service) pastDate(name, label string, in dayinput.Input) (*time.Time, *apperr.FieldError) {
	t, bad := dayinput.Parse(name, label, in)
	if bad != nil {
		return nil, bad
	}
	if t.After(s.today()) {
		return nil, &apperr.FieldError{Field: name + "-day", Message: label + " must be today or in the past"}
	}
	return &t, nil
}

// RecordVettingFor saves a vetting record directly; seeding and tests use
// it.
func (s *Service) RecordVettingFor(ctx context.Context, v Vetting) error {
	if v.RecordedAt.IsZero() {
		v.RecordedAt = s.now()
	}
	return s.store.SaveVetting(ctx, v)
}

// ProgrammeCompleted hears from learning that userID finished a
// programme at at. For the mentor induction, finished by a mentor, it
// records day at as their safeguarding training date (a lead records the
// rest of their vetting); anything else is ignored. It runs in learning's
// transaction, so an error here undoes the completion.
func (s *Service) ProgrammeCompleted(ctx context.Context, userID, programmeSlug string, at time.Time) error {
	if programmeSlug != InductionProgramme {
		return nil
	}
	if _, err := s.store.Mentor(ctx, userID); isNotFound(err) {
		return nil // not a mentor: nothing of theirs to vet
	} else if err != nil {
		return err
	}
	_, err := s.store.SetTrainingDate(ctx, userID, dayOf(at), s.now())
	return err
}

// PreferencesInput is the learner's preferences form as typed.
type PreferencesInput struct {
	Interests, Availability []string
	Region, Languages       string
	MentorGender            string
}

// SavePreferences validates and saves a learner's preferences. Errors:
// Invalid naming each field.
func (s *Service) SavePreferences(ctx context.Context, learnerID string, in PreferencesInput) error {
	p := Preferences{UserID: learnerID, Region: in.Region, MentorGender: in.MentorGender, UpdatedAt: s.now(),
		Interests: Strings{}, Availability: Strings{}}
	var errs []apperr.FieldError
	for _, i := range in.Interests {
		if !validCode(CareerFamilies, i) {
			errs = append(errs, apperr.FieldError{Field: "interests", Message: "Choose careers from the list"})
			break
		}
		p.Interests = append(p.Interests, i)
	}
	for _, a := range in.Availability {
		if !validCode(Slots, a) {
			errs = append(errs, apperr.FieldError{Field: "availability", Message: "Choose times from the list"})
			break
		}
		p.Availability = append(p.Availability, a)
	}
	if p.Region != "" && !contains(Regions, p.Region) {
		errs = append(errs, apperr.FieldError{Field: "region", Message: "Choose a region from the list"})
	}
	langs, msg := parseLanguages(in.Languages)
	if msg != "" {
		errs = append(errs, apperr.FieldError{Field: "languages", Message: msg})
	}
	p.Languages = langs
	if p.MentorGender != "" && !validCode(Genders, p.MentorGender) {
		errs = append(errs, apperr.FieldError{Field: "mentor-gender", Message: "Choose an answer from the list"})
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs...)
	}
	return s.store.SavePreferences(ctx, p)
}
