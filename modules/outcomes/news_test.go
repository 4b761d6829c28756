package outcomes_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

// A learner may already have had their job before the programme: they can
// tell us, and a manager can check it, but it is not a conversion.
func TestAJobFromBeforeTheProgrammeCanBeToldButIsNotAConversion(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner3@example.org").NoRedirects()
	learnerID := signedInID(t, srv, "learner3@example.org")
	var cohort struct {
		ID       string
		StartsOn time.Time
	}
	mustScan(t, &cohort, `SELECT e.cohort_id AS id, c.starts_on FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
		WHERE e.user_id = ? AND NOT c.self_enrolment ORDER BY c.starts_on DESC LIMIT 1`, learnerID)
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	before := rowOf(t, getReport(t, manager, "cohort="+cohort.ID), "cohort", cohort.ID)

	form := destinationForm(cohort.ID, "employment", "Corner Shop", cohort.StartsOn.AddDate(0, -2, 0))
	form.Set("role", "Weekend sales assistant")
	resp := learner.PostForm("/learn/news", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("telling us of a job from before the programme: %d\n%s", resp.StatusCode, testenv.Body(t, resp))
	}
	resp.Body.Close()
	var id string
	mustScan(t, &id, `SELECT id FROM destinations WHERE user_id = ? AND role = 'Weekend sales assistant'`, learnerID)
	if got := status(t, manager.PostForm("/manage/destinations/"+id+"/verify", nil)); got != http.StatusSeeOther {
		t.Fatalf("verify: %d", got)
	}
	if after := rowOf(t, getReport(t, manager, "cohort="+cohort.ID), "cohort", cohort.ID); after.Converted != before.Converted {
		t.Errorf("a verified job from before the programme changed converted from %d to %d", before.Converted, after.Converted)
	}

	// After sending: thanks, what they told us, and no second form.
	done := testenv.Body(t, learner.Get("/learn/news?done=1"))
	contains(t, done, "Thank you for your news", "Weekend sales assistant", "Tell us about something else")
	if strings.Contains(done, `<form action="/learn/news"`) {
		t.Error("the form is shown again under the thank you")
	}
	if strings.Index(done, `class="nhsuk-back-link"`) > strings.Index(done, "<h1") {
		t.Error("the back link is not at the top of the page")
	}

	// A refused form says so in its title.
	bad := learner.PostForm("/learn/news", destinationForm(cohort.ID, "", "", cohort.StartsOn))
	page := testenv.Body(t, bad)
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "<title>Error: Tell us your news - Onramp</title>") {
		t.Errorf("a refused form: %d, title not starting with Error:", bad.StatusCode)
	}
}
