package cohorts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"onramp/app/apperr"
	"onramp/app/db"
)

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// record writes one audit event in the context's transaction, so the
// change and its entry commit or roll back together.
func (s *Service) record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error {
	return s.audit.Record(ctx, actorID, action, subjectType, subjectID, detail)
}

// AgeRange is who a programme is for, by age on the cohort's start date.
type AgeRange struct {
	Min, Max int // Max 0: no upper limit
}

// programmeAges are the programmes' age ranges; a programme not listed is
// for anyone 16 or over.
var programmeAges = map[string]AgeRange{
	"get-started":    {Min: 16, Max: 30},
	"get-into":       {Min: 16, Max: 30},
	"step-into-work": {Min: 19},
}

// AgesFor returns the age range of the programme with slug.
func AgesFor(programmeSlug string) AgeRange {
	if r, ok := programmeAges[programmeSlug]; ok {
		return r
	}
	return AgeRange{Min: 16}
}

// String says the range as a rule: "16 to 30", "19 or over".
func (r AgeRange) String() string {
	if r.Max == 0 {
		return fmt.Sprintf("%d or over", r.Min)
	}
	return fmt.Sprintf("%d to %d", r.Min, r.Max)
}

// Admits reports whether age is in the range.
func (r AgeRange) Admits(age int) bool { return age >= r.Min && (r.Max == 0 || age <= r.Max) }

// ageOn is the age in whole years on day of someone born on dob.
func ageOn(dob, day time.Time) int {
	age := day.Year() - dob.Year()
	if day.Month() < dob.Month() || day.Month() == dob.Month() && day.Day() < dob.Day() {
		age--
	}
	return age
}

// enrolOnce enrols a learner unless they already have an enrolment in the
// cohort (withdrawn or not), and reports whether it added one.
func (s *Store) enrolOnce(ctx context.Context, cohortID, userID string, at time.Time, transferredFrom *string) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO enrolments (cohort_id, user_id, enrolled_at, transferred_from)
		VALUES (?, ?, ?, ?) ON CONFLICT (cohort_id, user_id) DO NOTHING`, cohortID, userID, at, transferredFrom)
	return res.RowsAffected == 1, res.Error
}

// notFound turns the stores' db.ErrNotFound into as, so a missing row and a
// row outside the viewer's scope read the same.
func notFound(err error, as *apperr.Error) error {
	if errors.Is(err, db.ErrNotFound) {
		return as
	}
	return err
}
