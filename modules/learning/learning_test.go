package learning_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type enrolment struct {
	Programme struct{ Slug string }
	Progress  struct {
		CompletedLessons int `json:"completed_lessons"`
		TotalLessons     int `json:"total_lessons"`
		Percent          int
	}
}

func completedIn(t *testing.T, c *testenv.Client, slug string) int {
	t.Helper()
	var ens []enrolment
	c.JSON("/api/v1/me/enrolments", &ens)
	for _, e := range ens {
		if e.Programme.Slug == slug {
			return e.Progress.CompletedLessons
		}
	}
	t.Fatalf("not enrolled in %s: %+v", slug, ens)
	return 0
}

// lessonIDs lists a published programme's lessons in reading order.
func lessonIDs(t *testing.T, slug string) []string {
	t.Helper()
	var ids []string
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ? ORDER BY m.position, l.position`, slug).Scan(&ids)
	if len(ids) == 0 {
		t.Fatalf("no lessons in %s", slug)
	}
	return ids
}

func userID(t *testing.T, email string) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ? ORDER BY last_sign_in_at DESC NULLS LAST LIMIT 1", email).Scan(&id)
	return id
}

func TestCompletingALessonTwentyTimesAtOnceCountsOnce(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org")
	before := completedIn(t, c, "get-into")
	ids := lessonIDs(t, "get-into")
	target := ids[len(ids)-1] // the last lesson: not completed by the demo seed
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+target+"/complete", nil))
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a completion answered %d", code)
		}
	}
	var rows int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", userID(t, "learner@example.org"), target).Scan(&rows)
	if rows != 1 {
		t.Errorf("%d progress records, want 1", rows)
	}
	if after := completedIn(t, c, "get-into"); after != before+1 {
		t.Errorf("completed lessons went from %d to %d, want +1", before, after)
	}
}

func TestDraftsAreInvisibleToLearners(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	ids := lessonIDs(t, "step-into-work")
	draft := ids[2]
	if err := g.Exec("UPDATE lessons SET published = false WHERE id = ?", draft).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Exec("UPDATE lessons SET published = true WHERE id = ?", draft) })
	c := srv.SignIn(t, "learner3@example.org")
	for _, path := range []string{"/learn/step-into-work/lessons/" + draft} {
		resp := c.Get(path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("draft lesson %s: %d, want 404", path, resp.StatusCode)
		}
	}
	resp := c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+draft+"/complete", nil))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("completing a draft: %d, want 404", resp.StatusCode)
	}
	var prog struct {
		Modules []struct{ Lessons []struct{ ID string } }
	}
	c.JSON("/api/v1/programmes/step-into-work", &prog)
	for _, m := range prog.Modules {
		for _, l := range m.Lessons {
			if l.ID == draft {
				t.Error("the programme API lists a draft lesson")
			}
		}
	}
	if body := testenv.Body(t, c.Get("/learn/step-into-work")); strings.Contains(body, draft) {
		t.Error("the programme page links a draft lesson")
	}
	// A whole programme in draft disappears from the list.
	g.Exec("UPDATE programmes SET published = false WHERE slug = 'step-into-work'")
	t.Cleanup(func() { g.Exec("UPDATE programmes SET published = true WHERE slug = 'step-into-work'") })
	var list []struct{ Slug string }
	c.JSON("/api/v1/programmes", &list)
	for _, p := range list {
		if p.Slug == "step-into-work" {
			t.Error("a draft programme is listed")
		}
	}
}

type question struct {
	ID      string
	Kind    string
	Options []struct{ ID string }
}

type quiz struct {
	ID        string
	PassMark  int `json:"pass_mark"`
	Questions []question
}

func firstQuiz(t *testing.T, c *testenv.Client, slug string) quiz {
	t.Helper()
	var prog struct {
		Modules []struct{ Quiz *quiz }
	}
	c.JSON("/api/v1/programmes/"+slug, &prog)
	if len(prog.Modules) == 0 || prog.Modules[0].Quiz == nil || len(prog.Modules[0].Quiz.Questions) == 0 {
		t.Fatalf("%s has no first quiz", slug)
	}
	return *prog.Modules[0].Quiz
}

func correctAnswers(t *testing.T, q quiz) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, qq := range q.Questions {
		var right []string
		testenv.DB(t).Gorm.Raw("SELECT id FROM options WHERE question_id = ? AND correct ORDER BY position", qq.ID).Scan(&right)
		out[qq.ID] = right
	}
	return out
}

func postAttempt(t *testing.T, c *testenv.Client, quizID string, answers map[string][]string, key string) (int, map[string]any, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"answers": answers})
	req := c.Request(http.MethodPost, "/api/v1/quizzes/"+quizID+"/attempts", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp := c.Do(req)
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

// start enrols the signed-in learner on an open programme through the
// API and returns the status.
func start(t *testing.T, c *testenv.Client, slug string) int {
	t.Helper()
	resp := c.Do(c.Request(http.MethodPost, "/api/v1/programmes/"+slug+"/enrolment", nil))
	resp.Body.Close()
	return resp.StatusCode
}

func TestQuizAttemptsAreMarkedWithFeedbackAndAllRecorded(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner4@example.org") // in no cohort: starts Get Started on their own
	if status := start(t, c, "get-started"); status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("starting Get Started: %d", status)
	}
	q := firstQuiz(t, c, "get-started")
	right := correctAnswers(t, q)

	wrong := map[string][]string{}
	for _, qq := range q.Questions {
		for _, o := range qq.Options {
			if !contains(right[qq.ID], o.ID) {
				wrong[qq.ID] = []string{o.ID}
				break
			}
		}
	}
	status, res, _ := postAttempt(t, c, q.ID, wrong, "")
	if status != http.StatusCreated || res["passed"] != false || res["score"].(float64) != 0 {
		t.Fatalf("all wrong: %d %v", status, res)
	}
	fb := res["feedback"].([]any)
	if len(fb) != len(q.Questions) || len(fb[0].(map[string]any)["messages"].([]any)) == 0 {
		t.Errorf("feedback should explain every question: %v", fb)
	}
	if said := fmt.Sprint(fb); strings.Contains(said, "missed") || containsAny(said, right) {
		t.Errorf("a failed attempt's feedback gives away right answers: %v", fb)
	}
	status, res, _ = postAttempt(t, c, q.ID, right, "")
	if status != http.StatusCreated || res["passed"] != true || res["score"].(float64) != 100 {
		t.Errorf("all right: %d %v", status, res)
	}
	status, res, _ = postAttempt(t, c, q.ID, map[string][]string{q.Questions[0].ID: right[q.Questions[0].ID]}, "")
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(res["errors"]), "Answer question 2") {
		t.Errorf("unanswered questions: %d %v", status, res)
	}
	var attempts int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM check_attempts WHERE user_id = ? AND check_id = ?", userID(t, "learner4@example.org"), q.ID).Scan(&attempts)
	if attempts != 2 {
		t.Errorf("%d attempts recorded, want 2 (the refused one is not an attempt)", attempts)
	}
	// A replay with the same Idempotency-Key returns the first answer and
	// records nothing new.
	_, first, _ := postAttempt(t, c, q.ID, right, "retry-1")
	_, again, h := postAttempt(t, c, q.ID, right, "retry-1")
	if first["attempt_id"] == nil || first["attempt_id"] != again["attempt_id"] || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: first %v, again %v", first["attempt_id"], again["attempt_id"])
	}
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM check_attempts WHERE user_id = ? AND check_id = ?", userID(t, "learner4@example.org"), q.ID).Scan(&attempts)
	if attempts != 3 {
		t.Errorf("%d attempts after a replayed request, want 3", attempts)
	}
}

// containsAny reports whether s contains any of the option ids.
func containsAny(s string, options map[string][]string) bool {
	for _, ids := range options {
		for _, id := range ids {
			if strings.Contains(s, id) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFinishingAProgrammeIssuesAVerifiableCertificate(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner2@example.org") // Get Started, part done
	resp := c.Get("/learn/get-started/certificate")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("certificate before finishing: %d, want 404", resp.StatusCode)
	}
	for _, id := range lessonIDs(t, "get-started") {
		resp := c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+id+"/complete", nil))
		resp.Body.Close()
	}
	var prog struct {
		Modules []struct{ Quiz *quiz }
	}
	c.JSON("/api/v1/programmes/get-started", &prog)
	for i, m := range prog.Modules {
		if i == len(prog.Modules)-1 {
			resp := c.Get("/learn/get-started/certificate")
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("certificate with one check left: %d", resp.StatusCode)
			}
		}
		if status, res, _ := postAttempt(t, c, m.Quiz.ID, correctAnswers(t, *m.Quiz), ""); status != http.StatusCreated || res["passed"] != true {
			t.Fatalf("passing quiz %d: %d %v", i+1, status, res)
		}
	}
	page := testenv.Body(t, c.Get("/learn/get-started/certificate"))
	for _, want := range []string{"You finished Get Started", "What it covered", "The NHS and social care", "of online lessons",
		"/verify/", "certificate.pdf", "What to do next", "https://www.jobs.nhs.uk/", `href="/learn/news"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the certificate page does not show %q:\n%s", want, page)
		}
	}
	resp = c.Get("/learn/get-started/certificate.pdf")
	pdf := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("certificate: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var code string
	testenv.DB(t).Gorm.Raw(`SELECT c.code FROM certificates c JOIN programmes p ON p.id = c.programme_id
		WHERE c.user_id = ? AND p.slug = 'get-started'`, userID(t, "learner2@example.org")).Scan(&code)
	anyone := srv.NewClient(t)
	body := testenv.Body(t, anyone.Get("/verify/"+strings.ToLower(code)))
	if !strings.Contains(body, "This certificate is real") || !strings.Contains(body, "Jordan Price") || !strings.Contains(body, "Get Started") {
		t.Errorf("verifying %s did not show the learner and programme", code)
	}
	if !strings.Contains(body, "What it covered") || !strings.Contains(body, "hours of online lessons") {
		t.Errorf("verifying %s did not say what the programme covered and how long it took", code)
	}
	resp = anyone.Get("/verify/ZZZZ-ZZZZ-ZZZZ")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown code: %d, want 404", resp.StatusCode)
	}
}

