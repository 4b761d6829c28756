package testenv

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/audit"
	"onramp/modules/cohorts"
	"onramp/modules/identity"
)

var sequence atomic.Int64

// Unique returns prefix followed by a value no other call in this test
// binary returns, to keep test rows apart in the shared package database.
func Unique(prefix string) string {
	return fmt.Sprintf("%s %d-%d", prefix, time.Now().UnixNano()%1e9, sequence.Add(1))
}

// Fixtures builds test data through Onramp's own services, over the
// package database, so a test's people, cohorts and enrolments obey the
// same rules as real ones. Every failure fails the test.
type Fixtures struct {
	t      testing.TB
	db     *db.DB
	people *identity.Service
	groups func(now time.Time) *cohorts.Service
}

// NewFixtures returns the fixture builder for the test's package database.
func NewFixtures(t testing.TB) *Fixtures {
	t.Helper()
	d := DB(t)
	log := audit.New(d.Gorm)
	people := identity.NewService(d, log, time.Now)
	return &Fixtures{t: t, db: d, people: people, groups: func(now time.Time) *cohorts.Service {
		return cohorts.NewService(d, log, nil, people, nil, cohorts.RiskRules{}, func() time.Time { return now })
	}}
}

// Organisation creates an organisation of kind (trust, charity, ...) that
// no other test uses, its name starting with name, and returns its id.
func (f *Fixtures) Organisation(name, kind string) string {
	f.t.Helper()
	id, err := f.people.EnsureOrganisation(context.Background(), Unique(name), kind)
	if err != nil {
		f.t.Fatalf("creating an organisation: %v", err)
	}
	return id
}

// DemoOrganisation returns the id of the seeded organisation called name,
// such as identity.DemoTrust.
func (f *Fixtures) DemoOrganisation(name string) string {
	f.t.Helper()
	id, err := f.people.EnsureOrganisation(context.Background(), name, "trust")
	if err != nil {
		f.t.Fatalf("finding organisation %q: %v", name, err)
	}
	return id
}

// Cohort describes a fixture cohort. Zero dates start today and run two
// weeks; zero capacity is 30.
type Cohort struct {
	Organisation string // id
	Programme    string // slug
	Starts, Ends time.Time
	Capacity     int
}

