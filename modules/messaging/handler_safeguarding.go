package messaging

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
)

type homePage struct {
	Queue []Item
	Cases []Case
	Done  string
}

// queueLimit is how many held messages the safeguarding page shows.
const queueLimit = 200

func (m *Module) home(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.UserOf(c)
	q, _, err := m.svc.Queue(ctx, u, page.First(queueLimit))
	if err != nil {
		return err
	}
	cases, err := m.svc.Cases(ctx, u)
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "messaging/safeguarding", "Safeguarding", homePage{Queue: q, Cases: cases, Done: c.QueryParam("done")})
}

type heldPage struct {
	Item
	Errors []apperr.FieldError
	Form   reviewForm
}

func (m *Module) held(c echo.Context) error {
	return m.renderHeld(c, http.StatusOK, reviewForm{}, nil)
}

func (m *Module) renderHeld(c echo.Context, status int, f reviewForm, errs []apperr.FieldError) error {
	it, err := m.svc.Held(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	if f.Redacted == "" {
		f.Redacted = redact(it.Message.Original, spansOf(it.Flags))
	}
	return m.pages.HTML(c, status, "messaging/review", "Check a held message", heldPage{Item: it, Errors: errs, Form: f})
}

func spansOf(flags []Flag) [][2]int {
	out := make([][2]int, len(flags))
	for i, f := range flags {
		out[i] = [2]int{f.Start, f.End}
	}
	return out
}

type reviewForm struct {
	Action      string   `form:"action" json:"-"`
	Reason      string   `form:"reason" json:"reason"`
	BlockReason string   `form:"block-reason" json:"block_reason"`
	Redacted    string   `form:"redacted" json:"redacted_body"`
	Spans       [][2]int `form:"-" json:"spans"`
	Details     string   `form:"details" json:"-"`
}

func (m *Module) review(c echo.Context) error {
	var f reviewForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	d := Decision{Action: f.Action, Reason: f.Reason, BlockReason: f.BlockReason}
	if f.Action == ActionRedacted {
		d.Redacted = f.Redacted
	}
	_, err := m.svc.Review(c.Request().Context(), auth.UserOf(c), c.Param("id"), d)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderHeld(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/safeguarding?done="+f.Action)
}

func (m *Module) openCase(c echo.Context) error {
	var f reviewForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	id, err := m.svc.OpenFromMessage(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Details)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderHeld(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/safeguarding/cases/"+id)
}

func (m *Module) apiQueue(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	q, next, err := m.svc.Queue(c.Request().Context(), auth.UserOf(c), p)
	if err != nil {
		return err
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	type reason struct {
		Label  string `json:"label"`
		Rule   string `json:"rule"`
		Source string `json:"source,omitempty"`
		Start  int    `json:"start"`
		End    int    `json:"end"`
	}
	type item struct {
		ID           string   `json:"id"`
		MentorshipID string   `json:"mentorship_id"`
		SenderID     string   `json:"sender_id"`
		Body         string   `json:"body"`
		Labels       []string `json:"labels"`
		Reasons      []reason `json:"reasons"`
		Priority     string   `json:"priority"`
		DueAt        string   `json:"due_at"`
		CreatedAt    string   `json:"created_at"`
	}
	out := make([]item, len(q))
	for i, it := range q {
		out[i] = item{ID: it.Message.ID, MentorshipID: it.MentorshipID, SenderID: it.Message.SenderID, Body: it.Message.Original,
			Labels: it.Message.Labels, Reasons: []reason{}, Priority: it.Priority, DueAt: it.DueAt.UTC().Format("2006-01-02T15:04:05Z"),
			CreatedAt: it.Message.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
		for _, f := range it.Flags {
			out[i].Reasons = append(out[i].Reasons, reason{Label: f.Label, Rule: f.Rule, Source: f.Source, Start: f.Start, End: f.End})
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (m *Module) apiReview(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		var f reviewForm
		if err := c.Bind(&f); err != nil {
			return errForm
		}
		sent, err := m.svc.Review(c.Request().Context(), auth.UserOf(c), c.Param("id"),
			Decision{Action: action, Reason: f.Reason, BlockReason: f.BlockReason, Redacted: f.Redacted, Spans: f.Spans})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, sent)
	}
}

type casePage struct {
	CaseView
	Errors []apperr.FieldError
	Form   caseForm
}

type caseForm struct {
	Status  string `form:"status"`
	TakeOn  string `form:"take-on"`
	Outcome string `form:"outcome"`
	Note    string `form:"note"`
}

func (m *Module) caseView(c echo.Context) error {
	return m.renderCase(c, http.StatusOK, nil, nil)
}

func (m *Module) renderCase(c echo.Context, status int, f *caseForm, errs []apperr.FieldError) error {
	v, err := m.svc.Case(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	p := casePage{CaseView: v, Errors: errs}
	if f != nil {
		p.Form = *f
	} else {
		p.Form = caseForm{Status: v.Case.Status, Outcome: v.Case.Outcome}
	}
	return m.pages.HTML(c, status, "messaging/case", "Concern case", p)
}

func (m *Module) updateCase(c echo.Context) error {
	var f caseForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	err := m.svc.UpdateCase(c.Request().Context(), auth.UserOf(c), c.Param("id"), CaseUpdate{Status: f.Status, TakeOn: f.TakeOn == "yes", Outcome: f.Outcome})
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderCase(c, http.StatusUnprocessableEntity, &f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/safeguarding/cases/"+c.Param("id"))
}

func (m *Module) addNote(c echo.Context) error {
	var f caseForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	err := m.svc.AddNote(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Note)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderCase(c, http.StatusUnprocessableEntity, &f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/safeguarding/cases/"+c.Param("id")+"#notes")
}

type pauseForm struct {
	Reason string `form:"pause-reason"`
}

func (m *Module) pause(c echo.Context) error {
	var f pauseForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if err := m.svc.Pause(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Reason); err != nil {
		if e := apperr.As(err); e.Kind == apperr.Invalid && len(e.Fields) > 0 {
			return &apperr.Error{Kind: apperr.Invalid, Message: e.Fields[0].Message, Fields: e.Fields}
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, ThreadPath(c.Param("id"))+"?sent=paused")
}

func (m *Module) resume(c echo.Context) error {
	if err := m.svc.Resume(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, ThreadPath(c.Param("id"))+"?sent=resumed")
}
