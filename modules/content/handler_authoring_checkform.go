package content

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// The knowledge-check form editor: the same check as the YAML page, edited
// one question at a time with ordinary forms, so it works without
// JavaScript. Questions are addressed by their place in the check
// (counting from 1), as the editor sees them.

// checkFormRoutes registers the form editor's routes.
func (m *Handlers) checkFormRoutes(r *auth.Routes, editors auth.Rule) {
	r.GET("/admin/content/modules/:id/check/questions", editors, m.checkQuestions)
	r.POST("/admin/content/modules/:id/check/settings", editors, m.saveCheckSettings)
	r.POST("/admin/content/modules/:id/check/questions/move", editors, m.moveCheckQuestion)
	r.POST("/admin/content/modules/:id/check/questions/remove", editors, m.removeCheckQuestion)
	r.GET("/admin/content/modules/:id/check/questions/:n", editors, m.checkQuestion)
	r.POST("/admin/content/modules/:id/check/questions/:n", editors, m.saveCheckQuestion)
	r.GET("/admin/content/modules/:id/check/questions/:n/remove", editors, m.confirmRemoveCheckQuestion)
}

// checkFormDone are the confirmations of the form editor, by ?done= code.
var checkFormDone = map[string]string{
	"question-saved":   "Question saved. Learners see the change straight away if the module is published.",
	"question-added":   "Question added. Learners see it straight away if the module is published.",
	"question-moved":   "Order changed.",
	"question-removed": "Question removed.",
	"settings-saved":   "Settings saved.",
}

type checkQuestionsPage struct {
	*CheckEdit
	File     *CheckFile
	Stored   bool // the module has a check already
	Title    string
	PassMark string
	Shuffle  bool
	Errors   []apperr.FieldError
	Done     string
	Base     string // the form editor's address
}

func (m *Handlers) checkQuestions(c echo.Context) error {
	return m.renderCheckQuestions(c, http.StatusOK, nil, nil)
}

