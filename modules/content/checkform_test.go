package content_test

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"onramp/app/testenv"
)

// question is a form for the check form editor's question page.
func question(text, kind string, answers ...[3]string) url.Values {
	v := url.Values{"text": {text}, "kind": {kind}, "action": {"save"}, "options": {itoa(len(answers))}}
	for i, a := range answers {
		key := "option-" + itoa(i+1)
		v.Set(key+"-text", a[0])
		if a[1] == "right" {
			v.Set(key+"-correct", "yes")
		}
		v.Set(key+"-feedback", a[2])
	}
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }

// storedQuestions lists the texts of a module's check questions, in order.
func storedQuestions(t *testing.T, moduleID string) []string {
	t.Helper()
	var texts []string
	if err := testenv.DB(t).Gorm.Raw(`SELECT q.text FROM questions q JOIN checks c ON c.id = q.check_id
		WHERE c.module_id = ? ORDER BY q.position`, moduleID).Scan(&texts).Error; err != nil {
		t.Fatal(err)
	}
	return texts
}

func TestTheFormEditorBuildsACheckWithoutYAML(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("form")
	base := "/admin/content/modules/" + c.moduleID + "/check/questions"
	if body := e.get(base); !strings.Contains(body, "no knowledge check yet") {
		t.Error("the form editor does not say the module has no check")
	}
	if body := e.get(base + "/new"); strings.Count(body, `name="option-`) < 9 {
		t.Error("a new question does not start with three empty answers")
	}

	// The first question makes the check; the empty third answer is left out.
	resp := e.c.PostForm(base+"/new", question("Which of these is an NHS value?", "single",
		[3]string{"Everyone counts", "right", "Yes. It is one of the six NHS values."},
		[3]string{"Profit first", "", "No. The NHS is not run for profit."},
		[3]string{"", "", ""}))
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, base+"?done=question-added") {
		t.Errorf("adding redirected to %q", loc)
	}
	if n := count(t, `SELECT count(*) FROM options o JOIN questions q ON q.id = o.question_id JOIN checks c ON c.id = q.check_id
		WHERE c.module_id = ?`, c.moduleID); n != 2 {
		t.Fatalf("the saved check has %d answers, want 2", n)
	}
	requireStatus(t, e.c.PostForm(base+"/new", question("Which of these help stop infections spreading?", "multiple",
		[3]string{"Washing your hands", "right", "Yes."}, [3]string{"Wearing gloves when told to", "right", "Yes."},
		[3]string{"Sharing cups", "", "No. That spreads germs."})), http.StatusSeeOther)

	// Reorder, edit, remove.
	requireStatus(t, e.c.PostForm(base+"/move", url.Values{"question": {"2"}, "direction": {"up"}}), http.StatusSeeOther)
	if got := storedQuestions(t, c.moduleID); len(got) != 2 || !strings.HasPrefix(got[0], "Which of these help stop") {
		t.Fatalf("after moving question 2 up the order is %q", got)
	}
	body := e.get(base + "/1")
	if !strings.Contains(body, "Wearing gloves when told to") || !strings.Contains(body, `value="multiple" checked`) {
		t.Error("editing question 1 does not show its answers and kind")
	}
	requireStatus(t, e.c.PostForm(base+"/1", question("Which of these stop infections spreading?", "multiple",
		[3]string{"Washing your hands", "right", "Yes."}, [3]string{"Sharing cups", "", "No. That spreads germs."})), http.StatusSeeOther)
	// Removing asks first, naming the question, with a way back.
	confirm := e.get(base + "/2/remove")
	if !strings.Contains(confirm, "Remove question 2?") || !strings.Contains(confirm, "Which of these is an NHS value?") ||
		!strings.Contains(confirm, `href="`+base+`#question-2">Cancel</a>`) {
		t.Errorf("the confirmation does not name the question or offer Cancel:\n%s", section(t, confirm, "<h1>", "</form>"))
	}
	if got := storedQuestions(t, c.moduleID); len(got) != 2 {
		t.Fatalf("asking to remove a question removed it: %q", got)
	}
	requireStatus(t, e.c.PostForm(base+"/remove", url.Values{"question": {"2"}}), http.StatusSeeOther)
	if got := storedQuestions(t, c.moduleID); len(got) != 1 || got[0] != "Which of these stop infections spreading?" {
		t.Fatalf("after editing and removing the questions are %q", got)
	}
	// The only question cannot be removed: a check needs one.
	body = requireStatus(t, e.c.PostForm(base+"/remove", url.Values{"question": {"1"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Question 1 is the only question") {
		t.Errorf("removing the last question is not explained:\n%.500s", body)
	}

	// The YAML page, the import and export format, shows what the forms made.
	yamlPage := e.get("/admin/content/modules/" + c.moduleID + "/check")
	if !strings.Contains(yamlPage, "kind: multiple") || !strings.Contains(yamlPage, "text: Which of these stop infections spreading?") {
		t.Errorf("the YAML page does not show the check the forms made:\n%s", section(t, yamlPage, "<textarea", "</textarea>"))
	}
	if n := count(t, "SELECT count(*) FROM audit_events WHERE action = 'content.check.updated' AND subject_id = ?", c.moduleID); n != 5 {
		t.Errorf("%d audit entries for 5 saves", n)
	}

	// Title and pass mark.
	body = requireStatus(t, e.c.PostForm("/admin/content/modules/"+c.moduleID+"/check/settings",
		url.Values{"title": {"Stopping infections"}, "pass_mark": {"eighty"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Pass mark must be a whole number from 1 to 100") || !strings.Contains(body, `value="Stopping infections"`) {
		t.Errorf("a wrong pass mark is not explained with the input kept:\n%.500s", body)
	}
	requireStatus(t, e.c.PostForm("/admin/content/modules/"+c.moduleID+"/check/settings",
		url.Values{"title": {"Stopping infections"}, "pass_mark": {"70"}}), http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM checks WHERE module_id = ? AND title = 'Stopping infections' AND pass_mark = 70", c.moduleID); n != 1 {
		t.Error("the title and pass mark were not saved")
	}
}

func TestTheFormEditorNamesTheQuestionInItsMessages(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("formerr")
	base := "/admin/content/modules/" + c.moduleID + "/check/questions"
	requireStatus(t, e.c.PostForm(base+"/new", question("First?", "single",
		[3]string{"A", "right", "Yes."}, [3]string{"B", "", "No."})), http.StatusSeeOther)

	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"no right answer": {question("Second?", "single", [3]string{"A", "", "No."}, [3]string{"B", "", "No."}),
			"Question 2 needs at least one right answer"},
		"two right, one allowed": {question("Second?", "single", [3]string{"A", "right", "Yes."}, [3]string{"B", "right", "Yes."}),
			"Question 2 has 2 right answers but is set to one right answer"},
		"no feedback": {question("Second?", "single", [3]string{"A", "right", ""}, [3]string{"B", "", "No."}),
			"Question 2, answer 1 needs feedback"},
		"one answer": {question("Second?", "single", [3]string{"A", "right", "Yes."}),
			"Question 2 needs at least two answers"},
		"no question": {question("", "single", [3]string{"A", "right", "Yes."}, [3]string{"B", "", "No."}),
			"Question 2 needs a question"},
	} {
		body := requireStatus(t, e.c.PostForm(base+"/new", tc.form), http.StatusUnprocessableEntity)
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s: the page does not say %q", name, tc.want)
		}
		if !strings.Contains(body, `class="nhsuk-error-summary"`) {
			t.Errorf("%s: no error summary", name)
		}
	}
	if got := storedQuestions(t, c.moduleID); len(got) != 1 {
		t.Fatalf("refused questions were saved: %q", got)
	}

	// Answer buttons change the form without saving it, keeping what was typed.
	f := question("Second?", "single", [3]string{"Alpha", "right", "Yes."}, [3]string{"Beta", "", "No."})
	f.Set("action", "add-option")
	body := requireStatus(t, e.c.PostForm(base+"/new", f), http.StatusOK)
	if !strings.Contains(body, `name="option-3-text"`) || !strings.Contains(body, `value="Alpha"`) {
		t.Error("adding an answer did not add a row and keep the input")
	}
	f.Set("action", "up-option-2")
	body = requireStatus(t, e.c.PostForm(base+"/new", f), http.StatusOK)
	if strings.Index(body, `value="Beta"`) > strings.Index(body, `value="Alpha"`) {
		t.Error("moving answer 2 up did not put it first")
	}
	if got := storedQuestions(t, c.moduleID); len(got) != 1 {
		t.Fatalf("an answer button saved the question: %q", got)
	}

	// Removing an answer asks first; Cancel keeps it, Yes removes it.
	f.Set("action", "remove-option-1")
	body = requireStatus(t, e.c.PostForm(base+"/new", f), http.StatusOK)
	if !strings.Contains(body, "Remove answer 1?") || !strings.Contains(body, `value="confirm-remove-option-1"`) ||
		!strings.Contains(body, `value="Alpha"`) {
		t.Fatal("removing an answer did not ask first, keeping it")
	}
	f.Set("action", "cancel")
	if body = requireStatus(t, e.c.PostForm(base+"/new", f), http.StatusOK); !strings.Contains(body, `value="Alpha"`) || strings.Contains(body, "Remove answer 1?") {
		t.Error("Cancel did not keep the answer")
	}
	f.Set("action", "confirm-remove-option-1")
	if body = requireStatus(t, e.c.PostForm(base+"/new", f), http.StatusOK); strings.Contains(body, `value="Alpha"`) || !strings.Contains(body, "Answer 1 removed") {
		t.Error("confirming did not remove the answer")
	}
}

func TestLearnersAndManagersCannotUseTheCheckFormEditor(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("formwho")
	base := "/admin/content/modules/" + c.moduleID + "/check"
	requireStatus(t, e.c.PostForm(base+"/questions/new", question("First?", "single",
		[3]string{"A", "right", "Yes."}, [3]string{"B", "", "No."})), http.StatusSeeOther)
	for _, email := range []string{"learner@example.org", "manager@example.org"} {
		cl := e.srv.SignIn(t, email).NoRedirects()
		for _, p := range []string{base + "/questions", base + "/questions/1", base + "/questions/new"} {
			requireStatus(t, cl.Get(p), http.StatusForbidden)
		}
		for p, form := range map[string]url.Values{
			base + "/questions/new":    question("Sneaky?", "single", [3]string{"A", "right", "Y"}, [3]string{"B", "", "N"}),
			base + "/questions/1":      question("Sneaky?", "single", [3]string{"A", "right", "Y"}, [3]string{"B", "", "N"}),
			base + "/questions/move":   {"question": {"1"}, "direction": {"down"}},
			base + "/questions/remove": {"question": {"1"}},
			base + "/settings":         {"title": {"Sneaky"}, "pass_mark": {"1"}},
		} {
			requireStatus(t, cl.PostForm(p, form), http.StatusForbidden)
		}
	}
	if got := storedQuestions(t, c.moduleID); len(got) != 1 || got[0] != "First?" {
		t.Fatalf("a learner or manager changed the check: %q", got)
	}
}

func TestShuffleIsOnForANewCheckAndTheEditorCanTurnItOffInTheFormOrTheYAML(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("shuffle")
	base := "/admin/content/modules/" + c.moduleID + "/check"
	requireStatus(t, e.c.PostForm(base+"/questions/new", question("First?", "single",
		[3]string{"A", "right", "Yes."}, [3]string{"B", "", "No."})), http.StatusSeeOther)
	shuffle := func() bool {
		t.Helper()
		var on bool
		testenv.DB(t).Gorm.Raw("SELECT shuffle FROM checks WHERE module_id = ?", c.moduleID).Scan(&on)
		return on
	}
	if !shuffle() {
		t.Fatal("a new check does not shuffle its answers")
	}
	if page := e.get(base + "/questions"); !strings.Contains(page, `name="shuffle" type="checkbox" value="true" checked`) {
		t.Errorf("the settings form does not show shuffle ticked:\n%s", section(t, page, `name="shuffle"`, ">"))
	}
	if yamlText := section(t, e.get(base), "<textarea", "</textarea>"); strings.Contains(yamlText, "shuffle:") {
		t.Error("the YAML of a check that shuffles says shuffle; absent means on")
	}

	// Unticked in the form: off, and the YAML says so.
	requireStatus(t, e.c.PostForm(base+"/settings", url.Values{"title": {"Check"}, "pass_mark": {"80"}}), http.StatusSeeOther)
	if shuffle() {
		t.Fatal("unticking shuffle did not turn it off")
	}
	yamlPage := e.get(base)
	if !strings.Contains(yamlPage, "shuffle: false") {
		t.Fatalf("the YAML of a check that does not shuffle does not say shuffle: false:\n%s", section(t, yamlPage, "<textarea", "</textarea>"))
	}

	// The YAML round-trips: saved back as it is, it stays off; without the
	// line, it is on again.
	_, text, _ := strings.Cut(section(t, yamlPage, "<textarea", "</textarea>"), ">")
	text = html.UnescapeString(text)
	requireStatus(t, e.c.PostForm(base, url.Values{"yaml": {text}}), http.StatusSeeOther)
	if shuffle() {
		t.Error("saving the exported YAML turned shuffle back on")
	}
	requireStatus(t, e.c.PostForm(base, url.Values{"yaml": {strings.Replace(text, "shuffle: false\n", "", 1)}}), http.StatusSeeOther)
	if !shuffle() {
		t.Error("a check without a shuffle line does not shuffle")
	}
}
