package outcomes

import (
	"context"
	"math"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// Service holds the outcomes rules: who may record, verify and follow up
// a destination, and how the conversion rate is worked out.
type Service struct {
	db    *db.DB
	store *Store
	audit Recorder
	now   func() time.Time
}

// NewService returns the outcomes service. now is the clock.
func NewService(d *db.DB, audit Recorder, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), audit: audit, now: now}
}

// today is the current date (UTC), at midnight.
func (s *Service) today() time.Time {
	y, m, d := s.now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var (
	errNoLearner     = apperr.New(apperr.NotFound, "There is no such learner")
	errNoDestination = apperr.New(apperr.NotFound, "There is no such destination")
)

// LearnerView is a manager's page about one learner's destinations.
type LearnerView struct {
	Learner      Learner
	Enrolments   []Enrolment
	Destinations []Destination
	Today        time.Time
}

// Learner returns a learner's enrolments and destinations, as far as the
// viewer may see them. Errors: NotFound for an unknown learner, or one
// not enrolled in any of a manager's organisation's cohorts.
func (s *Service) Learner(ctx context.Context, viewer *auth.User, learnerID string) (*LearnerView, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	l, err := s.store.Learner(ctx, scope, learnerID)
	if isNotFound(err) {
		return nil, errNoLearner
	}
	if err != nil {
		return nil, err
	}
	v := &LearnerView{Learner: l, Today: s.today()}
	if v.Enrolments, err = s.store.Enrolments(ctx, scope, l.ID); err != nil {
		return nil, err
	}
	v.Destinations, err = s.store.Destinations(ctx, scope, l.ID)
	return v, err
}

// RecordDestination records where a learner went, for a manager of the
// learner's cohort's organisation or an admin. It is verified at once only
// when the recorder says they have seen evidence. Follow-ups at 3 and 6
// months are created with it. Errors: NotFound, Invalid naming each field.
func (s *Service) RecordDestination(ctx context.Context, viewer *auth.User, learnerID string, in DestinationInput) (string, error) {
	var id string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		scope, err := auth.ScopeOf(viewer)
		if err != nil {
			return err
		}
		l, err := s.store.Learner(ctx, scope, learnerID)
		if isNotFound(err) {
			return errNoLearner
		}
		if err != nil {
			return err
		}
		ens, err := s.store.Enrolments(ctx, scope, l.ID)
		if err != nil {
			return err
		}
		n, fields := validateDestination(in, ens, s.today(), false)
		if len(fields) > 0 {
			return apperr.InvalidFields(fields...)
		}
		now := s.now()
		n.UserID, n.Source, n.RecordedBy, n.CreatedAt = l.ID, SourceManager, viewer.ID, now
		if in.EvidenceSeen {
			n.VerifiedAt, n.VerifiedBy = &now, &viewer.ID
		}
		if id, err = s.store.InsertDestination(ctx, n); err != nil {
			return err
		}
		return s.audit.Record(ctx, viewer.ID, "destination.recorded", "destination", id, map[string]any{
			"learner_id": l.ID, "cohort_id": n.CohortID, "kind": n.Kind, "verified": in.EvidenceSeen})
	})
	return id, err
}

// NewsView is a learner's "Tell us your news" page.
type NewsView struct {
	Enrolments   []Enrolment
	Destinations []Destination
}

// News returns the learner's own enrolments and the destinations recorded
// for them.
func (s *Service) News(ctx context.Context, learner *auth.User) (*NewsView, error) {
	ens, err := s.store.Enrolments(ctx, auth.Scope{All: true}, learner.ID)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Destinations(ctx, auth.Scope{All: true}, learner.ID)
	return &NewsView{Enrolments: ens, Destinations: ds}, err
}

// News is a destination as a learner's mentor may know of it: what kind
// and when it starts, never the employer, role or evidence.
type News struct {
	Kind, KindLabel string
	StartDate       time.Time
}

// SelfReportedNews lists the destinations a learner told us about
// themselves, newest first, as their mentor may see them.
func (s *Service) SelfReportedNews(ctx context.Context, learnerID string) ([]News, error) {
	ds, err := s.store.Destinations(ctx, auth.Scope{All: true}, learnerID)
	if err != nil {
		return nil, err
	}
	out := []News{}
	for _, d := range ds {
		if d.Source == SourceLearner {
			out = append(out, News{Kind: d.Kind, KindLabel: KindLabel(d.Kind), StartDate: d.StartDate})
		}
	}
	return out, nil
}

