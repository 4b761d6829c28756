package render

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"

	"onramp/assets"
)

// partial renders one of the shared form partials with the real layout
// templates and template functions, as a page would.
func partial(t *testing.T, name string, kv ...any) string {
	t.Helper()
	e, err := engine()
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		params[kv[i].(string)] = kv[i+1]
	}
	var buf bytes.Buffer
	if err := e.layout.ExecuteTemplate(&buf, name, params); err != nil {
		t.Fatalf("rendering %s: %v", name, err)
	}
	return buf.String()
}

// engine parses the real templates once for all the tests here.
var engine = sync.OnceValues(func() (*Engine, error) {
	static, err := NewStatic(assets.Static)
	if err != nil {
		return nil, err
	}
	return New(assets.Templates, static)
})

// openingTag is the start tag of the element with id, or "" if none.
func openingTag(page, id string) string {
	return regexp.MustCompile(`<[a-z]+ [^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(page)
}

// attr is the value of attribute name in an opening tag.
func attr(tag, name string) (string, bool) {
	m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func hasClass(tag, class string) bool {
	c, _ := attr(tag, "class")
	for _, f := range strings.Fields(c) {
		if f == class {
			return true
		}
	}
	return false
}

// describedTag finds the tag that carries aria-describedby for a partial:
// the control itself, or the fieldset that groups several.
func describedTag(page, controlID string) string {
	if f := regexp.MustCompile(`<fieldset [^>]*aria-describedby="[^"]*"[^>]*>`).FindString(page); f != "" {
		return f
	}
	return openingTag(page, controlID)
}

func TestEveryFormPartialShowsItsErrorBesideTheFieldTheNHSWay(t *testing.T) {
	yes, _ := formFuncs["option"].(func(any, any, ...any) (Option, error))("yes", "Yes")
	no, _ := formFuncs["option"].(func(any, any, ...any) (Option, error))("no", "No")
	cases := []struct {
		partial    string
		params     []any
		control    string // id of the control the summary links to
		errorClass string // the control's own error modifier, if it has one
	}{
		{"field", []any{"Name", "title", "ID", "lesson-title", "Label", "Title", "Value", "Kept"}, "lesson-title", "nhsuk-input--error"},
		{"textarea", []any{"Name", "body", "Label", "Lesson text", "Value", "Kept"}, "body", "nhsuk-textarea--error"},
		{"select", []any{"Name", "cohort", "Label", "Cohort", "Empty", "Choose a cohort", "Options", []Option{yes, no}}, "cohort", "nhsuk-select--error"},
		{"radios", []any{"Name", "kind", "Legend", "What are they doing now?", "Options", []Option{yes, no}}, "kind", ""},
		{"checkboxes", []any{"Name", "ticks", "Legend", "Tick all that apply", "Options", []Option{yes, no}}, "ticks", ""},
		{"checkbox", []any{"Name", "confirm", "Value", "yes", "Label", "Yes, delete it"}, "confirm", ""},
		{"dateinput", []any{"Name", "start", "Legend", "Start date", "day", "1", "month", "2", "year", "2026"}, "start", ""},
		{"fileupload", []any{"Name", "file", "Label", "CSV file", "Accept", ".csv"}, "file", ""},
	}
	for _, c := range cases {
		t.Run(c.partial, func(t *testing.T) {
			// The summary's link (#Field) must land on the control; the
			// group's hint and error ids are built from the same id.
			id := c.control
			withError := partial(t, c.partial, append(c.params, "Hint", "A hint", "Error", "Enter a thing")...)
			if !strings.Contains(withError, `<div class="nhsuk-form-group nhsuk-form-group--error`) {
				t.Errorf("the group is not marked as in error:\n%s", withError)
			}
			wantMsg := `<span class="nhsuk-error-message" id="` + id + `-error"><span class="nhsuk-u-visually-hidden">Error: </span>Enter a thing</span>`
			if !strings.Contains(withError, wantMsg) {
				t.Errorf("no NHS error message %s:\n%s", wantMsg, withError)
			}
			if !regexp.MustCompile(`<div class="nhsuk-hint( nhsuk-checkboxes__hint)?" id="` + id + `-hint">A hint</div>`).MatchString(withError) {
				t.Errorf("no hint with id %s-hint:\n%s", id, withError)
			}
			if strings.Index(withError, `id="`+id+`-error"`) > strings.Index(withError, `id="`+id+`"`) && c.partial != "dateinput" {
				t.Errorf("the message comes after the control, so it is read after it:\n%s", withError)
			}
			control := openingTag(withError, id)
			if control == "" && c.partial != "dateinput" {
				t.Fatalf("no control with id %q for the error summary to link to:\n%s", id, withError)
			}
			if c.partial == "dateinput" {
				control = openingTag(withError, id+"-day")
			}
			if c.errorClass != "" && !hasClass(control, c.errorClass) {
				t.Errorf("the control %s lacks %s", control, c.errorClass)
			}
			described, _ := attr(describedTag(withError, id), "aria-describedby")
			if !slicesEqual(strings.Fields(described), []string{id + "-hint", id + "-error"}) && !slicesEqual(strings.Fields(described), []string{id + "-error", id + "-hint"}) {
				t.Errorf("aria-describedby = %q, want the hint and the error", described)
			}

			clean := partial(t, c.partial, append(c.params, "Hint", "A hint")...)
			if strings.Contains(clean, "error") {
				t.Errorf("without an error the markup still mentions one:\n%s", clean)
			}
			described, _ = attr(describedTag(clean, id), "aria-describedby")
			if described != id+"-hint" {
				t.Errorf("without an error, aria-describedby = %q, want %q", described, id+"-hint")
			}
			bare := partial(t, c.partial, c.params...)
			if strings.Contains(bare, "aria-describedby") || strings.Contains(bare, "nhsuk-hint") {
				t.Errorf("with no hint and no error, nothing should be described:\n%s", bare)
			}
		})
	}
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, " ") == strings.Join(b, " ")
}

