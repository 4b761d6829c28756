package app_test

import (
	"net/http"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func TestAPIErrorsSayWhatIsWrongInTheAPIsOwnTerms(t *testing.T) {
	srv := testenv.NewServer(t)
	id := loadIDs(t)
	admin := srv.SignIn(t, "admin@example.org")
	// Nobody with this id: 404 even for an admin, who may see everyone.
	resp := admin.Get("/api/v1/learners/" + zeroID + "/progress")
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "urn:onramp:problem:not-found") {
		t.Errorf("an admin asking for nobody's progress: %d %s", resp.StatusCode, body)
	}
	// An unknown filter is 404 on cohorts, as on the reports.
	for _, path := range []string{"/api/v1/cohorts?programme=nope", "/api/v1/reports/outcomes?programme=nope"} {
		if resp := admin.Get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	// A quiz attempt missing answers names the questions by id.
	learner := srv.SignIn(t, "learner@example.org")
	var first string
	testenv.DB(t).Gorm.Raw("SELECT id FROM questions WHERE check_id = ? ORDER BY position LIMIT 1", id.intoCheck).Scan(&first)
	resp, body := sendJSON(t, learner, http.MethodPost, "/api/v1/quizzes/"+id.intoCheck+"/attempts", `{"answers":{}}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"answers.`+first+`"`) || strings.Contains(body, `"q-`) {
		t.Errorf("an empty attempt: %d %s", resp.StatusCode, body)
	}
	// Every cohort says which organisation runs it.
	var cohorts []struct {
		ID             string  `json:"id"`
		OrganisationID *string `json:"organisation_id"`
	}
	admin.JSON("/api/v1/cohorts", &cohorts)
	for _, c := range cohorts {
		if c.ID == id.cohort && c.OrganisationID == nil {
			t.Errorf("cohort %s has no organisation_id", c.ID)
		}
	}
	// A 201 says where the new record is read.
	resp, _ = sendJSON(t, learner, http.MethodPost, "/api/v1/mentorships/"+id.mentorship+"/messages", `{"body":"Hello again"}`)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusCreated || loc != "/api/v1/mentorships/"+id.mentorship+"/messages" {
		t.Errorf("sending a message: %d, Location %q", resp.StatusCode, loc)
	}
}

func TestIdempotencyKeysReplayRefuseADifferentBodyAndExpire(t *testing.T) {
	srv := testenv.NewServer(t)
	id := loadIDs(t)
	learner := srv.SignIn(t, "learner@example.org")
	send := func(key, body string) (*http.Response, string) {
		req := learner.Request(http.MethodPost, "/api/v1/mentorships/"+id.mentorship+"/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		resp := learner.Do(req)
		return resp, testenv.Body(t, resp)
	}
	key := testenv.Unique("key")
	first, firstBody := send(key, `{"body":"Are we still on for Thursday?"}`)
	again, againBody := send(key, `{"body":"Are we still on for Thursday?"}`)
	if first.StatusCode != http.StatusCreated || again.StatusCode != http.StatusCreated || againBody != firstBody ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a replay: %d %s then %d %s", first.StatusCode, firstBody, again.StatusCode, againBody)
	}
	other, otherBody := send(key, `{"body":"Something else entirely"}`)
	if other.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(otherBody, "urn:onramp:problem:idempotency-key-reused") {
		t.Errorf("the same key with another body: %d %s", other.StatusCode, otherBody)
	}
	// Past its lifetime the job deletes it, and the key is free again.
	g := testenv.DB(t).Gorm
	g.Exec("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ?", key)
	if err := srv.App.Auth.RemoveExpiredIdempotencyKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	var left int
	g.Raw("SELECT count(*) FROM idempotency_keys WHERE key = ?", key).Scan(&left)
	if left != 0 {
		t.Errorf("%d expired keys left after the job", left)
	}
	if resp, body := send(key, `{"body":"Something else entirely"}`); resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a forgotten key used again: %d %s", resp.StatusCode, body)
	}
}
