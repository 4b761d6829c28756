package identity_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/testenv"
	"onramp/modules/audit"
	"onramp/modules/identity"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testClock is a settable clock for the service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newService(t *testing.T) (*identity.Service, *db.DB, *testClock) {
	t.Helper()
	d := testenv.DB(t)
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	return identity.NewService(d, audit.New(d.Gorm), clock.Now), d, clock
}

// unique returns a short random suffix, so tests sharing the package
// database never collide.
func unique(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newIdentity returns a verified identity at a per-test issuer.
func newIdentity(t *testing.T, roles ...string) auth.Identity {
	t.Helper()
	u := unique(t)
	return auth.Identity{
		Issuer: "https://idp-" + u + ".example.org", Subject: "sub-" + u,
		Email: "person-" + u + "@example.org", EmailVerified: true,
		Name: "Test Person " + u, Roles: roles, ProviderSID: "sid-" + u, IDToken: "token-" + u,
	}
}

func mustStartSession(t *testing.T, svc *identity.Service, id auth.Identity) (string, *auth.User) {
	t.Helper()
	sid, u, err := svc.StartSession(context.Background(), id)
	if err != nil {
		t.Fatalf("StartSession(%s): %v", id.Email, err)
	}
	if sid == "" || u == nil || u.ID == "" {
		t.Fatalf("StartSession returned session %q user %+v", sid, u)
	}
	return sid, u
}

// mustCreateAdmin signs in a new person whose provider says they are an
// administrator.
func mustCreateAdmin(t *testing.T, svc *identity.Service) *auth.User {
	t.Helper()
	_, u := mustStartSession(t, svc, newIdentity(t, auth.RoleAdmin))
	return u
}

func mustSessionUser(t *testing.T, svc *identity.Service, sid string) *auth.User {
	t.Helper()
	u, err := svc.SessionUser(context.Background(), sid)
	if err != nil {
		t.Fatalf("SessionUser(%s): %v", sid, err)
	}
	return u
}

func requireRoles(t *testing.T, got []string, want ...string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("roles = %v, want %v", got, want)
	}
}

func requireKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %d", kind)
	}
	if got := apperr.As(err).Kind; got != kind {
		t.Fatalf("error %q has kind %d, want %d", err, got, kind)
	}
}

