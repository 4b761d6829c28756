package monitoring_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onramp/app/testenv"
	"onramp/modules/monitoring"
)

// report is GET /api/v1/reports/equality's body.
type report struct {
	Filters struct {
		Programme, Organisation, Cohort *string
	}
	Unit            string
	MinimumPeople   int     `json:"minimum_people"`
	Withheld        bool    `json:"withheld"`
	WithheldReason  *string `json:"withheld_reason"`
	Characteristics []struct {
		Code       string
		Categories []reportRow
		Total      reportRow
	}
}

type number struct {
	Value      *int
	Suppressed bool
}

type reportRow struct {
	Code              string
	Enrolled          number
	Completed         number
	CompletionPercent number `json:"completion_percent"`
}

func (r report) table(t *testing.T, code string) map[string]reportRow {
	t.Helper()
	for _, ch := range r.Characteristics {
		if ch.Code == code {
			rows := map[string]reportRow{"total": ch.Total}
			for _, c := range ch.Categories {
				rows[c.Code] = c
			}
			return rows
		}
	}
	t.Fatalf("no %s table in the report", code)
	return nil
}

func (n number) String() string {
	switch {
	case n.Suppressed && n.Value == nil:
		return "[c]"
	case n.Value == nil:
		return "-"
	}
	return strconv.Itoa(*n.Value)
}

