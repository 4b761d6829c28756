// Package browsertest drives headless Debian Chromium from end-to-end tests:
// one browser per test, helpers to navigate and read the page, an axe-core
// accessibility scan and full-page screenshots at phone and desktop widths.
//
// Every helper takes the test and fails it on error, so a journey reads as a
// list of steps. For anything the helpers lack, run chromedp actions on
// [Browser.Ctx] or through [Browser.Run].
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const (
	// callTimeout bounds each helper call, so a page that never answers
	// fails the test with a message instead of hanging until the go test
	// deadline.
	callTimeout = 30 * time.Second
	// startTimeout bounds the start of Chromium, which is slower than a
	// call on a busy CI machine.
	startTimeout = 60 * time.Second

	// chromiumPath is where Debian's chromium package puts the browser.
	chromiumPath = "/usr/bin/chromium"
	// missingChromium is the failure when no browser is installed.
	missingChromium = "Chromium is not installed: run `make chromium` (apt-get install -y chromium)"
)

// screenshotWidths are the viewport widths of [Browser.Screenshots]: a small
// phone and a desktop.
var screenshotWidths = []int64{360, 1280}

// Browser is one headless Chromium with one tab, owned by one test.
type Browser struct {
	ctx context.Context
	axe string // axe-core source, read on the first scan
}

// New starts headless Chromium for the test and closes it when the test ends.
// It looks for /usr/bin/chromium, then for chromium on PATH, and fails the
// test with the command to install it when there is neither.
//
// The browser runs with a fresh temporary profile, which chromedp creates and
// removes, and with no sandbox, so that it runs as root in CI containers. It
// makes no network requests of its own (no updates, sync or QUIC), because the
// test machines have no internet.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		t.Fatal(missingChromium)
	}

	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	// The first call starts the browser. It must not run on a context with
	// a deadline, because that deadline would stop the whole browser, so
	// the start is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting Chromium (%s): %v", path, err)
		}
	case <-time.After(startTimeout):
		cancelTab()
		t.Fatalf("starting Chromium (%s): no answer after %s", path, startTimeout)
	}
	return &Browser{ctx: ctx}
}

// findChromium returns the path of the Chromium binary, or an error when it
// is not installed.
func findChromium() (string, error) {
	if info, err := os.Stat(chromiumPath); err == nil && !info.IsDir() {
		return chromiumPath, nil
	}
	return exec.LookPath("chromium")
}

// Ctx returns the chromedp context of the browser's tab, for custom actions
// with chromedp.Run or chromedp.Do. It has no deadline; add one per call.
func (b *Browser) Ctx() context.Context {
	return b.ctx
}

// Run runs the actions in order in the browser's tab and fails the test at
// the first error. Each call has a 30 second timeout.
func (b *Browser) Run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, callTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// run runs one action that returns a value, with the same timeout as Run,
// and fails the test with what it was doing when the action fails.
func run[T any](t testing.TB, b *Browser, doing string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, callTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("browser: %s: %v", doing, err)
	}
	return v
}

// Navigate loads url in the tab and waits until the page has loaded and its
// body is ready. It fails the test when the page cannot be loaded, and marks
// it failed when the page repeats a heading (see [Browser.CheckHeadings]).
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	run(t, b, "navigating to "+url, chromedp.Steps(
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	))
	b.CheckHeadings(t)
}

// CheckPage runs every check a page must pass: the accessibility scan
// ([Browser.CheckAccessibility]), no repeated headings
// ([Browser.CheckHeadings]) and no sideways scrolling on a small phone
// with large text ([Browser.CheckReflow]).
func (b *Browser) CheckPage(t testing.TB) {
	t.Helper()
	b.CheckAccessibility(t)
	b.CheckHeadings(t)
	b.CheckReflow(t)
}

