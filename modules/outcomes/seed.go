package outcomes

import (
	"context"
	"fmt"
	"slices"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/identity"
)

// demoDestination is a destination the demo seed gives a demo learner.
// after is the start date in days after their cohort ended (negative:
// during the programme; never before it started).
type demoDestination struct {
	email, kind, employer, role string
	after                       int
	hours                       float64 // 0: not known
	contract                    string
	verified, selfReported      bool
	threeMonths                 string // follow-up outcome to record once it is open, or ""
	note                        string
}

var demoDestinations = []demoDestination{
	// Get Started, September 2026 (Northfield): finished, most have gone somewhere.
	{"demo.learner.1.1@example.org", KindEmployment, "Northfield NHS Foundation Trust", "Healthcare support worker", -7, 37.5, "permanent", true, false, "still_there", "Offer letter seen; started on Ward 12."},
	{"demo.learner.1.2@example.org", KindApprenticeship, "Northfield NHS Foundation Trust", "Estates and facilities apprentice (Level 2)", -5, 37.5, "apprenticeship", true, false, "", "Apprenticeship agreement seen."},
	{"demo.learner.1.3@example.org", KindEmployment, "Brightwater Care", "Care assistant", 0, 24, "zero_hours", true, false, "", "Contract seen."},
	{"demo.learner.1.4@example.org", KindVolunteering, "Northfield Hospital Charity", "Ward volunteer", 3, 6, "other", false, false, "", ""},
	{"demo.learner.1.5@example.org", KindEducation, "Northfield College", "T Level in Health", 20, 16, "course", true, false, "", "Enrolment confirmation seen."},
	{"demo.learner.1.7@example.org", KindEmployment, "Northfield NHS Foundation Trust", "Porter", -6, 30, "bank", true, false, "left", "Bank contract seen."},
	{"demo.learner.1.9@example.org", KindOther, "", "Caring for a family member", 10, 0, "", true, false, "", ""},
	{"demo.learner.1.10@example.org", KindEmployment, "Greenway Supermarket", "Customer assistant", 15, 16, "zero_hours", false, true, "", "I work weekends at the big shop in town."},
	// Get Into, autumn 2026 (Northfield): still running; one offer already.
	{"demo.learner.2.2@example.org", KindApprenticeship, "Northfield NHS Foundation Trust", "Pharmacy services apprentice", -4, 37.5, "apprenticeship", true, false, "", "Conditional offer seen."},
	// Get Started, November 2026 (Riverside Youth Futures): just finished.
	{"demo.learner.4.1@example.org", KindEmployment, "Riverside Care Homes", "Care assistant", 1, 30, "permanent", true, false, "", "Offer letter seen."},
	{"demo.learner.4.2@example.org", KindVolunteering, "St Mary's Hospice", "Shop volunteer", -1, 8, "other", false, true, "", "I help in the hospice shop on Saturdays."},
	{"demo.learner.4.3@example.org", KindEducation, "Riverside College", "Access to Higher Education: Health", 20, 15, "course", true, false, "", "Place confirmed by email."},
}

// SeedDemo gives some demo learners destinations: most verified, some
// waiting for a manager, a few told us themselves, and follow-ups recorded
// where they are open. It is safe to run again: a learner who already has
// a destination on their cohort is left alone. Learners or cohorts that
// are not there (the demo cohorts seed first) are skipped.
func (s *Service) SeedDemo(ctx context.Context) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		g := db.Conn(ctx, s.db.Gorm)
		// Two seeds at once (test servers starting together) take turns.
		if err := g.Exec("SELECT pg_advisory_xact_lock(684202)").Error; err != nil {
			return err
		}
		managers := map[string]string{} // organisation id -> demo manager's user id
		for _, p := range identity.DemoPeople {
			if p.Organisation == "" || !slices.Contains(p.Roles, auth.RoleManager) {
				continue
			}
			var row struct{ ID, OrganisationID string }
			if err := g.Raw("SELECT id, organisation_id FROM users WHERE email = ? AND organisation_id IS NOT NULL ORDER BY created_at, id LIMIT 1",
				p.Email).Scan(&row).Error; err != nil {
				return err
			}
			if row.ID != "" && managers[row.OrganisationID] == "" {
				managers[row.OrganisationID] = row.ID
			}
		}
		today, now := s.today(), s.now()
		for _, demo := range demoDestinations {
			if err := s.seedOne(ctx, demo, managers, today, now); err != nil {
				return fmt.Errorf("demo destination for %s: %w", demo.email, err)
			}
		}
		return nil
	})
}

func (s *Service) seedOne(ctx context.Context, demo demoDestination, managers map[string]string, today, now time.Time) error {
	g := db.Conn(ctx, s.db.Gorm)
	var e struct {
		UserID, CohortID, OrganisationID string
		StartsOn, EndsOn                 time.Time
		Has                              bool
	}
	err := g.Raw(`SELECT u.id AS user_id, c.id AS cohort_id, c.organisation_id, c.starts_on, c.ends_on,
			EXISTS (SELECT 1 FROM destinations d WHERE d.user_id = u.id AND d.cohort_id = c.id) AS has
		FROM users u JOIN enrolments e ON e.user_id = u.id JOIN cohorts c ON c.id = e.cohort_id
		WHERE u.email = ? ORDER BY c.starts_on DESC, u.created_at LIMIT 1`, demo.email).Scan(&e).Error
	manager := managers[e.OrganisationID]
	if err != nil || e.UserID == "" || e.Has || manager == "" {
		return err
	}
	start := e.EndsOn.AddDate(0, 0, demo.after)
	if start.Before(e.StartsOn) {
		start = e.StartsOn
	}
	if latest := today.AddDate(0, 1, 0); start.After(latest) {
		start = latest
	}
	n := newDestination{UserID: e.UserID, CohortID: e.CohortID, Kind: demo.kind, Employer: demo.employer, Role: demo.role,
		StartDate: start, EvidenceNote: demo.note, Source: SourceManager, RecordedBy: manager, CreatedAt: now}
	if demo.hours > 0 {
		n.HoursPerWeek = &demo.hours
	}
	if demo.contract != "" {
		n.Contract = &demo.contract
	}
	if demo.selfReported {
		n.Source, n.RecordedBy = SourceLearner, e.UserID
	}
	if demo.verified {
		n.VerifiedAt, n.VerifiedBy = &now, &manager
	}
	id, err := s.store.InsertDestination(ctx, n)
	if err != nil || demo.threeMonths == "" {
		return err
	}
	// Only follow-ups that are open (due within 14 days) can have been done.
	return g.Exec(`UPDATE follow_ups SET outcome = ?, recorded_by = ?, recorded_at = ?, note = ?
		WHERE destination_id = ? AND kind = ? AND due_on <= ?`,
		demo.threeMonths, manager, now, "Phoned them.", id, FollowUp3Months, today.AddDate(0, 0, followUpWindow).Format(time.DateOnly)).Error
}

// SeedDemo gives demo learners destinations; see Service.SeedDemo.
func (m *Module) SeedDemo(ctx context.Context) error { return m.svc.SeedDemo(ctx) }
