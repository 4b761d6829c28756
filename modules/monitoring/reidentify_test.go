package monitoring_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"onramp/app/testenv"
	"onramp/modules/monitoring"
)

// rareAnswers are answers few other people in a report share: the ones an
// attacker would hope to read off it.
var rareAnswers = map[string]string{"sex": "female", "gender_same_as_birth": "no", "ethnicity": "other_arab",
	"disability": "yes", "care_experience": "yes", "benefits": "yes", "neet": "yes"}

// cells flattens a report into "characteristic/category/column" -> shown
// value ("[c]" when suppressed).
func cells(r report) map[string]string {
	out := map[string]string{}
	for _, ch := range r.Characteristics {
		for _, row := range append(ch.Categories, ch.Total) {
			out[ch.Code+"/"+row.Code+"/enrolled"] = row.Enrolled.String()
			out[ch.Code+"/"+row.Code+"/completed"] = row.Completed.String()
		}
	}
	return out
}

// movedTooFar lists the counts shown in both reports that differ by more
// than one person's worth: one person, plus the adjustment either way.
func movedTooFar(before, after report) []string {
	var out []string
	b := cells(before)
	for k, a := range cells(after) {
		var x, y int
		if _, err := fmt.Sscan(b[k], &x); err != nil {
			continue
		}
		if _, err := fmt.Sscan(a, &y); err != nil {
			continue
		}
		if d := max(x-y, y-x); d > 1+2*monitoring.MaxAdjustment {
			out = append(out, fmt.Sprintf("%s: %d then %d", k, x, y))
		}
	}
	return out
}

func reportJSON(t *testing.T, c *testenv.Client, query string) (report, string) {
	t.Helper()
	var r report
	c.JSON("/api/v1/reports/equality"+query, &r)
	b, _ := json.Marshal(r.Characteristics)
	return r, string(b)
}

// The attack this guards against: a manager enrols one person, who has
// answered the "About you" questions, in nine cohorts of their own
// organisation. When reports counted enrolments, that turned the person's
// answers into counts of 9 or more, shown unsuppressed. Now each person
// counts once: the second to ninth enrolments change nothing at all, the
// first moves each count by at most one person's worth, and a report of
// the one person (any of the nine cohorts) is withheld whole.
func TestEnrollingOnePersonInNineCohortsCountsThemOnce(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org")
	// Enough people in the organisation for its report to be shown.
	crowd := mustCohort(t, trust)
	for i := range 20 {
		mustEnrol(t, crowd, learner{age: 20, key: i * 41 % 256, answers: map[string]string{"sex": []string{"female", "male"}[i%2]}})
	}
	before, _ := reportJSON(t, manager, "")
	if before.Withheld {
		t.Fatalf("the organisation's report is withheld: %v", *before.WithheldReason)
	}

	cohorts := []string{mustCohort(t, trust)}
	target := mustEnrol(t, cohorts[0], learner{age: 19, key: 201, completed: true, answers: rareAnswers})
	once, onceJSON := reportJSON(t, manager, "")
	onceCSV := testenv.Body(t, manager.Get("/manage/equality.csv"))
	for range 8 {
		c := mustCohort(t, trust)
		mustAlsoEnrol(t, c, target, false)
		cohorts = append(cohorts, c)
	}
	nine, nineJSON := reportJSON(t, manager, "")
	checkNoSmallCounts(t, nine)
	if _, again := reportJSON(t, manager, ""); again != nineJSON {
		t.Error("the same report viewed twice gave different numbers: the adjustment could be averaged away")
	}
	if nineJSON != onceJSON {
		t.Errorf("enrolling the same person in eight more cohorts changed the report:\n once %s\n nine %s", onceJSON, nineJSON)
	}
	if nineCSV := testenv.Body(t, manager.Get("/manage/equality.csv")); nineCSV != onceCSV {
		t.Error("enrolling the same person in eight more cohorts changed the CSV")
	}
	if moved := movedTooFar(before, once); len(moved) > 0 {
		t.Errorf("one person moved counts by more than one person's worth: %v", moved)
	}
	if moved := movedTooFar(before, nine); len(moved) > 0 {
		t.Errorf("one person in nine cohorts moved counts by more than one person's worth: %v", moved)
	}

	// Each of the nine cohorts is a report of one person: withheld whole,
	// in every format, without saying how many people it has.
	for _, c := range cohorts {
		r, _ := reportJSON(t, manager, "?cohort="+c)
		checkWithheld(t, r)
		if r.Filters.Cohort == nil || *r.Filters.Cohort != c {
			t.Errorf("a withheld report does not say what it covers: %+v", r.Filters)
		}
		if r.WithheldReason == nil || !strings.HasSuffix(*r.WithheldReason, "Choose a wider filter, such as the whole programme.") {
			t.Errorf("a withheld cohort report does not say how to get one: %v", r.WithheldReason)
		}
		page := testenv.Body(t, manager.Get("/manage/equality?cohort="+c))
		checkWithheldHTML(t, page)
		if strings.Contains(page, "Download this report") {
			t.Error("a withheld page offers a download")
		}
		checkWithheldCSV(t, testenv.Body(t, manager.Get("/manage/equality.csv?cohort="+c)))
	}
}

