package outcomes_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

type reportRow struct {
	Level     string
	ID        string
	Name      string
	Started   int
	Converted int
	Rate      *float64
}

type report struct {
	Definition string
	Months     int
	Rows       []reportRow
}

func getReport(t *testing.T, c *testenv.Client, query string) report {
	t.Helper()
	var r report
	c.JSON("/api/v1/reports/outcomes?"+query, &r)
	return r
}

func rowOf(t *testing.T, r report, level, id string) reportRow {
	t.Helper()
	for _, row := range r.Rows {
		if row.Level == level && row.ID == id {
			return row
		}
	}
	t.Fatalf("no %s row %s in %+v", level, id, r.Rows)
	return reportRow{}
}

// TestConversionRateArithmeticOnAHandBuiltCohort builds a cohort whose
// answer is known and checks the report gets it exactly.
func TestConversionRateArithmeticOnAHandBuiltCohort(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	recorder := signedInID(t, srv, "admin@example.org")

	org := MustCreateOrganisation(t, "Arithmetic Trust")
	starts, ends := date(2025, 1, 6), date(2025, 1, 10)
	cohort := MustCreateCohort(t, org, "get-started", starts, ends)
	lesson, elsewhere := firstLesson(t, "get-started"), firstLesson(t, "get-into")
	during := date(2025, 1, 7)

	learner := func(name string) string {
		id := MustCreateLearner(t, name)
		MustEnrol(t, cohort, id, nil)
		return id
	}
	started := func(name string) string {
		id := learner(name)
		MustCompleteLesson(t, id, lesson, during)
		return id
	}

	// Never started: enrolled, no lessons. Not in the denominator, even
	// with a verified job.
	never := learner("Never Started")
	MustAddDestination(t, never, cohort, "employment", date(2025, 2, 1), true, recorder)
	// Only did a lesson of another programme: not started on this one.
	other := learner("Other Programme")
	MustCompleteLesson(t, other, elsewhere, during)
	// Verified job two months after the end: counted.
	MustAddDestination(t, started("Within Window"), cohort, "employment", date(2025, 3, 10), true, recorder)
	// Verified apprenticeship seven months after the end: outside 6 months.
	MustAddDestination(t, started("Outside Window"), cohort, "apprenticeship", date(2025, 8, 11), true, recorder)
	// Unverified volunteering within the window: not counted until verified.
	unverified := MustAddDestination(t, started("Not Verified"), cohort, "volunteering", date(2025, 2, 3), false, recorder)
	// Verified "other": not a positive destination.
	MustAddDestination(t, started("Other Kind"), cohort, "other", date(2025, 2, 3), true, recorder)
	// Withdrew before doing a lesson (did one afterwards): not started.
	withdrewEarly := MustCreateLearner(t, "Withdrew Early")
	MustEnrol(t, cohort, withdrewEarly, &during)
	MustCompleteLesson(t, withdrewEarly, lesson, date(2025, 1, 8))
	MustAddDestination(t, withdrewEarly, cohort, "employment", date(2025, 2, 1), true, recorder)
	// Did a lesson, then withdrew, then found a course: started and counted.
	withdrewLate := MustCreateLearner(t, "Withdrew Late")
	MustEnrol(t, cohort, withdrewLate, &[]time.Time{date(2025, 1, 9)}[0])
	MustCompleteLesson(t, withdrewLate, lesson, during)
	MustAddDestination(t, withdrewLate, cohort, "education", date(2025, 2, 17), true, recorder)

	check := func(months string, wantStarted, wantConverted int, wantRate float64) {
		t.Helper()
		r := getReport(t, admin, "cohort="+cohort+"&months="+months)
		if r.Months == 0 || !strings.Contains(r.Definition, months+" months after their cohort ended") ||
			!strings.Contains(r.Definition, "completed at least one lesson") {
			t.Errorf("definition for %s months: %q (months %d)", months, r.Definition, r.Months)
		}
		for _, level := range []struct{ level, id string }{{"cohort", cohort}, {"organisation", org}} {
			row := rowOf(t, r, level.level, level.id)
			if row.Started != wantStarted || row.Converted != wantConverted || row.Rate == nil || *row.Rate != wantRate {
				t.Errorf("%s months, %s: started %d converted %d rate %v; want %d, %d, %v",
					months, level.level, row.Started, row.Converted, row.Rate, wantStarted, wantConverted, wantRate)
			}
		}
	}
	// Started: Within Window, Outside Window, Not Verified, Other Kind, Withdrew Late.
	check("6", 5, 2, 0.4)
	check("12", 5, 3, 0.6) // Outside Window is inside 12 months
	check("3", 5, 2, 0.4)

	body := testenv.Body(t, admin.Get("/manage/outcomes?cohort="+cohort))
	contains(t, body, "40%", "Conversion rate = learners with a verified positive destination", "completed at least one lesson")

	// Verifying the volunteering counts it.
	manager := srv.SignIn(t, "admin@example.org").NoRedirects()
	if got := status(t, manager.PostForm("/manage/destinations/"+unverified+"/verify", nil)); got != http.StatusSeeOther {
		t.Fatalf("verify: %d", got)
	}
	check("6", 5, 3, 0.6)

	// A cohort nobody started has no rate: "—", and null in JSON.
	empty := MustCreateCohort(t, org, "get-started", starts, ends)
	MustEnrol(t, empty, MustCreateLearner(t, "Not Yet"), nil)
	r := getReport(t, admin, "cohort="+empty)
	if row := rowOf(t, r, "cohort", empty); row.Started != 0 || row.Rate != nil {
		t.Errorf("empty cohort: %+v", row)
	}
	contains(t, testenv.Body(t, admin.Get("/manage/outcomes?cohort="+empty)), "—")
}