func countAudit(t *testing.T, d *db.DB, action, subjectID string) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm.Raw("SELECT count(*) FROM audit_events WHERE action = ? AND subject_id = ?", action, subjectID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func countGrants(t *testing.T, d *db.DB, userID string) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm.Raw("SELECT count(*) FROM role_grants WHERE user_id = ?", userID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func countUsersWithEmail(t *testing.T, d *db.DB, email string) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm.Raw("SELECT count(*) FROM users WHERE email = ?", email).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func randomUUID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func TestStartSessionWithANewSubjectCreatesAUserWithTheClaimedRoles(t *testing.T) {
	svc, d, clock := newService(t)
	id := newIdentity(t, auth.RoleMentor, auth.RoleManager)
	sid, u := mustStartSession(t, svc, id)

	if u.Name != id.Name || u.Email != id.Email || u.OrganisationID != "" {
		t.Errorf("user = %+v, want name %q email %q and no organisation", u, id.Name, id.Email)
	}
	requireRoles(t, u.Roles, auth.RoleManager, auth.RoleMentor)

	var row struct {
		Issuer, Subject string
		ClaimRoles      string
		LastSignInAt    time.Time
	}
	if err := d.Gorm.Raw("SELECT issuer, subject, array_to_string(claim_roles, ',') AS claim_roles, last_sign_in_at FROM users WHERE id = ?", u.ID).
		Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.Issuer != id.Issuer || row.Subject != id.Subject {
		t.Errorf("stored issuer/subject = %q/%q, want %q/%q", row.Issuer, row.Subject, id.Issuer, id.Subject)
	}
	if !row.LastSignInAt.Equal(clock.Now()) {
		t.Errorf("last_sign_in_at = %v, want the clock's %v", row.LastSignInAt, clock.Now())
	}
	if got := mustSessionUser(t, svc, sid); got.ID != u.ID {
		t.Errorf("SessionUser = %s, want %s", got.ID, u.ID)
	}
	if n := countAudit(t, d, "user.signed_in", u.ID); n != 1 {
		t.Errorf("%d user.signed_in audit events, want 1", n)
	}
}

func TestStartSessionWithoutClaimedRolesMakesALearner(t *testing.T) {
	svc, _, _ := newService(t)
	sid, u := mustStartSession(t, svc, newIdentity(t))
	requireRoles(t, u.Roles, auth.RoleLearner)
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleLearner)
}

func TestFirstSignInWithVerifiedEmailLinksTheProvisionedPerson(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	store := identity.NewStore(d.Gorm)
	orgID, err := store.EnsureOrganisation(ctx, "Linking Trust "+unique(t), "trust")
	if err != nil {
		t.Fatal(err)
	}
	id := newIdentity(t, auth.RoleMentor)
	provisioned, err := store.Provision(ctx, id.Email, "Provisioned Name", &orgID)
	if err != nil {
		t.Fatal(err)
	}

	sid, u := mustStartSession(t, svc, id)
	if u.ID != provisioned {
		t.Fatalf("sign-in made user %s, want the provisioned %s", u.ID, provisioned)
	}
	if u.OrganisationID != orgID {
		t.Errorf("organisation = %q, want the provisioned %q", u.OrganisationID, orgID)
	}
	if u.Name != id.Name {
		t.Errorf("name = %q, want the provider's %q", u.Name, id.Name)
	}
	requireRoles(t, u.Roles, auth.RoleMentor)
	if n := countUsersWithEmail(t, d, id.Email); n != 1 {
		t.Errorf("%d users with %s, want 1", n, id.Email)
	}
	if n := countAudit(t, d, "user.linked", provisioned); n != 1 {
		t.Errorf("%d user.linked audit events, want 1", n)
	}
	p, err := svc.Person(ctx, provisioned)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Linked {
		t.Error("the provisioned person is not marked as linked")
	}

	// Signing in again finds them by subject, still the same person.
	if _, err := svc.EndSession(ctx, sid); err != nil {
		t.Fatal(err)
	}
	if _, again := mustStartSession(t, svc, id); again.ID != provisioned {
		t.Errorf("second sign-in made user %s, want %s", again.ID, provisioned)
	}
}

func TestFirstSignInWithUnverifiedEmailDoesNotLinkTheProvisionedPerson(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	store := identity.NewStore(d.Gorm)
	orgID, err := store.EnsureOrganisation(ctx, "Unverified Trust "+unique(t), "trust")
	if err != nil {
		t.Fatal(err)
	}
	id := newIdentity(t)
	id.EmailVerified = false
	provisioned, err := store.Provision(ctx, id.Email, "Provisioned Name", &orgID)
	if err != nil {
		t.Fatal(err)
	}

	_, u := mustStartSession(t, svc, id)
	if u.ID == provisioned {
		t.Fatal("an unverified email took over the provisioned person")
	}
	if u.OrganisationID != "" {
		t.Errorf("the new user got organisation %q", u.OrganisationID)
	}
	p, err := svc.Person(ctx, provisioned)
	if err != nil {
		t.Fatal(err)
	}
	if p.Linked {
		t.Error("the provisioned person was linked to an unverified sign-in")
	}
	if n := countUsersWithEmail(t, d, id.Email); n != 2 {
		t.Errorf("%d users with %s, want the provisioned one and a separate new one", n, id.Email)
	}
	if n := countAudit(t, d, "user.linked", provisioned); n != 0 {
		t.Errorf("%d user.linked audit events, want none", n)
	}
}

func TestSecondSignInUpdatesTheProvidersDetailsOnTheSameUser(t *testing.T) {
	svc, d, clock := newService(t)
	id := newIdentity(t, auth.RoleMentor)
	firstSID, first := mustStartSession(t, svc, id)

	clock.Set(clock.Now().Add(48 * time.Hour))
	id.Name = "Renamed " + unique(t)
	id.Email = "renamed-" + unique(t) + "@example.org"
	id.Roles = []string{auth.RoleManager}
	id.ProviderSID = "sid-second"
	secondSID, second := mustStartSession(t, svc, id)

	if second.ID != first.ID {
		t.Fatalf("second sign-in made user %s, want the same %s", second.ID, first.ID)
	}
	if secondSID == firstSID {
		t.Error("second sign-in reused the first sign-in's session")
	}
	if second.Name != id.Name || second.Email != id.Email {
		t.Errorf("user = %q <%s>, want %q <%s>", second.Name, second.Email, id.Name, id.Email)
	}
	requireRoles(t, second.Roles, auth.RoleManager)

	// Both sign-ins see the current details.
	u := mustSessionUser(t, svc, firstSID)
	if u.ID != first.ID || u.Name != id.Name || u.Email != id.Email {
		t.Errorf("SessionUser(first) = %+v, want the updated person", u)
	}
	requireRoles(t, u.Roles, auth.RoleManager)

	var last time.Time
	if err := d.Gorm.Raw("SELECT last_sign_in_at FROM users WHERE id = ?", first.ID).Scan(&last).Error; err != nil {
		t.Fatal(err)
	}
	if !last.Equal(clock.Now()) {
		t.Errorf("last_sign_in_at = %v, want %v", last, clock.Now())
	}
}

func TestEndSessionEndsThatSignInOnly(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	id := newIdentity(t)
	sid, _ := mustStartSession(t, svc, id)
	otherSID, _ := mustStartSession(t, svc, id)

	token, err := svc.EndSession(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if token != id.IDToken {
		t.Errorf("EndSession returned token %q, want %q", token, id.IDToken)
	}
	if _, err := svc.SessionUser(ctx, sid); !errors.Is(err, auth.ErrSessionEnded) {
		t.Fatalf("SessionUser after EndSession returned %v, want ErrSessionEnded", err)
	}
	mustSessionUser(t, svc, otherSID)

	if _, err := svc.SessionUser(ctx, randomUUID(t)); !errors.Is(err, auth.ErrSessionEnded) {
		t.Errorf("SessionUser of an unknown session returned %v, want ErrSessionEnded", err)
	}
}

func TestEndProviderSessionsBySubjectEndsAllThatSubjectsSignIns(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	id := newIdentity(t)
	id.ProviderSID = "sid-a"
	a, _ := mustStartSession(t, svc, id)
	id.ProviderSID = "sid-b"
	b, _ := mustStartSession(t, svc, id)
	// Someone else at the same provider.
	other := id
	other.Subject, other.Email, other.ProviderSID = "other-"+unique(t), "other-"+unique(t)+"@example.org", "sid-a"
	o, _ := mustStartSession(t, svc, other)

	n, err := svc.EndProviderSessions(ctx, id.Issuer, id.Subject, "")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ended %d sign-ins, want 2", n)
	}
	for _, sid := range []string{a, b} {
		if _, err := svc.SessionUser(ctx, sid); !errors.Is(err, auth.ErrSessionEnded) {
			t.Errorf("sign-in %s still active after its subject was logged out (%v)", sid, err)
		}
	}
	mustSessionUser(t, svc, o)
}

func TestEndProviderSessionsBySIDEndsOnlyThatSignIn(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	id := newIdentity(t)
	id.ProviderSID = "sid-a"
	a, _ := mustStartSession(t, svc, id)
	id.ProviderSID = "sid-b"
	b, _ := mustStartSession(t, svc, id)

	n, err := svc.EndProviderSessions(ctx, id.Issuer, "", "sid-a")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("ended %d sign-ins, want 1", n)
	}
	if _, err := svc.SessionUser(ctx, a); !errors.Is(err, auth.ErrSessionEnded) {
		t.Errorf("sign-in with sid-a still active (%v)", err)
	}
	mustSessionUser(t, svc, b)

	// The same sid at another provider is not touched.
	n, err = svc.EndProviderSessions(ctx, "https://elsewhere.example.org", "", "sid-b")
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("logout at another issuer ended %d sign-ins", n)
	}
	mustSessionUser(t, svc, b)
}