func TestTextPartialsKeepWhatWasTypedAndEscapeIt(t *testing.T) {
	field := partial(t, "field", "Name", "minutes", "Label", "Minutes", "Value", `5"><script>`, "Width", "3", "InputMode", "numeric", "MaxLength", 3)
	input := openingTag(field, "minutes")
	for _, want := range []string{`class="nhsuk-input nhsuk-input--width-3"`, `name="minutes"`, `type="text"`, `inputmode="numeric"`, `maxlength="3"`, `value="5&#34;&gt;&lt;script&gt;"`} {
		if !strings.Contains(input, want) {
			t.Errorf("input %s lacks %s", input, want)
		}
	}
	area := partial(t, "textarea", "Name", "body", "Label", "Text", "Value", "</textarea><b>", "Rows", 20)
	if !strings.Contains(area, `rows="20"`) || !strings.Contains(area, `>&lt;/textarea&gt;&lt;b&gt;</textarea>`) {
		t.Errorf("textarea lost its rows or its escaped text:\n%s", area)
	}
}

func TestChoicePartialsKeepTheChoiceAndGiveTheSummaryAnAnchor(t *testing.T) {
	opt := formFuncs["option"].(func(any, any, ...any) (Option, error))
	a, _ := opt("a", "A")
	b, _ := opt("b", "B", "Hint", "About B")
	c, _ := opt("c", "C", "ID", "own-id")
	radios := partial(t, "radios", "Name", "q", "ID", "q-1", "Legend", "Pick one", "Options", []Option{a, b, {Divider: "or"}, c}, "Selected", "b", "Inline", true)
	for _, want := range []string{
		`id="q-1" name="q" type="radio" value="a">`,
		`id="q-1-b" name="q" type="radio" value="b" checked aria-describedby="q-1-b-item-hint">`,
		`<div class="nhsuk-hint nhsuk-radios__hint" id="q-1-b-item-hint">About B</div>`,
		`<div class="nhsuk-radios__divider">or</div>`,
		`id="own-id" name="q" type="radio" value="c">`,
		`<div class="nhsuk-radios nhsuk-radios--inline" data-module="nhsuk-radios">`,
		`<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Pick one</legend>`,
	} {
		if !strings.Contains(radios, want) {
			t.Errorf("radios lack %s:\n%s", want, radios)
		}
	}

	grouped := partial(t, "radios", "Name", "ethnicity", "Legend", "Ethnic group", "LegendSize", "m", "LegendHeading", true,
		"Groups", []OptionGroup{{Legend: "White", Options: []Option{a}}, {Options: []Option{{Divider: "or"}, b}}})
	for _, want := range []string{
		`<h2 class="nhsuk-fieldset__heading">Ethnic group</h2>`,
		`<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">White</legend>`,
		`id="ethnicity" name="ethnicity"`,
		`id="ethnicity-b" name="ethnicity"`,
	} {
		if !strings.Contains(grouped, want) {
			t.Errorf("grouped radios lack %s:\n%s", want, grouped)
		}
	}

	ticked, _ := opt("b", "B", "Checked", true)
	boxes := partial(t, "checkboxes", "Name", "q", "Legend", "Pick any", "Options", []Option{a, ticked})
	if !strings.Contains(boxes, `id="q" name="q" type="checkbox" value="a">`) || !strings.Contains(boxes, `id="q-b" name="q" type="checkbox" value="b" checked>`) {
		t.Errorf("checkboxes lost an id or a tick:\n%s", boxes)
	}

	own, _ := opt("true", "Open to everyone", "Name", "open_enrolment", "ID", "open_enrolment")
	pair := partial(t, "checkboxes", "Name", "published", "Options", []Option{a, own})
	if strings.Contains(pair, "<fieldset") || !strings.Contains(pair, `id="open_enrolment" name="open_enrolment"`) {
		t.Errorf("checkboxes without a legend, each its own field, came out as:\n%s", pair)
	}

	one := partial(t, "checkbox", "Name", "published", "Label", "Published", "Hint", "Learners see it", "Checked", true)
	if !strings.Contains(one, `id="published" name="published" type="checkbox" value="true" checked aria-describedby="published-hint">`) {
		t.Errorf("a single checkbox:\n%s", one)
	}

	sel := partial(t, "select", "Name", "months", "Label", "Months", "Options", []Option{a, b}, "Selected", "b")
	if strings.Contains(sel, `<option value="">`) || !strings.Contains(sel, `<option value="b" selected>B</option>`) {
		t.Errorf("a select without an empty option:\n%s", sel)
	}
}

