package monitoring_test

import (
	"testing"

	"onramp/app/testenv"
	"onramp/modules/monitoring"
)

func TestTheDemoSeedIsIdempotentAndGivesMostDemoLearnersAnswers(t *testing.T) {
	srv := testenv.NewServer(t)
	ctx := t.Context()
	d := srv.App.DB
	if err := monitoring.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	count := func() (answers, learners, noBirthDate int64, snapshot string) {
		g := testenv.DB(t).Gorm
		g.Raw("SELECT count(*) FROM equality_answers a JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'demo.learner.%'").Scan(&answers)
		g.Raw("SELECT count(DISTINCT u.id) FROM users u JOIN enrolments e ON e.user_id = u.id WHERE u.email LIKE 'demo.learner.%'").Scan(&learners)
		g.Raw("SELECT count(*) FROM users u JOIN enrolments e ON e.user_id = u.id WHERE u.email LIKE 'demo.learner.%' AND u.date_of_birth IS NULL").Scan(&noBirthDate)
		g.Raw(`SELECT string_agg(u.email || a.sex || a.ethnicity || u.date_of_birth::text, ',' ORDER BY u.email)
			FROM equality_answers a JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'demo.learner.%'`).Scan(&snapshot)
		return
	}
	a1, l1, nb1, s1 := count()
	if err := monitoring.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	a2, _, _, s2 := count()
	if a1 != a2 || s1 != s2 {
		t.Errorf("seeding again changed the answers: %d then %d", a1, a2)
	}
	if l1 == 0 || float64(a1) < 0.5*float64(l1) || float64(a1) > 0.9*float64(l1) {
		t.Errorf("%d of %d demo learners have answers, want about 70%%", a1, l1)
	}
	if nb1 != 0 {
		t.Errorf("%d demo learners have no date of birth", nb1)
	}
	var outOfRange int64
	testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM users u JOIN enrolments e ON e.user_id = u.id JOIN cohorts c ON c.id = e.cohort_id
		WHERE u.email LIKE 'demo.learner.%' AND date_part('year', age(c.starts_on, u.date_of_birth)) NOT BETWEEN 16 AND 30`).Scan(&outOfRange)
	if outOfRange != 0 {
		t.Errorf("%d demo enrolments have an age outside 16 to 30", outOfRange)
	}
	var r report
	srv.SignIn(t, "admin@example.org").JSON("/api/v1/reports/equality", &r)
	checkNoSmallCounts(t, r)
}
