package devidp_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// body reads resp's body as a string.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSignInPageListsEveryUserWithoutScriptOrStyle(t *testing.T) {
	for _, mount := range mounts {
		t.Run("mount="+mount, func(t *testing.T) {
			f := newFixture(t, mount)
			fl := newFlow()
			resp := f.get(t, f.authURL(fl))
			page := body(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{
				`<html lang="en">`, "<title>", "<main", "<h1", `class="nhsuk-width-container"`,
				`<link rel="stylesheet" href="/static/app.css">`,
				`<form method="get" action="` + f.mount + `/authorize">`,
				`<input type="hidden" name="state" value="` + fl.state + `">`,
				`<input type="hidden" name="code_challenge" value="` + oauth2.S256ChallengeFromVerifier(fl.verifier) + `">`,
				"Lena Learner", "Max Mentor", "Ada Admin", "mentor, learner",
				`name="login_hint" value="learner@example.test">Sign in as Lena Learner</button>`,
				`name="login_hint" value="Mentor@Example.test">Sign in as Max Mentor</button>`,
				`name="login_hint" value="admin@example.test">Sign in as Ada Admin</button>`,
				"Cancel sign-in</button>",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			for _, banned := range []string{"<script", "style=", "<style", "onclick", "nhsuk-error-summary"} {
				if strings.Contains(page, banned) {
					t.Errorf("page contains %s", banned)
				}
			}
		})
	}
}

func TestSignInPageFormSignsInWithoutJavaScript(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	page := body(t, f.get(t, f.authURL(fl)))

	// Submit the first user's form the way a browser would: its hidden
	// inputs plus the button's name and value, to the form's action.
	form := page[strings.Index(page, "<form"):]
	form = form[:strings.Index(form, "</form>")]
	values := url.Values{}
	for _, input := range strings.Split(form, "<input")[1:] {
		values.Add(html.UnescapeString(attr(input, "name")), html.UnescapeString(attr(input, "value")))
	}
	button := form[strings.Index(form, "<button"):]
	values.Add(attr(button, "name"), html.UnescapeString(attr(button, "value")))
	action := strings.TrimSuffix(f.issuer, "/dev/idp") + attr(form, "action")

	q := redirectQuery(t, f.get(t, action+"?"+values.Encode()), redirectURI)
	if q.Get("code") == "" || q.Get("state") != fl.state {
		t.Fatalf("redirect query = %v, want a code and the state", q)
	}
	if _, err := f.exchange(fl, q.Get("code")); err != nil {
		t.Errorf("exchange after form sign-in: %v", err)
	}
}

// attr returns the value of the first name="..." attribute in s.
func attr(s, name string) string {
	_, after, ok := strings.Cut(s, " "+name+`="`)
	if !ok {
		return ""
	}
	value, _, _ := strings.Cut(after, `"`)
	return value
}

func TestUnknownLoginHintShowsThePageWithAnError(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	resp := f.get(t, f.authURL(newFlow(), oauth2.SetAuthURLParam("login_hint", "stranger@example.test")))
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, want := range []string{"<title>Error: ", "nhsuk-error-summary", "stranger@example.test", "Sign in as Lena Learner"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// The failed hint is not carried into the forms.
	if strings.Contains(page, `name="login_hint" value="stranger@example.test"`) {
		t.Error("unknown hint re-submitted by the forms")
	}
}

func TestCancelOnSignInPageReturnsAccessDenied(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	q := redirectQuery(t, f.get(t, f.authURL(fl, oauth2.SetAuthURLParam("devidp_cancel", "1"))), redirectURI)
	if q.Get("error") != "access_denied" || q.Get("state") != fl.state || q.Get("code") != "" {
		t.Errorf("redirect query = %v, want access_denied", q)
	}
}