func TestGrantRoleAddsTheRoleOnceWithOneAuditEvent(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	sid, person := mustStartSession(t, svc, newIdentity(t, auth.RoleMentor))

	if err := svc.GrantRole(ctx, admin, person.ID, auth.RoleManager); err != nil {
		t.Fatal(err)
	}
	// The grant counts at once, on top of the claimed role.
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleManager, auth.RoleMentor)
	p, err := svc.Person(ctx, person.ID)
	if err != nil {
		t.Fatal(err)
	}
	requireRoles(t, p.GrantedRoles, auth.RoleManager)
	requireRoles(t, p.ClaimRoles, auth.RoleMentor)
	if n := countAudit(t, d, "role.granted", person.ID); n != 1 {
		t.Fatalf("%d role.granted events, want 1", n)
	}
	var actor string
	if err := d.Gorm.Raw("SELECT actor_id FROM audit_events WHERE action = 'role.granted' AND subject_id = ?", person.ID).Scan(&actor).Error; err != nil {
		t.Fatal(err)
	}
	if actor != admin.ID {
		t.Errorf("audit actor = %s, want the admin %s", actor, admin.ID)
	}

	if err := svc.GrantRole(ctx, admin, person.ID, auth.RoleManager); err != nil {
		t.Fatalf("granting a role again: %v", err)
	}
	if n := countAudit(t, d, "role.granted", person.ID); n != 1 {
		t.Errorf("%d role.granted events after granting twice, want 1", n)
	}
	if n := countGrants(t, d, person.ID); n != 1 {
		t.Errorf("%d grants after granting twice, want 1", n)
	}
}

