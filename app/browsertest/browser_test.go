package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
)

// csp is the policy the app sends: no inline script, no inline style.
const csp = "default-src 'self'; script-src 'self'"

// accessiblePage meets WCAG 2.2 AA. Its inline script must not run, which
// shows the policy is in force while axe-core scans the page.
const accessiblePage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accessible page</title>
</head>
<body>
<script>window.inlineScriptRan = true;</script>
<main>
<h1>Start your learning</h1>
<p>Choose a programme to begin.</p>
<img src="/dot.svg" alt="A blue dot" width="16" height="16">
<form method="post" action="/">
<label for="name">Full name</label>
<input id="name" name="name" type="text" autocomplete="name">
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>`

// inaccessiblePage has two critical violations: an image with no
// alternative text and a text field with no label.
const inaccessiblePage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Inaccessible page</title>
</head>
<body>
<main>
<h1>Broken page</h1>
<img src="/dot.svg" id="no-alt">
<form method="post" action="/">
<input id="unlabelled" name="unlabelled" type="text">
</form>
</main>
</body>
</html>`

// tallPage is longer than any viewport, to show screenshots take the whole
// page and not only what is on screen.
const tallPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tall page</title>
<link rel="stylesheet" href="/tall.css">
</head>
<body><main><h1>Tall page</h1><div class="tall"></div></main></body>
</html>`

// repeatingPage repeats a heading, as the learner home page once did with
// a block in each programme card.
const repeatingPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>My learning</title></head>
<body><main>
<h1>My learning</h1>
<section><h2>Get Started</h2><h3>About you</h3><p>Tell us about yourself.</p></section>
<section><h2>Get Into</h2><h3>About   you</h3><p>Tell us about yourself.</p></section>
<section><h2>Step into Work</h2><h3>ABOUT YOU</h3></section>
</main></body>
</html>`

const tallCSS = `body { margin: 0; } .tall { height: 3000px; background: #005eb8; }`

const dotSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="8" fill="#005eb8"/></svg>`

// newSite serves the test pages, each with the app's CSP.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	serve := func(contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Content-Type", contentType)
			w.Write([]byte(body))
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /accessible", serve("text/html; charset=utf-8", accessiblePage))
	mux.Handle("GET /inaccessible", serve("text/html; charset=utf-8", inaccessiblePage))
	mux.Handle("GET /repeating", serve("text/html; charset=utf-8", repeatingPage))
	mux.Handle("GET /tall", serve("text/html; charset=utf-8", tallPage))
	mux.Handle("GET /tall.css", serve("text/css", tallCSS))
	mux.Handle("GET /dot.svg", serve("image/svg+xml", dotSVG))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestNavigateReadsLocationAndText(t *testing.T) {
	srv := newSite(t)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/accessible")

	if got, want := b.Location(t), srv.URL+"/accessible"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
	if got, want := b.Text(t, "h1"), "Start your learning"; got != want {
		t.Errorf("Text(h1) = %q, want %q", got, want)
	}
}

func TestCheckAccessibilityPassesAccessiblePageUnderCSP(t *testing.T) {
	srv := newSite(t)
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/accessible")

	ctx, cancel := context.WithTimeout(b.Ctx(), 10*time.Second)
	defer cancel()
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.inlineScriptRan === true`))
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("the page's inline script ran, so the CSP is not in force and this test proves nothing")
	}

	if vs := b.Violations(t); len(vs) != 0 {
		t.Errorf("accessible page has violations: %v", vs)
	}
	b.CheckAccessibility(t)
}

func TestViolationsFindsMissingAltTextAndLabel(t *testing.T) {
	srv := newSite(t)
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/inaccessible")

	vs := b.Violations(t)

	for _, want := range []struct{ id, target string }{
		{"image-alt", "#no-alt"},
		{"label", "#unlabelled"},
	} {
		i := slices.IndexFunc(vs, func(v browsertest.Violation) bool { return v.ID == want.id })
		if i < 0 {
			t.Errorf("no %s violation in %v", want.id, vs)
			continue
		}
		v := vs[i]
		if v.Impact != "critical" && v.Impact != "serious" {
			t.Errorf("%s impact = %q, want serious or critical, so CheckAccessibility fails on it", v.ID, v.Impact)
		}
		if !slices.Contains(v.Targets, want.target) {
			t.Errorf("%s targets = %q, want %q among them", v.ID, v.Targets, want.target)
		}
		if v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") {
			t.Errorf("%s has no help text or link: %+v", v.ID, v)
		}
	}
}

func TestRepeatedHeadingsFindsAHeadingSaidTwice(t *testing.T) {
	srv := newSite(t)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/accessible")
	if r := b.RepeatedHeadings(t); len(r) != 0 {
		t.Errorf("a page with distinct headings has repeats %q", r)
	}

	// Navigate runs the check itself, so reach the page without it.
	b.Run(t, chromedp.Navigate(srv.URL+"/repeating"))
	if r := b.RepeatedHeadings(t); !slices.Equal(r, []string{"About you"}) {
		t.Errorf("RepeatedHeadings = %q, want the one repeated heading, once", r)
	}
	rec := &recorder{TB: t}
	b.CheckHeadings(rec)
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "About you") {
		t.Errorf("CheckHeadings reported %q, want one failure naming the heading", rec.errors)
	}
}

// recorder is a test that keeps its failures instead of failing, to show a
// check fails when it should.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestScreenshotsSavesFullPagePNGsAtPhoneAndDesktopWidths(t *testing.T) {
	srv := newSite(t)
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/tall")

	paths := b.Screenshots(t, "browsertest self-test/tall")

	if len(paths) != 2 {
		t.Fatalf("Screenshots returned %d paths, want 2: %q", len(paths), paths)
	}
	for i, width := range []int{360, 1280} {
		path := paths[i]
		if want := fmt.Sprintf("/.artifacts/screenshots/browsertest-self-test-tall-%d.png", width); !strings.HasSuffix(path, want) {
			t.Errorf("path = %q, want it to end with %q", path, want)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", path, err)
		}
		if got := img.Bounds().Dx(); got != width {
			t.Errorf("%s is %d px wide, want %d", path, got, width)
		}
		if got := img.Bounds().Dy(); got < 3000 {
			t.Errorf("%s is %d px tall, want the whole 3000 px page", path, got)
		}
	}

	if got, want := b.Text(t, "h1"), "Tall page"; got != want {
		t.Errorf("after screenshots, Text(h1) = %q, want %q", got, want)
	}
}
