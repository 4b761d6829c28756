package cohorts

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// LearnerEnrolment is one learner's place in one cohort, for the
// manager's learner page. It holds no equality monitoring data: that is
// only ever reported in aggregate.
type LearnerEnrolment struct {
	Cohort           *Cohort
	Progress         LearnerRow // as the cohort's dashboard shows it
	EnrolmentID      string
	EnrolledAt       time.Time
	WithdrawnAt      *time.Time
	WithdrawalReason string
	TransferredFrom  *CohortName
	// Targets are the cohorts the learner could move to: the same
	// programme and organisation, not finished.
	Targets []Cohort
	// The full picture: each module (Progress.Modules lines up with
	// Modules), their mentors with this organisation, and where they went
	// next from this cohort.
	Modules      []ModuleHead
	Mentors      []MentorLink
	Destinations []DestinationLine
}

// CohortName names a cohort in a link.
type CohortName struct{ ID, Name string }

// MaxReasonLength caps a withdrawal reason.
const MaxReasonLength = 500

var errNotInCohort = apperr.New(apperr.NotFound, "This learner is not in this cohort")

type enrolmentRow struct {
	ID               string
	Status           string
	EnrolledAt       time.Time
	WithdrawnAt      *time.Time
	WithdrawalReason string
	TransferredFrom  *string
}

// enrolment returns a learner's enrolment in a cohort, locked for update
// when lock is set, or nil when there is none.
func (s *Store) enrolment(ctx context.Context, cohortID, userID string, lock bool) (*enrolmentRow, error) {
	if !db.IsUUID(userID) {
		return nil, nil
	}
	q := `SELECT e.id, e.status, e.enrolled_at, e.withdrawn_at, e.withdrawal_reason, e.transferred_from
		FROM enrolments e WHERE e.cohort_id = ? AND e.user_id = ?`
	if lock {
		q += " FOR UPDATE OF e"
	}
	var r enrolmentRow
	res := db.Conn(ctx, s.g).Raw(q, cohortID, userID).Scan(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, res.Error
	}
	return &r, nil
}

// Learner returns a learner's enrolment in a cohort the viewer may see,
// with their progress and where they could be transferred. NotFound when
// the cohort is outside scope or the learner is not in it.
func (s *Service) Learner(ctx context.Context, viewer *auth.User, cohortID, userID string) (*LearnerEnrolment, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	e, err := s.store.enrolment(ctx, c.ID, userID, false)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, errNotInCohort
	}
	d, err := s.Dashboard(ctx, viewer, c.ID)
	if err != nil {
		return nil, err
	}
	le := &LearnerEnrolment{Cohort: c, EnrolmentID: e.ID, EnrolledAt: e.EnrolledAt, WithdrawnAt: e.WithdrawnAt,
		WithdrawalReason: e.WithdrawalReason, Modules: d.Modules}
	if le.Mentors, le.Destinations, err = s.store.picture(ctx, c, userID); err != nil {
		return nil, err
	}
	for _, r := range d.Learners {
		if r.UserID == userID {
			le.Progress = r
		}
	}
	if e.TransferredFrom != nil {
		// Named only when the viewer may see that cohort too, so a move
		// made before transfers kept to one organisation names nothing
		// of another's.
		from, err := s.Cohort(ctx, viewer, *e.TransferredFrom)
		switch {
		case err == nil:
			le.TransferredFrom = &CohortName{ID: from.ID, Name: from.Name}
		case !errors.Is(err, errNoCohort):
			return nil, err
		}
	}
	all, err := s.Cohorts(ctx, viewer, Filter{Programme: c.ProgrammeSlug})
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.ID != c.ID && t.ProgrammeID == c.ProgrammeID && t.OrganisationID == c.OrganisationID && t.Status(s.Today()) != StatusFinished {
			le.Targets = append(le.Targets, t)
		}
	}
	return le, nil
}

