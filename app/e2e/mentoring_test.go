package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// signIn signs in as a demo person through the dev identity provider and
// waits for the page they land on.
func signIn(t *testing.T, b *browsertest.Browser, srv *testenv.Server, email, home string) {
	t.Helper()
	b.Navigate(t, srv.URL+"/auth/login?login_hint="+url.QueryEscape(email))
	waitForPath(t, b, home)
}

// submit clicks the submit button of the form posting to action.
func submit(t *testing.T, b *browsertest.Browser, action string) {
	t.Helper()
	b.Run(t, chromedp.Click(chromedp.CSS(`form[action="`+action+`"] button[type="submit"]`)))
}

// checked reports whether the radio or checkbox with the id is ticked.
func checked(t *testing.T, b *browsertest.Browser, id string) bool {
	t.Helper()
	return evaluate[bool](t, b, `document.getElementById(`+quoteJS(id)+`).checked`)
}

// tick makes sure the checkbox with the id is ticked, clicking its label
// as a person would when it is not.
func tick(t *testing.T, b *browsertest.Browser, id string) {
	t.Helper()
	if !checked(t, b, id) {
		b.Run(t, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
	}
	if !checked(t, b, id) {
		t.Fatalf("clicking the label of #%s did not tick it", id)
	}
}

// linkTo returns the href of the link whose text is text, failing the
// test when the page has none.
func linkTo(t *testing.T, b *browsertest.Browser, text string) string {
	t.Helper()
	href := evaluate[string](t, b, `(Array.from(document.querySelectorAll('main a'))
		.find(a => a.textContent.trim() === `+quoteJS(text)+`) || {getAttribute: () => ''}).getAttribute('href')`)
	if href == "" {
		t.Fatalf("no link %q on %s", text, b.Location(t))
	}
	return href
}

// quoteJS quotes s as a JavaScript string literal.
func quoteJS(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

func TestMentorChangesCapacityAndIsToldToFillInAnEmptiedJobRole(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "mentor@example.org", "/mentoring")
	if h1 := b.Text(t, "h1"); h1 != "Mentoring" {
		t.Errorf("mentor home heading %q", h1)
	}
	main := b.Text(t, "main")
	for _, want := range []string{"Cleared to mentor", "Your mentees", "Amira", "Goals"} {
		if !strings.Contains(main, want) {
			t.Errorf("mentor home does not show %q: %q", want, main)
		}
	}
	if strings.Contains(main, "Amira Khan") {
		t.Errorf("mentor home shows the mentee's full name, want the first name only")
	}
	check(t, b, "mentoring-home")

	b.Run(t, chromedp.Click(chromedp.CSS(`main a[href="/mentoring/profile"]`)))
	waitForPath(t, b, "/mentoring/profile")
	if h1 := b.Text(t, "h1"); h1 != "Your mentor profile" {
		t.Errorf("profile heading %q", h1)
	}
	if v := attribute(t, b, "#job-role", "value"); v != "Healthcare support worker" {
		t.Errorf("job role starts as %q, want the seeded one", v)
	}
	check(t, b, "mentoring-profile")

	// Capacity radios: the first (1 mentee) has the id capacity, the
	// others capacity-N.
	b.Run(t, chromedp.Click(chromedp.CSS(`label[for="capacity-2"]`)))
	b.Run(t, chromedp.Clear(chromedp.CSS("#job-role")))
	submit(t, b, "/mentoring/profile")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(".nhsuk-error-summary")))
	const jobRoleError = "Enter your job role, for example healthcare support worker"
	if summary := b.Text(t, ".nhsuk-error-summary"); !strings.Contains(summary, "There is a problem") || !strings.Contains(summary, jobRoleError) {
		t.Errorf("error summary %q, want the job role error", summary)
	}
	if msg := b.Text(t, "#job-role-error"); !strings.Contains(msg, jobRoleError) {
		t.Errorf("message beside the job role %q", msg)
	}
	if href := attribute(t, b, ".nhsuk-error-summary a", "href"); href != "#job-role" {
		t.Errorf("the error summary links to %q, want #job-role", href)
	}
	if !checked(t, b, "capacity-2") {
		t.Error("the new capacity was not kept when the form came back with an error")
	}
	if bio := evaluate[string](t, b, `document.getElementById('bio').value`); !strings.Contains(bio, "porter") {
		t.Errorf("the bio was not kept when the form came back with an error: %q", bio)
	}
	check(t, b, "mentoring-profile-error")

	b.Run(t, chromedp.SendKeys(chromedp.CSS("#job-role"), "Senior healthcare support worker"))
	submit(t, b, "/mentoring/profile")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Profile saved") {
		t.Errorf("no confirmation after saving the profile: %q", status)
	}
	if v := attribute(t, b, "#job-role", "value"); v != "Senior healthcare support worker" {
		t.Errorf("job role after saving %q", v)
	}
	if !checked(t, b, "capacity-2") {
		t.Error("the saved profile does not show the new capacity")
	}
	check(t, b, "mentoring-profile-saved")

	b.Run(t, chromedp.Click(chromedp.CSS(`main a[href="/mentoring"]`)))
	waitForPath(t, b, "/mentoring")
	if main := b.Text(t, "main"); !strings.Contains(main, "up to 2 mentees") {
		t.Errorf("mentor home does not show the new capacity: %q", main)
	}
}

