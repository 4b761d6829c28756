package monitoring_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app/testenv"
)

var fixtureSeq atomic.Int64

// unique is a value no other fixture of this test run uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), fixtureSeq.Add(1))
}

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
	var id string
	err := testenv.DB(t).Gorm.Raw(`
		INSERT INTO cohorts (programme_id, organisation_id, name, starts_on, ends_on)
		SELECT p.id, ?, ?, ?, ? FROM programmes p WHERE p.slug = 'get-started' RETURNING id`,
		organisationID(t, org), unique("Fixture cohort"), cohortStart, cohortStart.AddDate(0, 0, 14)).Scan(&id).Error
	if err != nil || id == "" {
		t.Fatalf("creating a cohort: %v", err)
	}
	return id
}

// learner describes a fixture learner. Answers nil means they never
// answered; unset questions answer "prefer_not_to_say". Age 0 means no
// date of birth.
type learner struct {
	answers   map[string]string
	age       int
	completed bool
	withdrawn bool
}

// mustEnrol creates a learner as described and enrols them in cohort,
// returning their id.
func mustEnrol(t *testing.T, cohortID string, l learner) string {
	t.Helper()
	g := testenv.DB(t).Gorm
	var dob *string
	if l.age > 0 {
		d := cohortStart.AddDate(-l.age, 0, -30).Format(time.DateOnly)
		dob = &d
	}
	var id string
	if err := g.Raw("INSERT INTO users (email, name, date_of_birth) VALUES (?, 'Fixture Learner', ?) RETURNING id",
		unique("eq")+"@example.org", dob).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	status, withdrawnAt := "active", (*time.Time)(nil)
	if l.withdrawn {
		now := time.Now()
		status, withdrawnAt = "withdrawn", &now
	}
	if err := g.Exec("INSERT INTO enrolments (cohort_id, user_id, status, withdrawn_at) VALUES (?, ?, ?, ?)",
		cohortID, id, status, withdrawnAt).Error; err != nil {
		t.Fatal(err)
	}
	if l.completed {
		code := fmt.Sprintf("EQ%010d", fixtureSeq.Add(1)) // demo codes are random letters and digits
		if err := g.Exec(`
			INSERT INTO certificates (user_id, programme_id, code, learner_name, programme_title)
			SELECT ?, c.programme_id, ?, 'Fixture Learner', 'Get Started' FROM cohorts c WHERE c.id = ?`,
			id, code[:4]+"-"+code[4:8]+"-"+code[8:12], cohortID).Error; err != nil {
			t.Fatal(err)
		}
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
	return id
}

// mustBriefCohort builds the cohort the suppression rules are explained
// with: 20 women (12 completed), 5 men (3 completed), 9 who prefer not to
// say their sex (all completed), plus a withdrawn man who must not count.
// Ten of the women are 17 when it starts, the other ten and the men are
// 22, and those who prefer not to say have no date of birth.
func mustBriefCohort(t *testing.T, org string) string {
	t.Helper()
	id := mustCohort(t, org)
	ethnicities := []string{"white_english_welsh_scottish_ni_british", "asian_pakistani", "black_african", "mixed_white_asian", "white_other"}
	for i := range 20 {
		age := 17
		if i >= 10 {
			age = 22
		}
		mustEnrol(t, id, learner{age: age, completed: i < 12,
			answers: map[string]string{"sex": "female", "ethnicity": ethnicities[i%len(ethnicities)], "disability": []string{"yes", "no"}[i%2]}})
	}
	for i := range 5 {
		mustEnrol(t, id, learner{age: 22, completed: i < 3, answers: map[string]string{"sex": "male", "ethnicity": "white_irish"}})
	}
	for range 9 {
		mustEnrol(t, id, learner{completed: true, answers: map[string]string{}})
	}
	mustEnrol(t, id, learner{age: 22, withdrawn: true, answers: map[string]string{"sex": "male"}})
	return id
}
