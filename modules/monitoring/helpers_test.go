package monitoring_test

import (
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app/testenv"
	"onramp/modules/monitoring"
)

var fixtureSeq atomic.Int64

// organisationID returns the id of a demo organisation.
func organisationID(t *testing.T, name string) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw("SELECT id FROM organisations WHERE name = ?", name).Scan(&id)
	if id == "" {
		t.Fatalf("no organisation %q", name)
	}
	return id
}

// userID returns the id of the signed-in user with email.
func userID(t *testing.T, email string) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ? ORDER BY last_sign_in_at DESC NULLS LAST LIMIT 1", email).Scan(&id)
	if id == "" {
		t.Fatalf("no user %s", email)
	}
	return id
}

const (
	trust   = "Northfield NHS Foundation Trust" // manager@example.org's
	charity = "Riverside Youth Futures"         // manager2@example.org's
)

// cohortStart is when fixture cohorts start: ages are worked out on it.
var cohortStart = time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)

// mustCohort creates a Get Started cohort for the organisation named org.
func mustCohort(t *testing.T, org string) string {
	t.Helper()
	return mustCohortOf(t, organisationID(t, org), cohortStart)
}

// mustOrganisation creates an organisation nobody else uses, returning its
// id. Only admins can report on it, by choosing it.
func mustOrganisation(t *testing.T) string {
	t.Helper()
	return testenv.NewFixtures(t).Organisation("Fixture trust", "trust")
}

// mustCohortOf creates a Get Started cohort for organisation id, starting
// on starts.
func mustCohortOf(t *testing.T, orgID string, starts time.Time) string {
	t.Helper()
	id, _ := testenv.NewFixtures(t).Cohort(testenv.Cohort{Organisation: orgID, Programme: "get-started",
		Starts: starts, Ends: starts.AddDate(0, 0, 14)})
	return id
}

// learner describes a fixture learner. Answers nil means they never
// answered; unset questions answer "prefer_not_to_say". Age 0 means no
// date of birth. key is their report key (the cell-key method's; real
// people get a random one), so a test can work out what a report must
// publish.
type learner struct {
	answers   map[string]string
	age       int
	completed bool
	withdrawn bool
	key       int
}

// person is a fixture learner once created.
type person struct {
	learner
	id string
}

// answer is the person's answer to a question, as a report counts it.
func (p person) answer(field string) string {
	switch {
	case p.answers == nil:
		return "not_answered"
	case p.answers[field] == "":
		return "prefer_not_to_say"
	}
	return p.answers[field]
}

// mustEnrol creates a learner as described and enrols them in cohort,
// returning their id.
func mustEnrol(t *testing.T, cohortID string, l learner) string {
	t.Helper()
	return mustPerson(t, cohortID, l).id
}

