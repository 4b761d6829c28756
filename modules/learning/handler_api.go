package learning

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
	"onramp/modules/content"
)

type progressJSON struct {
	CompletedLessons int  `json:"completed_lessons"`
	TotalLessons     int  `json:"total_lessons"`
	Percent          int  `json:"percent"`
	Complete         bool `json:"complete"`
}

func progressOf(p *Progress) progressJSON {
	if p == nil {
		return progressJSON{}
	}
	return progressJSON{CompletedLessons: p.CompletedLessons, TotalLessons: p.TotalLessons, Percent: p.Percent, Complete: p.Complete}
}

type programmeJSON struct {
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Length    string `json:"length"`
	Modules   int    `json:"modules"`
	Lessons   int    `json:"lessons"`
	Quizzes   int    `json:"quizzes"`
	Questions int    `json:"questions"`
}

// apiProgrammes lists the published programmes for the caller, with
// counts.
func (m *Module) apiProgrammes(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	progs, err := m.svc.Programmes(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	progs, next, err := page.Anchor(p, progs, func(p content.ProgrammeSummary) string { return p.Slug })
	if err != nil {
		return err
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	out := make([]programmeJSON, len(progs))
	for i, p := range progs {
		out[i] = programmeJSON{Slug: p.Slug, Title: p.Title, Summary: p.Summary, Length: p.LengthText,
			Modules: p.Modules, Lessons: p.Lessons, Quizzes: p.Checks, Questions: p.Questions}
	}
	return c.JSON(http.StatusOK, out)
}

type lessonJSON struct {
	ID      string `json:"id"`
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Minutes int    `json:"minutes"`
	Status  string `json:"status"` // completed | not_started
}

type optionJSON struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type questionJSON struct {
	ID      string       `json:"id"`
	Text    string       `json:"text"`
	Kind    string       `json:"kind"`
	Options []optionJSON `json:"options"`
}

type quizJSON struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	PassMark  int            `json:"pass_mark"`
	Passed    bool           `json:"passed"`
	Attempts  int            `json:"attempts"`
	BestScore int            `json:"best_score"`
	Questions []questionJSON `json:"questions"`
	// RevisitLessons are the lessons to complete again before the next
	// attempt is accepted (after two failed attempts in a row).
	RevisitLessons []string `json:"revisit_lessons"`
}

type moduleJSON struct {
	ID      string       `json:"id"`
	Slug    string       `json:"slug"`
	Title   string       `json:"title"`
	Status  string       `json:"status"` // not_started | in_progress | completed
	Lessons []lessonJSON `json:"lessons"`
	Quiz    *quizJSON    `json:"quiz"`
}

var statusCodes = map[string]string{StatusNotStarted: "not_started", StatusInProgress: "in_progress", StatusCompleted: "completed"}

// apiProgramme describes one programme with the caller's status for every
// lesson and quiz, and each quiz's questions (without the answers).
func (m *Module) apiProgramme(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := m.svc.Programme(ctx, auth.UserOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	p, prog := v.Progress, v.Outline.Programme
	out := struct {
		Slug          string       `json:"slug"`
		Title         string       `json:"title"`
		Summary       string       `json:"summary"`
		OpenEnrolment bool         `json:"open_enrolment"`
		Enrolled      bool         `json:"enrolled"`
		Progress      progressJSON `json:"progress"`
		Modules       []moduleJSON `json:"modules"`
	}{Slug: prog.Slug, Title: prog.Title, Summary: prog.Summary, OpenEnrolment: prog.OpenEnrolment,
		Enrolled: v.Access.Enrolled, Progress: progressOf(p)}
	for _, mp := range p.Modules {
		mj := moduleJSON{ID: mp.ID, Slug: mp.Slug, Title: mp.Title, Status: statusCodes[mp.Status], Lessons: []lessonJSON{}}
		for _, l := range mp.Lessons {
			st := "not_started"
			if mp.Completed[l.ID] {
				st = "completed"
			}
			mj.Lessons = append(mj.Lessons, lessonJSON{ID: l.ID, Slug: l.Slug, Title: l.Title, Minutes: l.Minutes, Status: st})
		}
		if mp.OutlineModule.Check != nil {
			full, err := m.svc.catalogue.Check(ctx, mp.OutlineModule.Check.ID)
			if err != nil {
				return err
			}
			// In the order the next attempt's page would show them.
			full, _ = shuffled(full, auth.UserOf(c).ID, mp.Check.Attempts+1)
			q := &quizJSON{ID: full.ID, Title: full.Title, PassMark: full.PassMark, Passed: mp.Check.Passed,
				Attempts: mp.Check.Attempts, BestScore: mp.Check.Best, RevisitLessons: []string{}}
			for _, l := range mp.Revisit {
				q.RevisitLessons = append(q.RevisitLessons, l.ID)
			}
			for _, qq := range full.Questions {
				qj := questionJSON{ID: qq.ID, Text: qq.Text, Kind: qq.Kind}
				for _, o := range qq.Options {
					qj.Options = append(qj.Options, optionJSON{ID: o.ID, Text: o.Text})
				}
				q.Questions = append(q.Questions, qj)
			}
			mj.Quiz = q
		}
		out.Modules = append(out.Modules, mj)
	}
	return c.JSON(http.StatusOK, out)
}

type enrolmentJSON struct {
	Programme struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"programme"`
	Cohort struct {
		ID            string `json:"id"`
		Name          string `json:"name"`
		SelfEnrolment bool   `json:"self_enrolment"`
	} `json:"cohort"`
	Status   string       `json:"status"`
	Progress progressJSON `json:"progress"`
}

func enrolmentsJSON(ens []EnrolmentProgress) []enrolmentJSON {
	out := make([]enrolmentJSON, 0, len(ens))
	for _, e := range ens {
		var j enrolmentJSON
		j.Programme.Slug = e.Enrolment.ProgrammeSlug
		if e.Progress != nil {
			j.Programme.Title = e.Progress.Outline.Programme.Title
		}
		j.Cohort.ID, j.Cohort.Name, j.Cohort.SelfEnrolment = e.Enrolment.CohortID, e.Enrolment.CohortName, e.Enrolment.SelfEnrolment
		j.Status, j.Progress = e.Enrolment.Status, progressOf(e.Progress)
		out = append(out, j)
	}
	return out
}

func (m *Module) apiEnrolments(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	ens, err := m.svc.Enrolments(c.Request().Context(), auth.UserOf(c).ID)
	if err != nil {
		return err
	}
	ens, next, err := page.Anchor(p, ens, func(e EnrolmentProgress) string { return e.Enrolment.ID })
	if err != nil {
		return err
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, enrolmentsJSON(ens))
}

// apiStart enrols the caller on an open programme: 201 with the
// enrolment when that made it, 200 with it when they were already on it.
func (m *Module) apiStart(c echo.Context) error {
	e, added, err := m.svc.Start(c.Request().Context(), auth.UserOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
		c.Response().Header().Set("Location", "/api/v1/me/enrolments")
	}
	return c.JSON(status, enrolmentsJSON([]EnrolmentProgress{*e})[0])
}

func (m *Module) apiCompleteLesson(c echo.Context) error {
	p, err := m.svc.CompleteLesson(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"lesson_id": c.Param("id"), "completed": true,
		"programme": p.Outline.Programme.Slug, "progress": progressOf(p)})
}

// apiAnswerQuestion marks and records an answer to a question inside a
// lesson: {"option_ids": [...]} -> the answer with its feedback. For a
// lesson of a shared module, "programme" (optional) names the programme
// it is read in.
func (m *Module) apiAnswerQuestion(c echo.Context) error {
	var body struct {
		OptionIDs []string `json:"option_ids"`
		Programme string   `json:"programme"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&body); err != nil {
		return apperr.InvalidFields(apperr.FieldError{Field: "option_ids", Message: `Send a JSON body like {"option_ids": ["OPTION_ID"]}`})
	}
	a, err := m.svc.AnswerLessonQuestion(c.Request().Context(), auth.UserOf(c), body.Programme, c.Param("id"), c.Param("question"), body.OptionIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (m *Module) apiAttempt(c echo.Context) error {
	var body struct {
		Answers map[string][]string `json:"answers"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&body); err != nil || body.Answers == nil {
		return apperr.InvalidFields(apperr.FieldError{Field: "answers",
			Message: `Send a JSON body like {"answers": {"QUESTION_ID": ["OPTION_ID"]}}`})
	}
	res, err := m.svc.SubmitAttempt(c.Request().Context(), auth.UserOf(c), c.Param("id"), 0, body.Answers)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
		// The page's fields are its form's ids ("q-ID"); an API client
		// sent answers by question id, so name them that way.
		api := *e
		api.Fields = make([]apperr.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			api.Fields[i] = apperr.FieldError{Field: "answers." + strings.TrimPrefix(f.Field, "q-"), Message: f.Message}
		}
		return &api
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (m *Module) apiLearnerProgress(c echo.Context) error {
	ens, err := m.svc.LearnerProgress(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"learner_id": c.Param("id"), "enrolments": enrolmentsJSON(ens)})
}
