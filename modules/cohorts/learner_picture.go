package cohorts

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
)

// MentorLink is a learner's mentorship as their manager sees it.
type MentorLink struct {
	Name     string
	Status   string // proposed, active, ended
	StartsOn *time.Time
	EndsOn   *time.Time
}

// DestinationLine is one recorded destination, in brief.
type DestinationLine struct {
	Kind      string
	Employer  string
	Role      string
	StartDate time.Time
	Verified  bool
}

// picture reads the rest of a learner's full picture for their manager:
// their mentorships with the cohort's organisation and the destinations
// recorded against this cohort. It reads mentoring's and outcomes' tables,
// only for this page, and only what the cohort's organisation owns.
func (s *Store) picture(ctx context.Context, c *Cohort, userID string) ([]MentorLink, []DestinationLine, error) {
	var mentors []MentorLink
	err := db.Conn(ctx, s.g).Raw(`SELECT u.name, m.status, m.starts_on, m.ends_on
		FROM mentorships m JOIN users u ON u.id = m.mentor_id
		WHERE m.learner_id = ? AND m.organisation_id = ? AND m.status IN ('proposed', 'active', 'ended')
		ORDER BY m.proposed_at DESC LIMIT 5`, userID, c.OrganisationID).Scan(&mentors).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to read the mentors of learner %s: %w", userID, err)
	}
	var dests []DestinationLine
	err = db.Conn(ctx, s.g).Raw(`SELECT kind, employer, role, start_date, verified_at IS NOT NULL AS verified
		FROM destinations WHERE user_id = ? AND cohort_id = ? ORDER BY start_date DESC`, userID, c.ID).Scan(&dests).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to read the destinations of learner %s: %w", userID, err)
	}
	return mentors, dests, nil
}
