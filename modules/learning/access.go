package learning

import (
	"context"
	"errors"
	"fmt"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/content"
)

// Enrolment statuses, as the cohorts module records them.
const (
	enrolmentActive    = "active"
	enrolmentWithdrawn = "withdrawn"
	enrolmentCompleted = "completed"
)

// Access is where a learner stands with one programme. The rule: lessons
// can be read, and progress made (lessons completed, checks tried), only
// on a programme the learner is enrolled on, with an active or completed
// enrolment in one of its cohorts. Starting an open programme on your own
// is such an enrolment. A learner withdrawn from every cohort of a
// programme keeps what they did there, and still sees it and their
// certificate, but cannot add to it or read its lessons.
type Access struct {
	Enrolled  bool   // may read lessons and make progress
	Withdrawn bool   // was enrolled, withdrawn from every cohort since
	Cohort    string // the group they are in; "" when they started it on their own
	// SelfEnrolled is set when they are on it because they started it
	// themselves.
	SelfEnrolled bool
	// Open is set when the programme is open: anyone may start it.
	Open bool
	// CanStart is set when they may start it now: it is open, they are
	// not on it, and they were not taken off it after starting it.
	CanStart bool
}

// accessTo works out a learner's access to programme o from all their
// enrolments.
func accessTo(o *content.Outline, ens []Enrolment) Access {
	a := Access{Open: o.Programme.OpenEnrolment}
	withdrawnSelf := false
	for _, e := range ens {
		if e.ProgrammeSlug != o.Programme.Slug {
			continue
		}
		switch e.Status {
		case enrolmentActive, enrolmentCompleted:
			// A group beats starting on your own: it is who supports them.
			if !a.Enrolled || a.SelfEnrolled {
				a.Cohort, a.SelfEnrolled = e.CohortName, e.SelfEnrolment
				if e.SelfEnrolment {
					a.Cohort = ""
				}
			}
			a.Enrolled = true
		case enrolmentWithdrawn:
			a.Withdrawn = true
			withdrawnSelf = withdrawnSelf || e.SelfEnrolment
		}
	}
	if a.Enrolled {
		a.Withdrawn = false
	}
	a.CanStart = a.Open && !a.Enrolled && !withdrawnSelf
	return a
}

// Sees is the one rule for who a programme is for: a programme for
// mentors is seen only by mentors; any other by everyone but a person who
// is only a mentor. Learners never see mentor programmes, and mentors see
// only theirs. Staff see learners' programmes, as they always have.
func Sees(u *auth.User, p content.Programme) bool {
	if p.ForMentors {
		return u.Has(auth.RoleMentor)
	}
	return u.Has(auth.RoleLearner) || !u.Has(auth.RoleMentor)
}

