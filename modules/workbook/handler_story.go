package workbook

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

type storiesPage struct {
	*Workbook
	Saved   bool
	Deleted string // "story" or "answer", just deleted
}

func (m *Module) stories(c echo.Context) error {
	w, err := m.svc.Workbook(c.Request().Context(), learnerID(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/stories", "Your STAR stories", storiesPage{Workbook: w,
		Saved: c.QueryParam("saved") != "", Deleted: c.QueryParam("deleted")})
}

// storyPage is the form for a new story (ID empty) or a story to change.
type storyPage struct {
	ID         string
	Form       StoryInput
	Errors     []apperr.FieldError
	Values     []Value
	FromAnswer bool // started from a "Try this" answer
}

func (m *Module) renderStory(c echo.Context, status int, p storyPage) error {
	p.Values = Values
	title := "Write a STAR story"
	if p.ID != "" {
		title = "Change your story"
	}
	return m.pages.HTML(c, status, "workbook/story", titled(title, p.Errors), p)
}

// newStory shows an empty form, or one started from the "Try this"
// answer to the lesson named by ?answer=.
func (m *Module) newStory(c echo.Context) error {
	p := storyPage{}
	if lesson := c.QueryParam("answer"); lesson != "" {
		in, err := m.svc.FromAnswer(c.Request().Context(), learnerID(c), lesson)
		if err != nil {
			return err
		}
		p.Form, p.FromAnswer = in, true
	}
	return m.renderStory(c, http.StatusOK, p)
}

func (m *Module) editStory(c echo.Context) error {
	st, err := m.svc.Story(c.Request().Context(), learnerID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.renderStory(c, http.StatusOK, storyPage{ID: st.ID, Form: st.Input()})
}

func (m *Module) createStory(c echo.Context) error { return m.saveStory(c, "") }

func (m *Module) updateStory(c echo.Context) error { return m.saveStory(c, c.Param("id")) }

func (m *Module) saveStory(c echo.Context, id string) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "Your story could not be read. Try again.")
	}
	in := StoryInput{Title: form.Get("title"), Situation: form.Get("situation"), Task: form.Get("task"),
		Action: form.Get("action"), Result: form.Get("result"), Values: form["values"]}
	_, err = m.svc.SaveStory(c.Request().Context(), learnerID(c), id, in)
	if errs, err := invalid(err); errs != nil {
		return m.renderStory(c, http.StatusUnprocessableEntity, storyPage{ID: id, Form: in, Errors: errs,
			FromAnswer: form.Get("from-answer") != ""})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/stories?saved=1")
}

func (m *Module) confirmDeleteStory(c echo.Context) error {
	st, err := m.svc.Story(c.Request().Context(), learnerID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/delete", "Delete your story?", deletePage{
		What: "story", Title: st.Title, Action: "/workbook/stories/" + st.ID + "/delete", Back: "/workbook/stories"})
}

func (m *Module) confirmDeleteAnswer(c echo.Context) error {
	a, err := m.svc.TryAnswerTo(c.Request().Context(), learnerID(c), c.Param("lesson"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/delete", "Delete your answer?", deletePage{
		What: "answer", Title: a.Answer, Action: "/workbook/answers/" + a.LessonID + "/delete", Back: "/workbook/stories"})
}

func (m *Module) deleteAnswer(c echo.Context) error {
	if err := m.svc.DeleteTryAnswer(c.Request().Context(), learnerID(c), c.Param("lesson")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/stories?deleted=answer")
}

func (m *Module) deleteStory(c echo.Context) error {
	if err := m.svc.DeleteStory(c.Request().Context(), learnerID(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/stories?deleted=story")
}