// Cohort creates a uniquely named cohort and returns its id and name.
func (f *Fixtures) Cohort(c Cohort) (id, name string) {
	f.t.Helper()
	if c.Starts.IsZero() {
		c.Starts = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if c.Ends.IsZero() {
		c.Ends = c.Starts.AddDate(0, 0, 14)
	}
	if c.Capacity == 0 {
		c.Capacity = 30
	}
	name = Unique("Test cohort")
	id, err := f.groups(time.Now()).EnsureCohort(context.Background(), c.Organisation, c.Programme, name, "", c.Starts, c.Ends, c.Capacity)
	if err != nil || id == "" {
		f.t.Fatalf("creating a %s cohort: %v", c.Programme, err)
	}
	return id, name
}

// Learner describes a fixture person. A nil DateOfBirth means none known.
type Learner struct {
	Name        string
	Phone       string
	DateOfBirth *time.Time
}

// Learner provisions, through identity, a person who has not signed in
// yet, and returns their id and (unique) email.
func (f *Fixtures) Learner(l Learner) (id, email string) {
	f.t.Helper()
	if l.Name == "" {
		l.Name = "Fixture Learner"
	}
	email = fmt.Sprintf("fixture.%d.%d@example.org", time.Now().UnixNano()%1e9, sequence.Add(1))
	id, created, err := f.people.Provision(context.Background(), email, l.Name, l.Phone, l.DateOfBirth)
	if err != nil || !created {
		f.t.Fatalf("creating a learner: %v (created %v)", err, created)
	}
	return id, email
}

// Enrol puts a learner in a cohort, as of at (now when zero).
func (f *Fixtures) Enrol(cohortID, userID string, at time.Time) {
	f.t.Helper()
	if at.IsZero() {
		at = time.Now()
	}
	if err := f.groups(at).Enrol(context.Background(), cohortID, userID, at); err != nil {
		f.t.Fatalf("enrolling %s in %s: %v", userID, cohortID, err)
	}
}

// Withdraw takes a learner out of a cohort at at, as an admin would, with
// a reason.
func (f *Fixtures) Withdraw(cohortID, userID string, at time.Time) {
	f.t.Helper()
	admin := &auth.User{ID: f.demoAdmin(), Roles: []string{auth.RoleAdmin}}
	if err := f.groups(at).Withdraw(context.Background(), admin, cohortID, userID, "Moved away"); err != nil {
		f.t.Fatalf("withdrawing %s from %s: %v", userID, cohortID, err)
	}
}

// Transfer moves a learner from one cohort to another of the same
// programme and organisation on day at, as an admin would.
func (f *Fixtures) Transfer(cohortID, userID, targetID string, at time.Time) {
	f.t.Helper()
	admin := &auth.User{ID: f.demoAdmin(), Roles: []string{auth.RoleAdmin}}
	if _, err := f.groups(at).Transfer(context.Background(), admin, cohortID, userID, targetID); err != nil {
		f.t.Fatalf("transferring %s from %s to %s: %v", userID, cohortID, targetID, err)
	}
}

// demoAdmin is the seeded admin's id, the actor of fixture changes that
// need one.
func (f *Fixtures) demoAdmin() string {
	f.t.Helper()
	id, _, err := f.people.Provision(context.Background(), "admin@example.org", "", "", nil)
	if err != nil {
		f.t.Fatalf("finding the demo admin: %v", err)
	}
	return id
}

// Staff provisions, through identity, a person holding role (granted in
// Onramp, as an admin would) in organisation (an id, or "" for none), and
// returns their id.
func (f *Fixtures) Staff(name, role, organisation string) string {
	f.t.Helper()
	id, _ := f.Learner(Learner{Name: name})
	admin := &auth.User{ID: f.demoAdmin(), Roles: []string{auth.RoleAdmin}}
	if err := f.people.GrantRole(context.Background(), admin, id, role); err != nil {
		f.t.Fatalf("granting %s to %s: %v", role, id, err)
	}
	if organisation != "" {
		if err := f.people.SetOrganisation(context.Background(), admin, id, organisation); err != nil {
			f.t.Fatalf("putting %s in organisation %s: %v", id, organisation, err)
		}
	}
	return id
}

// Complete records, at at, that a learner did every published lesson of a
// cohort's programme and passed every check: completed, by the one
// definition (programme_completions). It writes learning's tables directly,
// as thousands of clicks through the service would be slow.
func (f *Fixtures) Complete(cohortID, userID string, at time.Time) {
	f.t.Helper()
	g := f.db.Gorm
	if err := g.Exec(`INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
		SELECT ?, l.id, ? FROM cohorts c JOIN programme_modules pm ON pm.programme_id = c.programme_id JOIN modules m ON m.id = pm.module_id JOIN lessons l ON l.module_id = m.id
		WHERE c.id = ? AND m.published AND l.published ON CONFLICT DO NOTHING`, userID, at, cohortID).Error; err != nil {
		f.t.Fatalf("completing lessons for %s: %v", userID, err)
	}
	if err := g.Exec(`INSERT INTO check_attempts (user_id, check_id, correct, total, score, passed, answers, created_at)
		SELECT ?, ch.id, 1, 1, 100, true, '{}', ? FROM cohorts c JOIN programme_modules pm ON pm.programme_id = c.programme_id JOIN modules m ON m.id = pm.module_id
		JOIN checks ch ON ch.module_id = m.id WHERE c.id = ? AND m.published`, userID, at, cohortID).Error; err != nil {
		f.t.Fatalf("passing checks for %s: %v", userID, err)
	}
}