func TestOnlyStaffWithARightMayReadALearnersProgress(t *testing.T) {
	srv := testenv.NewServer(t)
	trustLearner := userID(t, "learner@example.org") // enrolled with the trust (manager@)
	charityLearner := userID(t, "learner2@example.org")
	get := func(c *testenv.Client, id string) int {
		resp := c.Get("/api/v1/learners/" + id + "/progress")
		resp.Body.Close()
		return resp.StatusCode
	}
	other := srv.SignIn(t, "learner3@example.org")
	if got := get(other, trustLearner); got != http.StatusForbidden {
		t.Errorf("a learner reading another learner's progress: %d, want 403", got)
	}
	self := srv.SignIn(t, "learner@example.org")
	if got := get(self, trustLearner); got != http.StatusForbidden {
		t.Errorf("a learner on the staff progress endpoint: %d, want 403", got)
	}
	manager := srv.SignIn(t, "manager@example.org")
	if got := get(manager, trustLearner); got != http.StatusOK {
		t.Errorf("manager reading their own organisation's learner: %d, want 200", got)
	}
	if got := get(manager, charityLearner); got != http.StatusNotFound {
		t.Errorf("manager reading another organisation's learner: %d, want 404", got)
	}
	if got := get(srv.SignIn(t, "admin@example.org"), charityLearner); got != http.StatusOK {
		t.Errorf("admin: %d, want 200", got)
	}
}