// TestManagerOfAnotherOrganisationIsRefused checks the trust's manager
// cannot reach another organisation's learner, destinations, report rows
// or export, by HTML or API.
func TestManagerOfAnotherOrganisationIsRefused(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	adminID := signedInID(t, srv, "admin@example.org")
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()

	orgB := MustCreateOrganisation(t, "Elsewhere Charity")
	cohortB := MustCreateCohort(t, orgB, "get-into", date(2025, 3, 3), date(2025, 4, 11))
	learnerB := MustCreateLearner(t, "Bea Elsewhere")
	MustEnrol(t, cohortB, learnerB, nil)
	MustCompleteLesson(t, learnerB, firstLesson(t, "get-into"), date(2025, 3, 4))
	destB := MustAddDestination(t, learnerB, cohortB, "employment", date(2025, 5, 1), false, adminID)

	for _, path := range []string{
		"/manage/learners/" + learnerB + "/destinations",
		"/manage/outcomes?cohort=" + cohortB,
		"/manage/outcomes?organisation=" + orgB,
		"/manage/outcomes.csv?cohort=" + cohortB,
		"/manage/outcomes.csv?organisation=" + orgB,
		"/api/v1/reports/outcomes?cohort=" + cohortB,
		"/api/v1/reports/outcomes?organisation=" + orgB,
	} {
		if got := status(t, manager.Get(path)); got != http.StatusNotFound {
			t.Errorf("manager GET %s: %d, want 404", path, got)
		}
	}
	form := destinationForm(cohortB, "employment", "Somewhere", date(2025, 5, 1))
	for path, f := range map[string]url.Values{
		"/manage/learners/" + learnerB + "/destinations":         form,
		"/manage/destinations/" + destB + "/verify":              nil,
		"/manage/destinations/" + destB + "/follow-ups/3_months": {"outcome": {"still_there"}},
	} {
		if got := status(t, manager.PostForm(path, f)); got != http.StatusNotFound {
			t.Errorf("manager POST %s: %d, want 404", path, got)
		}
	}
	var verified, rows int
	mustScan(t, &verified, "SELECT count(*) FROM destinations WHERE id = ? AND verified_at IS NOT NULL", destB)
	mustScan(t, &rows, "SELECT count(*) FROM destinations WHERE user_id = ?", learnerB)
	if verified != 0 || rows != 1 {
		t.Errorf("the refused writes changed something: verified %d, destinations %d", verified, rows)
	}

	// Unfiltered, the manager's report and export hold only their own
	// organisation; the admin's hold both.
	r := getReport(t, manager, "")
	for _, row := range r.Rows {
		if row.ID == cohortB || row.ID == orgB {
			t.Errorf("the manager's report includes organisation B: %+v", row)
		}
	}
	if got := rowOf(t, r, "organisation", demoTrustID(t)); got.Name == "" {
		t.Errorf("the manager's own organisation is missing: %+v", got)
	}
	body := testenv.Body(t, manager.Get("/manage/outcomes.csv"))
	if strings.Contains(body, cohortB) || strings.Contains(body, orgB) {
		t.Error("the manager's CSV includes organisation B")
	}
	rowOf(t, getReport(t, admin, "organisation="+orgB), "cohort", cohortB)
	if got := status(t, admin.Get("/manage/learners/"+learnerB+"/destinations")); got != http.StatusOK {
		t.Errorf("admin on organisation B's learner: %d", got)
	}
}