func TestRevokeRoleRemovesTheGrantWithAnAuditEvent(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	sid, person := mustStartSession(t, svc, newIdentity(t))
	if err := svc.GrantRole(ctx, admin, person.ID, auth.RoleSafeguardingLead); err != nil {
		t.Fatal(err)
	}
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleSafeguardingLead)

	if err := svc.RevokeRole(ctx, admin, person.ID, auth.RoleSafeguardingLead); err != nil {
		t.Fatal(err)
	}
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleLearner)
	if n := countGrants(t, d, person.ID); n != 0 {
		t.Errorf("%d grants left after revoking, want 0", n)
	}
	if n := countAudit(t, d, "role.revoked", person.ID); n != 1 {
		t.Errorf("%d role.revoked events, want 1", n)
	}

	// Revoking what is not there changes nothing and records nothing.
	if err := svc.RevokeRole(ctx, admin, person.ID, auth.RoleSafeguardingLead); err != nil {
		t.Fatal(err)
	}
	if n := countAudit(t, d, "role.revoked", person.ID); n != 1 {
		t.Errorf("%d role.revoked events after revoking twice, want 1", n)
	}
}

func TestRevokeRoleRefusesToRemoveYourOwnAdminRole(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	// An admin by local grant, given by another admin.
	granter := mustCreateAdmin(t, svc)
	sid, self := mustStartSession(t, svc, newIdentity(t))
	if err := svc.GrantRole(ctx, granter, self.ID, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	self = mustSessionUser(t, svc, sid)

	err := svc.RevokeRole(ctx, self, self.ID, auth.RoleAdmin)
	requireKind(t, err, apperr.Conflict)
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleAdmin)
	if n := countAudit(t, d, "role.revoked", self.ID); n != 0 {
		t.Errorf("%d role.revoked events, want 0", n)
	}

	// Another admin may.
	if err := svc.RevokeRole(ctx, granter, self.ID, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	requireRoles(t, mustSessionUser(t, svc, sid).Roles, auth.RoleLearner)
}

func TestRoleChangesRefuseUnknownRolesAndUnknownUsers(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	_, person := mustStartSession(t, svc, newIdentity(t))

	err := svc.GrantRole(ctx, admin, person.ID, "wizard")
	requireKind(t, err, apperr.Invalid)
	if e := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "role" {
		t.Errorf("invalid role error fields = %+v, want one about role", e.Fields)
	}
	requireKind(t, svc.RevokeRole(ctx, admin, person.ID, "wizard"), apperr.Invalid)

	missing := randomUUID(t)
	requireKind(t, svc.GrantRole(ctx, admin, missing, auth.RoleMentor), apperr.NotFound)
	requireKind(t, svc.RevokeRole(ctx, admin, missing, auth.RoleMentor), apperr.NotFound)
	if _, err := svc.Person(ctx, missing); err == nil || apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("Person(unknown) returned %v, want NotFound", err)
	}

	// A mistyped id is not found either, rather than a database error.
	requireKind(t, svc.GrantRole(ctx, admin, "not-a-user", auth.RoleMentor), apperr.NotFound)
	requireKind(t, svc.SetOrganisation(ctx, admin, "not-a-user", ""), apperr.NotFound)
	if _, err := svc.Person(ctx, "not-a-user"); err == nil || apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("Person(malformed id) returned %v, want NotFound", err)
	}

	if n := countGrants(t, d, person.ID); n != 0 {
		t.Errorf("refused changes left %d grants", n)
	}
}