// Reflow is the narrowest screen and the largest text every page must
// fit without scrolling sideways: 320 CSS pixels wide (WCAG 1.4.10) with
// text at twice its size (WCAG 1.4.4), as a phone user who turned the
// text size up sees it.
const (
	ReflowWidth     = 320
	ReflowTextScale = 200 // percent
)

// reflowScript doubles the root font size (the NHS.UK styles size text
// in rem, so this is what a browser's text-size setting does), lets the
// page's scripts react as they would to a resize (the header folds menu
// items it has no room for into "More"), measures how far the page is
// wider than the window, names up to five of the elements that stick out
// furthest (skipping those inside a box that scrolls on its own, such as
// a wide table's wrapper), and puts the text size back.
const reflowScript = `(async () => {
  const root = document.documentElement, old = root.style.fontSize;
  const settle = () => new Promise(r => { window.dispatchEvent(new Event('resize')); setTimeout(() => requestAnimationFrame(() => r()), 250); });
  root.style.fontSize = '%d%%';
  await settle();
  const width = root.clientWidth, over = root.scrollWidth - width, culprits = [];
  if (over > 0) {
    const scrolls = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (scrolls(el)) continue;
      const r = el.getBoundingClientRect();
      const spills = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible';
      if (r.width > 0 && (r.right > width + 1 || spills)) wide.push([Math.max(r.right, r.left + el.scrollWidth), name(el) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"']);
    }
    wide.sort((a, b) => b[0] - a[0]);
    for (const [right, what] of wide.slice(0, 5)) culprits.push(Math.round(right) + 'px ' + what);
  }
  root.style.fontSize = old;
  await settle();
  return {over, culprits};
})()`

// reflow is what reflowScript finds.
type reflow struct {
	Over     int
	Culprits []string
}

// SidewaysScroll lays the page in the tab out at [ReflowWidth] with text
// at [ReflowTextScale] and returns how many pixels it is wider than the
// screen (0 when it fits) and the elements sticking out furthest. The
// viewport and text size are put back afterwards.
func (b *Browser) SidewaysScroll(t testing.TB) (int, []string) {
	t.Helper()
	defer b.resetViewport(t)
	res := run(t, b, "measuring the page at 320 px with large text", func(ctx context.Context, tab *chromedp.Target) (reflow, error) {
		if _, err := chromedp.EmulateViewport(ReflowWidth, 640)(ctx, tab); err != nil {
			return reflow{}, err
		}
		return chromedp.Evaluate[reflow](fmt.Sprintf(reflowScript, ReflowTextScale), chromedp.EvalAwaitPromise)(ctx, tab)
	})
	return res.Over, res.Culprits
}

// CheckReflow marks the test failed when the page in the tab scrolls
// sideways at [ReflowWidth] with text at [ReflowTextScale], naming the
// elements that stick out.
//
// The development sign-in page (/dev/idp) is not measured: it is not
// Onramp's own page and `onramp serve` never serves it.
func (b *Browser) CheckReflow(t testing.TB) {
	t.Helper()
	if u, err := url.Parse(b.Location(t)); err == nil && strings.HasPrefix(u.Path, "/dev/idp/") {
		return
	}
	if over, culprits := b.SidewaysScroll(t); over > 0 {
		t.Errorf("browser: %s scrolls sideways by %d px at %d px wide with text at %d%%:\n  %s",
			b.Location(t), over, ReflowWidth, ReflowTextScale, strings.Join(culprits, "\n  "))
	}
}

// headingsScript lists the text of every heading on the page, visible or
// not, with white space collapsed.
const headingsScript = `Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]'))
	.map(h => h.textContent.replace(/\s+/g, ' ').trim()).filter(s => s !== '')`

// RepeatedHeadings returns each heading text that appears more than once on
// the page in the tab (compared without regard to case), in page order.
// A page that says the same thing twice under the same heading reads as a
// mistake to the person using it.
func (b *Browser) RepeatedHeadings(t testing.TB) []string {
	t.Helper()
	headings := run(t, b, "reading the headings", chromedp.Evaluate[[]string](headingsScript))
	seen := map[string]int{}
	var repeated []string
	for _, h := range headings {
		key := strings.ToLower(h)
		if seen[key]++; seen[key] == 2 {
			repeated = append(repeated, h)
		}
	}
	return repeated
}