// The same attack in an organisation where the one person is all there
// is: the report is withheld whole. With nineteen more people who answered
// it is shown, counting the person once, and their rare answers are each
// in a cell of one, suppressed.
func TestAReportOfFewerThanTheMinimumPeopleIsWithheldWhole(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	org := mustOrganisation(t)
	first := mustCohortOf(t, org, cohortStart)
	target := mustPerson(t, first, learner{age: 19, key: 201, answers: rareAnswers})
	for range 8 {
		mustAlsoEnrol(t, mustCohortOf(t, org, cohortStart), target.id, false)
	}
	query := "?organisation=" + org
	r, _ := reportJSON(t, admin, query)
	checkWithheld(t, r)
	if !strings.HasSuffix(*r.WithheldReason, "such as all organisations.") {
		t.Errorf("an admin's withheld organisation report: %q", *r.WithheldReason)
	}
	checkWithheldHTML(t, testenv.Body(t, admin.Get("/manage/equality"+query)))
	checkWithheldCSV(t, testenv.Body(t, admin.Get("/manage/equality.csv"+query)))

	// People who never answered do not make up the numbers: with them, a
	// report would show the one person's answers as the only ones.
	people := []person{target}
	for i := range 19 {
		people = append(people, mustPerson(t, first, learner{age: 22, key: i * 29 % 256}))
	}
	r, _ = reportJSON(t, admin, query)
	checkWithheld(t, r)

	// Nineteen who answered: shown, and everyone counted once.
	answered := []person{target}
	for i := range 19 {
		p := mustPerson(t, first, learner{age: 22, key: (i*53 + 11) % 256,
			answers: map[string]string{"sex": []string{"female", "male"}[i%2], "disability": "no"}})
		people, answered = append(people, p), append(answered, p)
	}
	r, _ = reportJSON(t, admin, query)
	checkNoSmallCounts(t, r)
	if r.Withheld {
		t.Fatalf("withheld with %d who answered: %v", len(answered), *r.WithheldReason)
	}
	show := func(rows map[string]reportRow, code string) string {
		row := rows[code]
		return row.Enrolled.String() + "/" + row.Completed.String() + "/" + row.CompletionPercent.String()
	}
	if got, want := show(r.table(t, "sex"), "total"), published(people); got != want {
		t.Errorf("the total: %s, want %s (39 people, each once)", got, want)
	}
	for _, q := range []string{"gender_same_as_birth", "ethnicity", "care_experience", "benefits", "neet"} {
		code := rareAnswers[q]
		if q == "ethnicity" {
			code = "other"
		}
		if got := r.table(t, q)[code]; !got.Enrolled.Suppressed || !got.Completed.Suppressed {
			t.Errorf("%s %s, the one person's answer, shows %s/%s", q, code, got.Enrolled, got.Completed)
		}
	}
	if got := r.table(t, "disability")["yes"]; !got.Enrolled.Suppressed {
		t.Errorf("disability yes, the one person, shows %s", got.Enrolled)
	}
	// The person's sex is shared by ten others: that row is shown, with
	// them in it once.
	if got, want := show(r.table(t, "sex"), "female"), published(where(people, func(p person) bool { return p.answer("sex") == "female" })); got != want {
		t.Errorf("sex female: %s, want %s (eleven people)", got, want)
	}
}