func TestSetOrganisationMovesThePersonWithAnAuditEvent(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	sid, person := mustStartSession(t, svc, newIdentity(t))
	orgID, err := identity.NewStore(d.Gorm).EnsureOrganisation(ctx, "Moving Charity "+unique(t), "charity")
	if err != nil {
		t.Fatal(err)
	}

	if err := svc.SetOrganisation(ctx, admin, person.ID, orgID); err != nil {
		t.Fatal(err)
	}
	if got := mustSessionUser(t, svc, sid).OrganisationID; got != orgID {
		t.Errorf("organisation = %q, want %q", got, orgID)
	}
	if n := countAudit(t, d, "user.organisation_set", person.ID); n != 1 {
		t.Errorf("%d user.organisation_set events, want 1", n)
	}

	requireKind(t, svc.SetOrganisation(ctx, admin, person.ID, randomUUID(t)), apperr.Invalid)
	if got := mustSessionUser(t, svc, sid).OrganisationID; got != orgID {
		t.Errorf("an unknown organisation changed it to %q", got)
	}

	if err := svc.SetOrganisation(ctx, admin, person.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := mustSessionUser(t, svc, sid).OrganisationID; got != "" {
		t.Errorf("organisation = %q after clearing it", got)
	}
}

func TestGrantRoleForAnUnknownUserLeavesNoTrace(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	missing := randomUUID(t)

	requireKind(t, svc.GrantRole(ctx, admin, missing, auth.RoleMentor), apperr.NotFound)
	if n := countGrants(t, d, missing); n != 0 {
		t.Errorf("%d role_grants rows for the unknown user", n)
	}
	var n int64
	if err := d.Gorm.Raw("SELECT count(*) FROM audit_events WHERE subject_id = ?", missing).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d audit rows about the unknown user", n)
	}
}

// failingAudit writes to the real audit log and then fails, as if the
// database broke after the change and its audit row were written.
type failingAudit struct{ log *audit.Log }

var errAuditFailed = errors.New("audit failed")

func (f failingAudit) Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error {
	if err := f.log.Record(ctx, actorID, action, subjectType, subjectID, detail); err != nil {
		return err
	}
	return errAuditFailed
}

