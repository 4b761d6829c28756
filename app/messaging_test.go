package app_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// demoMentorship is the seeded active mentorship of learner@ and mentor@.
func demoMentorship(t *testing.T) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw(`SELECT m.id FROM mentorships m JOIN users u ON u.id = m.learner_id
		WHERE u.email = 'learner@example.org' AND m.status = 'active'`).Scan(&id)
	if id == "" {
		t.Fatal("the demo mentorship is missing")
	}
	return id
}

type sent struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type threadDoc struct {
	CanWrite bool `json:"can_write"`
	Messages []struct {
		ID       string `json:"id"`
		Body     string `json:"body"`
		Status   string `json:"status"`
		Note     string `json:"note"`
		Redacted bool   `json:"redacted"`
		Original string `json:"original"`
	} `json:"messages"`
}

func (d threadDoc) find(id string) (body, status, note string, ok bool) {
	for _, m := range d.Messages {
		if m.ID == id {
			return m.Body, m.Status, m.Note, true
		}
	}
	return "", "", "", false
}

// postMessage posts v as JSON with the client's CSRF header and returns the
// status and decoded body.
func postMessage(t *testing.T, c *testenv.Client, path string, v any, key string) (int, sent) {
	t.Helper()
	b, _ := json.Marshal(v)
	req := c.Request(http.MethodPost, path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp := c.Do(req)
	defer resp.Body.Close()
	var out sent
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// eventStream is an open Server-Sent Events stream; ids receives each
// event's id.
type eventStream struct{ ids chan string }

func openEvents(t *testing.T, c *testenv.Client, mentorshipID, lastEventID string) *eventStream {
	t.Helper()
	req := c.Request(http.MethodGet, "/api/v1/mentorships/"+mentorshipID+"/events", nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp := c.Do(req)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("opening the event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { resp.Body.Close() })
	s := &eventStream{ids: make(chan string, 100)}
	go func() {
		defer close(s.ids)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				s.ids <- id
			}
		}
	}()
	return s
}

// waitFor reads events until want arrives, failing if any of never
// arrives first or nothing comes within 10 s.
func (s *eventStream) waitFor(t *testing.T, want string, never ...string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case id, ok := <-s.ids:
			if !ok {
				t.Fatalf("the stream ended before event %s", want)
			}
			for _, n := range never {
				if id == n {
					t.Fatalf("the stream carried %s, which it must not", n)
				}
			}
			if id == want {
				return
			}
		case <-timeout:
			t.Fatalf("event %s did not arrive within 10s", want)
		}
	}
}

func auditActions(t *testing.T, subjectID string) string {
	t.Helper()
	var actions []string
	testenv.DB(t).Gorm.Raw("SELECT action FROM audit_events WHERE subject_id = ? ORDER BY id", subjectID).Scan(&actions)
	return strings.Join(actions, ",")
}

