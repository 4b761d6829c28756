package mentoring

import (
	"context"
	"fmt"
	"time"
)

// DemoMentor is a demo mentor: their profile and the state of their
// checks.
type DemoMentor struct {
	Email, Name string
	Profile     ProfileInput
	// Vetting: "cleared", "cleared_u18", "dbs_due_soon" or "" (none yet).
	Vetting string
}

// DemoMentors are the demo mentors. mentor@ and mentor2@ are demo
// logins (identity.DemoPeople); the rest are provisioned for the pool.
var DemoMentors = []DemoMentor{
	{"mentor@example.org", "Dan Okafor", ProfileInput{JobRole: "Healthcare support worker", CareerFamily: "nursing_midwifery",
		Employer: "Northfield NHS Foundation Trust", Region: "North East", Languages: "English, Yoruba", Interests: []string{"allied_health"},
		Availability: []string{"weekday_evening", "weekend"}, Capacity: "3", Gender: "male",
		Bio:             "I started as a porter and now work on a surgical ward. I like helping people find their way in.",
		LivedExperience: "Left school with few qualifications and did Get Into myself."}, "cleared_u18"},
	{"mentor2@example.org", "Helen Marsh", ProfileInput{JobRole: "Care coordinator", CareerFamily: "social_care",
		Employer: "Riverside Care", Region: "Yorkshire and the Humber", Languages: "English", Availability: []string{"weekday_daytime"},
		Capacity: "2", Gender: "female", Bio: "Twenty years in social care, most of them in the community."}, "cleared_u18"},
	{"demo.mentor.1@example.org", "Piotr Zielinski", ProfileInput{JobRole: "Estates technician", CareerFamily: "estates_facilities",
		Region: "North East", Languages: "Polish, English", Availability: []string{"weekday_evening"}, Capacity: "2", Gender: "male",
		Bio: "I keep the hospital running: heating, lighting, water."}, "cleared"},
	{"demo.mentor.2@example.org", "Sana Mirza", ProfileInput{JobRole: "Ward clerk", CareerFamily: "administration",
		Region: "North West", Languages: "Urdu, English", Availability: []string{"weekday_daytime", "weekend"}, Capacity: "2", Gender: "female",
		Bio: "The ward clerk knows everything that happens on the ward."}, "cleared"},
	{"demo.mentor.3@example.org", "Rob Hughes", ProfileInput{JobRole: "Emergency care assistant", CareerFamily: "ambulance",
		Region: "North East", Languages: "English", Availability: []string{"weekend"}, Capacity: "1", Gender: "male",
		Bio: "Out on the road with the ambulance service for six years."}, "dbs_due_soon"},
	{"demo.mentor.4@example.org", "Leah Carter", ProfileInput{JobRole: "Physiotherapy assistant", CareerFamily: "allied_health",
		Region: "London", Languages: "English", Availability: []string{"weekday_evening"}, Capacity: "2", Gender: "female",
		Bio: "I help people get moving again after an operation."}, ""},
}

// DemoPreferences are the demo learners' preferences.
var DemoPreferences = map[string]PreferencesInput{
	"learner@example.org":  {Interests: []string{"nursing_midwifery", "allied_health"}, Region: "North East", Languages: "English, Urdu", Availability: []string{"weekday_evening"}},
	"learner2@example.org": {Interests: []string{"social_care"}, Region: "Yorkshire and the Humber", Availability: []string{"weekday_daytime"}},
	"learner3@example.org": {Interests: []string{"estates_facilities"}, Region: "North East", Languages: "Polish, English", MentorGender: "male"},
}

// SeedDemo gives the demo mentors their profiles and checks, the demo
// learners their preferences, and learner@example.org an active
// mentorship with mentor@example.org that began two months ago. People
// must exist already. Running it again changes nothing that is there.
func (s *Service) SeedDemo(ctx context.Context) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		today := s.today()
		admin, err := s.store.UserByEmail(ctx, "safeguarding@example.org")
		if err != nil {
			return fmt.Errorf("demo safeguarding lead: %w", err)
		}
		for _, m := range DemoMentors {
			id, err := s.store.UserByEmail(ctx, m.Email)
			if err != nil {
				return fmt.Errorf("demo mentor %s: %w", m.Email, err)
			}
			if _, err := s.store.Profile(ctx, id); isNotFound(err) {
				if err := s.SaveProfileFor(ctx, id, m.Profile); err != nil {
					return fmt.Errorf("demo mentor %s: %w", m.Email, err)
				}
			} else if err != nil {
				return err
			}
			if m.Vetting == "" {
				continue
			}
			if _, err := s.store.Vetting(ctx, id); !isNotFound(err) {
				if err != nil {
					return err
				}
				continue
			}
			dbs, training := today.AddDate(-1, 0, 0), today.AddDate(0, -3, 0)
			if m.Vetting == "dbs_due_soon" {
				dbs = today.AddDate(-3, 0, 20)
			}
			if err := s.store.SaveVetting(ctx, Vetting{UserID: id, DBSEnhancedBarred: true, DBSCertificateOn: &dbs,
				SafeguardingTrainingOn: &training, ReferencesOK: true, ApprovedUnder18: m.Vetting == "cleared_u18",
				RecordedBy: admin, RecordedAt: s.now()}); err != nil {
				return err
			}
		}
		for email, p := range DemoPreferences {
			id, err := s.store.UserByEmail(ctx, email)
			if err != nil {
				return fmt.Errorf("demo learner %s: %w", email, err)
			}
			if _, err := s.store.Preferences(ctx, id); isNotFound(err) {
				if err := s.SavePreferences(ctx, id, p); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		return s.seedMentorship(ctx, today, admin)
	})
}

func (s *Service) seedMentorship(ctx context.Context, today time.Time, by string) error {
	learner, err := s.store.UserByEmail(ctx, "learner@example.org")
	if err != nil {
		return err
	}
	mentor, err := s.store.UserByEmail(ctx, "mentor@example.org")
	if err != nil {
		return err
	}
	ms, err := s.store.MentorshipsOf(ctx, learner)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.MentorID == mentor || m.Status == StatusActive || m.Status == StatusProposed {
			return nil
		}
	}
	orgs, err := s.store.Waiting(ctx, everyone, MatchedProgrammes, today, learner)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return fmt.Errorf("demo learner is on no programme of an organisation")
	}
	starts := today.AddDate(0, -2, 0)
	id, err := s.store.Propose(ctx, Mentorship{LearnerID: learner, MentorID: mentor, OrganisationID: orgs[0].OrganisationID,
		Reasons: "both in Nursing and Midwifery; both in North East; both free on weekday evenings", ProposedAt: s.now().AddDate(0, -2, -1)}, "9", "")
	if err != nil {
		return err
	}
	return s.store.Approve(ctx, id, by, s.now().AddDate(0, -2, 0), starts)
}