func TestAFailureAfterWritingRollsBackTheWholeChange(t *testing.T) {
	svc, d, clock := newService(t)
	ctx := context.Background()
	admin := mustCreateAdmin(t, svc)
	_, person := mustStartSession(t, svc, newIdentity(t))
	broken := identity.NewService(d, failingAudit{audit.New(d.Gorm)}, clock.Now)

	if err := broken.GrantRole(ctx, admin, person.ID, auth.RoleMentor); !errors.Is(err, errAuditFailed) {
		t.Fatalf("GrantRole returned %v, want the audit failure", err)
	}
	if n := countGrants(t, d, person.ID); n != 0 {
		t.Errorf("the grant survived its failed audit: %d rows", n)
	}
	if n := countAudit(t, d, "role.granted", person.ID); n != 0 {
		t.Errorf("%d role.granted rows survived the rollback", n)
	}

	id := newIdentity(t)
	if _, _, err := broken.StartSession(ctx, id); !errors.Is(err, errAuditFailed) {
		t.Fatalf("StartSession returned %v, want the audit failure", err)
	}
	if n := countUsersWithEmail(t, d, id.Email); n != 0 {
		t.Errorf("a failed sign-in left %d users", n)
	}
	var sessions int64
	if err := d.Gorm.Raw("SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?", id.Email).
		Scan(&sessions).Error; err != nil {
		t.Fatal(err)
	}
	if sessions != 0 {
		t.Errorf("a failed sign-in left %d sessions", sessions)
	}
}