// checkNoSmallCounts fails for any count in the report that is not
// suppressed (null), 0, or at least 8. A withheld report must have no
// counts at all, and say why.
func checkNoSmallCounts(t *testing.T, r report) {
	t.Helper()
	if r.Withheld {
		checkWithheld(t, r)
		return
	}
	n := 0
	for _, ch := range r.Characteristics {
		for _, row := range append(ch.Categories, ch.Total) {
			for _, c := range []number{row.Enrolled, row.Completed} {
				n++
				switch {
				case c.Suppressed && c.Value != nil:
					t.Errorf("%s %s: suppressed but the value %d is sent", ch.Code, row.Code, *c.Value)
				case !c.Suppressed && c.Value == nil:
					t.Errorf("%s %s: a count with no value that is not suppressed", ch.Code, row.Code)
				case !c.Suppressed && *c.Value >= 1 && *c.Value <= 7:
					t.Errorf("%s %s: shows %d", ch.Code, row.Code, *c.Value)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the report has no counts at all")
	}
}

// checkWithheld fails unless r is withheld whole: no counts, a reason
// that does not give the number of people.
func checkWithheld(t *testing.T, r report) {
	t.Helper()
	if !r.Withheld || len(r.Characteristics) != 0 || r.Unit != "person" {
		t.Errorf("not withheld whole: withheld %v, %d characteristics, unit %q", r.Withheld, len(r.Characteristics), r.Unit)
	}
	if r.WithheldReason == nil || !strings.Contains(*r.WithheldReason, "fewer than 20 people") || r.MinimumPeople != 20 {
		t.Errorf("a withheld report's reason %v (minimum %d)", r.WithheldReason, r.MinimumPeople)
	}
}

var countCell = regexp.MustCompile(`<td class="[^"]*\bapp-count\b[^"]*">(.*?)</td>`)

// withheldNotice is the start of what a withheld report says instead.
const withheldNotice = "This report covers fewer than 20 people who have answered"

// checkWithheldHTML fails unless the page withholds the report whole.
func checkWithheldHTML(t *testing.T, page string) {
	t.Helper()
	if !strings.Contains(page, `id="withheld"`) || !strings.Contains(html.UnescapeString(page), withheldNotice) {
		t.Error("the page does not say the report is withheld")
	}
	if cells := countCell.FindAllString(page, -1); len(cells) != 0 || strings.Contains(page, "<table") {
		t.Errorf("a withheld page shows %d count cells", len(cells))
	}
}

// checkNoSmallCountsInHTML scans every count cell of a rendered report.
func checkNoSmallCountsInHTML(t *testing.T, page string) {
	t.Helper()
	if strings.Contains(page, `id="withheld"`) {
		checkWithheldHTML(t, page)
		return
	}
	cells := countCell.FindAllStringSubmatch(page, -1)
	if len(cells) == 0 {
		t.Fatal("no count cells in the page")
	}
	for _, m := range cells {
		if strings.HasPrefix(m[1], "[c]") {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || (n >= 1 && n <= 7) {
			t.Errorf("a count cell shows %q", m[1])
		}
	}
}

// checkWithheldCSV fails unless the sheet withholds the report whole.
func checkWithheldCSV(t *testing.T, body string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != "Withheld,Reason" ||
		recs[1][0] != "Yes" || !strings.HasPrefix(recs[1][1], withheldNotice) {
		t.Errorf("a withheld CSV: %v %q", err, body)
	}
}

func checkNoSmallCountsInCSV(t *testing.T, body string) [][]string {
	t.Helper()
	body, bom := strings.CutPrefix(body, "\ufeff")
	if !bom {
		t.Error("the CSV has no byte-order mark, which every spreadsheet download has")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("the CSV does not parse: %v %q", err, body)
	}
	if recs[0][0] == "Withheld" {
		checkWithheldCSV(t, body)
		return recs
	}
	if strings.Join(recs[0], ",") != "Characteristic,Category,Enrolled,Completed,Completion rate (%)" {
		t.Errorf("CSV header %v", recs[0])
	}
	for _, r := range recs[1:] {
		for _, cell := range r[2:4] {
			if cell == monitoring.SuppressedMark {
				continue
			}
			if n, err := strconv.Atoi(cell); err != nil || (n >= 1 && n <= 7) {
				t.Errorf("a CSV count shows %q (%v)", cell, r)
			}
		}
		if rate := r[4]; rate != "" && rate != monitoring.SuppressedMark {
			if _, err := strconv.Atoi(rate); err != nil {
				t.Errorf("a CSV rate %q is not a plain number of percent", rate)
			}
		}
	}
	return recs
}

func TestTheReportNeverShowsACountFromOneToSevenAndSuppressesDerivableCells(t *testing.T) {
	srv := testenv.NewServer(t)
	cohort, people := mustBriefCohort(t, trust)
	manager := srv.SignIn(t, "manager@example.org")

	var r report
	manager.JSON("/api/v1/reports/equality?cohort="+cohort, &r)
	checkNoSmallCounts(t, r)
	if r.Filters.Cohort == nil || *r.Filters.Cohort != cohort || r.Filters.Organisation == nil || *r.Filters.Organisation != organisationID(t, trust) {
		t.Errorf("the report does not say what it covers: %+v", r.Filters)
	}
	if r.Unit != "person" || r.Withheld || r.WithheldReason != nil {
		t.Errorf("unit %q, withheld %v %v", r.Unit, r.Withheld, r.WithheldReason)
	}
	show := func(rows map[string]reportRow, code string) string {
		row := rows[code]
		return row.Enrolled.String() + "/" + row.Completed.String() + "/" + row.CompletionPercent.String()
	}
	// Counts are adjusted by their people's report keys: work out what
	// must be shown from the fixture's keys. The withdrawn man is not
	// counted.
	in := where(people, func(p person) bool { return !p.withdrawn })
	sex := func(v string) func(person) bool { return func(p person) bool { return p.answer("sex") == v } }
	age := func(a int) func(person) bool { return func(p person) bool { return p.age == a } }
	// only the adjusted enrolled number of a cell whose completed number is suppressed
	enrolledOnly := func(ps []person) string { return strings.Split(published(ps), "/")[0] + "/[c]/[c]" }

	// Male (5) is suppressed; total 34 - Female 20 - the rest would give it
	// back, so Prefer not to say (9) is suppressed too.
	women := where(in, sex("female"))
	if got := published(women); got == "20/12/60" {
		t.Fatalf("the fixture's keys should adjust the women's numbers, to show that they are adjusted: %s", got)
	}
	rows := r.table(t, "sex")
	for code, want := range map[string]string{"female": published(women), "male": "[c]/[c]/[c]",
		"prefer_not_to_say": "[c]/[c]/[c]", "not_answered": "0/0/-", "total": published(in)} {
		if got := show(rows, code); got != want {
			t.Errorf("sex %s: %s, want %s", code, got, want)
		}
	}
	// Ages are worked out at the cohort's start. 20 to 24 has 5 completed,
	// so the next smallest completed (not known, 9) is suppressed with it.
	rows = r.table(t, "age_band")
	for code, want := range map[string]string{"16_17": published(where(in, age(17))), "20_24": enrolledOnly(where(in, age(22))),
		"not_known": enrolledOnly(where(in, age(0))), "18_19": "0/0/-", "31_plus": "0/0/-", "total": published(in)} {
		if got := show(rows, code); got != want {
			t.Errorf("age %s: %s, want %s", code, got, want)
		}
	}

	page := testenv.Body(t, manager.Get("/manage/equality?cohort="+cohort))
	checkNoSmallCountsInHTML(t, page)
	for _, want := range []string{"[c]", "between 1 and 7", "Who the programmes reach", `<option value="` + cohort + `" selected>`,
		"adjusted slightly", "counts once"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page does not contain %q", want)
		}
	}
	resp := manager.Get("/manage/equality.csv?cohort=" + cohort)
	body := testenv.Body(t, resp)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers: %v", resp.Header)
	}
	recs := checkNoSmallCountsInCSV(t, body)
	w := strings.Split(published(women), "/")
	if !slicesContain(recs, []string{"Sex", "Female", w[0], w[1], w[2]}) || !slicesContain(recs, []string{"Sex", "Male", "[c]", "[c]", "[c]"}) {
		t.Errorf("the CSV does not match the page: %v", recs)
	}

	// Wider reports, with the demo data and other tests' cohorts in them;
	// some are withheld.
	admin := srv.SignIn(t, "admin@example.org")
	for _, c := range []*testenv.Client{manager, admin} {
		for _, q := range []string{"", "?programme=get-started", "?programme=get-into"} {
			var wide report
			c.JSON("/api/v1/reports/equality"+q, &wide)
			checkNoSmallCounts(t, wide)
			checkNoSmallCountsInHTML(t, testenv.Body(t, c.Get("/manage/equality"+q)))
			checkNoSmallCountsInCSV(t, testenv.Body(t, c.Get("/manage/equality.csv"+q)))
		}
	}
}

func slicesContain(recs [][]string, want []string) bool {
	for _, r := range recs {
		if strings.Join(r, "\x00") == strings.Join(want, "\x00") {
			return true
		}
	}
	return false
}

// A manager asking about another organisation's cohort, or for another
// organisation, gets 404: the same as a cohort that does not exist, so
// the answer does not even confirm it is there.
func TestAManagerCannotSeeOrCountAnotherOrganisationsLearners(t *testing.T) {
	srv := testenv.NewServer(t)
	cohortA, peopleA := mustBriefCohort(t, trust)
	orgA, orgB := organisationID(t, trust), organisationID(t, charity)
	other := srv.SignIn(t, "manager2@example.org")

	for _, path := range []string{
		"/api/v1/reports/equality?cohort=" + cohortA,
		"/manage/equality?cohort=" + cohortA,
		"/manage/equality.csv?cohort=" + cohortA,
		"/api/v1/reports/equality?organisation=" + orgA,
		"/manage/equality?organisation=" + orgA,
		"/manage/equality.csv?organisation=" + orgA,
		"/api/v1/reports/equality?cohort=not-a-cohort",
	} {
		resp := other.Get(path)
		body := testenv.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("manager2 GET %s: %d, want 404", path, resp.StatusCode)
		}
		if strings.Contains(body, "app-count") {
			t.Errorf("manager2 GET %s shows a count table", path)
		}
	}

	// Organisation B's own report counts only B's people: give it enough
	// to be shown.
	cohortB := mustCohort(t, charity)
	for i := range 20 {
		mustEnrol(t, cohortB, learner{age: 20, key: i * 13, answers: map[string]string{"sex": "male"}})
	}
	var b report
	other.JSON("/api/v1/reports/equality", &b)
	if b.Withheld {
		t.Fatalf("organisation B's report is withheld: %v", b.WithheldReason)
	}
	if got, want := b.table(t, "sex")["total"].Enrolled.String(), publishedTotal(t, orgB); got != want {
		t.Errorf("organisation B's report counts %s people, want %s (its own, each once)", got, want)
	}
	if b.Filters.Organisation == nil || *b.Filters.Organisation != orgB {
		t.Errorf("manager2's report is not scoped to their organisation: %+v", b.Filters)
	}
	// Someone enrolled in nine of A's cohorts, and nowhere in B, changes
	// nothing in B's report.
	onlyA := mustEnrol(t, mustCohort(t, trust), learner{age: 20, key: 7, answers: map[string]string{"sex": "female", "disability": "yes"}})
	for range 8 {
		mustAlsoEnrol(t, mustCohort(t, trust), onlyA, false)
	}
	var again report
	other.JSON("/api/v1/reports/equality", &again)
	before, _ := json.Marshal(b.Characteristics)
	if after, _ := json.Marshal(again.Characteristics); string(after) != string(before) {
		t.Error("organisation B's report changed when someone was enrolled in organisation A's cohorts")
	}
	page := testenv.Body(t, other.Get("/manage/equality"))
	if strings.Contains(page, cohortA) || strings.Contains(page, trust) {
		t.Error("manager2's report page offers organisation A's cohort")
	}

	// Organisation A's manager and an admin do see it.
	want := strings.Split(published(where(peopleA, func(p person) bool { return !p.withdrawn })), "/")[0]
	for _, email := range []string{"manager@example.org", "admin@example.org"} {
		var a report
		srv.SignIn(t, email).JSON("/api/v1/reports/equality?cohort="+cohortA, &a)
		if got := a.table(t, "sex")["total"].Enrolled.String(); got != want {
			t.Errorf("%s sees %s people in organisation A's cohort, want %s", email, got, want)
		}
	}
}

// publishedTotal is the total an organisation's report must show: its
// people with an enrolment that is not withdrawn, each once, adjusted by
// their report keys. Worked out here from the tables, apart from the
// report's own query.
func publishedTotal(t *testing.T, orgID string) string {
	t.Helper()
	var got struct{ N, Keys int }
	testenv.DB(t).Gorm.Raw(`SELECT count(*) AS n, COALESCE(sum(report_key), 0) AS keys FROM users
		WHERE id IN (SELECT e.user_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
		             WHERE c.organisation_id = ? AND e.status <> 'withdrawn')`, orgID).Scan(&got)
	return strconv.Itoa(monitoring.Perturb(got.N, uint8(got.Keys%256)))
}

func TestEveryViewOfAReportIsAudited(t *testing.T) {
	srv := testenv.NewServer(t)
	cohort, _ := mustBriefCohort(t, trust)
	c := srv.SignIn(t, "manager@example.org")
	manager := userID(t, "manager@example.org")
	g := testenv.DB(t).Gorm
	views := func() (n int64) {
		g.Raw("SELECT count(*) FROM audit_events WHERE actor_id = ? AND action = ?", manager, monitoring.ActionReportViewed).Scan(&n)
		return n
	}
	before := views()
	for _, path := range []string{"/manage/equality?cohort=", "/manage/equality.csv?cohort=", "/api/v1/reports/equality?cohort="} {
		testenv.Body(t, c.Get(path+cohort))
	}
	if got := views() - before; got != 3 {
		t.Fatalf("%d report views audited, want 3", got)
	}
	var detail []string
	g.Raw(`SELECT detail::text FROM audit_events WHERE actor_id = ? AND action = ? AND subject_type = 'equality_report'
		AND subject_id = ? ORDER BY id DESC LIMIT 3`, manager, monitoring.ActionReportViewed, "cohort:"+cohort).Scan(&detail)
	formats := map[string]bool{}
	for _, d := range detail {
		var m map[string]string
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		if m["cohort"] != cohort || m["organisation"] != organisationID(t, trust) {
			t.Errorf("audit detail does not record the filters: %s", d)
		}
		formats[m["format"]] = true
	}
	if len(formats) != 3 || !formats["html"] || !formats["csv"] || !formats["json"] {
		t.Errorf("audited formats %v, want html, csv and json", formats)
	}

	resp := c.Get("/api/v1/reports/equality?cohort=00000000-0000-0000-0000-000000000000")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || views()-before != 3 {
		t.Errorf("a refused report: %d, and %d views audited", resp.StatusCode, views()-before)
	}
}

// No page or API shows one person's answers: the per-learner views staff
// use carry nothing from the "About you" form, and the monitoring
// module's own routes take no person's id.
func TestNoRouteShowsOnePersonsAnswers(t *testing.T) {
	srv := testenv.NewServer(t)
	cohort := mustCohort(t, trust)
	learnerID := mustEnrol(t, cohort, learner{age: 19, answers: map[string]string{
		"sex": "female", "ethnicity": "black_african", "disability": "yes", "care_experience": "yes", "benefits": "yes", "neet": "yes"}})
	leaks := []string{"equality", "ethnic", "black_african", "disab", "care_experience", "neet", "benefit", "prefer_not_to_say", `"sex"`, "gender"}
	for _, email := range []string{"manager@example.org", "admin@example.org"} {
		c := srv.SignIn(t, email)
		resp := c.Get("/api/v1/learners/" + learnerID + "/progress")
		body := strings.ToLower(testenv.Body(t, resp))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: learner progress %d", email, resp.StatusCode)
		}
		for _, leak := range leaks {
			if strings.Contains(body, leak) {
				t.Errorf("%s: GET /api/v1/learners/:id/progress contains %q: %s", email, leak, body)
			}
		}
	}
	// The staff pages about one learner or one cohort's learners.
	manager := srv.SignIn(t, "manager@example.org")
	admin := srv.SignIn(t, "admin@example.org")
	for _, p := range []struct {
		c    *testenv.Client
		path string
	}{
		{admin, "/admin/users/" + learnerID},
		{manager, "/manage/cohorts/" + cohort + "/learners/" + learnerID},
		{manager, "/manage/cohorts/" + cohort},
		{manager, "/manage/cohorts/" + cohort + "/export.csv"},
		{manager, "/api/v1/cohorts/" + cohort + "/progress"},
	} {
		resp := p.c.Get(p.path)
		page := strings.ToLower(testenv.Body(t, resp))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p.path, resp.StatusCode)
		}
		for _, leak := range leaks {
			if strings.Contains(page, leak) {
				t.Errorf("GET %s contains %q", p.path, leak)
			}
		}
	}
	for _, key := range srv.App.Routes.Keys() {
		if (strings.Contains(key, "about-you") || strings.Contains(key, "equality")) && strings.Contains(key, ":") {
			t.Errorf("%s takes a parameter: equality routes must never address one person", key)
		}
	}
	// The learner's own form is the only place their answers appear, and
	// only for them: another learner sees their own (empty) form.
	other := srv.SignIn(t, "learner2@example.org")
	if body := testenv.Body(t, other.Get("/learn/about-you")); strings.Contains(body, `value="black_african" checked`) {
		t.Error("another learner's form shows this learner's answers")
	}
}