func TestSafeguardingLeadRecordsChecksAndTheMentorBecomesCleared(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "safeguarding@example.org", "/safeguarding")
	b.Navigate(t, srv.URL+"/mentoring/mentors")
	if h1 := b.Text(t, "h1"); h1 != "Mentors and their checks" {
		t.Errorf("mentor list heading %q", h1)
	}
	rows := b.Text(t, "table")
	for _, want := range []string{"Dan Okafor", "Rob Hughes", "Due soon", "Leah Carter", "Not cleared"} {
		if !strings.Contains(rows, want) {
			t.Errorf("mentor list does not show %q: %q", want, rows)
		}
	}
	check(t, b, "mentoring-mentors")

	vetting := linkTo(t, b, "Leah Carter")
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href="`+vetting+`"]`)))
	waitForPath(t, b, vetting)
	if h1 := b.Text(t, "h1"); h1 != "Vetting: Leah Carter" {
		t.Errorf("vetting heading %q", h1)
	}
	if tag := b.Text(t, "main .nhsuk-tag"); tag != "Not cleared" {
		t.Errorf("an unvetted mentor's tag reads %q", tag)
	}
	check(t, b, "mentoring-vetting")

	dbs, training := time.Now().AddDate(0, -2, 0), time.Now().AddDate(0, -1, 0)
	fill := func(name string, d time.Time) {
		b.Run(t,
			chromedp.SendKeys(chromedp.CSS("#"+name+"-day"), d.Format("2")),
			chromedp.SendKeys(chromedp.CSS("#"+name+"-month"), d.Format("1")),
			chromedp.SendKeys(chromedp.CSS("#"+name+"-year"), d.Format("2006")))
	}
	b.Run(t, chromedp.Click(chromedp.CSS(`input[name="dbs-checked"][value="yes"] + label`)))
	fill("dbs", dbs)
	tick(t, b, "update-service")
	fill("training", training)
	tick(t, b, "references-ok")
	submit(t, b, vetting)
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Vetting saved") {
		t.Errorf("no confirmation after recording vetting: %q", status)
	}
	if tag := b.Text(t, "main .nhsuk-tag"); tag != "Cleared to mentor" {
		t.Errorf("after vetting the mentor's tag reads %q", tag)
	}
	if day := attribute(t, b, "#dbs-day", "value"); day != dbs.Format("2") {
		t.Errorf("the DBS date was not kept: day %q", day)
	}
	check(t, b, "mentoring-vetting-saved")

	b.Run(t, chromedp.Click(chromedp.CSS(`main a[href="/mentoring/mentors"]`)))
	waitForPath(t, b, "/mentoring/mentors")
	row := evaluate[string](t, b, `Array.from(document.querySelectorAll('tbody tr'))
		.find(r => r.textContent.includes('Leah Carter')).textContent`)
	if !strings.Contains(row, "Cleared") || strings.Contains(row, "Not cleared") {
		t.Errorf("Leah Carter's row after vetting: %q", strings.Join(strings.Fields(row), " "))
	}
}

func TestManagerRunsMentorMatchingReadsWhyAndApprovesAMatch(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "manager@example.org", "/manage")
	b.Navigate(t, srv.URL+"/manage/mentoring")
	if h1 := b.Text(t, "h1"); h1 != "Mentoring" {
		t.Errorf("matching page heading %q", h1)
	}
	if main := b.Text(t, "main"); !strings.Contains(main, "waiting for a mentor") {
		t.Errorf("matching page does not say how many learners are waiting: %q", main)
	}
	check(t, b, "mentoring-matching")

	submit(t, b, "/manage/mentoring/match")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	proposals := evaluate[int](t, b, `document.querySelectorAll('main a[href^="/manage/mentoring/proposals/"]').length`)
	if proposals == 0 {
		t.Fatalf("matching proposed nobody: %q", b.Text(t, "main"))
	}
	if status := b.Text(t, `[role="status"]`); !strings.HasSuffix(status, " matches proposed") && status != "1 match proposed" {
		t.Errorf("after matching the page says %q, want how many matches were proposed", status)
	}
	// The first proposal's card says why in a sentence: "Why: ...".
	why := evaluate[string](t, b, `document.querySelector('main .nhsuk-card p').textContent`)
	reasons := strings.TrimSuffix(strings.TrimPrefix(why, "Why: "), ".")
	if reasons == why || reasons == "" || strings.Contains(reasons, "_") {
		t.Errorf("the first proposal's reasons are not plain words: %q", why)
	}
	check(t, b, "mentoring-matching-proposed")

	b.Run(t, chromedp.Click(chromedp.CSS(`main a[href^="/manage/mentoring/proposals/"]`)))
	proposal := waitToLeave(t, b, "/manage/mentoring")
	if !strings.HasPrefix(proposal, "/manage/mentoring/proposals/") {
		t.Fatalf("the proposal link led to %s", proposal)
	}
	pair := b.Text(t, "h1")
	learner, mentor, ok := strings.Cut(pair, " with ")
	if !ok {
		t.Fatalf("proposal heading %q does not name the learner and the mentor", pair)
	}
	if main := b.Text(t, "main"); !strings.Contains(main, "Why this match: "+reasons+".") {
		t.Errorf("the proposal does not give the reasons the list gave (%q): %q", reasons, main)
	}
	check(t, b, "mentoring-proposal")

	submit(t, b, proposal+"/approve")
	waitForPath(t, b, "/manage/mentoring")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); status != "Match approved" {
		t.Errorf("after approving the page says %q", status)
	}
	active := b.Text(t, "table")
	if !strings.Contains(active, learner) || !strings.Contains(active, mentor) {
		t.Errorf("active mentorships do not list %s with %s: %q", learner, mentor, active)
	}
	if n := evaluate[int](t, b, `document.querySelectorAll('a[href="`+proposal+`"]').length`); n != 0 {
		t.Errorf("the approved match is still listed as proposed")
	}
	check(t, b, "mentoring-matching-approved")
}

// demoMentorship is learner@'s active mentorship as the learner's page
// should show it: the mentor's job role (which another journey may have
// changed) and the first and last days, written as pages write dates.
func demoMentorship(t *testing.T) (jobRole, starts, ends string) {
	t.Helper()
	var ms struct {
		JobRole          string
		StartsOn, EndsOn time.Time
	}
	err := testenv.DB(t).Gorm.Raw(`SELECT p.job_role, m.starts_on, m.ends_on FROM mentorships m
		JOIN users u ON u.id = m.learner_id JOIN mentor_profiles p ON p.user_id = m.mentor_id
		WHERE u.email = 'learner@example.org' AND m.status = 'active'`).Scan(&ms).Error
	if err != nil || ms.StartsOn.IsZero() {
		t.Fatalf("demo mentorship missing: %v", err)
	}
	return ms.JobRole, ms.StartsOn.Format("2 January 2006"), ms.EndsOn.Format("2 January 2006")
}

func TestLearnerSeesTheirMentorAndSavesWhatTheyWouldLike(t *testing.T) {
	srv := testenv.NewServer(t)
	jobRole, starts, ends := demoMentorship(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "learner@example.org", "/learn")
	b.Navigate(t, srv.URL+"/learn/mentor")
	if h1 := b.Text(t, "h1"); h1 != "Your mentor" {
		t.Errorf("learner's mentor page heading %q", h1)
	}
	if name := b.Text(t, ".nhsuk-card__heading"); name != "Dan" {
		t.Errorf("mentor card heading %q, want the mentor's first name", name)
	}
	card := b.Text(t, ".nhsuk-card")
	for _, want := range []string{jobRole + ", Nursing and midwifery", starts, ends, "Talk to your mentor only through Onramp"} {
		if !strings.Contains(card, want) {
			t.Errorf("mentor card does not show %q: %q", want, card)
		}
	}
	if strings.Contains(b.Text(t, "main"), "Okafor") {
		t.Error("the learner is shown their mentor's surname")
	}
	if h := b.Text(t, `[id^="goals-"]`); h != "Your goals" {
		t.Errorf("goals heading %q", h)
	}
	check(t, b, "learn-mentor")

	tick(t, b, "availability-weekend")
	b.Run(t, chromedp.SetValue(chromedp.CSS("#region"), "North West"))
	submit(t, b, "/learn/mentor")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Saved") {
		t.Errorf("no confirmation after saving preferences: %q", status)
	}
	if !checked(t, b, "availability-weekend") || !checked(t, b, "availability-weekday_evening") {
		t.Error("saved availability is not shown ticked")
	}
	if region := evaluate[string](t, b, `document.getElementById('region').value`); region != "North West" {
		t.Errorf("saved region shows as %q", region)
	}
	check(t, b, "learn-mentor-saved")
}

// scriptOff turns the page's JavaScript off or back on in the tab. Pages
// loaded while it is off never run their scripts; turning it back on lets
// the checks' own script (axe-core) run on such a page as it stands.
func scriptOff(t *testing.T, b *browsertest.Browser, off bool) {
	t.Helper()
	b.Run(t, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	}))
}

func TestLearnerMentorPageWorksWithoutJavaScript(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	signIn(t, b, srv, "learner@example.org", "/learn")
	scriptOff(t, b, true)
	b.Navigate(t, srv.URL+"/learn/mentor")
	if evaluate[bool](t, b, `document.body.classList.contains('js-enabled')`) {
		t.Fatal("the page's script ran: JavaScript is not off")
	}
	if name := b.Text(t, ".nhsuk-card__heading"); name != "Dan" {
		t.Errorf("mentor card heading without JavaScript %q", name)
	}
	scriptOff(t, b, false)
	check(t, b, "learn-mentor-no-js")
	scriptOff(t, b, true)

	b.Run(t, chromedp.Click(chromedp.CSS(`label[for="mentor-gender-male"]`)))
	submit(t, b, "/learn/mentor")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Saved") {
		t.Errorf("no confirmation after saving preferences without JavaScript: %q", status)
	}
	if !checked(t, b, "mentor-gender-male") {
		t.Error("the gender preference saved without JavaScript is not shown")
	}
	if evaluate[bool](t, b, `document.body.classList.contains('js-enabled')`) {
		t.Error("the page after saving ran its script: JavaScript is not off")
	}
}