// mustPerson is mustEnrol returning the person.
func mustPerson(t *testing.T, cohortID string, l learner) person {
	t.Helper()
	g := testenv.DB(t).Gorm
	var dob *time.Time
	if l.age > 0 {
		d := cohortStart.AddDate(-l.age, 0, -30)
		dob = &d
	}
	id, _ := testenv.NewFixtures(t).Learner(testenv.Learner{DateOfBirth: dob})
	// Real people get a random report key; a fixture's is chosen so the
	// test can work out what a report must publish.
	if err := g.Exec("UPDATE users SET report_key = ? WHERE id = ?", l.key, id).Error; err != nil {
		t.Fatal(err)
	}
	mustAlsoEnrol(t, cohortID, id, l.withdrawn)
	if l.completed {
		testenv.NewFixtures(t).Complete(cohortID, id, cohortStart.Add(-time.Hour))
	}
	if l.answers != nil {
		a := map[string]string{}
		for _, f := range []string{"sex", "gender_same_as_birth", "ethnicity", "disability", "care_experience", "benefits", "neet"} {
			a[f] = "prefer_not_to_say"
			if v, ok := l.answers[f]; ok {
				a[f] = v
			}
		}
		if err := g.Exec(`
			INSERT INTO equality_answers (user_id, sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, a["sex"], a["gender_same_as_birth"], a["ethnicity"], a["disability"],
			a["care_experience"], a["benefits"], a["neet"]).Error; err != nil {
			t.Fatal(err)
		}
	}
	return person{learner: l, id: id}
}

// mustAlsoEnrol enrols someone who already exists in another cohort,
// withdrawn at once when withdrawn is true.
func mustAlsoEnrol(t *testing.T, cohortID, userID string, withdrawn bool) {
	t.Helper()
	f := testenv.NewFixtures(t)
	f.Enrol(cohortID, userID, cohortStart)
	if withdrawn {
		f.Withdraw(cohortID, userID, cohortStart)
	}
}

// mustTransfer moves someone from one cohort to another through the
// cohorts module, on the day the fixture cohorts start.
func mustTransfer(t *testing.T, userID, from, to string) {
	t.Helper()
	testenv.NewFixtures(t).Transfer(from, userID, to, cohortStart)
}

// mustWithdraw withdraws someone from a cohort.
func mustWithdraw(t *testing.T, userID, cohortID string) {
	t.Helper()
	testenv.NewFixtures(t).Withdraw(cohortID, userID, cohortStart)
}

// mustBriefCohort builds the cohort the suppression rules are explained
// with: 20 women (12 completed), 5 men (3 completed), 9 who prefer not to
// say their sex (all completed), plus a withdrawn man who must not count.
// Ten of the women are 17 when it starts, the other ten and the men are
// 22, and those who prefer not to say have no date of birth. It returns
// the cohort and everyone in it (the withdrawn man last).
func mustBriefCohort(t *testing.T, org string) (string, []person) {
	t.Helper()
	id := mustCohort(t, org)
	var people []person
	add := func(l learner) {
		l.key = (len(people)*89 + 31) % 256 // spread over the keys, the same every run
		people = append(people, mustPerson(t, id, l))
	}
	ethnicities := []string{"white_english_welsh_scottish_ni_british", "asian_pakistani", "black_african", "mixed_white_asian", "white_other"}
	for i := range 20 {
		age := 17
		if i >= 10 {
			age = 22
		}
		add(learner{age: age, completed: i < 12,
			answers: map[string]string{"sex": "female", "ethnicity": ethnicities[i%len(ethnicities)], "disability": []string{"yes", "no"}[i%2]}})
	}
	for i := range 5 {
		add(learner{age: 22, completed: i < 3, answers: map[string]string{"sex": "male", "ethnicity": "white_irish"}})
	}
	for range 9 {
		add(learner{completed: true, answers: map[string]string{}})
	}
	add(learner{age: 22, withdrawn: true, answers: map[string]string{"sex": "male"}})
	return id, people
}

// published is what a report must show for a cell of people: its count
// and completed count adjusted by their cell keys (their report keys
// added up), and the completion rate worked out from those, as
// "E/C/rate". It does not know about suppression: use it for cells that
// are shown.
func published(people []person) string {
	e, c, ek, ck := 0, 0, 0, 0
	for _, p := range people {
		e, ek = e+1, ek+p.key
		if p.completed {
			c, ck = c+1, ck+p.key
		}
	}
	pe, pc := monitoring.Perturb(e, uint8(ek%256)), monitoring.Perturb(c, uint8(ck%256))
	rate := "-"
	switch {
	case e == 0:
	case c == e:
		rate = "100"
	case c == 0:
		rate = "0"
	default:
		rate = strconv.Itoa(min(max(int(math.Round(100*float64(pc)/float64(pe))), 1), 99))
	}
	return fmt.Sprintf("%d/%d/%s", pe, pc, rate)
}

// where is the people for whom in is true.
func where(people []person, in func(person) bool) []person {
	var out []person
	for _, p := range people {
		if in(p) {
			out = append(out, p)
		}
	}
	return out
}