// Withdraw takes a learner out of a cohort, with a reason (required, at
// most 500 characters: Invalid otherwise). Their progress is kept.
// Conflict when already withdrawn; NotFound outside scope.
func (s *Service) Withdraw(ctx context.Context, viewer *auth.User, cohortID, userID, reason string) error {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		e, err := s.lockActive(ctx, c.ID, userID)
		if err != nil {
			return err
		}
		switch {
		case reason == "":
			return apperr.InvalidFields(apperr.FieldError{Field: "reason", Message: "Enter why the learner is leaving the cohort"})
		case utf8.RuneCountInString(reason) > MaxReasonLength:
			return apperr.InvalidFields(apperr.FieldError{Field: "reason", Message: "The reason must be 500 characters or fewer"})
		}
		if err := s.store.withdraw(ctx, e.ID, reason, s.now()); err != nil {
			return err
		}
		return s.record(ctx, viewer.ID, "enrolment.withdrawn", "enrolment", e.ID, map[string]any{
			"cohort_id": c.ID, "user_id": userID, "reason": reason})
	})
}

// Transfer moves a learner to another cohort of the same programme and
// organisation (an admin sees every organisation's, but a learner an
// organisation enrolled is not handed to another) that has not finished: a new enrolment there that
// remembers where they came from, and this one withdrawn with the reason
// "Transferred to <cohort>". Progress belongs to the learner, not the
// enrolment, so it carries over. Invalid when the target is not such a
// cohort or the learner is already in it; Conflict when the learner was
// withdrawn; NotFound outside scope.
func (s *Service) Transfer(ctx context.Context, viewer *auth.User, cohortID, userID, targetID string) (*Cohort, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	invalid := func(msg string) error { return apperr.InvalidFields(apperr.FieldError{Field: "cohort", Message: msg}) }
	var target *Cohort
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		e, err := s.lockActive(ctx, c.ID, userID)
		if err != nil {
			return err
		}
		if targetID == "" {
			return invalid("Choose the cohort to move the learner to")
		}
		target, err = s.Cohort(ctx, viewer, targetID)
		switch {
		case err != nil && !errors.Is(err, errNoCohort):
			return err
		case err != nil || target.ProgrammeID != c.ProgrammeID || target.OrganisationID != c.OrganisationID:
			return invalid("Choose a cohort of " + c.ProgrammeTitle + " run by " + c.OrganisationName)
		case target.ID == c.ID:
			return invalid("Choose a different cohort from the one the learner is in")
		case target.Status(s.Today()) == StatusFinished:
			return invalid(target.Name + " has finished: choose a cohort that has not")
		}
		added, err := s.store.enrolOnce(ctx, target.ID, userID, s.now(), &c.ID)
		if err != nil {
			return err
		}
		if !added {
			return invalid("The learner is already in " + target.Name)
		}
		reason := "Transferred to " + target.Name
		if err := s.store.withdraw(ctx, e.ID, reason, s.now()); err != nil {
			return err
		}
		return s.record(ctx, viewer.ID, "enrolment.transferred", "enrolment", e.ID, map[string]any{
			"cohort_id": c.ID, "user_id": userID, "to_cohort_id": target.ID})
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// lockActive returns the learner's enrolment in the cohort, locked, or
// NotFound when there is none and Conflict when it is withdrawn.
func (s *Service) lockActive(ctx context.Context, cohortID, userID string) (*enrolmentRow, error) {
	e, err := s.store.enrolment(ctx, cohortID, userID, true)
	switch {
	case err != nil:
		return nil, err
	case e == nil:
		return nil, errNotInCohort
	case e.Status == "withdrawn":
		return nil, apperr.New(apperr.Conflict, "This learner has already been withdrawn from this cohort")
	}
	return e, nil
}

func (s *Store) withdraw(ctx context.Context, enrolmentID, reason string, at time.Time) error {
	return db.Conn(ctx, s.g).Exec(`UPDATE enrolments SET status = 'withdrawn', withdrawn_at = ?, withdrawal_reason = ?
		WHERE id = ?`, at, reason, enrolmentID).Error
}