// withLoadLearners lets n more learners sign in (load-learner-N@example.org):
// people in no cohort who have never done anything, unlike the demo
// learners other tests move on.
func withLoadLearners(n int) testenv.Option {
	return func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = n }
}

func TestALearnerOnNoProgrammeIsShownHowToGetOnOne(t *testing.T) {
	srv := testenv.NewServer(t, withLoadLearners(1))
	c := srv.SignIn(t, app.LoadUserEmail(0))
	home := testenv.Body(t, c.Get("/learn"))
	for _, want := range []string{"You are not on a programme yet", `action="/learn/get-started/start"`, "Start Get Started",
		`href="/join"`, "Step into Work"} {
		if !strings.Contains(home, want) {
			t.Errorf("the home page of a learner on no programme does not show %q", want)
		}
	}
	if strings.Count(home, "Got a job or a place?") != 0 || strings.Count(home, "About you") != 0 {
		t.Error("the home page asks a learner on no programme for their news")
	}

	// A closed programme: its page says how to join; its lessons lead
	// there; its progress cannot be added to.
	lesson := lessonIDs(t, "get-into")[0]
	resp := c.Get("/learn/get-into/lessons/" + lesson)
	page := testenv.Body(t, resp)
	if resp.Request.URL.Path != "/learn/get-into" || !strings.Contains(page, "How to join") || !strings.Contains(page, "Enter a group code") {
		t.Errorf("opening a Get Into lesson led to %s without saying how to join", resp.Request.URL.Path)
	}
	if strings.Contains(page, "/lessons/") {
		t.Error("the page of a programme the learner is not on links to its lessons")
	}
	resp = c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+lesson+"/complete", nil))
	problem := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(problem, "group code") {
		t.Errorf("completing a Get Into lesson: %d %s %s, want 403 saying how to join", resp.StatusCode, resp.Header.Get("Content-Type"), problem)
	}

	// An open one: starting it is an enrolment, once, and then lessons count.
	resp = c.PostForm("/learn/get-started/start", nil)
	page = testenv.Body(t, resp)
	if resp.Request.URL.Path != "/learn/get-started" || !strings.Contains(page, "You have started Get Started") ||
		!strings.Contains(page, "Start the first lesson") {
		t.Errorf("starting Get Started led to %s: %q", resp.Request.URL, page)
	}
	if status := start(t, c, "get-started"); status != http.StatusOK {
		t.Errorf("starting Get Started again through the API: %d, want 200 (already on it)", status)
	}
	var ens []struct {
		Programme struct{ Slug string }
		Cohort    struct {
			SelfEnrolment bool `json:"self_enrolment"`
		}
		Status string
	}
	c.JSON("/api/v1/me/enrolments", &ens)
	if len(ens) != 1 || ens[0].Programme.Slug != "get-started" || !ens[0].Cohort.SelfEnrolment || ens[0].Status != "active" {
		t.Errorf("enrolments after starting Get Started twice: %+v", ens)
	}
	first := lessonIDs(t, "get-started")[0]
	resp = c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+first+"/complete", nil))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || completedIn(t, c, "get-started") != 1 {
		t.Errorf("completing a Get Started lesson once started: %d", resp.StatusCode)
	}
	home = testenv.Body(t, c.Get("/learn"))
	if strings.Count(home, "<h2>About you</h2>") != 1 || !strings.Contains(home, "You started this on your own") {
		t.Error("once on a programme, the home page should show it, and ask about you once")
	}
	// Started on their own, they are in no group: no manager checks news
	// and nobody matches them with a mentor, so neither is offered; how to
	// join a group is.
	if strings.Contains(home, `href="/learn/news"`) || strings.Contains(home, "matched with a mentor") ||
		strings.Count(home, "<h2>Join your group</h2>") != 1 || !strings.Contains(home, `href="/join"`) {
		t.Error("a learner in no group should be shown how to join one, and not offered news or a mentor")
	}
}

