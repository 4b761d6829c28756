package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// who is a column of the route table: anonymous, or signed in as a demo
// user holding one role.
var who = []struct{ name, email string }{
	{"anonymous", ""},
	{"learner", "learner@example.org"},
	{"mentor", "mentor@example.org"},
	{"manager", "manager@example.org"},
	{"safeguarding_lead", "safeguarding@example.org"},
	{"admin", "admin@example.org"},
}

// routeRow is one registered route: a concrete path to call and the status
// each caller must get, in the order of who. Anonymous writes meet CSRF
// before the role rule, so they get 403; anonymous page visits are sent to
// sign in (303); anonymous API calls get 401.
type routeRow struct {
	path   string
	status [6]int
}

// ids are real rows the table's paths point at.
type ids struct{ user, lesson, check string }

func routeTable(id ids) map[string]routeRow {
	userID := id.user
	all := func(s int) [6]int { return [6]int{s, s, s, s, s, s} }
	return map[string]routeRow{
		"GET /healthz":                  {"/healthz", all(200)},
		"GET /readyz":                   {"/readyz", all(200)},
		"GET /metrics":                  {"/metrics", all(200)},
		"GET /static/*":                 {"/static/any/app.css", all(200)},
		"GET /auth/login":               {"/auth/login", all(302)},
		"GET /auth/callback":            {"/auth/callback", all(400)},
		"POST /auth/logout":             {"/auth/logout", [6]int{403, 303, 303, 303, 303, 303}},
		"POST /auth/backchannel-logout": {"/auth/backchannel-logout", all(400)},
		"GET /auth/signed-out":          {"/auth/signed-out", all(200)},
		"POST /auth/signed-out":         {"/auth/signed-out", all(200)},
		"GET /":                         {"/", [6]int{200, 303, 303, 303, 303, 303}},
		"GET /learn":                    {"/learn", [6]int{303, 200, 403, 403, 403, 403}},
		"GET /mentoring":                {"/mentoring", [6]int{303, 403, 200, 403, 403, 403}},
		"GET /safeguarding":             {"/safeguarding", [6]int{303, 403, 403, 403, 200, 403}},
		"GET /manage":                   {"/manage", [6]int{303, 403, 403, 200, 403, 200}},
		"GET /admin":                    {"/admin", [6]int{303, 403, 403, 403, 403, 200}},
		"GET /admin/users":              {"/admin/users", [6]int{303, 403, 403, 403, 403, 200}},
		"GET /admin/users/:id":          {"/admin/users/" + userID, [6]int{303, 403, 403, 403, 403, 200}},
		"POST /admin/users/:id/roles":   {"/admin/users/" + userID + "/roles", [6]int{403, 403, 403, 403, 403, 422}},
		"POST /admin/users/:id/roles/revoke": {"/admin/users/" + userID + "/roles/revoke",
			[6]int{403, 403, 403, 403, 403, 422}},
		"POST /admin/users/:id/organisation": {"/admin/users/" + userID + "/organisation",
			[6]int{403, 403, 403, 403, 403, 303}},
		"GET /admin/audit":         {"/admin/audit", [6]int{303, 403, 403, 403, 403, 200}},
		"GET /api/v1/me":           {"/api/v1/me", [6]int{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/openapi.json": {"/api/v1/openapi.json", all(200)},
		"GET /dev/idp/*":           {"/dev/idp/.well-known/openid-configuration", all(200)},
		"POST /dev/idp/*":          {"/dev/idp/token", all(400)},

		"GET /learn/:slug":                       {"/learn/get-started", [6]int{303, 200, 403, 403, 403, 403}},
		"GET /learn/:slug/lessons/:id":           {"/learn/get-started/lessons/" + id.lesson, [6]int{303, 200, 403, 403, 403, 403}},
		"POST /learn/:slug/lessons/:id/complete": {"/learn/get-started/lessons/" + id.lesson + "/complete", [6]int{403, 303, 403, 403, 403, 403}},
		"GET /learn/:slug/checks/:id":            {"/learn/get-started/checks/" + id.check, [6]int{303, 200, 403, 403, 403, 403}},
		"POST /learn/:slug/checks/:id":           {"/learn/get-started/checks/" + id.check, [6]int{403, 422, 403, 403, 403, 403}},
		"GET /learn/:slug/certificate":           {"/learn/get-started/certificate", [6]int{303, 404, 403, 403, 403, 403}},
		"GET /verify":                            {"/verify", all(200)},
		"GET /verify/:code":                      {"/verify/AAAA-BBBB-CCCC", all(404)},
		"GET /api/v1/programmes":                 {"/api/v1/programmes", [6]int{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/programmes/:slug":           {"/api/v1/programmes/get-into", [6]int{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/me/enrolments":              {"/api/v1/me/enrolments", [6]int{401, 200, 403, 403, 403, 403}},
		"POST /api/v1/lessons/:id/complete":      {"/api/v1/lessons/" + id.lesson + "/complete", [6]int{403, 200, 403, 403, 403, 403}},
		"POST /api/v1/quizzes/:id/attempts":      {"/api/v1/quizzes/" + id.check + "/attempts", [6]int{403, 422, 403, 403, 403, 403}},
		// learner4 is in no cohort: nobody but an admin may know of them.
		"GET /api/v1/learners/:id/progress": {"/api/v1/learners/" + userID + "/progress", [6]int{401, 403, 403, 404, 403, 200}},
		"POST /api/v1/media":                {"/api/v1/media", [6]int{403, 403, 403, 403, 403, 422}},
		"GET /media/:id":                    {"/media/00000000-0000-0000-0000-000000000000", [6]int{303, 404, 404, 404, 404, 404}},
	}
}

// TestEveryRouteHasARuleAndEachRoleGetsTheExpectedStatus walks every
// registered route as every kind of caller. A new route without a row here
// fails the test, so nobody adds a route without deciding who may call it.
func TestEveryRouteHasARuleAndEachRoleGetsTheExpectedStatus(t *testing.T) {
	srv := testenv.NewServer(t)
	var id ids
	g := testenv.DB(t).Gorm
	g.Raw("SELECT id FROM users WHERE email = 'learner4@example.org'").Scan(&id.user)
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position, l.position LIMIT 1`).Scan(&id.lesson)
	g.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position LIMIT 1`).Scan(&id.check)
	if id.user == "" || id.lesson == "" || id.check == "" {
		t.Fatalf("demo data missing: %+v", id)
	}
	table := routeTable(id)

	for _, r := range srv.App.Echo.Routes() {
		key := r.Method + " " + r.Path
		if _, ok := srv.App.Routes.Rule(r.Method, r.Path); !ok {
			t.Errorf("route %s was registered without a rule (use auth.Routes)", key)
		}
		if _, ok := table[key]; !ok {
			t.Errorf("route %s has no row in the route table", key)
		}
	}
	for _, key := range srv.App.Routes.Keys() {
		row, ok := table[key]
		if !ok {
			continue // reported above
		}
		method := strings.SplitN(key, " ", 2)[0]
		for i, w := range who {
			// A fresh sign-in per call: some calls (sign-out) end the session.
			var c *testenv.Client
			if w.email == "" {
				c = srv.NewClient(t)
			} else {
				c = srv.SignIn(t, w.email)
			}
			c.NoRedirects()
			var resp *http.Response
			if method == http.MethodPost {
				resp = c.PostForm(row.path, nil)
			} else {
				resp = c.Get(row.path)
			}
			resp.Body.Close()
			if resp.StatusCode != row.status[i] {
				t.Errorf("%s as %s: got %d, want %d", key, w.name, resp.StatusCode, row.status[i])
			}
		}
	}
	if got, want := len(srv.App.Routes.Keys()), len(table); got != want {
		t.Errorf("%d routes registered but the table has %d rows: %s", got, want, fmt.Sprint(srv.App.Routes.Keys()))
	}
}
