package learning_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app"
	"onramp/app/testenv"
	"onramp/modules/content"
	"onramp/modules/learning"
)

// sharedParts finds the example's shared lesson and check, and the own
// lesson of each programme.
type sharedParts struct {
	lesson, ownA, ownB string
	check              *content.CheckWithContext
}

func findSharedParts(t *testing.T, a *app.App, ex testenv.SharedExample) sharedParts {
	t.Helper()
	ctx := context.Background()
	oa, err := a.Content.Catalogue().OutlineBySlug(ctx, ex.A, false)
	if err != nil {
		t.Fatal(err)
	}
	ob, err := a.Content.Catalogue().OutlineBySlug(ctx, ex.B, false)
	if err != nil {
		t.Fatal(err)
	}
	shared := oa.Modules[1]
	c, err := a.Content.Catalogue().Check(ctx, shared.Check.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sharedParts{lesson: shared.Lessons[0].ID, ownA: oa.Modules[0].Lessons[0].ID, ownB: ob.Modules[1].Lessons[0].ID, check: c}
}

func TestProgressInASharedModuleCountsInEveryProgrammeThatIncludesIt(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	ex := testenv.ImportSharedExample(t, a.Content)
	parts := findSharedParts(t, a, ex)
	u := mustCreateLearner(t, a)
	for _, slug := range []string{ex.A, ex.B} {
		if _, _, err := a.Learning.Start(ctx, u, slug); err != nil {
			t.Fatal(err)
		}
	}
	certificates := func(slug string) int {
		return count(t, `SELECT count(*) FROM certificates c JOIN programmes p ON p.id = c.programme_id
			WHERE c.user_id = ? AND p.slug = ?`, u.ID, slug)
	}

	// B's own lesson first: B is not finished while its shared module is not.
	if _, err := a.Learning.CompleteLessonIn(ctx, u, ex.B, parts.ownB); err != nil {
		t.Fatal(err)
	}
	if certificates(ex.B) != 0 {
		t.Fatal("B was certified before its shared module was done")
	}
	// The shared module, done in A: its lesson and check.
	p, err := a.Learning.CompleteLessonIn(ctx, u, ex.A, parts.lesson)
	if err != nil {
		t.Fatal(err)
	}
	if p.Outline.Programme.Slug != ex.A {
		t.Errorf("completing the shared lesson in %s returned %s's progress", ex.A, p.Outline.Programme.Slug)
	}
	if res, err := a.Learning.SubmitAttempt(ctx, u, parts.check.ID, 0, answersTo(parts.check, true)); err != nil || !res.Passed {
		t.Fatalf("passing the shared check: %+v, %v", res, err)
	}

	// In B it is done too, and that finished B: its certificate is issued.
	pb, err := a.Learning.Progress(ctx, u.ID, ex.B)
	if err != nil {
		t.Fatal(err)
	}
	if !pb.Modules[0].Complete || !pb.Complete {
		t.Errorf("in %s the shared module is complete %v, the programme %v; want both", ex.B, pb.Modules[0].Complete, pb.Complete)
	}
	if certificates(ex.B) != 1 {
		t.Errorf("%s has %d certificates after the shared module finished it, want 1", ex.B, certificates(ex.B))
	}
	// A still needs its own lesson.
	if certificates(ex.A) != 0 {
		t.Error("A was certified without its own lesson")
	}
	if _, err := a.Learning.CompleteLessonIn(ctx, u, ex.A, parts.ownA); err != nil {
		t.Fatal(err)
	}
	if certificates(ex.A) != 1 {
		t.Error("A was not certified when its last own lesson was done")
	}

	// The shared lesson's page in B shows it done, with B's navigation.
	v, err := a.Learning.LessonIn(ctx, u, ex.B, parts.lesson)
	if err != nil {
		t.Fatal(err)
	}
	if v.Progress.Outline.Programme.Slug != ex.B || !v.Done {
		t.Errorf("the shared lesson in %s: shown in %s, done %v", ex.B, v.Progress.Outline.Programme.Slug, v.Done)
	}
}

func TestASharedLessonStartsOnlyTheProgrammesTheLearnerIsOn(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	ex := testenv.ImportSharedExample(t, a.Content)
	parts := findSharedParts(t, a, ex)
	u := mustCreateLearner(t, a)
	if _, err := a.Learning.LessonIn(ctx, u, ex.A, parts.lesson); err == nil {
		t.Fatal("a learner on neither programme read the shared lesson")
	} else if _, ok := learning.NotOnProgramme(err); !ok {
		t.Fatalf("refusal %v, want one that says how to get on the programme", err)
	}
	if _, _, err := a.Learning.Start(ctx, u, ex.A); err != nil {
		t.Fatal(err)
	}
	// Read from B's address, it is shown in A, the programme they are on.
	v, err := a.Learning.LessonIn(ctx, u, ex.B, parts.lesson)
	if err != nil || v.Progress.Outline.Programme.Slug != ex.A {
		t.Fatalf("the shared lesson for a learner on %s only: %v, %v", ex.A, v, err)
	}
	if _, err := a.Learning.CompleteLesson(ctx, u, parts.lesson); err != nil {
		t.Fatal(err)
	}
	started := func(slug string) int {
		return count(t, `SELECT count(*) FROM programme_starts s JOIN programmes p ON p.id = s.programme_id
			WHERE s.user_id = ? AND p.slug = ?`, u.ID, slug)
	}
	if started(ex.A) != 1 || started(ex.B) != 0 {
		t.Errorf("started A %d, B %d times; want A only", started(ex.A), started(ex.B))
	}
}

func TestAQuestionInsideALessonIsAnsweredWithoutJavaScriptAndRecorded(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	parts := findSharedParts(t, srv.App, ex)
	c := srv.SignIn(t, "learner2@example.org").NoRedirects()
	if resp := c.PostForm("/learn/"+ex.A+"/start", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("starting %s: %d", ex.A, resp.StatusCode)
	}
	l, err := srv.App.Content.Catalogue().Lesson(context.Background(), parts.lesson)
	if err != nil || len(l.Questions) != 2 {
		t.Fatalf("the shared lesson's questions: %v, %v", l, err)
	}
	single, multi := l.Questions[0], l.Questions[1]
	wrong, right := single.Options[0], single.Options[1]
	page := "/learn/" + ex.A + "/lessons/" + parts.lesson
	action := page + "/questions/" + single.ID

	body := testenv.Body(t, c.Get(page))
	if !strings.Contains(body, `action="`+action+`"`) || !strings.Contains(body, single.Text) {
		t.Fatal("the lesson page has no form for its question")
	}
	resp := c.PostForm(action, url.Values{})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose an answer.") {
		t.Errorf("an empty answer: %d, want 422 saying to choose one", resp.StatusCode)
	}
	answer := func(q content.Question, options ...string) string {
		t.Helper()
		resp := c.PostForm(page+"/questions/"+q.ID, url.Values{"option": options})
		testenv.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"#question-"+q.ID {
			t.Fatalf("answering: %d to %q, want 303 to the question", resp.StatusCode, resp.Header.Get("Location"))
		}
		return testenv.Body(t, c.Get(page))
	}
	recorded := func() (n int, correct bool) {
		testenv.DB(t).Gorm.Raw(`SELECT count(*) OVER (), correct FROM lesson_answers a JOIN users u ON u.id = a.user_id
			WHERE u.email = 'learner2@example.org' AND a.question_id = ?`, single.ID).Row().Scan(&n, &correct)
		return n, correct
	}

	body = answer(single, wrong.ID)
	feedback := between(t, body, `id="feedback-`+single.ID+`"`, "</div>")
	if !strings.Contains(feedback, "Not quite") || !strings.Contains(feedback, wrong.Feedback) {
		t.Errorf("feedback on a wrong answer: %s", feedback)
	}
	if !strings.Contains(body, `value="`+wrong.ID+`" checked`) {
		t.Error("the answer given is not shown chosen")
	}
	if n, ok := recorded(); n != 1 || ok {
		t.Errorf("after a wrong answer: %d answers recorded, correct %v; want 1, false", n, ok)
	}
	body = answer(single, right.ID)
	if feedback := between(t, body, `id="feedback-`+single.ID+`"`, "</div>"); !strings.Contains(feedback, "Right") ||
		!strings.Contains(feedback, right.Feedback) {
		t.Errorf("feedback on the right answer: %s", feedback)
	}
	if n, ok := recorded(); n != 1 || !ok {
		t.Errorf("after answering again: %d answers recorded, correct %v; want the latest only, right", n, ok)
	}
	// One of two right answers to a multiple-answer question: not yet.
	body = answer(multi, multi.Options[0].ID)
	if feedback := between(t, body, `id="feedback-`+multi.ID+`"`, "</div>"); !strings.Contains(feedback, "At least one more answer is right") {
		t.Errorf("feedback on half an answer: %s", feedback)
	}

	// The same through the API; answers never hold the lesson back.
	raw, _ := json.Marshal(map[string]any{"option_ids": []string{multi.Options[0].ID, multi.Options[1].ID}})
	req := c.Request(http.MethodPost, "/api/v1/lessons/"+parts.lesson+"/questions/"+multi.ID+"/answers", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	resp = c.Do(req)
	var got learning.LessonAnswer
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK || !got.Correct || len(got.Messages) != 2 {
		t.Errorf("API answer: %d %+v %v", resp.StatusCode, got, err)
	}
	resp.Body.Close()
	if resp := c.PostForm(page+"/complete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("completing the lesson: %d", resp.StatusCode)
	}
}

// between returns the part of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		t.Fatalf("no %q in the page", from)
	}
	out, _, _ := strings.Cut(rest, to)
	return out
}

