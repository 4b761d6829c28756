package cohorts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"onramp/app"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/audit"
	"onramp/modules/identity"
)

const charity = "Riverside Youth Futures"

// people is the identity service over the package database, for fixtures
// that change someone's record the way only identity may.
func people(t *testing.T) *identity.Service {
	t.Helper()
	d := testenv.DB(t)
	return identity.NewService(d, audit.New(d.Gorm), time.Now)
}

// importOne uploads and confirms, through the API, a spreadsheet of one
// learner for a cohort starting in startDays, and returns the preview
// and the confirm's answers.
func importOne(t *testing.T, c *testenv.Client, cohortID string, startDays int, name, email, phone string) (importAnswer, confirmAnswer) {
	t.Helper()
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, startDays)
	csv := "name,email,date_of_birth,phone\n" + name + "," + email + "," + dob(start, 20, "02/01/2006") + "," + phone + "\n"
	var imp importAnswer
	if status := apiUpload(t, c, cohortID, []byte(csv), &imp); status != http.StatusCreated {
		t.Fatalf("upload: %d %+v", status, imp)
	}
	status, res := apiConfirm(t, c, cohortID, imp.ID)
	if status != http.StatusOK {
		t.Fatalf("confirm: %d", status)
	}
	return imp, res
}

type personRecord struct {
	Name, Phone string
	DateOfBirth *time.Time
}

