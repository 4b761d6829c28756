package cohorts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func TestAManagerStartsACohortInTheirOwnOrganisation(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org")
	var programmeID string
	testenv.DB(t).Gorm.Raw("SELECT id FROM programmes WHERE slug = 'get-started'").Scan(&programmeID)

	bad := manager.PostForm("/manage/cohorts", url.Values{"programme": {programmeID}, "name": {"Spring starters"},
		"start-day": {"30"}, "start-month": {"2"}, "start-year": {"2027"}, "end-day": {"5"}, "end-month": {"3"}, "end-year": {"2027"}, "capacity": {"lots"}})
	body := testenv.Body(t, bad)
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Start date must be a real date") ||
		!strings.Contains(body, "whole number from 1 to 500") || !strings.Contains(body, `value="Spring starters"`) {
		t.Fatalf("a bad form: %d, messages or input missing", bad.StatusCode)
	}

	manager.NoRedirects()
	resp := manager.PostForm("/manage/cohorts", url.Values{"programme": {programmeID}, "name": {"Spring starters"},
		"start-day": {"1"}, "start-month": {"3"}, "start-year": {"2027"}, "end-day": {"3"}, "end-month": {"3"}, "end-year": {"2027"}, "capacity": {"24"}, "region": {"North East"},
		"organisation": {"00000000-0000-0000-0000-000000000000"}}) // ignored: managers use their own
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/manage/cohorts/") {
		t.Fatalf("creating: %d %s", resp.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/manage/cohorts/")
	var got []cohort
	manager.JSON("/api/v1/cohorts", &got)
	found := false
	for _, c := range got {
		found = found || c.ID == id && c.Organisation == "Northfield NHS Foundation Trust"
	}
	if !found {
		t.Error("the new cohort is not in the manager's organisation")
	}
	other := srv.SignIn(t, "manager2@example.org")
	if r := other.Get("/api/v1/cohorts/" + id + "/progress"); r.StatusCode != http.StatusNotFound {
		t.Errorf("manager2 sees the new cohort: %d", r.StatusCode)
	}
	again := manager.PostForm("/manage/cohorts", url.Values{"programme": {programmeID}, "name": {"Spring starters"},
		"start-day": {"1"}, "start-month": {"3"}, "start-year": {"2027"}, "end-day": {"3"}, "end-month": {"3"}, "end-year": {"2027"}, "capacity": {"24"}})
	if b := testenv.Body(t, again); again.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "already has a cohort with this name") {
		t.Errorf("a duplicate name: %d", again.StatusCode)
	}
}
