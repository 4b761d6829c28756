package cohorts

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"onramp/app/db"
)

// People is what cohorts needs from the identity module, which owns
// people: cohorts never writes the users table.
type People interface {
	// Provision returns the id of the person with email, creating a
	// not-yet-signed-in person with the other details when nobody has
	// that email (created is then true). An existing person's record is
	// never changed.
	Provision(ctx context.Context, email, name, phone string, dateOfBirth *time.Time) (id string, created bool, err error)
	// VerifiedEmail returns the person's email address when their
	// identity provider vouched for it at their current sign-in, else "".
	VerifiedEmail(ctx context.Context, userID string) (string, error)
}

// knownElsewhere is the one rule for whom a spreadsheet import may enrol
// directly. A person is known elsewhere, for a cohort run by organisation
// orgID, when any account with their email belongs to another
// organisation (users.organisation_id), or has an enrolment, in any
// status, in a cohort orgID does not run: another organisation's, or a
// programme's self-enrolment cohort, which no organisation runs. Such a
// person is invited, never enrolled or changed, so an organisation cannot
// pull someone in by email and read their progress; nor learn that they
// exist, because the manager sees the same answer as for a new email. A
// person known only to orgID, or to nobody, is enrolled directly.
//
// Self-enrolment counts: progress a learner made on their own is theirs
// until they accept an organisation's invitation.
func (s *Store) knownElsewhere(ctx context.Context, email, orgID string) (bool, error) {
	var known bool
	err := db.Conn(ctx, s.g).Raw(`SELECT
		EXISTS (SELECT 1 FROM users u WHERE u.email = ? AND u.organisation_id IS NOT NULL AND u.organisation_id <> ?)
		OR EXISTS (SELECT 1 FROM users u JOIN enrolments e ON e.user_id = u.id JOIN cohorts c ON c.id = e.cohort_id
		           WHERE u.email = ? AND c.organisation_id IS DISTINCT FROM ?::uuid)`,
		email, orgID, email, orgID).Scan(&known).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to check which organisations know a person: %w", err)
	}
	return known, nil
}

// lockPeople holds, until the transaction ends, a lock per email, so two
// imports deciding at once whether the same person is known elsewhere
// take turns: the second sees the first's enrolment. Locks are taken in
// one order, so two imports sharing several emails cannot deadlock.
func (s *Store) lockPeople(ctx context.Context, emails []string) error {
	keys := make([]int64, 0, len(emails))
	for _, e := range emails {
		h := fnv.New64a()
		h.Write([]byte("onramp.cohorts.person:" + e))
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if err := db.Conn(ctx, s.g).Exec("SELECT pg_advisory_xact_lock(?)", k).Error; err != nil {
			return fmt.Errorf("store: unable to lock the people of an import: %w", err)
		}
	}
	return nil
}