func TestPeopleFindsByNameOrEmail(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	id := newIdentity(t)
	marker := unique(t)
	id.Name = "Quentin Zebedee " + marker
	_, u := mustStartSession(t, svc, id)

	for _, q := range []string{strings.ToUpper("zebedee " + marker), id.Email} {
		people, total, err := svc.People(ctx, q, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(people) != 1 || people[0].ID != u.ID {
			t.Errorf("People(%q) = %d people (total %d), want just %s", q, len(people), total, u.Email)
		}
	}
	people, total, err := svc.People(ctx, "nobody-matches-"+marker, 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	if total != 0 || len(people) != 0 {
		t.Errorf("a query matching nobody returned %d people", total)
	}
}

func TestDemoPeopleKeepTheirAccountWhenTheDevProviderMoves(t *testing.T) {
	d := testenv.DB(t)
	ctx := context.Background()
	svc := identity.NewService(d, audit.New(d.Gorm), time.Now)
	if err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	first := "http://127.0.0.1:1111/dev/idp"
	_, u1, err := svc.StartSession(ctx, auth.Identity{Issuer: first, Subject: "demo-manager", Email: "manager@example.org",
		EmailVerified: true, Name: "Priya Shah", Roles: []string{auth.RoleManager}})
	if err != nil || u1.OrganisationID == "" {
		t.Fatalf("first sign-in: %v, organisation %q", err, u1.OrganisationID)
	}
	second := "http://127.0.0.1:2222/dev/idp"
	if err := svc.AdoptDemoAccounts(ctx, second); err != nil {
		t.Fatal(err)
	}
	_, u2, err := svc.StartSession(ctx, auth.Identity{Issuer: second, Subject: "demo-manager", Email: "manager@example.org",
		EmailVerified: true, Name: "Priya Shah", Roles: []string{auth.RoleManager}})
	if err != nil || u2.ID != u1.ID || u2.OrganisationID != u1.OrganisationID {
		t.Errorf("after the provider moved: user %s org %q, want %s org %q (%v)", u2.ID, u2.OrganisationID, u1.ID, u1.OrganisationID, err)
	}
	// A real provider's accounts are never moved.
	if err := svc.AdoptDemoAccounts(ctx, "https://login.example.org"); err != nil {
		t.Fatal(err)
	}
	var issuer string
	d.Gorm.Raw("SELECT issuer FROM users WHERE id = ?", u1.ID).Scan(&issuer)
	if issuer != second {
		t.Errorf("adopting into a non-dev issuer moved the account to %q", issuer)
	}
}

func TestProvisionCreatesANewPersonWithTheGivenDetails(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	email := "new-" + unique(t) + "@example.org"
	born := time.Date(2005, 4, 12, 0, 0, 0, 0, time.UTC)
	id, created, err := svc.Provision(ctx, " "+strings.ToUpper(email)+" ", "Typed Name", "07700 900123", &born)
	if err != nil || !created || id == "" {
		t.Fatalf("Provision: %q created=%v %v, want a new person", id, created, err)
	}
	var p struct {
		Email, Name, Phone string
		DateOfBirth        time.Time
		Pending            bool
	}
	d.Gorm.Raw("SELECT email, name, phone, date_of_birth, issuer IS NULL AS pending FROM users WHERE id = ?", id).Scan(&p)
	if p.Email != email || p.Name != "Typed Name" || p.Phone != "07700 900123" || !p.DateOfBirth.Equal(born) || !p.Pending {
		t.Errorf("provisioned %+v, want the typed details, not yet signed in", p)
	}
	again, created, err := svc.Provision(ctx, email, "Another Name", "07700 900999", nil)
	if err != nil || created || again != id {
		t.Errorf("provisioning again: %q created=%v %v, want the same person, not created", again, created, err)
	}
}

func TestProvisionNeverChangesAnExistingPerson(t *testing.T) {
	svc, d, _ := newService(t)
	ctx := context.Background()
	id := newIdentity(t)
	_, u := mustStartSession(t, svc, id)
	d.Gorm.Exec("UPDATE users SET phone = '07700 900000' WHERE id = ?", u.ID)
	born := time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)
	got, created, err := svc.Provision(ctx, id.Email, "Someone Else", "07700 911111", &born)
	if err != nil || created || got != u.ID {
		t.Fatalf("Provision of a signed-in person's email: %q created=%v %v, want them, not created", got, created, err)
	}
	var p struct {
		Name, Phone string
		DateOfBirth *time.Time
	}
	d.Gorm.Raw("SELECT name, phone, date_of_birth FROM users WHERE id = ?", u.ID).Scan(&p)
	if p.Name != id.Name || p.Phone != "07700 900000" || p.DateOfBirth != nil {
		t.Errorf("the person's record became %+v; want it unchanged", p)
	}
	if n := countUsersWithEmail(t, d, id.Email); n != 1 {
		t.Errorf("%d users with the email, want 1", n)
	}
}

func TestProvisioningTheSameNewEmailAtOnceMakesOnePerson(t *testing.T) {
	svc, d, _ := newService(t)
	email := "race-" + unique(t) + "@example.org"
	const n = 8
	ids := make([]string, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each in its own transaction, as two imports confirmed at once are.
			errs[i] = d.WithTx(context.Background(), func(ctx context.Context) error {
				var err error
				ids[i], created[i], err = svc.Provision(ctx, email, fmt.Sprintf("Racer %d", i), "", nil)
				time.Sleep(20 * time.Millisecond) // hold the transaction open while the others try
				return err
			})
		}()
	}
	wg.Wait()
	made := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("provision %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("provision %d got person %s, want the same %s as the others", i, ids[i], ids[0])
		}
		if created[i] {
			made++
		}
	}
	if made != 1 || countUsersWithEmail(t, d, email) != 1 {
		t.Errorf("%d callers say they created the person and %d exist, want 1 and 1", made, countUsersWithEmail(t, d, email))
	}
}

func TestVerifiedEmailIsOnlyGivenWhileTheProviderVouchesForIt(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()

	id := newIdentity(t)
	id.EmailVerified = false
	_, u := mustStartSession(t, svc, id)
	if got, err := svc.VerifiedEmail(ctx, u.ID); got != "" || err != nil {
		t.Fatalf("an address the provider did not vouch for: %q %v", got, err)
	}

	id.EmailVerified = true
	mustStartSession(t, svc, id)
	if got, err := svc.VerifiedEmail(ctx, u.ID); got != id.Email || err != nil {
		t.Fatalf("a vouched-for address: %q %v, want %q", got, err, id.Email)
	}

	// A later sign-in with a new, unverified address takes it back.
	id.Email, id.EmailVerified = "changed-"+id.Email, false
	mustStartSession(t, svc, id)
	if got, _ := svc.VerifiedEmail(ctx, u.ID); got != "" {
		t.Errorf("after an unverified change of address, VerifiedEmail = %q, want nothing", got)
	}
	if got, err := svc.VerifiedEmail(ctx, randomUUID(t)); got != "" || err != nil {
		t.Errorf("an unknown person: %q %v", got, err)
	}
}
