package notify_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/notify"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// withSMTP sends the server's email to ms.
func withSMTP(ms *testenv.MailServer) testenv.Option {
	return func(c *config.Config, _ *app.Options) { c.SMTPURL = ms.URL }
}

func mustScan(t *testing.T, dest any, q string, args ...any) {
	t.Helper()
	if err := testenv.DB(t).Gorm.Raw(q, args...).Scan(dest).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func mailsTo(ms *testenv.MailServer, addr string) []testenv.Mail {
	var out []testenv.Mail
	for _, m := range ms.Messages() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

// sentinel waits until every email job queued so far has finished (none
// is waiting, running or due a retry), so a test can count what was sent.
func sentinel(t *testing.T, _ *testenv.Server, _ *testenv.MailServer) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var pending int
		mustScan(t, &pending, `SELECT count(*) FROM river_job WHERE kind = 'notify.email' AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		if pending == 0 {
			return
		}
	}
	t.Fatal("email jobs still pending after 15s")
}

func TestNotifyingTwiceIsOneNotificationAndOneEmailThatSaysNothingButAFirstName(t *testing.T) {
	ms := testenv.SMTP(t)
	srv := testenv.NewServer(t, withSMTP(ms))
	id, email := testenv.NewFixtures(t).Learner(testenv.Learner{Name: "Sam Okonkwo-Taylor"})
	n := notify.Notification{UserID: id, Kind: "mentorship.message", Title: "Your mentor wrote about the interview at St Mary's",
		Body: "Bring your passport on Tuesday", Link: "/mentoring", DedupeKey: "message:123"}
	ctx := context.Background()
	for range 2 {
		if err := srv.App.Notify.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	mustScan(t, &rows, "SELECT count(*) FROM notifications WHERE user_id = ?", id)
	if rows != 1 {
		t.Fatalf("two Notify calls with one dedupe key made %d notifications", rows)
	}
	sentinel(t, srv, ms)
	got := mailsTo(ms, email)
	if len(got) != 1 {
		t.Fatalf("%d emails for one notification, want 1", len(got))
	}
	m := got[0]
	for _, want := range []string{"Hello Sam,", srv.URL + "/notifications"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the email does not say %q:\n%s", want, m.Body)
		}
	}
	for _, secret := range []string{"Okonkwo", "Taylor", "interview", "St Mary", "passport", "Tuesday", "mentor wrote"} {
		if strings.Contains(m.Raw, secret) {
			t.Errorf("the email gives away %q:\n%s", secret, m.Raw)
		}
	}
	if !strings.Contains(m.Raw, "From: \"Onramp\" <no-reply@127.0.0.1>") {
		t.Errorf("the email is not from Onramp's no-reply address:\n%s", m.Raw)
	}
	if u, _ := srv.App.Notify.Unread(ctx, id); u != 1 {
		t.Errorf("unread count %d, want 1", u)
	}
}

func TestWithEmailTurnedOffTheNotificationIsKeptButNoEmailIsSent(t *testing.T) {
	ms := testenv.SMTP(t)
	srv := testenv.NewServer(t, withSMTP(ms))
	id, email := testenv.NewFixtures(t).Learner(testenv.Learner{Name: "Quiet Person"})
	ctx := context.Background()
	if err := srv.App.Notify.SetEmail(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Notify.Notify(ctx, notify.Notification{UserID: id, Kind: "test", Title: "Something", DedupeKey: "k"}); err != nil {
		t.Fatal(err)
	}
	sentinel(t, srv, ms)
	if got := mailsTo(ms, email); len(got) != 0 {
		t.Fatalf("%d emails to someone who turned email off", len(got))
	}
	if u, _ := srv.App.Notify.Unread(ctx, id); u != 1 {
		t.Fatalf("unread count %d, want the in-app notification all the same", u)
	}
}

func TestANotificationInARolledBackTransactionIsNeitherKeptNorEmailed(t *testing.T) {
	ms := testenv.SMTP(t)
	srv := testenv.NewServer(t, withSMTP(ms))
	id, email := testenv.NewFixtures(t).Learner(testenv.Learner{Name: "Rolled Back"})
	ctx := context.Background()
	err := srv.App.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := srv.App.Notify.Notify(ctx, notify.Notification{UserID: id, Kind: "test", Title: "Never", DedupeKey: "k"}); err != nil {
			return err
		}
		return context.Canceled
	})
	if err != context.Canceled {
		t.Fatal(err)
	}
	sentinel(t, srv, ms)
	if got := mailsTo(ms, email); len(got) != 0 {
		t.Fatalf("%d emails for a rolled-back notification", len(got))
	}
	if u, _ := srv.App.Notify.Unread(ctx, id); u != 0 {
		t.Fatalf("a rolled-back notification was kept (%d unread)", u)
	}
}

func TestNotifyRefusesALinkToAnotherSite(t *testing.T) {
	srv := testenv.NewServer(t)
	id, _ := testenv.NewFixtures(t).Learner(testenv.Learner{})
	for _, link := range []string{"https://evil.example", "//evil.example", "javascript:alert(1)"} {
		err := srv.App.Notify.Notify(context.Background(), notify.Notification{UserID: id, Kind: "test", Title: "x", Link: link})
		if err == nil {
			t.Errorf("Notify accepted the link %q", link)
		}
	}
}

func userID(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	var id string
	mustScan(t, &id, "SELECT id FROM users WHERE email = ? AND issuer = ?", email, srv.App.Config.OIDCIssuerURL)
	if id == "" {
		t.Fatalf("%s has not signed in", email)
	}
	return id
}

func TestTheHeaderCountsUnreadNotificationsAndTheListMarksThemRead(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org")
	id := userID(t, srv, "learner@example.org")
	ctx := context.Background()
	if err := srv.App.Notify.MarkAllRead(ctx, id); err != nil {
		t.Fatal(err)
	}
	for i, title := range []string{"Your mentor has been matched", "A new module is ready", "Your certificate is ready"} {
		n := notify.Notification{UserID: id, Kind: "test", Title: title, Link: "/learn", DedupeKey: testenv.Unique("k") + string(rune('a'+i))}
		if err := srv.App.Notify.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	page := testenv.Body(t, c.Get("/learn"))
	if !strings.Contains(page, "3 unread notifications") || !strings.Contains(page, `href="/notifications"`) {
		t.Fatalf("the header does not say 3 unread notifications with a link:\n%s", page)
	}
	list := testenv.Body(t, c.Get("/notifications"))
	newest, oldest := strings.Index(list, "Your certificate is ready"), strings.Index(list, "Your mentor has been matched")
	if newest < 0 || oldest < 0 || newest > oldest {
		t.Fatalf("the list does not show the notifications newest first:\n%s", list)
	}

	var api struct {
		Unread        int `json:"unread"`
		Notifications []struct {
			ID, Title string
		} `json:"notifications"`
	}
	c.JSON("/api/v1/notifications", &api)
	if api.Unread != 3 || len(api.Notifications) < 3 {
		t.Fatalf("API: %+v", api)
	}
	resp := c.PostForm("/notifications/"+api.Notifications[0].ID+"/read", nil)
	if body := testenv.Body(t, resp); !strings.Contains(body, "2 unread notifications") {
		t.Fatalf("after marking one read the header does not say 2:\n%s", body)
	}
	resp = c.PostForm("/notifications/read-all", nil)
	if body := testenv.Body(t, resp); !strings.Contains(body, "You have no unread notifications") {
		t.Fatalf("after marking all read:\n%s", body)
	}
}

func TestNobodyCanReadOrMarkSomeoneElsesNotification(t *testing.T) {
	srv := testenv.NewServer(t)
	srv.SignIn(t, "learner@example.org")
	owner := userID(t, srv, "learner@example.org")
	title := testenv.Unique("Private to learner")
	ctx := context.Background()
	if err := srv.App.Notify.Notify(ctx, notify.Notification{UserID: owner, Kind: "test", Title: title, DedupeKey: title}); err != nil {
		t.Fatal(err)
	}
	var noteID string
	mustScan(t, &noteID, "SELECT id FROM notifications WHERE user_id = ? AND title = ?", owner, title)

	other := srv.SignIn(t, "learner2@example.org")
	if body := testenv.Body(t, other.Get("/notifications")); strings.Contains(body, title) {
		t.Fatal("another person's list shows the notification")
	}
	var api struct {
		Notifications []struct{ Title string } `json:"notifications"`
	}
	other.JSON("/api/v1/notifications", &api)
	for _, n := range api.Notifications {
		if n.Title == title {
			t.Fatal("another person's API list shows the notification")
		}
	}
	resp := other.PostForm("/notifications/"+noteID+"/read", nil)
	if s := resp.StatusCode; s != http.StatusNotFound {
		t.Fatalf("marking someone else's notification read answered %d, want 404", s)
	}
	resp.Body.Close()
	if u, _ := srv.App.Notify.Unread(ctx, owner); u == 0 {
		t.Fatal("someone else marked the owner's notification read")
	}
}

func TestEmailSettingsAreSavedAndAnEmptyAnswerIsExplained(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner2@example.org")
	id := userID(t, srv, "learner2@example.org")
	resp := c.PostForm("/notifications/settings", url.Values{})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Select yes if you want an email") {
		t.Fatalf("an empty settings form answered %d:\n%s", resp.StatusCode, body)
	}
	resp = c.PostForm("/notifications/settings", url.Values{"email": {"no"}})
	if body := testenv.Body(t, resp); !strings.Contains(body, "Your choice has been saved") {
		t.Fatalf("after saving:\n%s", body)
	}
	p, err := srv.App.Notify.Preferences(context.Background(), id)
	if err != nil || p.Email {
		t.Fatalf("email still on after choosing no: %+v %v", p, err)
	}
	c.PostForm("/notifications/settings", url.Values{"email": {"yes"}}).Body.Close()
}
