package identity_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"onramp/app/auth"
	"onramp/app/testenv"
)

// userID returns the id of the user email signed in as on srv. Each test
// server has its own issuer (its port is in it), so a demo person who
// signed in on an earlier server in this package is a different user here.
func userID(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	var ids []string
	if err := testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ? AND issuer = ?", email, srv.App.Config.OIDCIssuerURL).
		Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("%d users with email %s at this server's issuer, want 1", len(ids), email)
	}
	return ids[0]
}

// seededUserID returns the id of the user SeedDemo provisioned for email:
// the first one, which keeps the demo organisation.
func seededUserID(t *testing.T, email string) string {
	t.Helper()
	var id string
	if err := testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ? ORDER BY created_at, id LIMIT 1", email).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatalf("no user with email %s", email)
	}
	return id
}

// signedInUserID signs email in on srv and returns their user id.
func signedInUserID(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	srv.SignIn(t, email)
	return userID(t, srv, email)
}

// grantedRoles lists the local grants of a user, straight from the table.
func grantedRoles(t *testing.T, userID string) []string {
	t.Helper()
	var roles []string
	if err := testenv.DB(t).Gorm.Raw("SELECT role FROM role_grants WHERE user_id = ? ORDER BY role", userID).Scan(&roles).Error; err != nil {
		t.Fatal(err)
	}
	return roles
}

type meBody struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Email          string   `json:"email"`
	Roles          []string `json:"roles"`
	OrganisationID *string  `json:"organisation_id"`
	CSRFToken      string   `json:"csrf_token"`
}

func me(t *testing.T, c *testenv.Client) meBody {
	t.Helper()
	var m meBody
	c.JSON("/api/v1/me", &m)
	return m
}

func requireStatus(t *testing.T, resp *http.Response, want int) string {
	t.Helper()
	body := testenv.Body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
	return body
}

func TestAdminListsAndSearchesUsers(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")

	body := requireStatus(t, admin.Get("/admin/users"), http.StatusOK)
	for _, want := range []string{"Users and roles", "learner@example.org", "Amira Khan"} {
		if !strings.Contains(body, want) {
			t.Errorf("/admin/users does not show %q", want)
		}
	}

	body = requireStatus(t, admin.Get("/admin/users?q="+url.QueryEscape("Priya")), http.StatusOK)
	if !strings.Contains(body, "manager@example.org") {
		t.Error("searching for Priya does not show manager@example.org")
	}
	for _, other := range []string{"learner@example.org", "mentor@example.org", "admin@example.org"} {
		if strings.Contains(body, other) {
			t.Errorf("searching for Priya also shows %s", other)
		}
	}

	body = requireStatus(t, admin.Get("/admin/users?q=mentor2%40example.org"), http.StatusOK)
	if !strings.Contains(body, "Helen Marsh") || strings.Contains(body, "Dan Okafor") {
		t.Error("searching by email does not show exactly the matching person")
	}
}

func TestAdminOpensAPersonsPage(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	id := seededUserID(t, "manager@example.org")

	body := requireStatus(t, admin.Get("/admin/users/"+id), http.StatusOK)
	for _, want := range []string{"Priya Shah", "manager@example.org", "Northfield NHS Foundation Trust", "/admin/users/" + id + "/roles"} {
		if !strings.Contains(body, want) {
			t.Errorf("the person's page does not show %q", want)
		}
	}

	requireStatus(t, admin.Get("/admin/users/00000000-0000-4000-8000-000000000000"), http.StatusNotFound)
}

func TestAMalformedUserIDIsNotFoundRatherThanAServerError(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()

	requireStatus(t, admin.Get("/admin/users/not-a-user"), http.StatusNotFound)
	requireStatus(t, admin.PostForm("/admin/users/not-a-user/roles", url.Values{"role": {auth.RoleMentor}}), http.StatusNotFound)
	requireStatus(t, admin.PostForm("/admin/users/not-a-user/roles/revoke", url.Values{"role": {auth.RoleMentor}}), http.StatusNotFound)
	requireStatus(t, admin.PostForm("/admin/users/not-a-user/organisation", url.Values{"organisation": {""}}), http.StatusNotFound)
}

