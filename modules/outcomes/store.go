package outcomes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
)

// Store reads and writes destinations and follow-ups. Lookups of one row
// return db.ErrNotFound when there is none (or it is outside the scope);
// other errors say what was being done.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// Learner returns a learner the scope may see: for a manager, only someone
// enrolled in one of their organisation's cohorts. Errors: db.ErrNotFound
// otherwise, and for ids that are not UUIDs.
func (s *Store) Learner(ctx context.Context, scope auth.Scope, id string) (Learner, error) {
	var l Learner
	if !db.IsUUID(id) {
		return l, db.ErrNotFound
	}
	cond, args := scope.Where("c.organisation_id")
	q := `SELECT u.id, u.name, u.email FROM users u WHERE u.id = ?`
	if !scope.All {
		q += ` AND EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE e.user_id = u.id AND ` + cond + `)`
	}
	res := db.Conn(ctx, s.g).Raw(q, append([]any{id}, args...)...).Scan(&l)
	return l, db.One(res, "learner", id)
}

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }

// Enrolments lists the learner's enrolments in cohorts the scope may see,
// newest cohort first. A programme started on one's own (a
// self-enrolment cohort, no organisation: "") is only in the all scope,
// so learners can tell their news about it.
func (s *Store) Enrolments(ctx context.Context, scope auth.Scope, userID string) ([]Enrolment, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Enrolment
	err := db.Conn(ctx, s.g).Raw(`
		SELECT c.id AS cohort_id, c.name AS cohort_name, p.title AS programme_title,
		       COALESCE(c.organisation_id::text, '') AS organisation_id, e.status, c.starts_on, c.ends_on
		FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id
		WHERE e.user_id = ? AND `+cond+`
		ORDER BY c.starts_on DESC, c.name`, append([]any{userID}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the enrolments of learner %s: %w", userID, err)
	}
	return out, nil
}

const destinationColumns = `d.id, d.user_id, u.name AS learner_name, d.cohort_id, c.name AS cohort_name,
	p.title AS programme_title, d.kind, d.employer, d.role, d.start_date, d.hours_per_week::float8 AS hours_per_week,
	d.contract, d.evidence_note, d.source, d.recorded_by, rb.name AS recorded_by_name, d.verified_at,
	COALESCE(vb.name, '') AS verified_by_name, d.created_at`

const destinationJoins = `FROM destinations d
	JOIN users u ON u.id = d.user_id
	JOIN cohorts c ON c.id = d.cohort_id
	JOIN programmes p ON p.id = c.programme_id
	JOIN users rb ON rb.id = d.recorded_by
	LEFT JOIN users vb ON vb.id = d.verified_by`

// Destinations lists a learner's destinations that follow cohorts the
// scope may see, newest first, each with its follow-ups.
func (s *Store) Destinations(ctx context.Context, scope auth.Scope, userID string) ([]Destination, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Destination
	err := db.Conn(ctx, s.g).Raw(`SELECT `+destinationColumns+` `+destinationJoins+`
		WHERE d.user_id = ? AND `+cond+` ORDER BY d.start_date DESC, d.created_at DESC`,
		append([]any{userID}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the destinations of learner %s: %w", userID, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, d := range out {
		ids[i] = d.ID
	}
	var fus []FollowUp
	err = db.Conn(ctx, s.g).Raw(`
		SELECT f.destination_id, f.kind, f.due_on, f.outcome, f.recorded_at, COALESCE(u.name, '') AS recorded_by_name, f.note
		FROM follow_ups f LEFT JOIN users u ON u.id = f.recorded_by
		WHERE f.destination_id IN ? ORDER BY f.due_on`, ids).Scan(&fus).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the follow-ups of learner %s: %w", userID, err)
	}
	byID := map[string]*Destination{}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	for _, f := range fus {
		byID[f.DestinationID].FollowUps = append(byID[f.DestinationID].FollowUps, f)
	}
	return out, nil
}

// Destination returns one destination the scope may see. Errors:
// db.ErrNotFound when there is none (or the id is not a UUID).
func (s *Store) Destination(ctx context.Context, scope auth.Scope, id string) (Destination, error) {
	var d Destination
	if !db.IsUUID(id) {
		return d, db.ErrNotFound
	}
	cond, args := scope.Where("c.organisation_id")
	res := db.Conn(ctx, s.g).Raw(`SELECT `+destinationColumns+` `+destinationJoins+`
		WHERE d.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&d)
	return d, db.One(res, "destination", id)
}

// FollowUp returns one follow-up. Errors: db.ErrNotFound when there is
// none.
func (s *Store) FollowUp(ctx context.Context, destinationID, kind string) (FollowUp, error) {
	var f FollowUp
	res := db.Conn(ctx, s.g).Raw(`SELECT destination_id, kind, due_on, outcome, recorded_at, note
		FROM follow_ups WHERE destination_id = ? AND kind = ?`, destinationID, kind).Scan(&f)
	return f, db.One(res, "follow-up", destinationID+" "+kind)
}

// newDestination is a validated destination ready to insert.
type newDestination struct {
	UserID, CohortID, Kind, Employer, Role string
	StartDate                              time.Time
	HoursPerWeek                           *float64
	Contract                               *string
	EvidenceNote, Source, RecordedBy       string
	VerifiedAt                             *time.Time
	VerifiedBy                             *string
	CreatedAt                              time.Time
}

// InsertDestination adds a destination with its 3- and 6-month
// follow-ups, due that many calendar months after it starts (PostgreSQL's
// month arithmetic: 30 November + 3 months is 28 or 29 February).
func (s *Store) InsertDestination(ctx context.Context, n newDestination) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`
		WITH d AS (
		  INSERT INTO destinations (user_id, cohort_id, kind, employer, role, start_date, hours_per_week, contract,
		                            evidence_note, source, recorded_by, verified_at, verified_by, created_at)
		  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		  RETURNING id, start_date),
		f AS (
		  INSERT INTO follow_ups (destination_id, kind, due_on)
		  SELECT d.id, k.kind, (d.start_date + k.after)::date
		  FROM d, (VALUES ('3_months', interval '3 months'), ('6_months', interval '6 months')) AS k (kind, after))
		SELECT id FROM d`,
		n.UserID, n.CohortID, n.Kind, n.Employer, n.Role, n.StartDate.Format(time.DateOnly), n.HoursPerWeek, n.Contract,
		n.EvidenceNote, n.Source, n.RecordedBy, n.VerifiedAt, n.VerifiedBy, n.CreatedAt).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to record a destination for learner %s: %w", n.UserID, err)
	}
	return id, nil
}

// Verify marks a destination verified by userID; it reports false when it
// already was.
func (s *Store) Verify(ctx context.Context, id, userID string, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(
		"UPDATE destinations SET verified_at = ?, verified_by = ? WHERE id = ? AND verified_at IS NULL", at, userID, id)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to verify destination %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RecordFollowUp stores what a follow-up found, replacing anything
// recorded before.
func (s *Store) RecordFollowUp(ctx context.Context, destinationID, kind, outcome, note, userID string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE follow_ups SET outcome = ?, note = ?, recorded_by = ?, recorded_at = ?
		WHERE destination_id = ? AND kind = ?`, outcome, note, userID, at, destinationID, kind).Error
	if err != nil {
		return fmt.Errorf("store: unable to record follow-up %s of destination %s: %w", kind, destinationID, err)
	}
	return nil
}

// DueFollowUps lists follow-ups not yet recorded and due on or before
// until, for destinations following cohorts the scope may see, soonest
// first.
func (s *Store) DueFollowUps(ctx context.Context, scope auth.Scope, until time.Time) ([]DueFollowUp, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []DueFollowUp
	err := db.Conn(ctx, s.g).Raw(`
		SELECT f.destination_id, f.kind AS follow_up_kind, f.due_on, d.user_id AS learner_id, u.name AS learner_name,
		       d.kind AS destination_kind, d.employer, d.role, c.name AS cohort_name, d.start_date
		FROM follow_ups f
		JOIN destinations d ON d.id = f.destination_id
		JOIN cohorts c ON c.id = d.cohort_id
		JOIN users u ON u.id = d.user_id
		WHERE f.outcome IS NULL AND f.due_on <= ? AND `+cond+`
		ORDER BY f.due_on, u.name, f.kind`, append([]any{until.Format(time.DateOnly)}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list follow-ups due by %s: %w", until.Format(time.DateOnly), err)
	}
	return out, nil
}