// TestHeldMessageReachesTheMentorOnlyOnceALeadReleasesIt follows the
// demo mentorship: a normal message is delivered and pushed to the
// mentor's open stream; one with a phone number is held, invisible to the
// mentor, in the lead's queue, refused release to the learner and mentor,
// and reaches the mentor once a lead releases it. Redaction keeps the
// original; a block tells the sender why; everything is audited.
func TestHeldMessageReachesTheMentorOnlyOnceALeadReleasesIt(t *testing.T) {
	srv := testenv.NewServer(t)
	id := demoMentorship(t)
	api := "/api/v1/mentorships/" + id + "/messages"
	learner, mentor, lead := srv.SignIn(t, "learner@example.org"), srv.SignIn(t, "mentor@example.org"), srv.SignIn(t, "safeguarding@example.org")
	events := openEvents(t, mentor, id, "")

	status, hello := postMessage(t, learner, api, map[string]string{"body": "Hello Dan, thanks for the interview tips!"}, "")
	if status != http.StatusCreated || hello.Status != "delivered" {
		t.Fatalf("a normal message: %d %+v, want 201 delivered", status, hello)
	}
	events.waitFor(t, hello.ID)

	status, held := postMessage(t, learner, api, map[string]string{"body": "my number is 07700 900123 text me"}, "held-1")
	if status != http.StatusCreated || held.Status != "held" {
		t.Fatalf("a message with a phone number: %d %+v, want 201 held", status, held)
	}
	// A replay with the same key is the first answer, nothing new.
	if status, again := postMessage(t, learner, api, map[string]string{"body": "my number is 07700 900123 text me"}, "held-1"); status != http.StatusCreated || again.ID != held.ID {
		t.Errorf("replaying the Idempotency-Key: %d %+v, want the first message %s", status, again, held.ID)
	}
	_, after := postMessage(t, learner, api, map[string]string{"body": "See you next week"}, "")
	events.waitFor(t, after.ID, held.ID)

	var seen threadDoc
	mentor.JSON(api, &seen)
	if _, _, _, ok := seen.find(held.ID); ok {
		t.Fatal("the mentor can see a held message")
	}
	learner.JSON(api, &seen)
	if _, st, note, ok := seen.find(held.ID); !ok || st != "held" || !strings.Contains(note, "Waiting to be checked") {
		t.Errorf("the learner should see their held message marked waiting to be checked; got %q %q", st, note)
	}
	page := testenv.Body(t, learner.Get("/mentoring/mentorships/"+id+"/messages"))
	if !strings.Contains(page, "Waiting to be checked") || !strings.Contains(page, "usually takes less than a day") {
		t.Error("the learner's thread page does not explain the held message")
	}

	var queue []struct {
		ID       string   `json:"id"`
		Labels   []string `json:"labels"`
		Priority string   `json:"priority"`
	}
	lead.JSON("/api/v1/moderation/queue", &queue)
	inQueue := false
	for _, q := range queue {
		if q.ID == held.ID {
			inQueue = len(q.Labels) == 1 && q.Labels[0] == "contact_details" && q.Priority == "normal"
		}
	}
	if !inQueue {
		t.Errorf("the lead's queue %+v should list %s as contact_details", queue, held.ID)
	}
	for who, c := range map[string]*testenv.Client{"learner": learner, "mentor": mentor} {
		if status, _ := postMessage(t, c, "/api/v1/moderation/messages/"+held.ID+"/release", map[string]string{"reason": "fine"}, ""); status != http.StatusForbidden {
			t.Errorf("the %s releasing: %d, want 403", who, status)
		}
	}
	resp := lead.PostForm("/safeguarding/messages/"+held.ID+"/review", url.Values{"action": {"released"}, "reason": {"A work number for the interview"}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Safeguarding") {
		t.Fatalf("the lead releasing through the page: %d", resp.StatusCode)
	}
	events.waitFor(t, held.ID)
	mentor.JSON(api, &seen)
	if body, st, _, ok := seen.find(held.ID); !ok || st != "delivered" || !strings.Contains(body, "07700 900123") {
		t.Errorf("the released message should reach the mentor; got %q %q", body, st)
	}
	if status, _ := postMessage(t, lead, "/api/v1/moderation/messages/"+held.ID+"/release", map[string]string{}, ""); status != http.StatusConflict {
		t.Errorf("releasing twice: %d, want 409", status)
	}
	if got := auditActions(t, held.ID); got != "message.sent,message.scanned,message.held,message.released" {
		t.Errorf("audit of the held message: %s", got)
	}

	// Redact and release: the mentor sees the redacted text; the original
	// is kept.
	_, snap := postMessage(t, learner, api, map[string]string{"body": "add me on snap: amira_x"}, "")
	if status, r := postMessage(t, lead, "/api/v1/moderation/messages/"+snap.ID+"/redact", map[string]string{"reason": "handle"}, ""); status != http.StatusOK || r.Status != "delivered" {
		t.Fatalf("redacting: %d %+v", status, r)
	}
	mentor.JSON(api, &seen)
	if body, _, _, ok := seen.find(snap.ID); !ok || strings.Contains(body, "amira_x") || !strings.Contains(body, "[removed by the safety team]") {
		t.Errorf("the mentor should see the redacted text; got %q", body)
	}
	var original string
	testenv.DB(t).Gorm.Raw("SELECT body FROM messages WHERE id = ?", snap.ID).Scan(&original)
	if original != "add me on snap: amira_x" {
		t.Errorf("the original was not kept: %q", original)
	}

	// Block: the sender is told in plain words; the mentor sees nothing.
	_, call := postMessage(t, learner, api, map[string]string{"body": "call me on 07700 900456"}, "")
	if status, _ := postMessage(t, lead, "/api/v1/moderation/messages/"+call.ID+"/block", map[string]string{}, ""); status != http.StatusUnprocessableEntity {
		t.Errorf("blocking without saying why: %d, want 422", status)
	}
	if status, _ := postMessage(t, lead, "/api/v1/moderation/messages/"+call.ID+"/block",
		map[string]string{"block_reason": "Please keep your phone number private and keep talking here."}, ""); status != http.StatusOK {
		t.Fatalf("blocking: %d", status)
	}
	learner.JSON(api, &seen)
	if _, st, note, _ := seen.find(call.ID); st != "blocked" || !strings.Contains(note, "Please keep your phone number private") {
		t.Errorf("the learner should be told why it was blocked; got %q %q", st, note)
	}
	mentor.JSON(api, &seen)
	if _, _, _, ok := seen.find(call.ID); ok {
		t.Error("the mentor can see a blocked message")
	}
	if got := auditActions(t, call.ID); !strings.HasSuffix(got, "message.blocked") {
		t.Errorf("audit of the blocked message: %s", got)
	}
	// The mentor was told of the new messages, with a first name and no content.
	var titles []string
	testenv.DB(t).Gorm.Raw(`SELECT n.title FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = 'mentor@example.org' AND n.kind = 'message.new'`).Scan(&titles)
	if len(titles) == 0 || titles[0] != "You have a new message from Amira" {
		t.Errorf("the mentor's notices: %q", titles)
	}
}

// TestStrangersCannotReachAThread: another learner learns nothing of the
// demo thread, another organisation's manager is refused, and neither can
// read, write or stream it.
func TestStrangersCannotReachAThread(t *testing.T) {
	srv := testenv.NewServer(t)
	id := demoMentorship(t)
	for _, c := range []struct {
		email string
		want  int
	}{{"learner2@example.org", 404}, {"manager2@example.org", 403}, {"manager@example.org", 403}} {
		cl := srv.SignIn(t, c.email)
		for _, path := range []string{"/api/v1/mentorships/" + id + "/messages", "/api/v1/mentorships/" + id + "/events",
			"/mentoring/mentorships/" + id + "/messages"} {
			resp := cl.Get(path)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s GET %s: %d, want %d", c.email, path, resp.StatusCode, c.want)
			}
		}
		if status, _ := postMessage(t, cl, "/api/v1/mentorships/"+id+"/messages", map[string]string{"body": "hi"}, ""); status != c.want {
			t.Errorf("%s sending: %d, want %d", c.email, status, c.want)
		}
	}
}

