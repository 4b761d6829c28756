// Package cohorts owns cohorts (a programme run by an organisation) and
// the enrolments that put learners in them. The Managing feature builds
// its screens on top; Learning reads enrolments through ForUser.
package cohorts

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/identity"
	"onramp/modules/learning"
)

// Service reads and writes cohorts and enrolments.
type Service struct {
	db     *db.DB
	g      *gorm.DB
	store  *Store
	risk   RiskRules
	now    func() time.Time
	audit  Recorder
	dest   Destinations
	people People
	notes  Notifier
}

var _ learning.Enrolments = (*Service)(nil)

// Destinations counts positive destinations; the outcomes module provides it.
type Destinations interface {
	PositiveDestinations(ctx context.Context, cohortID string) (int, error)
}

// NewService returns the cohorts service. audit records enrolment
// changes; dest counts positive destinations for the funnel; people
// provisions the people an import adds and says whose email is verified;
// notes carries nudges and the emails an import sends (nil sends none);
// risk sets the at-risk thresholds and now is the clock they, and invite
// and invitation expiry, are judged by.
func NewService(d *db.DB, audit Recorder, dest Destinations, people People, notes Notifier, risk RiskRules, now func() time.Time) *Service {
	if risk == (RiskRules{}) {
		risk = RiskRules{InactiveDays: 7, FailedChecks: 2, NotStartedDays: 3}
	}
	return &Service{db: d, g: d.Gorm, store: &Store{g: d.Gorm}, audit: audit, dest: dest, people: people, notes: notes, risk: risk, now: now}
}

// ForUser lists a learner's enrolments, newest cohort first (then by
// enrolment id, so the order is the same on every read). An
// enrolment in a self-enrolment cohort has no organisation ("").
func (s *Service) ForUser(ctx context.Context, userID string) ([]learning.Enrolment, error) {
	var out []learning.Enrolment
	err := db.Conn(ctx, s.g).Raw(`
		SELECT e.id, e.cohort_id, c.name AS cohort_name, p.slug AS programme_slug,
		       COALESCE(c.organisation_id::text, '') AS organisation_id, c.self_enrolment, e.status, c.starts_on, c.ends_on
		FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id
		WHERE e.user_id = ? ORDER BY c.starts_on DESC, e.id`, userID).Scan(&out).Error
	return out, err
}

// ProgrammeManagers lists the managers of the organisations running the
// learner's groups they have not left (none for a group they started on
// their own), so the learner knows who to contact. It reads users and
// role grants (identity's) for who holds the manager role.
func (s *Service) ProgrammeManagers(ctx context.Context, userID string) ([]learning.Contact, error) {
	var out []learning.Contact
	err := db.Conn(ctx, s.g).Raw(`
		SELECT DISTINCT u.name, u.email, o.name AS organisation
		FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN organisations o ON o.id = c.organisation_id
		JOIN users u ON u.organisation_id = c.organisation_id
		WHERE e.user_id = ? AND e.status <> 'withdrawn' AND `+identity.HoldsRole+`
		ORDER BY o.name, u.name`, userID, auth.RoleManager, auth.RoleManager).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cohorts: unable to list the programme managers of %s: %w", userID, err)
	}
	return out, nil
}

// EnsureCohort returns the id of the organisation's cohort called name,
// creating it for the programme with slug when missing.
func (s *Service) EnsureCohort(ctx context.Context, orgID, programmeSlug, name, region string, starts, ends time.Time, capacity int) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`
		WITH ins AS (
		  INSERT INTO cohorts (programme_id, organisation_id, name, starts_on, ends_on, capacity, region)
		  SELECT p.id, ?, ?, ?, ?, ?, ? FROM programmes p WHERE p.slug = ?
		  ON CONFLICT (organisation_id, name) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM cohorts WHERE organisation_id = ? AND name = ? LIMIT 1`,
		orgID, name, starts, ends, capacity, region, programmeSlug, orgID, name).Scan(&id).Error
	return id, err
}

// Enrol puts a learner in a cohort once; enrolling again changes nothing.
func (s *Service) Enrol(ctx context.Context, cohortID, userID string, at time.Time) error {
	return db.Conn(ctx, s.g).Exec(
		"INSERT INTO enrolments (cohort_id, user_id, enrolled_at) VALUES (?, ?, ?) ON CONFLICT (cohort_id, user_id) DO NOTHING",
		cohortID, userID, at).Error
}
