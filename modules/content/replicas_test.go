package content_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/content"
	"onramp/modules/learning"
)

// TestAnUnpublishedLessonIsRefusedOnEveryReplicaAtOnce runs two app
// instances over one database, each caching learners' content for an
// hour. An editor unpublishes a lesson on A that a learner has just read
// on B: B refuses to record it as done straight away (writes read past
// the cache), and B's page is gone within a second (A's edit told B's
// cache to forget).
func TestAnUnpublishedLessonIsRefusedOnEveryReplicaAtOnce(t *testing.T) {
	hour := func(cfg *config.Config, _ *app.Options) { cfg.ContentCacheTTL = time.Hour }
	a := testenv.NewServer(t, hour)
	b := testenv.NewServer(t, hour, func(cfg *config.Config, _ *app.Options) { cfg.OIDCIssuerURL = a.URL + config.DevIssuerPath })
	e := &editor{t: t, srv: a, c: a.SignIn(t, "editor@example.org").NoRedirects()}
	c := e.newCourse("replicas")
	lesson := e.addLesson(c.moduleID, "Working in a team")
	e.saveLesson(lesson, "Working in a team", "Ask when you are not sure.", true)
	e.publishAll(c)

	learner := a.SignIn(t, "learner@example.org").NoRedirects()
	learner.Base = b.URL // sessions live in PostgreSQL: the sign-in holds on B
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/start", nil), http.StatusSeeOther)
	page := "/learn/" + c.slug + "/lessons/" + lesson
	requireStatus(t, learner.Get(page), http.StatusOK) // now in B's cache

	e.saveLesson(lesson, "Working in a team", "Ask when you are not sure.", false)
	resp := learner.Do(learner.Request(http.MethodPost, "/api/v1/lessons/"+lesson+"/complete", nil))
	requireStatus(t, resp, http.StatusNotFound)

	deadline := time.Now().Add(time.Second)
	for {
		resp := learner.Get(page)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B still serves the unpublished lesson a second after the edit on A: %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var done int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM lesson_progress WHERE lesson_id = ?", lesson).Scan(&done)
	if done != 0 {
		t.Errorf("the unpublished lesson was recorded as done %d times", done)
	}
}

// TestCompletingALessonReadsPastAStaleCache: a replica whose cache has
// not heard of an edit (its listener reconnecting, say) still shows the
// lesson it read before, but will not record it as done.
func TestCompletingALessonReadsPastAStaleCache(t *testing.T) {
	srv := testenv.NewServer(t)
	e := &editor{t: t, srv: srv, c: srv.SignIn(t, "editor@example.org").NoRedirects()}
	c := e.newCourse("stale")
	lesson := e.addLesson(c.moduleID, "Keeping time")
	e.saveLesson(lesson, "Keeping time", "Arrive a little early.", true)
	e.publishAll(c)
	learner := srv.SignIn(t, "learner@example.org").NoRedirects()
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/start", nil), http.StatusSeeOther)

	d := testenv.DB(t)
	deaf := content.NewCatalogue(content.NewStore(d.Gorm), time.Hour, time.Now) // hears of no edit
	learn := learning.NewService(d, deaf, srv.App.Cohorts, time.Now)
	u := &auth.User{Name: "Demo Learner", Email: "learner@example.org", Roles: []string{auth.RoleLearner}}
	d.Gorm.Raw("SELECT id FROM users WHERE email = ?", u.Email).Scan(&u.ID)
	ctx := context.Background()
	if _, err := learn.Lesson(ctx, u, lesson); err != nil {
		t.Fatalf("reading the published lesson: %v", err)
	}
	e.saveLesson(lesson, "Keeping time", "Arrive a little early.", false)
	if _, err := learn.Lesson(ctx, u, lesson); err != nil {
		t.Fatalf("the deaf replica should still show its cached lesson (the premise of this test): %v", err)
	}
	if _, err := learn.CompleteLesson(ctx, u, lesson); apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("completing a lesson unpublished elsewhere: %v, want not found", err)
	}
}