// TestMessagesSentThroughOneInstanceReachStreamsOnAnother runs two app
// instances over one database: the mentor's stream is on B, the
// learner's message goes through A. A reconnect with Last-Event-ID
// replays what came after.
func TestMessagesSentThroughOneInstanceReachStreamsOnAnother(t *testing.T) {
	a := testenv.NewServer(t)
	// B trusts A's identity provider, as replicas share one; sessions are
	// in PostgreSQL, so a sign-in through A is good on B.
	b := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.OIDCIssuerURL = a.URL + config.DevIssuerPath })
	id := demoMentorship(t)
	api := "/api/v1/mentorships/" + id + "/messages"
	learner := a.SignIn(t, "learner@example.org")
	mentor := a.SignIn(t, "mentor@example.org")
	mentor.Base = b.URL
	events := openEvents(t, mentor, id, "")
	_, first := postMessage(t, learner, api, map[string]string{"body": "Sent through instance A"}, "")
	events.waitFor(t, first.ID)

	_, second := postMessage(t, learner, api, map[string]string{"body": "And another one"}, "")
	again := a.SignIn(t, "mentor@example.org")
	again.Base = b.URL
	resumed := openEvents(t, again, id, first.ID)
	resumed.waitFor(t, second.ID)
}

// TestAnEndedMentorshipsThreadIsReadOnly: its two people read it and
// nobody writes.
func TestAnEndedMentorshipsThreadIsReadOnly(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	var id string
	err := g.Raw(`INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, proposed_at, approved_at, starts_on, ends_on, ended_at, end_reason)
		SELECT l.id, m.id, (SELECT organisation_id FROM mentorships WHERE id = ?), 'ended', now() - interval '8 months', now() - interval '8 months',
		       (now() - interval '8 months')::date, ((now() - interval '8 months')::date + interval '6 months')::date, now() - interval '2 months', 'six months'
		FROM users l, users m WHERE l.email = 'learner2@example.org' AND m.email = 'mentor@example.org' RETURNING id`, demoMentorship(t)).Scan(&id).Error
	if err != nil || id == "" {
		t.Fatalf("making an ended mentorship: %v", err)
	}
	learner := srv.SignIn(t, "learner2@example.org")
	var doc threadDoc
	learner.JSON("/api/v1/mentorships/"+id+"/messages", &doc)
	if doc.CanWrite {
		t.Error("an ended mentorship's thread says it can be written")
	}
	if status, _ := postMessage(t, learner, "/api/v1/mentorships/"+id+"/messages", map[string]string{"body": "hello?"}, ""); status != http.StatusConflict {
		t.Errorf("writing to an ended mentorship: %d, want 409", status)
	}
	resp := learner.PostForm("/mentoring/mentorships/"+id+"/messages", url.Values{"body": {"hello?"}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "not send new ones") {
		t.Errorf("the page form on an ended mentorship: %d", resp.StatusCode)
	}
	page := testenv.Body(t, learner.Get("/mentoring/mentorships/"+id+"/messages"))
	if strings.Contains(page, `id="send-form"`) || !strings.Contains(page, "has ended") {
		t.Error("an ended thread's page should have no form and say it has ended")
	}
}

// TestReportingAWorryOpensACaseDueInTwoHoursWhenUrgent: feeling unsafe
// is answered within two hours, something else within a day; the
// reporter is shown what happens next and where to get help now, and
// the lead sees the case.
func TestReportingAWorryOpensACaseDueInTwoHoursWhenUrgent(t *testing.T) {
	srv := testenv.NewServer(t)
	id := demoMentorship(t)
	learner := srv.SignIn(t, "learner@example.org")
	resp := learner.PostForm("/concerns", url.Values{"mentorship": {id}, "category": {"unsafe"}, "details": {"Someone at college scares me"}})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "within 2 hours") || !strings.Contains(body, `href="tel:999"`) ||
		!strings.Contains(body, `href="tel:116123"`) || !strings.Contains(body, "sms:85258") || !strings.Contains(body, `href="tel:08001111"`) {
		t.Errorf("after reporting: %d, want what happens next and where to get help", resp.StatusCode)
	}
	resp = learner.PostForm("/concerns", url.Values{"category": {"other"}, "details": {"My mentor keeps being late to our chats"}})
	if body := testenv.Body(t, resp); !strings.Contains(body, "within a day") {
		t.Error("a normal worry should be answered within a day")
	}
	var cases []struct {
		ID       string
		Priority string
		Hours    float64
	}
	testenv.DB(t).Gorm.Raw(`SELECT c.id, c.priority, extract(epoch FROM c.due_at - c.created_at) / 3600 AS hours FROM concern_cases c
		JOIN users u ON u.id = c.reported_by WHERE u.email = 'learner@example.org' ORDER BY c.created_at DESC LIMIT 2`).Scan(&cases)
	if len(cases) != 2 || cases[1].Priority != "urgent" || cases[1].Hours != 2 || cases[0].Priority != "normal" || cases[0].Hours != 24 {
		t.Fatalf("cases: %+v, want an urgent one due in 2 h and a normal one in 24 h", cases)
	}
	if got := auditActions(t, cases[1].ID); got != "concern.opened" {
		t.Errorf("audit of the case: %q", got)
	}
	lead := srv.SignIn(t, "safeguarding@example.org")
	if body := testenv.Body(t, lead.Get("/safeguarding")); !strings.Contains(body, "/safeguarding/cases/"+cases[1].ID) {
		t.Error("the lead's page does not list the case")
	}
	resp = lead.PostForm("/safeguarding/cases/"+cases[1].ID, url.Values{"status": {"closed"}})
	if resp.Body.Close(); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("closing without an outcome: %d, want 422", resp.StatusCode)
	}
	resp = lead.PostForm("/safeguarding/cases/"+cases[1].ID, url.Values{"status": {"closed"}, "take-on": {"yes"}, "outcome": {"Spoke to the learner and their college"}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Spoke to the learner") {
		t.Errorf("closing with an outcome: %d", resp.StatusCode)
	}
	if got := auditActions(t, cases[1].ID); !strings.Contains(got, "concern.updated") {
		t.Errorf("audit of the case after closing: %q", got)
	}
}