// CheckHeadings marks the test failed when the page in the tab repeats a
// heading, naming each repeated heading and the page.
func (b *Browser) CheckHeadings(t testing.TB) {
	t.Helper()
	if r := b.RepeatedHeadings(t); len(r) > 0 {
		t.Errorf("headings repeated on %s: %q", b.Location(t), r)
	}
}

// Location returns the URL of the page in the tab.
func (b *Browser) Location(t testing.TB) string {
	t.Helper()
	return run(t, b, "reading the location", chromedp.Location())
}

// Text returns the visible text of the first element that matches the CSS
// selector. It waits for the element to appear, and fails the test when it
// does not within the call timeout.
func (b *Browser) Text(t testing.TB, selector string) string {
	t.Helper()
	return run(t, b, "reading the text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Violation is one accessibility rule that the page breaks, as axe-core
// reports it.
type Violation struct {
	// ID names the axe-core rule, such as "image-alt".
	ID string `json:"id"`
	// Impact is "minor", "moderate", "serious" or "critical".
	Impact string `json:"impact"`
	// Help says in a sentence what the rule asks for.
	Help string `json:"help"`
	// HelpURL explains the rule and how to fix it.
	HelpURL string `json:"helpUrl"`
	// Nodes counts the elements that break the rule.
	Nodes int `json:"nodes"`
	// Targets are CSS selectors of the first few elements that break it.
	Targets []string `json:"targets"`
}

// String formats the violation for a test failure.
func (v Violation) String() string {
	return fmt.Sprintf("%s (%s, %d element(s)): %s, at %s; see %s",
		v.ID, v.Impact, v.Nodes, v.Help, strings.Join(v.Targets, ", "), v.HelpURL)
}

// serious reports whether the violation fails CheckAccessibility.
func (v Violation) serious() bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// wcagTags are the axe-core tags of the WCAG 2.0, 2.1 and 2.2 level A and
// AA rules. Best-practice rules are left out on purpose: they are advice, not
// the standard the service is held to.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// maxTargets is how many offending elements a violation names.
const maxTargets = 5

// axeRunScript runs axe-core on the whole document and resolves to the
// violations in the shape of Violation. A target is a list of selectors
// through iframes, each item a string or, inside shadow DOM, a list.
const axeRunScript = `axe.run(document, {
	runOnly: {type: 'tag', values: %s},
	resultTypes: ['violations'],
}).then(result => result.violations.map(v => ({
	id: v.id,
	impact: v.impact || '',
	help: v.help,
	helpUrl: v.helpUrl,
	nodes: v.nodes.length,
	targets: v.nodes.slice(0, %d).map(n => n.target
		.map(s => Array.isArray(s) ? s.join(' >>> ') : s)
		.join(' ')),
})))`

// Violations scans the page in the tab with axe-core against the WCAG 2.0,
// 2.1 and 2.2 A and AA rules and returns every violation, whatever its
// impact. It fails the test when axe-core is not installed (run `make npm`)
// or the scan fails.
//
// axe-core goes in through the DevTools protocol (Runtime.evaluate), which
// the page's Content-Security-Policy does not govern, so the scan works on
// pages that forbid inline script without turning the policy off.
func (b *Browser) Violations(t testing.TB) []Violation {
	t.Helper()
	if b.axe == "" {
		b.axe = readAxe(t)
	}
	loaded := run(t, b, "looking for axe-core", chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if !loaded {
		// The trailing void keeps the script's own value, a large object,
		// from being sent back over the protocol.
		run(t, b, "injecting axe-core", chromedp.Evaluate[chromedp.Void](b.axe+"\n;void 0"))
	}
	tags, err := json.Marshal(wcagTags)
	if err != nil {
		t.Fatalf("browser: encoding axe-core tags: %v", err)
	}
	script := fmt.Sprintf(axeRunScript, tags, maxTargets)
	return run(t, b, "running axe-core", chromedp.Evaluate[[]Violation](script, chromedp.EvalAwaitPromise))
}

// readAxe returns the source of axe-core from the npm install in assets/.
func readAxe(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	path := filepath.Join(root, "assets", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("axe-core is not installed (%s is missing): run `make npm`", path)
	}
	if err != nil {
		t.Fatalf("browser: reading axe-core: %v", err)
	}
	return string(src)
}

// CheckAccessibility scans the page in the tab with axe-core (see
// [Browser.Violations]). It marks the test failed, listing each violation,
// when any has a serious or critical impact, and logs minor and moderate
// ones. The test carries on after a failure, so one run reports every
// inaccessible page of a journey.
func (b *Browser) CheckAccessibility(t testing.TB) {
	t.Helper()
	violations := b.Violations(t)
	var failing []string
	for _, v := range violations {
		if v.serious() {
			failing = append(failing, "  - "+v.String())
			continue
		}
		t.Logf("accessibility, not failing: %s", v)
	}
	if len(failing) > 0 {
		t.Errorf("accessibility: %d serious or critical WCAG violation(s) on %s:\n%s",
			len(failing), b.Location(t), strings.Join(failing, "\n"))
	}
}

// Screenshots saves full-page PNG screenshots of the page in the tab at 360
// and 1280 pixels wide, as <module root>/.artifacts/screenshots/<name>-360.png
// and <name>-1280.png, and returns their paths. Characters of name that do not
// belong in a file name become "-". The viewport is reset afterwards.
func (b *Browser) Screenshots(t testing.TB, name string) []string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	dir := filepath.Join(root, ".artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browser: %v", err)
	}
	defer b.resetViewport(t)

	var paths []string
	for _, width := range screenshotWidths {
		png := run(t, b, fmt.Sprintf("taking a screenshot %d px wide", width), fullPage(width))
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", fileName(name), width))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatalf("browser: %v", err)
		}
		paths = append(paths, path)
	}
	return paths
}