// ReportNews records a destination a learner tells us about themselves.
// It stays unverified, and out of the conversion rate, until a manager
// verifies it. Errors: Invalid naming each field.
func (s *Service) ReportNews(ctx context.Context, learner *auth.User, in DestinationInput) (string, error) {
	var id string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		ens, err := s.store.Enrolments(ctx, auth.Scope{All: true}, learner.ID)
		if err != nil {
			return err
		}
		n, fields := validateDestination(in, ens, s.today(), true)
		if len(fields) > 0 {
			return apperr.InvalidFields(fields...)
		}
		n.UserID, n.Source, n.RecordedBy, n.CreatedAt = learner.ID, SourceLearner, learner.ID, s.now()
		if id, err = s.store.InsertDestination(ctx, n); err != nil {
			return err
		}
		return s.audit.Record(ctx, learner.ID, "destination.reported", "destination", id, map[string]any{
			"learner_id": learner.ID, "cohort_id": n.CohortID, "kind": n.Kind})
	})
	return id, err
}

// Verify records that the viewer has seen evidence of a destination. It
// returns the learner's id. Verifying again changes nothing. Errors:
// NotFound for a destination the viewer may not see.
func (s *Service) Verify(ctx context.Context, viewer *auth.User, destinationID string) (string, error) {
	var learnerID string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		scope, err := auth.ScopeOf(viewer)
		if err != nil {
			return err
		}
		d, err := s.store.Destination(ctx, scope, destinationID)
		if isNotFound(err) {
			return errNoDestination
		}
		if err != nil {
			return err
		}
		learnerID = d.UserID
		changed, err := s.store.Verify(ctx, d.ID, viewer.ID, s.now())
		if err != nil || !changed {
			return err
		}
		return s.audit.Record(ctx, viewer.ID, "destination.verified", "destination", d.ID, map[string]any{
			"learner_id": d.UserID, "kind": d.Kind, "source": d.Source})
	})
	return learnerID, err
}

// FollowUpInput is what a follow-up found.
type FollowUpInput struct {
	Outcome string
	Note    string
}

// RecordFollowUp records what a 3- or 6-month follow-up found. It can be
// recorded from 14 days before it is due (when it joins the reminder
// list), and recorded again to correct it. It returns the learner's id.
// Errors: NotFound for a destination the viewer may not see or an unknown
// follow-up; Invalid when the outcome is missing or it is too early.
func (s *Service) RecordFollowUp(ctx context.Context, viewer *auth.User, destinationID, kind string, in FollowUpInput) (string, error) {
	var learnerID string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		scope, err := auth.ScopeOf(viewer)
		if err != nil {
			return err
		}
		d, err := s.store.Destination(ctx, scope, destinationID)
		if isNotFound(err) {
			return errNoDestination
		}
		if err != nil {
			return err
		}
		learnerID = d.UserID
		f, err := s.store.FollowUp(ctx, d.ID, kind)
		if isNotFound(err) {
			return apperr.New(apperr.NotFound, "There is no such follow-up")
		}
		if err != nil {
			return err
		}
		outcome, note, fields := validateFollowUp(in, f, s.today())
		if len(fields) > 0 {
			return apperr.InvalidFields(fields...)
		}
		if err := s.store.RecordFollowUp(ctx, d.ID, kind, outcome, note, viewer.ID, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, viewer.ID, "follow_up.recorded", "destination", d.ID, map[string]any{
			"learner_id": d.UserID, "follow_up": kind, "outcome": outcome})
	})
	return learnerID, err
}

// DueFollowUps is the managers' reminder list: follow-ups not yet
// recorded that are overdue or due within 14 days, for destinations the
// viewer may see.
func (s *Service) DueFollowUps(ctx context.Context, viewer *auth.User) ([]DueFollowUp, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	today := s.today()
	due, err := s.store.DueFollowUps(ctx, scope, today.AddDate(0, 0, followUpWindow))
	for i := range due {
		due[i].DaysLeft = int(math.Round(due[i].DueOn.Sub(today).Hours() / 24))
	}
	return due, err
}

// PositiveDestinations counts a cohort's learners with a verified positive
// destination (a job, apprenticeship, volunteering or education), for the
// cohort dashboard's funnel.
func (s *Service) PositiveDestinations(ctx context.Context, cohortID string) (int, error) {
	var n int
	err := db.Conn(ctx, s.db.Gorm).Raw(`SELECT count(DISTINCT user_id) FROM destinations
		WHERE cohort_id = ? AND verified_at IS NOT NULL AND kind <> 'other'`, cohortID).Scan(&n).Error
	return n, err
}
