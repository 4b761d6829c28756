package content_test

import (
	"regexp"
	"strings"
	"testing"

	"onramp/modules/content"
)

var (
	// eventHandler is an on...= attribute inside a tag.
	eventHandler = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	// scriptURL is a javascript: (or vbscript:, data:) URL in a tag's href
	// or src; the same words in text are harmless.
	scriptURL = regexp.MustCompile(`(?i)<[^>]+\s(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):`)
)

// FuzzRendererRemovesScript holds the renderer to its promise: whatever an
// editor types, the HTML has no script elements, no event handler
// attributes and no script URLs. `go test -run Fuzz` runs the seeds;
// `go test -fuzz FuzzRendererRemovesScript ./modules/content` explores.
func FuzzRendererRemovesScript(f *testing.F) {
	for _, seed := range []string{
		"",
		"plain text",
		"<script>alert(1)</script>",
		"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
		"<scr<script>ipt>alert(1)</scr</script>ipt>",
		`<img src=x onerror=alert(1)>`,
		`<img src="x" ONERROR = "alert(1)">`,
		`<svg/onload=alert(1)>`,
		`<body onload=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JaVaScRiPt:alert(1)">x</a>`,
		`<a href=" javascript:alert(1)">x</a>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		"[click](javascript:alert(1))",
		"[click](JAVASCRIPT:alert(1))",
		"[click](<javascript:alert(1)>)",
		"![x](javascript:alert(1))",
		"[x]: javascript:alert(1)\n\n[link][x]",
		"<javascript:alert(1)>",
		`<iframe src="javascript:alert(1)"></iframe>`,
		`<form action="javascript:alert(1)"><button>x</button></form>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		"```\n<script>alert(1)</script>\n```",
		"`<script>`",
		"| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
		"~~<a href=\"javascript:alert(1)\">x</a>~~",
		"<!-- <script>alert(1)</script> -->",
		"<details open ontoggle=alert(1)>",
		`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
		"href=javascript: in plain text is harmless",
		"## Heading\n\n- list\n- **bold** and _em_\n\n> quote",
	} {
		f.Add(seed)
	}
	r := content.NewRenderer()
	f.Fuzz(func(t *testing.T, src string) {
		out := string(r.HTML(src))
		lower := strings.ToLower(out)
		if strings.Contains(lower, "<script") {
			t.Errorf("output has a script element:\n%s", out)
		}
		if eventHandler.MatchString(out) {
			t.Errorf("output has an event handler attribute:\n%s", out)
		}
		if scriptURL.MatchString(out) {
			t.Errorf("output has a script URL:\n%s", out)
		}
	})
}

func TestRendererKeepsOrdinaryMarkdown(t *testing.T) {
	out := string(content.NewRenderer().HTML("## Your shift\n\n- Arrive **early**\n- [NHS](https://www.nhs.uk)\n"))
	for _, want := range []string{"<h2>Your shift</h2>", "<strong>early</strong>", `href="https://www.nhs.uk"`, `rel="nofollow`} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered Markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestOnlyThisAppsPicturesWithAltTextAreShownInLessonText(t *testing.T) {
	const id = "0f8bcd32-d6f3-4e2c-859c-27dbe382c0fc"
	r := content.NewRenderer()
	for src, want := range map[string]string{
		"![A porter](/media/" + id + ")":         `<img src="/media/` + id + `" alt="A porter">`,
		"![A porter](https://example.com/p.png)": "<p>A porter</p>",
		"![A porter](/media/../admin)":           "<p>A porter</p>",
		"![](/media/" + id + ")":                 "<p></p>",
		`<img src="/media/` + id + `" alt="x">`:  "",
	} {
		if got := strings.TrimSpace(string(r.HTML(src))); !strings.Contains(got, want) || (strings.Contains(got, "<img") && !strings.Contains(want, "<img")) {
			t.Errorf("%s rendered as %s, want %s", src, got, want)
		}
	}
}