func TestCSVExportIsAnAttachmentWithNeutralisedCells(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	org := MustCreateOrganisation(t, "=HYPERLINK(\"http://evil.example\")")
	cohort := MustCreateCohort(t, org, "get-started", date(2025, 1, 6), date(2025, 1, 10))
	mustExec(t, "UPDATE cohorts SET name = ? WHERE id = ?", testenv.Unique("@cohort"), cohort)

	resp := admin.Get("/manage/outcomes.csv?organisation=" + org + "&months=12")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	body, bom := strings.CutPrefix(testenv.Body(t, resp), "\ufeff")
	if !bom || resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the CSV is not sent the way every spreadsheet download is (byte-order mark, no-store)")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 || records[0][0] != "Level" || records[0][9] != "Conversion rate (%)" || records[0][len(records[0])-1] != "Definition" {
		t.Fatalf("CSV records: %q", records)
	}
	for _, rec := range records[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would be read as a formula", cell)
			}
		}
		if rec[10] != "12" || !strings.Contains(rec[11], "12 months") {
			t.Errorf("row without window or definition: %q", rec)
		}
	}
}

// Conversion figures count people: one learner enrolled in nine cohorts
// of a programme (a manager could do it to make one person's outcome
// stand out) moves the programme and organisation figures by one, the
// same as enrolling them once.
func TestOnePersonInNineCohortsCountsOnceForTheProgrammeAndOrganisation(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	recorder := signedInID(t, srv, "admin@example.org")
	org := MustCreateOrganisation(t, "Nine Cohorts Trust")
	starts, ends := date(2025, 1, 6), date(2025, 1, 10)
	lesson := firstLesson(t, "get-started")
	first := MustCreateCohort(t, org, "get-started", starts, ends)
	for i := range 3 {
		id := MustCreateLearner(t, "Someone Else")
		MustEnrol(t, first, id, nil)
		MustCompleteLesson(t, id, lesson, date(2025, 1, 7))
		if i == 0 {
			MustAddDestination(t, id, first, "employment", date(2025, 2, 1), true, recorder)
		}
	}
	figures := func() (programme, organisation, everywhere reportRow) {
		t.Helper()
		r := getReport(t, admin, "organisation="+org)
		var programmeID string
		mustScan(t, &programmeID, "SELECT id FROM programmes WHERE slug = 'get-started'")
		all := getReport(t, admin, "")
		return rowOf(t, r, "programme", programmeID), rowOf(t, r, "organisation", org), rowOf(t, all, "programme", programmeID)
	}
	p0, o0, e0 := figures()

	// They started and got a job, recorded against one of the cohorts.
	target := MustCreateLearner(t, "Nine Times")
	MustEnrol(t, first, target, nil)
	MustCompleteLesson(t, target, lesson, date(2025, 1, 7))
	MustAddDestination(t, target, first, "apprenticeship", date(2025, 3, 3), true, recorder)
	p1, o1, e1 := figures()
	for range 8 {
		c := MustCreateCohort(t, org, "get-started", starts, ends)
		MustEnrol(t, c, target, nil)
		MustAddDestination(t, target, c, "apprenticeship", date(2025, 3, 3), true, recorder)
	}
	p9, o9, e9 := figures()

	for _, c := range []struct {
		name                string
		before, once, after reportRow
	}{{"programme", p0, p1, p9}, {"organisation", o0, o1, o9}, {"programme everywhere", e0, e1, e9}} {
		if c.once.Started != c.before.Started+1 || c.once.Converted != c.before.Converted+1 {
			t.Errorf("%s: one more person who converted took %d/%d to %d/%d", c.name,
				c.before.Converted, c.before.Started, c.once.Converted, c.once.Started)
		}
		if c.after.Started != c.once.Started || c.after.Converted != c.once.Converted {
			t.Errorf("%s: enrolling them in eight more cohorts took %d/%d to %d/%d", c.name,
				c.once.Converted, c.once.Started, c.after.Converted, c.after.Started)
		}
	}
}