func TestAQuizFailedTwiceTakesNoAttemptUntilItsLessonsAreReadAgain(t *testing.T) {
	srv := testenv.NewServer(t, withLoadLearners(2))
	c := srv.SignIn(t, app.LoadUserEmail(1))
	if status := start(t, c, "get-started"); status != http.StatusCreated {
		t.Fatalf("starting Get Started: %d", status)
	}
	q := firstQuiz(t, c, "get-started")
	right := correctAnswers(t, q)
	wrong := map[string][]string{}
	for _, qq := range q.Questions {
		for _, o := range qq.Options {
			if !contains(right[qq.ID], o.ID) && len(wrong[qq.ID]) == 0 {
				wrong[qq.ID] = []string{o.ID}
			}
		}
	}
	for i := range 2 {
		if status, res, _ := postAttempt(t, c, q.ID, wrong, ""); status != http.StatusCreated || res["passed"] != false {
			t.Fatalf("failure %d: %d %v", i+1, status, res)
		}
	}
	status, res, h := postAttempt(t, c, q.ID, right, "")
	if status != http.StatusConflict || h.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(fmt.Sprint(res["detail"]), "Go back over the lessons") {
		t.Fatalf("a third try straight away: %d %s %v, want 409 asking to go back over the lessons", status, h.Get("Content-Type"), res)
	}
	var prog struct {
		Modules []struct {
			Lessons []struct{ ID string }
			Quiz    struct {
				Revisit []string `json:"revisit_lessons"`
			}
		}
	}
	c.JSON("/api/v1/programmes/get-started", &prog)
	var moduleLessons []string
	for _, l := range prog.Modules[0].Lessons {
		moduleLessons = append(moduleLessons, l.ID)
	}
	if fmt.Sprint(prog.Modules[0].Quiz.Revisit) != fmt.Sprint(moduleLessons) {
		t.Errorf("lessons to go over %v, want the module's %v", prog.Modules[0].Quiz.Revisit, moduleLessons)
	}
	checkPage := testenv.Body(t, c.Get("/learn/get-started/checks/"+q.ID))
	if !strings.Contains(checkPage, "Go back over these lessons first") || strings.Contains(checkPage, "Check my answers") {
		t.Error("the check page still offers the check instead of the lessons to go over")
	}
	for _, id := range moduleLessons {
		if page := testenv.Body(t, c.Get("/learn/get-started/lessons/"+id)); !strings.Contains(page, "Read this lesson again") {
			t.Errorf("lesson %s does not ask to be read again", id)
		}
		resp := c.PostForm("/learn/get-started/lessons/"+id+"/complete", nil)
		resp.Body.Close()
	}
	if status, res, _ := postAttempt(t, c, q.ID, right, ""); status != http.StatusCreated || res["passed"] != true {
		t.Errorf("a try after reading the lessons again: %d %v", status, res)
	}
}
