package cohorts_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type cohort struct {
	ID, Name, Organisation string
}

func TestManagersSeeOnlyTheirOrganisationsCohorts(t *testing.T) {
	srv := testenv.NewServer(t)
	trust := srv.SignIn(t, "manager@example.org")
	charity := srv.SignIn(t, "manager2@example.org")
	var mine, theirs []cohort
	trust.JSON("/api/v1/cohorts", &mine)
	charity.JSON("/api/v1/cohorts", &theirs)
	if len(mine) == 0 || len(theirs) == 0 {
		t.Fatalf("demo cohorts missing: %d and %d", len(mine), len(theirs))
	}
	for _, c := range mine {
		if c.Organisation != "Northfield NHS Foundation Trust" {
			t.Errorf("manager@ sees %s of %s", c.Name, c.Organisation)
		}
		for _, path := range []string{"/api/v1/cohorts/" + c.ID + "/progress", "/manage/cohorts/" + c.ID,
			"/manage/cohorts/" + c.ID + "/export.csv", "/manage/cohorts/" + c.ID + "/export.xlsx"} {
			resp := charity.Get(path)
			body := testenv.Body(t, resp)
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
				t.Errorf("manager2 on %s: %d", path, resp.StatusCode)
			}
			if strings.Contains(body, c.Name) {
				t.Errorf("manager2's refusal on %s still names the cohort", path)
			}
		}
	}
	var all []cohort
	srv.SignIn(t, "admin@example.org").JSON("/api/v1/cohorts", &all)
	if len(all) != len(mine)+len(theirs) {
		t.Errorf("admin sees %d cohorts, want %d", len(all), len(mine)+len(theirs))
	}
}

type progress struct {
	Learners []struct {
		ID               string
		Name             string
		CompletedLessons int      `json:"completed_lessons"`
		AtRisk           []string `json:"at_risk"`
	}
	AtRiskCounts map[string]int `json:"at_risk_counts"`
}

func TestALearnersCompletionShowsOnTheDashboardAtOnce(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org")
	learner := srv.SignIn(t, "learner@example.org")
	var me struct{ ID string }
	learner.JSON("/api/v1/me", &me)
	var cohortID, lessonID string
	g := testenv.DB(t).Gorm
	g.Raw(`SELECT e.cohort_id FROM enrolments e WHERE e.user_id = ? LIMIT 1`, me.ID).Scan(&cohortID)
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' AND NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.user_id = ? AND lp.lesson_id = l.id)
		ORDER BY m.position DESC, l.position DESC LIMIT 1`, me.ID).Scan(&lessonID)
	done := func() int {
		var p progress
		manager.JSON("/api/v1/cohorts/"+cohortID+"/progress", &p)
		for _, l := range p.Learners {
			if l.ID == me.ID {
				return l.CompletedLessons
			}
		}
		t.Fatalf("the learner is not on their cohort's dashboard")
		return 0
	}
	before := done()
	resp := learner.Do(learner.Request(http.MethodPost, "/api/v1/lessons/"+lessonID+"/complete", nil))
	resp.Body.Close()
	if after := done(); after != before+1 {
		t.Errorf("dashboard shows %d lessons, want %d straight after the completion", after, before+1)
	}
	body := testenv.Body(t, manager.Get("/manage/cohorts/"+cohortID))
	if !strings.Contains(body, "Amira Khan") || !strings.Contains(body, "From enrolment to a job") {
		t.Error("the dashboard page does not list the learner or the funnel")
	}
}

func TestExportsOpenSafelyInASpreadsheet(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	var cohortID string
	g.Raw(`SELECT c.id FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' ORDER BY c.starts_on DESC LIMIT 1`).Scan(&cohortID)
	// A learner whose name is a formula, as someone might type on purpose.
	userID, _ := MustCreateLearner(t, `=HYPERLINK("http://evil.example","Click")`)
	MustEnrol(t, cohortID, userID)
	manager := srv.SignIn(t, "manager@example.org")

	csv := testenv.Body(t, manager.Get("/manage/cohorts/"+cohortID+"/export.csv"))
	if !strings.Contains(csv, `"'=HYPERLINK(`) || strings.Contains(csv, `,"=HYPERLINK(`) || strings.Contains(csv, "\n=HYPERLINK") {
		t.Errorf("CSV export carries a live formula:\n%.600s", csv)
	}
	resp := manager.Get("/manage/cohorts/" + cohortID + "/export.xlsx")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the Excel export is not a workbook: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		rc, _ := f.Open()
		sheet, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(string(sheet), "<f>") || !strings.Contains(string(sheet), "&#39;=HYPERLINK(") {
			t.Errorf("the sheet has a formula or an unescaped cell")
		}
		return
	}
	t.Error("the workbook has no sheet")
}