// renderCheckQuestions shows the check's questions; with errors, the
// settings form keeps what the editor typed.
func (m *Handlers) renderCheckQuestions(c echo.Context, status int, errs []apperr.FieldError, typed *checkSettingsForm) error {
	v, f, err := m.svc.CheckDraft(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	data := checkQuestionsPage{CheckEdit: v, File: f, Stored: v.Check != nil, Title: f.Title,
		PassMark: strconv.Itoa(f.PassMark), Shuffle: f.Shuffled(), Errors: errs, Done: checkFormDone[c.QueryParam("done")],
		Base: "/admin/content/modules/" + v.Module.ID + "/check/questions"}
	if typed != nil {
		data.Title, data.PassMark, data.Shuffle = typed.Title, typed.PassMark, typed.Shuffle
	}
	return m.pages.HTML(c, status, "content/check_questions", "Knowledge check questions: "+v.Module.Title, data)
}

type checkSettingsForm struct {
	Title    string `form:"title"`
	PassMark string `form:"pass_mark"`
	Shuffle  bool   `form:"shuffle"`
}

func (m *Handlers) saveCheckSettings(c echo.Context) error {
	var form checkSettingsForm
	if err := bind(c, &form); err != nil {
		return err
	}
	ctx := c.Request().Context()
	mark, errs := CheckSettingsProblems(form.Title, form.PassMark)
	if len(errs) > 0 {
		return m.renderCheckQuestions(c, http.StatusUnprocessableEntity, errs, &form)
	}
	v, f, err := m.svc.CheckDraft(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if v.Check == nil {
		return m.renderCheckQuestions(c, http.StatusUnprocessableEntity, []apperr.FieldError{{Field: "title",
			Message: "Add a question first. The check is saved with its first question"}}, &form)
	}
	f.Title, f.PassMark, f.Shuffle = strings.TrimSpace(form.Title), mark, shuffleSetting(form.Shuffle)
	if err := m.svc.SaveCheckFile(ctx, auth.UserOf(c).ID, v.Module.ID, f); err != nil {
		if fields, status, ok := formProblem(err); ok {
			return m.renderCheckQuestions(c, status, retarget(fields, "title"), &form)
		}
		return err
	}
	return seeOther(c, "/admin/content/modules/"+v.Module.ID+"/check/questions", "settings-saved", "")
}

type questionPlace struct {
	Question  string `form:"question"`
	Direction string `form:"direction"` // up or down
}

// placeOf reads which question a move or remove is about, or an Invalid
// error an editor can act on.
func placeOf(p questionPlace, f *CheckFile) (int, error) {
	n, err := strconv.Atoi(p.Question)
	if err != nil || n < 1 || n > len(f.Questions) {
		return 0, apperr.New(apperr.Invalid, "That question is not in the check any more. Go back to the list of questions and try again.")
	}
	return n, nil
}

// draftQuestion reads the form naming a question of the module's check,
// the check as it stands, and the question's place (1-based) in it.
func (m *Handlers) draftQuestion(c echo.Context) (p questionPlace, v *CheckEdit, f *CheckFile, n int, err error) {
	if err = bind(c, &p); err != nil {
		return
	}
	if v, f, err = m.svc.CheckDraft(c.Request().Context(), c.Param("id")); err != nil {
		return
	}
	n, err = placeOf(p, f)
	return
}

func (m *Handlers) moveCheckQuestion(c echo.Context) error {
	p, v, f, n, err := m.draftQuestion(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	to := n - 1
	if p.Direction == "down" {
		to = n + 1
	} else if p.Direction != "up" {
		return apperr.New(apperr.Invalid, "Choose whether to move the question up or down.")
	}
	if to < 1 || to > len(f.Questions) {
		return seeOther(c, "/admin/content/modules/"+v.Module.ID+"/check/questions", "question-moved", "")
	}
	f.Questions[n-1], f.Questions[to-1] = f.Questions[to-1], f.Questions[n-1]
	if err := m.svc.SaveCheckFile(ctx, auth.UserOf(c).ID, v.Module.ID, f); err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+v.Module.ID+"/check/questions", "question-moved", "question-"+strconv.Itoa(to))
}

func (m *Handlers) removeCheckQuestion(c echo.Context) error {
	_, v, f, n, err := m.draftQuestion(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if len(f.Questions) == 1 {
		return m.renderCheckQuestions(c, http.StatusUnprocessableEntity, []apperr.FieldError{{Field: "question-1",
			Message: "Question 1 is the only question. A check needs at least one, so add another before removing it"}}, nil)
	}
	f.Questions = slices.Delete(f.Questions, n-1, n)
	if err := m.svc.SaveCheckFile(ctx, auth.UserOf(c).ID, v.Module.ID, f); err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+v.Module.ID+"/check/questions", "question-removed", "")
}

// confirmRemoveCheckQuestion asks before a question is removed, naming
// it; its button posts to removeCheckQuestion.
func (m *Handlers) confirmRemoveCheckQuestion(c echo.Context) error {
	v, f, err := m.svc.CheckDraft(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	n, isNew, err := questionAt(c, f)
	if err != nil || isNew {
		return apperr.New(apperr.NotFound, "There is no such question in this check")
	}
	data := struct {
		*CheckEdit
		N        int
		Question QuestionFile
		Only     bool // the check's only question, which stays
		Base     string
	}{v, n, f.Questions[n-1], len(f.Questions) == 1, "/admin/content/modules/" + v.Module.ID + "/check/questions"}
	return m.pages.HTML(c, http.StatusOK, "content/check_remove", fmt.Sprintf("Remove question %d: %s", n, v.Module.Title), data)
}

type checkQuestionPage struct {
	*CheckEdit
	N        int  // the question's place, counting from 1
	New      bool // adding a question
	Question QuestionFile
	Errors   []apperr.FieldError
	Note     string // what an option button did, before saving
	Removing int    // the answer (counting from 1) whose removal is to be confirmed
	Action   string
	Back     string
	MaxOpts  int
}

// newQuestionOptions is how many empty answers a new question starts with.
const newQuestionOptions = 3

// questionAt reads :n, "new" for a question to add. Errors: NotFound.
func questionAt(c echo.Context, f *CheckFile) (int, bool, error) {
	if c.Param("n") == "new" {
		return len(f.Questions) + 1, true, nil
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(f.Questions) {
		return 0, false, apperr.New(apperr.NotFound, "There is no such question in this check")
	}
	return n, false, nil
}

func (m *Handlers) checkQuestion(c echo.Context) error {
	v, f, err := m.svc.CheckDraft(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	n, isNew, err := questionAt(c, f)
	if err != nil {
		return err
	}
	q := QuestionFile{Kind: KindSingle, Options: make([]OptionFile, newQuestionOptions)}
	if !isNew {
		q = f.Questions[n-1]
	}
	return m.renderCheckQuestion(c, http.StatusOK, v, n, isNew, q, nil, "")
}

func (m *Handlers) renderCheckQuestion(c echo.Context, status int, v *CheckEdit, n int, isNew bool, q QuestionFile, errs []apperr.FieldError, note string) error {
	return m.renderQuestionPage(c, status, v, n, isNew, q, errs, note, 0)
}

func (m *Handlers) renderQuestionPage(c echo.Context, status int, v *CheckEdit, n int, isNew bool, q QuestionFile, errs []apperr.FieldError, note string, removing int) error {
	base := "/admin/content/modules/" + v.Module.ID + "/check/questions"
	action := base + "/" + strconv.Itoa(n)
	if isNew {
		action = base + "/new"
	}
	data := checkQuestionPage{CheckEdit: v, N: n, New: isNew, Question: q, Errors: errs, Note: note,
		Action: action, Back: base, MaxOpts: maxOptions, Removing: removing}
	title := fmt.Sprintf("Question %d: %s", n, v.Module.Title)
	return m.pages.HTML(c, status, "content/check_question", title, data)
}

// readQuestion reads the question form. Answers are fields option-N-text,
// option-N-correct and option-N-feedback for N from 1 to "options".
func readQuestion(c echo.Context) (QuestionFile, string, error) {
	v, err := c.FormParams()
	if err != nil {
		return QuestionFile{}, "", apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	q := QuestionFile{Text: strings.TrimSpace(v.Get("text")), Kind: v.Get("kind")}
	count, _ := strconv.Atoi(v.Get("options"))
	for i := 1; i <= min(count, maxOptions+5); i++ {
		key := "option-" + strconv.Itoa(i)
		q.Options = append(q.Options, OptionFile{Text: strings.TrimSpace(v.Get(key + "-text")),
			Correct: v.Get(key+"-correct") == "yes", Feedback: strings.TrimSpace(v.Get(key + "-feedback"))})
	}
	return q, v.Get("action"), nil
}

// saveCheckQuestion saves the question, or carries out an answer button
// (add, move, remove an answer) and shows the form again, not yet saved.
func (m *Handlers) saveCheckQuestion(c echo.Context) error {
	ctx := c.Request().Context()
	v, f, err := m.svc.CheckDraft(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	n, isNew, err := questionAt(c, f)
	if err != nil {
		return err
	}
	q, action, err := readQuestion(c)
	if err != nil {
		return err
	}
	if i := removeAsked(q, action); i > 0 {
		note := fmt.Sprintf("Do you want to remove answer %d? Say yes or cancel at answer %d below.", i, i)
		return m.renderQuestionPage(c, http.StatusOK, v, n, isNew, q, nil, note, i)
	}
	if action != "save" && action != "" {
		var note string
		q, note = optionAction(q, action)
		return m.renderCheckQuestion(c, http.StatusOK, v, n, isNew, q, nil, note)
	}
	// Answers left completely empty are not answers.
	q.Options = slices.DeleteFunc(q.Options, func(o OptionFile) bool { return o.Text == "" && o.Feedback == "" && !o.Correct })
	if errs := QuestionProblems(n, q); len(errs) > 0 {
		for len(q.Options) < 2 {
			q.Options = append(q.Options, OptionFile{})
		}
		return m.renderCheckQuestion(c, http.StatusUnprocessableEntity, v, n, isNew, q, errs, "")
	}
	done := "question-saved"
	if isNew {
		f.Questions = append(f.Questions, q)
		done = "question-added"
	} else {
		f.Questions[n-1] = q
	}
	if err := m.svc.SaveCheckFile(ctx, auth.UserOf(c).ID, v.Module.ID, f); err != nil {
		if fields, status, ok := formProblem(err); ok {
			return m.renderCheckQuestion(c, status, v, n, isNew, q, retarget(fields, "text"), "")
		}
		return err
	}
	return seeOther(c, "/admin/content/modules/"+v.Module.ID+"/check/questions", done, "question-"+strconv.Itoa(n))
}

// removeAsked returns N when action is remove-option-N for an answer
// with something written in it, which is removed only once the editor
// confirms (confirm-remove-option-N); 0 otherwise.
func removeAsked(q QuestionFile, action string) int {
	num, ok := strings.CutPrefix(action, "remove-option-")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 1 || i > len(q.Options) || q.Options[i-1] == (OptionFile{}) {
		return 0
	}
	return i
}

// optionAction carries out add-option, confirm-remove-option-N (or
// remove-option-N of an empty answer), up-option-N, down-option-N or
// cancel, and says what it did.
func optionAction(q QuestionFile, action string) (QuestionFile, string) {
	const unsaved = " The question is not saved yet: select “Save question” to keep it."
	if action == "cancel" {
		return q, "Nothing was removed."
	}
	if action == "add-option" {
		if len(q.Options) >= maxOptions {
			return q, fmt.Sprintf("A question can have at most %d answers.", maxOptions)
		}
		q.Options = append(q.Options, OptionFile{})
		return q, fmt.Sprintf("Answer %d added.", len(q.Options)) + unsaved
	}
	verb, num, _ := strings.Cut(action, "-option-")
	i, err := strconv.Atoi(num)
	if err != nil || i < 1 || i > len(q.Options) {
		return q, "That answer is not on the form any more."
	}
	switch verb {
	case "remove", "confirm-remove":
		q.Options = slices.Delete(q.Options, i-1, i)
		return q, fmt.Sprintf("Answer %d removed.", i) + unsaved
	case "up", "down":
		j := i - 1
		if verb == "down" {
			j = i + 1
		}
		if j < 1 || j > len(q.Options) {
			return q, "That answer is already at the end of the list."
		}
		q.Options[i-1], q.Options[j-1] = q.Options[j-1], q.Options[i-1]
		return q, fmt.Sprintf("Answer %d moved %s.", i, verb) + unsaved
	}
	return q, ""
}

// retarget points field errors from the YAML checks (all on "yaml") at a
// field of the form, so the error summary links somewhere on the page.
func retarget(fields []apperr.FieldError, field string) []apperr.FieldError {
	out := slices.Clone(fields)
	for i := range out {
		if out[i].Field == "yaml" {
			out[i].Field = field
		}
	}
	return out
}
