package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/testenv"
	"onramp/modules/identity"
)

// TestManagerInvitesAMentorWhoAcceptsAndBecomesAMentor runs an invitation
// through the real app: a manager invites an email; the person is told in
// the app and by email, signs in, opens the invitation and accepts it,
// and then holds the mentor role and reaches their profile page. Nobody
// else can see or accept it, it cannot be accepted twice, a learner
// cannot invite anyone, and an expired invitation is refused.
func TestManagerInvitesAMentorWhoAcceptsAndBecomesAMentor(t *testing.T) {
	clk := &movableClock{t: time.Now().UTC()}
	mail := testenv.SMTP(t)
	srv := isolatedServer(t, clk, mail.URL, 3)
	email, name := app.LoadUserEmail(0), identity.DemoLearnerName(0)
	first, _, _ := strings.Cut(name, " ")

	boss := srv.SignIn(t, "manager@example.org")
	resp := boss.PostForm("/manage/mentoring/invitations", url.Values{"name": {name}, "email": {strings.ToUpper(email)}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Invitation sent to "+email) {
		t.Fatalf("inviting ended %d at %s:\n%.2000s", resp.StatusCode, resp.Request.URL, body)
	}
	resp = boss.PostForm("/manage/mentoring/invitations", url.Values{"name": {name}, "email": {email}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict {
		t.Errorf("a second open invitation for the same email: %d, want 409\n%.1000s", resp.StatusCode, body)
	}
	resp = boss.PostForm("/manage/mentoring/invitations", url.Values{"name": {""}, "email": {"not an email"}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the mentor&#39;s full name") {
		t.Errorf("an empty name and a bad email: %d, want 422 naming both\n%.2000s", resp.StatusCode, body)
	}

	learner := srv.SignIn(t, "learner@example.org")
	resp = learner.PostForm("/manage/mentoring/invitations", url.Values{"name": {"Someone"}, "email": {"someone@example.org"}})
	if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a learner sending an invitation: %d, want 403", resp.StatusCode)
	}

	// The person is told in the app (the link opens the invitation) and
	// by an email carrying only their first name and a link.
	person := srv.SignIn(t, email)
	notes := ofKind(inbox(t, person), "mentor_invited")
	if len(notes) != 1 || !strings.HasPrefix(notes[0].Link, "/mentoring/invitations/") {
		t.Fatalf("the invitee's mentor_invited notifications: %+v", notes)
	}
	link := notes[0].Link
	deadline := time.Now().Add(15 * time.Second)
	for len(mailsTo(mail, email)) < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	checkEmails(t, mail, srv.URL, lifecyclePerson{email: email, first: first}, nil)
	if n := len(mailsTo(mail, email)); n != 1 {
		t.Errorf("the invitee had %d emails, want 1", n)
	}

	// Someone else signed in sees nothing there, and cannot accept it.
	other := srv.SignIn(t, app.LoadUserEmail(1))
	if resp := other.Get(link); resp.Body.Close() == nil && resp.StatusCode != http.StatusNotFound {
		t.Errorf("another person opening the invitation: %d, want 404", resp.StatusCode)
	}
	if resp := other.PostForm(link+"/accept", nil); resp.Body.Close() == nil && resp.StatusCode != http.StatusNotFound {
		t.Errorf("another person accepting the invitation: %d, want 404", resp.StatusCode)
	}

	resp = person.Get(link)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Accept and become a mentor") {
		t.Fatalf("the invitee opening the invitation: %d\n%.2000s", resp.StatusCode, body)
	}
	resp = person.PostForm(link+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/mentoring/profile" {
		t.Fatalf("accepting ended %d at %s, want the profile page\n%.2000s", resp.StatusCode, resp.Request.URL, body)
	}
	var me struct {
		Roles []string `json:"roles"`
	}
	person.JSON("/api/v1/me", &me)
	if !slices.Contains(me.Roles, "mentor") {
		t.Errorf("after accepting, roles are %v; want mentor among them", me.Roles)
	}
	resp = person.PostForm(link+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already accepted") {
		t.Errorf("accepting twice: %d, want 409 saying it was accepted\n%.1000s", resp.StatusCode, body)
	}

	// Both the invitation and the acceptance are audited; the role grant
	// is recorded as the manager's.
	var actions []string
	srv.App.DB.Gorm.Raw(`SELECT action FROM audit_events WHERE subject_id = ? ORDER BY id`, strings.TrimPrefix(link, "/mentoring/invitations/")).Scan(&actions)
	if !slices.Equal(actions, []string{"mentor_invitation.sent", "mentor_invitation.accepted"}) {
		t.Errorf("audited actions: %v", actions)
	}
	var grantedBy string
	srv.App.DB.Gorm.Raw(`SELECT u.email FROM audit_events a JOIN users u ON u.id = a.actor_id
		WHERE a.action = 'role.granted' AND a.subject_id = (SELECT id::text FROM users WHERE email = ?)`, email).Scan(&grantedBy)
	if grantedBy != "manager@example.org" {
		t.Errorf("the mentor role was granted by %q, want the inviting manager", grantedBy)
	}

	// An invitation left 31 days is refused in plain words.
	late := app.LoadUserEmail(2)
	resp = boss.PostForm("/manage/mentoring/invitations", url.Values{"name": {identity.DemoLearnerName(2)}, "email": {late}})
	if resp.Body.Close(); resp.StatusCode != http.StatusOK {
		t.Fatalf("inviting %s: %d", late, resp.StatusCode)
	}
	clk.Set(clk.Now().AddDate(0, 0, 31))
	tardy := srv.SignIn(t, late)
	notes = ofKind(inbox(t, tardy), "mentor_invited")
	if len(notes) != 1 {
		t.Fatalf("the late invitee's notifications: %+v", notes)
	}
	resp = tardy.Get(notes[0].Link)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "This invitation expired") {
		t.Errorf("opening an expired invitation: %d\n%.2000s", resp.StatusCode, body)
	}
	resp = tardy.PostForm(notes[0].Link+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "has expired") {
		t.Errorf("accepting an expired invitation: %d\n%.2000s", resp.StatusCode, body)
	}
}
