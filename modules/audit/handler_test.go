package audit_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func get(t *testing.T, c *testenv.Client, path string, want int) string {
	t.Helper()
	resp := c.Get(path)
	body := testenv.Body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, want, body)
	}
	return body
}

// seededID returns the id of the demo person SeedDemo made for email.
func seededID(t *testing.T, email string) string {
	t.Helper()
	var id string
	if err := testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ? ORDER BY created_at, id LIMIT 1", email).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("no seeded %s: %v", email, err)
	}
	return id
}

func TestAuditLogSaysWhatHappenedInPlainWordsAndUKTime(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	d := testenv.DB(t)
	priya, kasia := seededID(t, "manager@example.org"), seededID(t, "learner3@example.org")
	// A summer afternoon: 12:30 UTC is 1:30pm in London (BST).
	if err := d.Gorm.Exec(`INSERT INTO audit_events (at, actor_id, action, subject_type, subject_id, detail)
		VALUES ('2026-07-01T12:30:00Z', ?, 'role.granted', 'user', ?, '{"role":"manager"}')`, priya, kasia).Error; err != nil {
		t.Fatal(err)
	}

	body := get(t, admin, "/admin/audit?person=Kasia", http.StatusOK)
	for _, want := range []string{"Priya Shah gave Kasia Nowak the programme manager role.", "1 July 2026 at 1:30pm", "/admin/users/" + kasia} {
		if !strings.Contains(body, want) {
			t.Errorf("the filtered log does not show %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "role.granted") || strings.Contains(body, `{"role"`) {
		t.Error("the log still shows the raw action or detail")
	}

	// Filters: by what happened, and by day (UK days, the end day included).
	q := func(v url.Values) string { return "/admin/audit?" + v.Encode() }
	in := url.Values{"person": {"kasia nowak"}, "action": {"roles"},
		"from-day": {"1"}, "from-month": {"7"}, "from-year": {"2026"}, "to-day": {"1"}, "to-month": {"7"}, "to-year": {"2026"}}
	if body := get(t, admin, q(in), http.StatusOK); !strings.Contains(body, "gave Kasia Nowak") {
		t.Error("filtering by person, action and that day hides the entry")
	}
	for name, v := range map[string]url.Values{
		"another action": {"person": {"Kasia"}, "action": {"sign-ins"}},
		"a later day":    {"person": {"Kasia"}, "from-day": {"2"}, "from-month": {"7"}, "from-year": {"2026"}},
		"an earlier day": {"person": {"Kasia"}, "to-day": {"30"}, "to-month": {"6"}, "to-year": {"2026"}},
		"another person": {"person": {"Grace Adeyemi"}, "action": {"roles"}},
	} {
		if body := get(t, admin, q(v), http.StatusOK); strings.Contains(body, "gave Kasia Nowak") {
			t.Errorf("filtering by %s still shows the entry", name)
		}
	}

	// A date that is not real is said so, beside the field.
	body = get(t, admin, q(url.Values{"from-day": {"31"}, "from-month": {"2"}, "from-year": {"2026"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Start date must be a real date") || !strings.Contains(body, `href="#from-day"`) {
		t.Errorf("an impossible date is not explained:\n%s", body)
	}
}

func TestOnlyAdministratorsReadTheAuditLog(t *testing.T) {
	srv := testenv.NewServer(t)
	for _, email := range []string{"learner@example.org", "manager@example.org", "editor@example.org"} {
		get(t, srv.SignIn(t, email), "/admin/audit?person=a", http.StatusForbidden)
	}
}
