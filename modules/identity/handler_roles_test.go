package identity_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"onramp/app/auth"
	"onramp/app/testenv"
)

// The demo safeguarding lead is a lead on the admin pages from the seed,
// before any sign-in brings the provider's claim: the seed grants the role.
func TestSeededSafeguardingLeadShowsAsALeadOnTheUsersPage(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	id := seededUserID(t, "safeguarding@example.org")
	if got := grantedRoles(t, id); !slices.Contains(got, auth.RoleSafeguardingLead) {
		t.Fatalf("the seeded safeguarding@ has grants %v, want safeguarding_lead", got)
	}
	body := requireStatus(t, admin.Get("/admin/users?q=safeguarding%40example.org"), http.StatusOK)
	if !strings.Contains(body, "Grace Adeyemi") || !strings.Contains(body, "Safeguarding lead") {
		t.Errorf("/admin/users does not show Grace Adeyemi as a safeguarding lead:\n%s", body)
	}
	if strings.Contains(body, ">Learner<") {
		t.Error("the safeguarding lead is also shown as a learner")
	}
}

// A person provisioned but never signed in shows the role an admin gave
// them, and says they have not signed in.
func TestAPendingGrantShowsBeforeTheFirstSignIn(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()
	email := strings.ReplaceAll(testenv.Unique("pending"), " ", "-") + "@example.org"
	var id string
	if err := testenv.DB(t).Gorm.Raw("INSERT INTO users (email, name) VALUES (?, 'Pat Pending') RETURNING id", email).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleMentor}}), http.StatusSeeOther)

	body := requireStatus(t, admin.Get("/admin/users?q="+url.QueryEscape(email)), http.StatusOK)
	if !strings.Contains(body, "Pat Pending") || !strings.Contains(body, ">Mentor<") || !strings.Contains(body, "Not signed in yet") {
		t.Errorf("the list does not show the pending mentor:\n%s", body)
	}
}

func TestGrantingAdminAsksForConfirmationFirst(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org").NoRedirects()
	id := signedInUserID(t, srv, "mentor2@example.org")
	t.Cleanup(func() {
		testenv.DB(t).Gorm.Exec("DELETE FROM role_grants WHERE user_id = ? AND role IN ('admin', 'manager')", id)
	})
	before := grantedRoles(t, id) // the demo seed's mentor grant

	body := requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleAdmin}}), http.StatusOK)
	if !strings.Contains(body, "Make Helen Marsh an administrator?") || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Errorf("granting admin did not ask first:\n%s", body)
	}
	if got := grantedRoles(t, id); !slices.Equal(got, before) {
		t.Fatalf("asking already changed the grants from %v to %v", before, got)
	}
	// Other roles need no confirmation.
	requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleManager}}), http.StatusSeeOther)

	requireStatus(t, admin.PostForm("/admin/users/"+id+"/roles", url.Values{"role": {auth.RoleAdmin}, "confirm": {"yes"}}), http.StatusSeeOther)
	if got := grantedRoles(t, id); !slices.Contains(got, auth.RoleAdmin) {
		t.Fatalf("after confirming the grants are %v, want admin among them", got)
	}
}

func TestManagerCannotReachTheAdminConfirmation(t *testing.T) {
	srv := testenv.NewServer(t)
	// manager2@, not manager@: service_test.go needs the seeded manager@
	// still waiting for a first sign-in.
	manager := srv.SignIn(t, "manager2@example.org")
	target := signedInUserID(t, srv, "learner4@example.org")
	requireStatus(t, manager.PostForm("/admin/users/"+target+"/roles", url.Values{"role": {auth.RoleAdmin}}), http.StatusForbidden)
	requireStatus(t, manager.PostForm("/admin/users/"+target+"/roles", url.Values{"role": {auth.RoleAdmin}, "confirm": {"yes"}}), http.StatusForbidden)
	if got := grantedRoles(t, target); slices.Contains(got, auth.RoleAdmin) {
		t.Fatalf("a manager granted admin: %v", got)
	}
}