func TestAdminGrantsAndRevokesARole(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()
	const email = "learner2@example.org"
	person := srv.SignIn(t, email)
	id := userID(t, srv, email)
	t.Cleanup(func() { testenv.DB(t).Gorm.Exec("DELETE FROM role_grants WHERE user_id = ?", id) })
	if got := me(t, person).Roles; len(got) != 1 || got[0] != auth.RoleLearner {
		t.Fatalf("before the grant %s has roles %v", email, got)
	}

	resp := admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleMentor}})
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/users/"+id+"?done=role-granted" {
		t.Errorf("grant redirected to %q", loc)
	}
	if got := grantedRoles(t, id); len(got) != 1 || got[0] != auth.RoleMentor {
		t.Fatalf("after the grant the stored grants are %v, want [mentor]", got)
	}
	requireRolesEqual(t, me(t, srv.SignIn(t, email)).Roles, auth.RoleMentor, auth.RoleLearner)
	// The person's existing sign-in sees it at once too.
	requireRolesEqual(t, me(t, person).Roles, auth.RoleMentor, auth.RoleLearner)

	body := requireStatus(t, admin.Get("/admin/users/"+id+"?done=role-granted"), http.StatusOK)
	if !strings.Contains(body, "Role given.") || !strings.Contains(body, "Yes, given here") {
		t.Error("the person's page does not confirm the grant")
	}

	resp = admin.PostForm("/admin/users/"+id+"/roles/revoke", url.Values{"role": {auth.RoleMentor}})
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/users/"+id+"?done=role-revoked" {
		t.Errorf("revoke redirected to %q", loc)
	}
	if got := grantedRoles(t, id); len(got) != 0 {
		t.Fatalf("after the revoke the stored grants are %v", got)
	}
	requireRolesEqual(t, me(t, person).Roles, auth.RoleLearner)

	var events int64
	if err := testenv.DB(t).Gorm.Raw("SELECT count(*) FROM audit_events WHERE subject_id = ? AND action IN ('role.granted', 'role.revoked')", id).
		Scan(&events).Error; err != nil {
		t.Fatal(err)
	}
	if events < 2 {
		t.Errorf("%d role audit events for %s, want at least the grant and the revoke", events, email)
	}
}

func requireRolesEqual(t *testing.T, got []string, want ...string) {
	t.Helper()
	requireRoles(t, got, want...)
}

func TestRoleChangeWithoutCSRFTokenIsRefused(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()
	id := signedInUserID(t, srv, "learner3@example.org")
	t.Cleanup(func() { testenv.DB(t).Gorm.Exec("DELETE FROM role_grants WHERE user_id = ?", id) })

	for _, form := range []url.Values{
		{"role": {auth.RoleManager}},
		{"role": {auth.RoleManager}, "_csrf": {"not-the-token"}},
	} {
		req := admin.Request(http.MethodPost, "/admin/users/"+id+"/roles", strings.NewReader(form.Encode()))
		req.Header.Del("X-CSRF-Token")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		requireStatus(t, admin.Do(req), http.StatusForbidden)
		if got := grantedRoles(t, id); len(got) != 0 {
			t.Fatalf("a forged POST (%v) granted %v", form, got)
		}
	}

	// The same request with the token works, so the refusal was the token.
	requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleManager}}), http.StatusSeeOther)
	if got := grantedRoles(t, id); len(got) != 1 {
		t.Fatalf("with the token the grant did not happen: %v", got)
	}
}

func TestLearnerCannotReachTheAdminPages(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org")
	requireStatus(t, learner.Get("/admin/users"), http.StatusForbidden)

	target := signedInUserID(t, srv, "learner4@example.org")
	requireStatus(t, learner.PostForm("/admin/users/"+target+"/roles", url.Values{"role": {auth.RoleAdmin}}), http.StatusForbidden)
	if got := grantedRoles(t, target); len(got) != 0 {
		t.Fatalf("a learner granted %v", got)
	}
}

func TestGrantingAnUnknownRoleShowsTheError(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()
	id := signedInUserID(t, srv, "mentor@example.org")
	before := grantedRoles(t, id) // the demo seed's mentor grant

	body := requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {"wizard"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Choose a role from the list") {
		t.Errorf("the 422 page does not say what is wrong:\n%s", body)
	}
	if !strings.Contains(body, "Dan Okafor") {
		t.Error("the 422 response is not the person's page")
	}
	if got := grantedRoles(t, id); !slices.Equal(got, before) {
		t.Fatalf("an unknown role changed the grants from %v to %v", before, got)
	}
}

func TestMeDescribesTheSignedInLearner(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org")

	resp := learner.Get("/api/v1/me")
	body := requireStatus(t, resp, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var m meBody
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != userID(t, srv, "learner@example.org") {
		t.Errorf("id = %q, want the learner's", m.ID)
	}
	if m.Name != "Amira Khan" || m.Email != "learner@example.org" {
		t.Errorf("me = %q <%s>, want Amira Khan <learner@example.org>", m.Name, m.Email)
	}
	if len(m.Roles) != 1 || m.Roles[0] != auth.RoleLearner {
		t.Errorf("roles = %v, want [learner]", m.Roles)
	}
	if m.CSRFToken == "" {
		t.Error("csrf_token is empty")
	}
	if m.OrganisationID != nil {
		t.Errorf("organisation_id = %q, want null for a learner without one", *m.OrganisationID)
	}

	// A person in an organisation gets its id. (Nobody else in this
	// package signs in as safeguarding@: on a second test server they would
	// be a new, unlinked user without the seeded organisation.)
	lead := me(t, srv.SignIn(t, "safeguarding@example.org"))
	if lead.OrganisationID == nil || *lead.OrganisationID == "" {
		t.Error("the safeguarding lead's organisation_id is missing")
	}
}

func TestMeRefusesAnonymousCallersWithProblemJSON(t *testing.T) {
	srv := testenv.NewServer(t)
	resp := srv.NewClient(t).Get("/api/v1/me")
	body := requireStatus(t, resp, http.StatusUnauthorized)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if p.Status != http.StatusUnauthorized || p.Detail == "" {
		t.Errorf("problem = %+v", p)
	}
}