// visibleOutline returns the published programme slug when it is for u
// (see Sees). Errors: NotFound, the same for a programme not for them as
// for none at all.
func (s *Service) visibleOutline(ctx context.Context, u *auth.User, slug string) (*content.Outline, error) {
	o, err := s.outline(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !Sees(u, o.Programme) {
		return nil, errNoProgramme
	}
	return o, nil
}

// notOnProgramme is the refusal to let a learner read or add to a
// programme they are not on: Forbidden, with a message saying what they
// can do, and the programme's slug, so a page can send them to it.
type notOnProgramme struct {
	slug string
	err  *apperr.Error
}

func (e *notOnProgramme) Error() string { return e.err.Error() }
func (e *notOnProgramme) Unwrap() error { return e.err }

// NotOnProgramme returns the slug of the programme err refuses access
// to, if it is such a refusal.
func NotOnProgramme(err error) (slug string, ok bool) {
	var e *notOnProgramme
	if errors.As(err, &e) {
		return e.slug, true
	}
	return "", false
}

// refusal says why the learner may not read or add to programme o, and
// what they can do about it. It is Forbidden (see NotOnProgramme).
func (a Access) refusal(o *content.Outline) error {
	title := o.Programme.Title
	var msg string
	switch {
	case a.CanStart && a.Withdrawn:
		msg = fmt.Sprintf("You have left your group for %s. Your progress is kept. To carry on, start it again on your own from its page.", title)
	case a.Withdrawn:
		msg = fmt.Sprintf("You have left %s, so you cannot add to it now. Your progress so far is kept. Talk to your programme manager if you want to come back.", title)
	case a.CanStart:
		msg = fmt.Sprintf("You have not started %s yet. Go to its page and press \u201cStart this programme\u201d first.", title)
	default:
		msg = fmt.Sprintf("You are not on %s yet. Ask your programme manager for a group code, then enter it at /join.", title)
	}
	return &notOnProgramme{slug: o.Programme.Slug, err: apperr.New(apperr.Forbidden, msg)}
}

// access reads the learner's enrolments and works out their access to o.
func (s *Service) access(ctx context.Context, userID string, o *content.Outline) (Access, error) {
	ens, err := s.enrolments.ForUser(ctx, userID)
	if err != nil {
		return Access{}, err
	}
	return accessTo(o, ens), nil
}

// ProgrammeView is a programme as one learner sees it: their progress
// and what they may do.
type ProgrammeView struct {
	*Progress
	Access Access
}

// enrolledOutline returns the published programme slug when it is for u
// and u is on it. Errors: NotFound; Forbidden, saying why, when they are
// not on it.
func (s *Service) enrolledOutline(ctx context.Context, u *auth.User, slug string) (*content.Outline, error) {
	o, err := s.visibleOutline(ctx, u, slug)
	if err != nil {
		return nil, err
	}
	a, err := s.access(ctx, u.ID, o)
	if err != nil {
		return nil, err
	}
	if !a.Enrolled {
		return nil, a.refusal(o)
	}
	return o, nil
}

// Programme returns a published programme with the learner's progress
// and access. Errors: NotFound, also for a programme not for them.
func (s *Service) Programme(ctx context.Context, u *auth.User, slug string) (*ProgrammeView, error) {
	o, err := s.visibleOutline(ctx, u, slug)
	if err != nil {
		return nil, err
	}
	p, err := s.progressIn(ctx, u.ID, o)
	if err != nil {
		return nil, err
	}
	a, err := s.access(ctx, u.ID, o)
	if err != nil {
		return nil, err
	}
	return &ProgrammeView{Progress: p, Access: a}, nil
}

// Start enrols the learner on the open programme slug, by themselves
// (see cohorts' SelfEnrol), and returns their enrolment on it: the group
// they are in, or else the one they started. added says whether this call
// made it: starting again, or starting a programme they are on with a
// group, changes nothing. Errors: NotFound for no such published
// programme; Forbidden when it is not open; Conflict when they were taken
// off it. A programme not for them (see Sees) is NotFound.
func (s *Service) Start(ctx context.Context, u *auth.User, slug string) (e *EnrolmentProgress, added bool, err error) {
	o, err := s.visibleOutline(ctx, u, slug)
	if err != nil {
		return nil, false, err
	}
	a, err := s.access(ctx, u.ID, o)
	if err != nil {
		return nil, false, err
	}
	if !a.Enrolled {
		if added, err = s.enrolments.SelfEnrol(ctx, u.ID, slug); err != nil {
			return nil, false, err
		}
	}
	e, err = s.enrolmentIn(ctx, u.ID, slug)
	return e, added, err
}

// enrolmentIn returns the learner's current enrolment on the programme
// slug, with their progress: the group they are in, or else the one they
// started themselves. Errors: NotFound when they are not on it.
func (s *Service) enrolmentIn(ctx context.Context, userID, slug string) (*EnrolmentProgress, error) {
	ens, err := s.Enrolments(ctx, userID)
	if err != nil {
		return nil, err
	}
	var found *EnrolmentProgress
	for i, e := range ens {
		if e.Enrolment.ProgrammeSlug == slug && e.Enrolment.Status != enrolmentWithdrawn &&
			(found == nil || found.Enrolment.SelfEnrolment) {
			found = &ens[i]
		}
	}
	if found == nil {
		return nil, apperr.New(apperr.NotFound, "You are not on this programme")
	}
	return found, nil
}
