package content_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

// enrolled puts n new learners in a new cohort of the programme slug and
// returns their ids.
func enrolled(t *testing.T, f *testenv.Fixtures, org, slug string, n int) (cohort string, ids []string) {
	t.Helper()
	cohort, _ = f.Cohort(testenv.Cohort{Organisation: org, Programme: slug})
	for range n {
		id, _ := f.Learner(testenv.Learner{})
		f.Enrol(cohort, id, time.Time{})
		ids = append(ids, id)
	}
	return cohort, ids
}

func TestPublishingALessonLearnersWillSeeAsksFirstAndKeepsWhatWasTyped(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("publish")
	e.publishAll(c) // nobody is on it yet: no question asked
	lessonID := e.addLesson(c.moduleID, "Your first shift")

	f := testenv.NewFixtures(t)
	org := f.Organisation("Publish trust", "trust")
	cohort, learners := enrolled(t, f, org, c.slug, 3)
	f.Withdraw(cohort, learners[0], time.Now())

	form := url.Values{"title": {"Your first shift"}, "minutes": {"4"}, "body": {"Arrive **ten minutes** early."},
		"published": {"true"}, "shuffle": {"true"}, "action": {"save"}}
	path := "/admin/content/lessons/" + lessonID
	page := requireStatus(t, e.c.PostForm(path, form), http.StatusOK)
	if want := "2 learners on Course " + c.slug + " will see this lesson straight away"; !strings.Contains(page, want) {
		t.Fatalf("the confirmation does not say %q:\n%s", want, section(t, page, "<h1>", "</form>"))
	}
	if !strings.Contains(page, `name="body" value="Arrive **ten minutes** early."`) {
		t.Error("the confirmation does not carry the lesson text")
	}
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND (published OR body_md <> '')", lessonID); n != 0 {
		t.Fatal("asking to publish saved the lesson")
	}

	// Go back: the form again, as typed, nothing saved.
	back := url.Values{}
	for k, v := range form {
		back[k] = v
	}
	back.Set("confirm_publish", "yes")
	back.Set("action", "back")
	page = requireStatus(t, e.c.PostForm(path, back), http.StatusOK)
	if !strings.Contains(page, "Arrive **ten minutes** early.</textarea>") || !strings.Contains(page, `name="published" type="checkbox" value="true" checked`) {
		t.Error("Go back did not show the form as typed")
	}
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND published", lessonID); n != 0 {
		t.Fatal("Go back published the lesson")
	}

	// Publish: saved as typed.
	back.Set("action", "save")
	requireStatus(t, e.c.PostForm(path, back), http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND published AND body_md = 'Arrive **ten minutes** early.'", lessonID); n != 1 {
		t.Fatal("confirming did not publish the lesson as typed")
	}
	// Saving it again, already published, asks nothing.
	requireStatus(t, e.c.PostForm(path, form), http.StatusSeeOther)
}

func TestPublishingASharedModuleCountsTheLearnersOfEveryProgrammeUsingItOnce(t *testing.T) {
	e := newEditor(t)
	a, b := e.newCourse("pubshareda"), e.newCourse("pubsharedb")
	e.publishAll(a)
	e.publishAll(b)
	shared := e.redirectedID("/admin/content/shared", url.Values{"title": {"Staying safe"}, "slug": {uniqueSlug("safe")}}, "/admin/content/modules/")
	for _, c := range []course{a, b} {
		requireStatus(t, e.c.PostForm("/admin/content/programmes/"+c.programmeID+"/shared",
			url.Values{"module": {shared}, "after": {"1"}}), http.StatusSeeOther)
	}

	f := testenv.NewFixtures(t)
	org := f.Organisation("Shared publish trust", "trust")
	_, onA := enrolled(t, f, org, a.slug, 2)
	cohortB, _ := enrolled(t, f, org, b.slug, 1)
	f.Enrol(cohortB, onA[0], time.Time{}) // on both: one learner

	page := requireStatus(t, e.c.PostForm("/admin/content/modules/"+shared,
		url.Values{"title": {"Staying safe"}, "published": {"true"}}), http.StatusOK)
	want := "3 learners on Course " + a.slug + " and Course " + b.slug + " will see this module straight away"
	if !strings.Contains(page, want) {
		t.Fatalf("the confirmation does not say %q:\n%s", want, section(t, page, "<h1>", "</form>"))
	}
	requireStatus(t, e.c.PostForm("/admin/content/modules/"+shared,
		url.Values{"title": {"Staying safe"}, "published": {"true"}, "confirm_publish": {"yes"}}), http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM modules WHERE id = ? AND published", shared); n != 1 {
		t.Error("confirming did not publish the shared module")
	}
}

func TestPublishingAProgrammeNobodyIsOnAsksNothingButOneWithLearnersAsks(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("pubprog")
	path := "/admin/content/programmes/" + c.programmeID
	f := testenv.NewFixtures(t)
	enrolled(t, f, f.Organisation("Programme publish trust", "trust"), c.slug, 1)
	page := requireStatus(t, e.c.PostForm(path, url.Values{"title": {"Course " + c.slug}, "summary": {"Typed summary"}, "published": {"true"}}), http.StatusOK)
	if !strings.Contains(page, "1 learner on Course "+c.slug+" will see this programme straight away") || !strings.Contains(page, `value="Typed summary"`) {
		t.Errorf("publishing a programme with a learner did not ask, carrying the form:\n%s", section(t, page, "<h1>", "</form>"))
	}

	d := e.newCourse("pubempty")
	requireStatus(t, e.c.PostForm("/admin/content/programmes/"+d.programmeID,
		url.Values{"title": {"Course " + d.slug}, "published": {"true"}}), http.StatusSeeOther)
}

func TestLearnersAndManagersCannotPublishThroughTheConfirmation(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("pubwho")
	for _, email := range []string{"learner@example.org", "manager@example.org", "mentor@example.org"} {
		cl := e.srv.SignIn(t, email).NoRedirects()
		requireStatus(t, cl.PostForm("/admin/content/modules/"+c.moduleID,
			url.Values{"title": {"Taken"}, "published": {"true"}, "confirm_publish": {"yes"}}), http.StatusForbidden)
	}
	if n := count(t, "SELECT count(*) FROM modules WHERE id = ? AND published", c.moduleID); n != 0 {
		t.Error("someone who is not an editor published the module")
	}
}