func TestALessonWithARecordingPlaysItInsteadOfTheBrowsersSpeech(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	parts := findSharedParts(t, srv.App, ex)
	c := srv.SignIn(t, "learner3@example.org")
	c.PostForm("/learn/"+ex.B+"/start", nil).Body.Close()
	page := "/learn/" + ex.B + "/lessons/" + parts.lesson
	if body := testenv.Body(t, c.Get(page)); !strings.Contains(body, "data-listen=") || strings.Contains(body, "<audio") {
		t.Fatal("without a recording the lesson should offer the browser's speech, and no player")
	}
	mp3 := append([]byte("\xff\xfb\x90\x64"), make([]byte, 413)...)
	err := srv.App.Content.SetLessonAudio(context.Background(), "", parts.lesson,
		content.FileUpload{Body: bytes.NewReader(mp3), Size: int64(len(mp3)), Filename: "clean-hands.mp3"}, "Clean hands stop germs.")
	if err != nil {
		t.Fatal(err)
	}
	body := testenv.Body(t, c.Get(page))
	if strings.Contains(body, "data-listen=") || !strings.Contains(body, "<audio") || !strings.Contains(body, "Clean hands stop germs.") {
		t.Error("with a recording the lesson should play it, with its transcript, instead of the browser's speech")
	}
	src := between(t, body, `<audio controls preload="none" src="`, `"`)
	resp := c.Get(src)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/mpeg" {
		t.Errorf("the learner fetching the recording: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