func recordOf(t *testing.T, g *gorm.DB, userID string) personRecord {
	t.Helper()
	var p personRecord
	if err := g.Raw("SELECT name, phone, date_of_birth FROM users WHERE id = ?", userID).Scan(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

func sameDay(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func userIDOf(t *testing.T, g *gorm.DB, email string) string {
	t.Helper()
	var id string
	g.Raw("SELECT id FROM users WHERE email = ? ORDER BY issuer IS NULL LIMIT 1", email).Scan(&id)
	if id == "" {
		t.Fatalf("nobody has %s", email)
	}
	return id
}

func countWhere(t *testing.T, g *gorm.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := g.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAnotherOrganisationCannotPullALearnerInByEmail is the
// re-identification attack: a manager imports someone another
// organisation knows into nine cohorts of their own, hoping to read their
// progress or at least learn that they use Onramp.
func TestAnotherOrganisationCannotPullALearnerInByEmail(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	srv.SignIn(t, "learner@example.org") // signed in, so the record is theirs
	victim := userIDOf(t, g, "learner@example.org")
	before := recordOf(t, g, victim)
	var trustCohort string
	g.Raw(`SELECT e.cohort_id FROM enrolments e WHERE e.user_id = ?`, victim).Scan(&trustCohort)
	attacker := srv.SignIn(t, "manager2@example.org").NoRedirects()

	var cohortIDs []string
	for range 9 {
		id, _ := MustCreateCohort(t, charity, "get-into", 10, 52)
		cohortIDs = append(cohortIDs, id)
		imp, res := importOne(t, attacker, id, 10, "Someone Else", "learner@example.org", "07700 900999")
		if imp.ValidRows != 1 || len(imp.Errors) != 0 || res.Added != 1 || res.AlreadyAdded != 0 {
			t.Fatalf("import of learner@: preview %+v, result %+v; want one row, added like anyone else", imp, res)
		}
	}

	if after := recordOf(t, g, victim); after.Name != before.Name || after.Phone != before.Phone || !sameDay(after.DateOfBirth, before.DateOfBirth) {
		t.Errorf("the import changed the learner's record from %+v to %+v", before, after)
	}
	if n := countWhere(t, g, `SELECT count(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
		JOIN organisations o ON o.id = c.organisation_id WHERE e.user_id = ? AND o.name = ?`, victim, charity); n != 0 {
		t.Errorf("the learner was enrolled in %d of the other organisation's cohorts, want none", n)
	}
	if n := countWhere(t, g, `SELECT count(*) FROM cohort_invitations WHERE email = 'learner@example.org'
		AND name = 'Someone Else' AND accepted_at IS NULL AND cohort_id IN ?`, cohortIDs); n != 9 {
		t.Errorf("%d invitations holding what the manager typed, want 9", n)
	}

	// Nothing the attacker can open shows the learner.
	for _, path := range []string{"/api/v1/learners/" + victim + "/progress", "/manage/learners/" + victim + "/destinations",
		"/manage/cohorts/" + trustCohort, "/api/v1/cohorts/" + trustCohort + "/progress"} {
		if resp := attacker.Get(path); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
			t.Errorf("manager2 on %s: %d, want 404 or 403", path, resp.StatusCode)
		} else {
			resp.Body.Close()
		}
	}
	for _, id := range cohortIDs {
		for _, path := range []string{"/manage/cohorts/" + id, "/api/v1/cohorts/" + id + "/progress",
			"/manage/cohorts/" + id + "/export.csv"} {
			body := testenv.Body(t, attacker.Get(path))
			if strings.Contains(body, victim) || strings.Contains(body, "Amira") || strings.Contains(body, "learner@example.org") {
				t.Errorf("manager2's %s shows the learner", path)
			}
		}
		if resp := attacker.Get("/manage/cohorts/" + id + "/learners/" + victim); resp.StatusCode != http.StatusNotFound {
			t.Errorf("manager2's learner page for them: %d, want 404", resp.StatusCode)
		} else {
			resp.Body.Close()
		}
	}
}

// TestAnImportLooksTheSameForSomeoneKnownElsewhereAsForANewEmail compares
// every answer a manager gets about an import of someone another
// organisation knows with the answers about a brand-new email.
func TestAnImportLooksTheSameForSomeoneKnownElsewhereAsForANewEmail(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager2@example.org").NoRedirects()
	cohortID, _ := MustCreateCohort(t, charity, "get-into", 10, 52)
	newEmail := fmt.Sprintf("brand.new.%d@example.net", time.Now().UnixNano())
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10)
	file := func(email string) string {
		return "name,email,date_of_birth,phone\nAlex Doe," + email + "," + dob(start, 20, "02/01/2006") + ",07700 900123\n"
	}

	type seen struct {
		preview, page, confirmed, again, dashboardBanner string
		result, againResult                              confirmAnswer
	}
	look := func(email string) seen {
		var s seen
		resp := upload(t, manager, "/manage/cohorts/"+cohortID+"/import", "learners.csv", []byte(file(email)), map[string]string{"_csrf": manager.CSRF})
		resp.Body.Close()
		previewURL := resp.Header.Get("Location")
		importID := previewURL[strings.LastIndex(previewURL, "/")+1:]
		blank := func(body string) string {
			return strings.NewReplacer(email, "EMAIL", importID, "IMPORT").Replace(body)
		}
		s.page = blank(testenv.Body(t, manager.Get(previewURL)))
		resp = manager.PostForm(previewURL+"/confirm", nil)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		s.confirmed = blank(testenv.Body(t, manager.Get(previewURL)))
		body := testenv.Body(t, manager.Get(loc))
		if i := strings.Index(body, `role="status"`); i >= 0 {
			s.dashboardBanner = body[i : i+strings.Index(body[i:], "</div>")]
		}
		// The API, and a second upload of the same row.
		var imp importAnswer
		apiUpload(t, manager, cohortID, []byte(file(email)), &imp)
		imp.ID = ""
		s.again = fmt.Sprintf("%+v", imp)
		_, s.againResult = apiConfirm(t, manager, cohortID, imp.ID)
		return s
	}
	known := look("learner@example.org")
	fresh := look(newEmail)

	if known.page != fresh.page {
		t.Errorf("the preview page differs:\n%s\n---\n%s", known.page, fresh.page)
	}
	if known.confirmed != fresh.confirmed || !strings.Contains(fresh.confirmed, "1 person added") {
		t.Errorf("the confirmed upload's page differs or does not say 1 person added:\n%s\n---\n%s", known.confirmed, fresh.confirmed)
	}
	if known.dashboardBanner != fresh.dashboardBanner || !strings.Contains(fresh.dashboardBanner, "asked to accept first") {
		t.Errorf("the dashboard's import message differs: %q vs %q", known.dashboardBanner, fresh.dashboardBanner)
	}
	if known.again != fresh.again || !strings.Contains(fresh.again, "Already added to this cohort") {
		t.Errorf("uploading the row again answers differently: %s vs %s", known.again, fresh.again)
	}

	// Through the API: the same numbers and words.
	for _, email := range []string{"mentor@example.org", fmt.Sprintf("api.new.%d@example.net", time.Now().UnixNano())} {
		imp, res := importOne(t, manager, cohortID, 10, "Alex Doe", email, "")
		imp.ID = ""
		if fmt.Sprintf("%+v", imp) != "{ID: Status:preview Rows:1 ValidRows:1 ErrorRows:0 Errors:[]}" ||
			res.Added != 1 || res.AlreadyAdded != 0 || !strings.Contains(res.Message, "asked to accept first") {
			t.Errorf("API import of %s: preview %+v, result %+v", email, imp, res)
		}
	}

	// The brand-new email is a new person with the typed details, enrolled.
	newID := userIDOf(t, g, newEmail)
	if p := recordOf(t, g, newID); p.Name != "Alex Doe" || p.Phone != "07700 900123" || p.DateOfBirth == nil {
		t.Errorf("the new person is %+v, want the typed name, phone and date of birth", p)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ? AND user_id = ?", cohortID, newID); n != 1 {
		t.Errorf("the new person has %d enrolments in the cohort, want 1", n)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM cohort_invitations WHERE cohort_id = ? AND email = ?", cohortID, newEmail); n != 0 {
		t.Errorf("the new person was also invited")
	}
}

// TestAnImportEnrolsOnlyPeopleNoOtherOrganisationKnows is the rule for
// whom an import enrols directly and whom it invites.
func TestAnImportEnrolsOnlyPeopleNoOtherOrganisationKnows(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	ctx := context.Background()
	manager := srv.SignIn(t, "manager@example.org")
	admin := &auth.User{ID: userIDOf(t, g, "admin@example.org"), Roles: []string{auth.RoleAdmin}}
	orgID := func(name string) string {
		var id string
		g.Raw("SELECT id FROM organisations WHERE name = ?", name).Scan(&id)
		return id
	}
	ownCohort, _ := MustCreateCohort(t, trust, "get-into", 5, 47)
	theirCohort, _ := MustCreateCohort(t, charity, "get-into", 5, 47)
	var selfEnrolment string
	g.Raw(`INSERT INTO cohorts (programme_id, organisation_id, self_enrolment, name, starts_on, ends_on, capacity)
		SELECT id, NULL, true, 'Get Into on your own', now(), now() + interval '1 year', 100000 FROM programmes WHERE slug = 'get-into'
		ON CONFLICT (programme_id) WHERE self_enrolment DO NOTHING`).Scan(&selfEnrolment)
	g.Raw("SELECT c.id FROM cohorts c JOIN programmes p ON p.id = c.programme_id WHERE p.slug = 'get-into' AND c.self_enrolment").Scan(&selfEnrolment)

	cases := []struct {
		name    string
		setup   func(userID string)
		invited bool
	}{
		{"known to nobody", func(string) {}, false},
		{"in another cohort of this organisation", func(id string) { MustEnrol(t, ownCohort, id) }, false},
		{"staff of this organisation", func(id string) {
			if err := people(t).SetOrganisation(ctx, admin, id, orgID(trust)); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"staff of another organisation", func(id string) {
			if err := people(t).SetOrganisation(ctx, admin, id, orgID(charity)); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"in another organisation's cohort", func(id string) { MustEnrol(t, theirCohort, id) }, true},
		{"withdrawn from another organisation's cohort", func(id string) {
			MustEnrol(t, theirCohort, id)
			g.Exec("UPDATE enrolments SET status = 'withdrawn', withdrawn_at = now() WHERE cohort_id = ? AND user_id = ?", theirCohort, id)
		}, true},
		{"on a programme on their own", func(id string) { MustEnrol(t, selfEnrolment, id) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := MustCreateCohort(t, trust, "get-into", 5, 47)
			userID, email := MustCreateLearner(t, "Their Own Name")
			tc.setup(userID)
			_, res := importOne(t, manager, target, 5, "Typed Name", email, "07700 900555")
			if res.Added != 1 {
				t.Errorf("result %+v, want 1 added", res)
			}
			enrolled := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ? AND user_id = ?", target, userID)
			invited := countWhere(t, g, "SELECT count(*) FROM cohort_invitations WHERE cohort_id = ? AND email = ?", target, email)
			if tc.invited && (enrolled != 0 || invited != 1) || !tc.invited && (enrolled != 1 || invited != 0) {
				t.Errorf("%d enrolments and %d invitations, want invited=%v", enrolled, invited, tc.invited)
			}
			if p := recordOf(t, g, userID); p.Name != "Their Own Name" || p.Phone != "" || p.DateOfBirth != nil {
				t.Errorf("the import changed their record to %+v", p)
			}
		})
	}
}

// invitee is a demo learner the other organisation's imports invite: the
// demo trust knows them.
const invitee = "learner3@example.org"

// invitedLearner has manager2 import invitee into a new cohort of
// theirs, and returns the cohort and the invitation.
func invitedLearner(t *testing.T, srv *testenv.Server, g *gorm.DB, startDays, endDays int) (cohortID, invitationID string) {
	t.Helper()
	cohortID, _ = MustCreateCohort(t, charity, "get-into", startDays, endDays)
	importOne(t, srv.SignIn(t, "manager2@example.org"), cohortID, startDays, "Kasia N", invitee, "")
	g.Raw("SELECT id FROM cohort_invitations WHERE cohort_id = ? AND email = ?", cohortID, invitee).Scan(&invitationID)
	if invitationID == "" {
		t.Fatal("no invitation made")
	}
	return cohortID, invitationID
}

func TestALearnerAcceptsAnInvitationAndIsEnrolledOnce(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, invitationID := invitedLearner(t, srv, g, 10, 52)
	var cohortName string
	g.Raw("SELECT name FROM cohorts WHERE id = ?", cohortID).Scan(&cohortName)
	learner := srv.SignIn(t, invitee).NoRedirects()
	learnerID := userIDOf(t, g, invitee)
	invs, err := srv.App.Cohorts.Invitations(context.Background(), learnerID)
	pending := len(invs)
	if err != nil || pending < 1 {
		t.Errorf("Invitations = %d, %v; want at least this one", pending, err)
	}

	page := testenv.Body(t, learner.Get("/join"))
	accept := `action="/join/invitations/` + invitationID + `/accept"`
	for _, want := range []string{"Invitations waiting for you", cohortName, "Get Into", charity, accept,
		`action="/join/invitations/` + invitationID + `/decline"`, `name="_csrf" value="` + learner.CSRF + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the join page lacks %q", want)
		}
	}
	if other := testenv.Body(t, srv.SignIn(t, "learner2@example.org").Get("/join")); strings.Contains(other, invitationID) {
		t.Error("another learner sees the invitation")
	}
	if resp := srv.SignIn(t, "learner2@example.org").PostForm("/join/invitations/"+invitationID+"/accept", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another learner accepting: %d, want 404", resp.StatusCode)
	}

	for range 2 {
		resp := learner.PostForm("/join/invitations/"+invitationID+"/accept", nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/join?done=accepted" {
			t.Fatalf("accepting: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if n := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ? AND user_id = ?", cohortID, learnerID); n != 1 {
		t.Errorf("%d enrolments after accepting twice, want 1", n)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM audit_events WHERE action = 'cohort.invitation_accepted' AND subject_id = ?", cohortID); n != 1 {
		t.Errorf("%d acceptances audited, want 1", n)
	}
	if page := testenv.Body(t, learner.Get("/join?done=accepted")); !strings.Contains(page, "You have joined") || strings.Contains(page, accept) {
		t.Error("after accepting, the page does not say so or still offers the invitation")
	}
	if invs, _ := srv.App.Cohorts.Invitations(context.Background(), learnerID); len(invs) != pending-1 {
		t.Errorf("Invitations = %d after accepting, want %d", len(invs), pending-1)
	}

	// Now the organisation sees them, and only on its own cohort.
	manager2 := srv.SignIn(t, "manager2@example.org")
	if body := testenv.Body(t, manager2.Get("/manage/cohorts/"+cohortID)); !strings.Contains(body, "Kasia Nowak") {
		t.Error("the accepted learner is not on the cohort's dashboard")
	}
	var progress struct {
		Enrolments []struct {
			Cohort struct{ ID string } `json:"cohort"`
		} `json:"enrolments"`
	}
	manager2.JSON("/api/v1/learners/"+learnerID+"/progress", &progress)
	seen := map[string]bool{}
	for _, e := range progress.Enrolments {
		seen[e.Cohort.ID] = true
	}
	var trustCohorts []string
	g.Raw(`SELECT e.cohort_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN organisations o ON o.id = c.organisation_id
		WHERE e.user_id = ? AND o.name = ?`, learnerID, trust).Scan(&trustCohorts)
	if !seen[cohortID] || len(trustCohorts) == 0 {
		t.Errorf("manager2 sees enrolments %+v, want their cohort %s", progress.Enrolments, cohortID)
	}
	for _, id := range trustCohorts {
		if seen[id] {
			t.Errorf("manager2 sees the learner's enrolment in the other organisation's cohort %s", id)
		}
	}
}

func TestALearnerCanSayNoThanks(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, invitationID := invitedLearner(t, srv, g, 10, 52)
	learner := srv.SignIn(t, invitee).NoRedirects()
	resp := learner.PostForm("/join/invitations/"+invitationID+"/decline", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/join?done=declined" {
		t.Fatalf("declining: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := countWhere(t, g, "SELECT count(*) FROM cohort_invitations WHERE id = ? AND declined_at IS NOT NULL AND accepted_at IS NULL", invitationID); n != 1 {
		t.Error("the decline is not recorded")
	}
	if page := testenv.Body(t, learner.Get("/join?done=declined")); !strings.Contains(page, "You said no thanks") || strings.Contains(page, invitationID) {
		t.Error("after declining, the page does not say so or still offers the invitation")
	}
	resp = learner.PostForm("/join/invitations/"+invitationID+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "You said no thanks") {
		t.Errorf("accepting a declined invitation: %d", resp.StatusCode)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ?", cohortID); n != 0 {
		t.Errorf("%d enrolments after declining, want none", n)
	}
	// A second upload by the manager reads as before and invites nobody again.
	manager2 := srv.SignIn(t, "manager2@example.org")
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10)
	var again importAnswer
	apiUpload(t, manager2, cohortID, []byte("name,email,date_of_birth\nKasia N,"+invitee+","+dob(start, 20, "02/01/2006")+"\n"), &again)
	if len(again.Errors) != 1 || again.Errors[0].Message != "Already added to this cohort" {
		t.Errorf("re-uploading a declined person: %+v", again.Errors)
	}
}

func TestAnExpiredInvitationCannotBeAccepted(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	srv := testenv.NewServer(t, func(_ *config.Config, o *app.Options) {
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	g := testenv.DB(t).Gorm
	cohortID, invitationID := invitedLearner(t, srv, g, 10, 90)
	now.Add(int64(31 * 24 * time.Hour))
	learner := srv.SignIn(t, invitee)
	if page := testenv.Body(t, learner.Get("/join")); strings.Contains(page, invitationID) {
		t.Error("an expired invitation is still offered")
	}
	resp := learner.PostForm("/join/invitations/"+invitationID+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "has expired") {
		t.Errorf("accepting an expired invitation: %d, want 409 saying it has expired", resp.StatusCode)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ?", cohortID); n != 0 {
		t.Errorf("%d enrolments from an expired invitation", n)
	}
}

func TestAcceptingTwiceAtOnceGivesOneEnrolment(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, invitationID := invitedLearner(t, srv, g, 10, 52)
	srv.SignIn(t, invitee)
	learner := &auth.User{ID: userIDOf(t, g, invitee), Roles: []string{auth.RoleLearner}}
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = srv.App.Cohorts.AcceptInvitation(context.Background(), learner, invitationID)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("accept %d: %v", i, err)
		}
	}
	if got := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ? AND user_id = ?", cohortID, learner.ID); got != 1 {
		t.Errorf("%d enrolments, want 1", got)
	}
	if got := countWhere(t, g, "SELECT count(*) FROM audit_events WHERE action = 'cohort.invitation_accepted' AND subject_id = ?", cohortID); got != 1 {
		t.Errorf("%d acceptances audited, want 1", got)
	}
}

func TestAFullCohortRefusesAnInvitation(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, invitationID := invitedLearner(t, srv, g, 10, 52)
	g.Exec("UPDATE cohorts SET capacity = 1 WHERE id = ?", cohortID)
	other, _ := MustCreateLearner(t, "Took The Place")
	MustEnrol(t, cohortID, other)
	learner := srv.SignIn(t, invitee)
	resp := learner.PostForm("/join/invitations/"+invitationID+"/accept", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is full") {
		t.Errorf("accepting into a full cohort: %d, want 409 saying it is full", resp.StatusCode)
	}
	if n := countWhere(t, g, "SELECT count(*) FROM enrolments WHERE cohort_id = ?", cohortID); n != 1 {
		t.Errorf("%d enrolments, want only the 1 place", n)
	}
}

func TestInviteLinksUseTheConfiguredAddressNotTheHostHeader(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, _ := MustCreateCohort(t, trust, "get-into", 3, 45)
	code := makeCode(t, manager, cohortID, "7", "10")
	req := manager.Request(http.MethodGet, "/manage/cohorts/"+cohortID+"/invites?created="+code, nil)
	for _, ck := range manager.Jar.Cookies(req.URL) { // the jar files cookies under req.Host
		req.AddCookie(ck)
	}
	req.Host = "evil.example"
	resp := manager.Do(req)
	page := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invites page with a forged Host: %d", resp.StatusCode)
	}
	if strings.Contains(page, "evil.example") || !strings.Contains(page, srv.URL+"/join/"+code) || !strings.Contains(page, srv.URL+"/join<") {
		u, _ := url.Parse(srv.URL)
		t.Errorf("the links do not use the configured address %s (host %s)", srv.URL, u.Host)
	}
}