// resetViewport gives the tab back the window's own size after Screenshots.
// It runs deferred, so it reports an error without stopping the test.
func (b *Browser) resetViewport(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, callTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}))
	if err != nil {
		t.Errorf("browser: resetting the viewport: %v", err)
	}
}

// maxScreenshotHeight keeps a runaway page under Chromium's largest texture.
const maxScreenshotHeight = 16384

// fullPage lays the page out at the width and captures all of it as a PNG,
// one image pixel per CSS pixel.
func fullPage(width int64) chromedp.Action[[]byte] {
	return func(ctx context.Context, tab *chromedp.Target) ([]byte, error) {
		if _, err := chromedp.EmulateViewport(width, 800)(ctx, tab); err != nil {
			return nil, err
		}
		height, err := chromedp.Evaluate[float64](
			`Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)`)(ctx, tab)
		if err != nil {
			return nil, err
		}
		height = min(max(height, 1), maxScreenshotHeight)
		beyond, fromSurface := true, true
		shot, err := cdp.Call(ctx, tab, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: float64(width), Height: height, Scale: 1},
			FromSurface:           &fromSurface,
			CaptureBeyondViewport: &beyond,
		})
		if err != nil {
			return nil, err
		}
		return shot.Data, nil
	}
}

// unsafeFileChars matches what fileName replaces.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes name safe to use as a file name.
func fileName(name string) string {
	name = strings.Trim(unsafeFileChars.ReplaceAllString(name, "-"), "-.")
	if name == "" {
		return "page"
	}
	return name
}

// moduleRoot returns the directory of go.mod, walking up from the working
// directory, which go test sets to the package under test.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod in %s or any folder above it", wd)
		}
	}
}
