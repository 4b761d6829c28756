package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app"
	"onramp/app/browsertest"
	"onramp/app/config"
	"onramp/app/testenv"
)

// An editor types a lesson, uploads a picture without saving first, and
// the text is still there; they place the picture inside the text and
// publish into a programme a learner is on, which asks first.
func TestAnEditorUploadsAPictureWithoutLosingTextAndPlacesItInTheLesson(t *testing.T) {
	// A learner no other test moves on: one of the load learners.
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = 5 })
	learnerEmail := app.LoadUserEmail(4)
	editor := srv.SignIn(t, "editor@example.org").NoRedirects()
	slug := strings.ReplaceAll(testenv.Unique("pictures"), " ", "-")
	post := func(path string, form url.Values) string {
		t.Helper()
		resp := editor.PostForm(path, form)
		testenv.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		id, _, _ := strings.Cut(loc[strings.LastIndex(loc, "/")+1:], "?")
		return id
	}
	programme := post("/admin/content/programmes", url.Values{"title": {"Pictures course"}, "slug": {slug}})
	module := post("/admin/content/programmes/"+programme+"/modules", url.Values{"title": {"Who you will meet"}})
	lesson := post("/admin/content/modules/"+module+"/lessons", url.Values{"title": {"Porters"}})
	post("/admin/content/programmes/"+programme, url.Values{"title": {"Pictures course"}, "published": {"true"}, "open_enrolment": {"true"}})
	post("/admin/content/modules/"+module, url.Values{"title": {"Who you will meet"}, "published": {"true"}})

	picture := filepath.Join(t.TempDir(), "porter.png")
	img := image.NewRGBA(image.Rect(0, 0, 1200, 600)) // wider than a phone
	for x := range 1200 {
		for y := range 600 {
			img.Set(x, y, color.RGBA{0, 94, 184, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(picture, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t)
	signIn(t, b, srv, "editor@example.org", "/admin/content")
	b.Navigate(t, srv.URL+"/admin/content/lessons/"+lesson)
	const text = "Porters move patients around the hospital safely. They know every corridor."
	b.Run(t,
		chromedp.SendKeys(chromedp.CSS("#body"), text),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{picture}),
		chromedp.SendKeys(chromedp.CSS("#alt"), "A porter pushing a patient in a wheelchair"),
		chromedp.Click(chromedp.CSS(`button[value="upload"]`)),
	)
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(".app-snippet")))
	if body := evaluate[string](t, b, `document.getElementById('body').value`); body != text {
		t.Fatalf("after uploading, the lesson text is %q, want what was typed", body)
	}
	checkAtPhoneAndDesktop(t, b, "lesson-editor-after-upload")

	// Place the picture in the text, tick Published and save: a learner
	// is on the programme, so it asks first.
	f := testenv.NewFixtures(t)
	cohort, _ := f.Cohort(testenv.Cohort{Organisation: f.Organisation("Pictures trust", "trust"), Programme: slug})
	learner, _ := f.Learner(testenv.Learner{})
	f.Enrol(cohort, learner, time.Time{})
	snippet := b.Text(t, ".app-snippet")
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#body"), "\n\n"+snippet+"\n\nSay hello when you meet one."))
	tick(t, b, "published")
	b.Run(t, chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(".nhsuk-warning-callout")))
	if msg := b.Text(t, "main"); !strings.Contains(msg, "1 learner on Pictures course will see this lesson straight away") {
		t.Errorf("the publish confirmation says %q", msg)
	}
	checkAtPhoneAndDesktop(t, b, "lesson-publish-confirm")
	b.Run(t, chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))

	// The learner's lesson shows the picture inside the text, within a phone.
	learnerClient := srv.SignIn(t, learnerEmail).NoRedirects()
	testenv.Body(t, learnerClient.PostForm("/learn/"+slug+"/start", nil))
	lb := browsertest.New(t)
	signIn(t, lb, srv, learnerEmail, "/learn")
	lb.Navigate(t, srv.URL+"/learn/"+slug+"/lessons/"+lesson)
	lb.Run(t, chromedp.WaitVisible(chromedp.CSS(`#lesson-text img[alt="A porter pushing a patient in a wheelchair"]`)))
	checkAtPhoneAndDesktop(t, lb, "lesson-inline-picture")
}