func TestAFieldCanShowSeveralMessages(t *testing.T) {
	page := partial(t, "fileupload", "Name", "file", "Label", "Zip file", "Error", []string{"First problem", "Second problem"})
	want := `<span class="nhsuk-u-visually-hidden">Error: </span>First problem<br><span class="nhsuk-u-visually-hidden">Error: </span>Second problem</span>`
	if !strings.Contains(page, want) {
		t.Errorf("two messages should both be shown:\n%s", page)
	}
	if empty := partial(t, "fileupload", "Name", "file", "Label", "Zip file", "Error", []string(nil)); strings.Contains(empty, "error") {
		t.Errorf("an empty list of messages is no error:\n%s", empty)
	}
}

func TestAOneFieldFilterKeepsItsButtonBesideTheControl(t *testing.T) {
	for _, name := range []string{"field", "select"} {
		page := partial(t, name, "Name", "q", "Label", "Search", "Button", "Show")
		button := `<button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">Show</button>
  </div>`
		if !strings.Contains(page, button) {
			t.Errorf("%s: the button is not the last thing in the group:\n%s", name, page)
		}
		if without := partial(t, name, "Name", "q", "Label", "Search"); strings.Contains(without, "<button") {
			t.Errorf("%s: a button with no Button:\n%s", name, without)
		}
	}
}