// A transfer or a withdrawal never counts anyone twice: a person counts
// once if any of their enrolments in the report is not withdrawn, and not
// at all otherwise. Their age is worked out on the start of their earliest
// cohort in the report that they have not left.
func TestTransfersAndWithdrawalsDoNotCountAnyoneTwice(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	org := mustOrganisation(t)
	x := mustCohortOf(t, org, cohortStart)
	y := mustCohortOf(t, org, cohortStart.AddDate(1, 1, 0)) // thirteen months later
	z := mustCohortOf(t, org, cohortStart)

	var moved, both, elsewhere []person
	for i := range 10 { // 17 in x, transferred to y where they are 18
		p := mustPerson(t, x, learner{age: 17, key: i * 37 % 256, answers: map[string]string{"sex": "female"}})
		mustTransfer(t, p.id, x, y)
		moved = append(moved, p)
	}
	for i := range 10 { // in x and y, both active: 17 at x's start
		p := mustPerson(t, x, learner{age: 17, key: (i*71 + 5) % 256, completed: true, answers: map[string]string{"sex": "male"}})
		mustAlsoEnrol(t, y, p.id, false)
		both = append(both, p)
	}
	for i := range 8 { // withdrawn from x, still in z
		p := mustPerson(t, x, learner{age: 22, key: (i*97 + 3) % 256, answers: map[string]string{}})
		mustAlsoEnrol(t, z, p.id, false)
		mustWithdraw(t, p.id, x)
		elsewhere = append(elsewhere, p)
	}
	for i := range 5 { // withdrawn from their only cohort: not counted, so not among the women
		p := mustPerson(t, x, learner{age: 22, key: i * 11, answers: map[string]string{"sex": "female"}})
		mustWithdraw(t, p.id, x)
	}

	r, _ := reportJSON(t, admin, "?organisation="+org)
	checkNoSmallCounts(t, r)
	show := func(rows map[string]reportRow, code string) string {
		row := rows[code]
		return row.Enrolled.String() + "/" + row.Completed.String() + "/" + row.CompletionPercent.String()
	}
	everyone := append(append(append([]person{}, moved...), both...), elsewhere...)
	for _, c := range []struct {
		table, code string
		want        []person
	}{
		{"sex", "female", moved},
		{"sex", "male", both},
		{"sex", "prefer_not_to_say", elsewhere},
		{"sex", "total", everyone},
		{"age_band", "16_17", both},
		{"age_band", "18_19", moved},
		{"age_band", "20_24", elsewhere},
		{"age_band", "total", everyone},
	} {
		if got, want := show(r.table(t, c.table), c.code), published(c.want); got != want {
			t.Errorf("%s %s: %s, want %s", c.table, c.code, got, want)
		}
	}
	if got := show(r.table(t, "sex"), "not_answered"); got != "0/0/-" {
		t.Errorf("not answered: %s", got)
	}

	// Each cohort on its own: y holds the 20 moved and both; x only the
	// ten still in it, too few to show.
	ry, _ := reportJSON(t, admin, "?organisation="+org+"&cohort="+y)
	if got, want := show(ry.table(t, "sex"), "total"), published(append(append([]person{}, moved...), both...)); got != want {
		t.Errorf("cohort y's total: %s, want %s", got, want)
	}
	rx, _ := reportJSON(t, admin, "?organisation="+org+"&cohort="+x)
	checkWithheld(t, rx)
}
