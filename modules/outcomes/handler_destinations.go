package outcomes

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// destinationForm is the destination form as posted, by a manager or by a
// learner (who has no cohort choice when on one programme, and no
// evidence box).
type destinationForm struct {
	Cohort       string `form:"cohort"`
	Kind         string `form:"kind"`
	Employer     string `form:"employer"`
	Role         string `form:"role"`
	StartDay     string `form:"start-day"`
	StartMonth   string `form:"start-month"`
	StartYear    string `form:"start-year"`
	Hours        string `form:"hours"`
	Contract     string `form:"contract"`
	Evidence     string `form:"evidence"`
	EvidenceSeen string `form:"evidence-seen"`
}

func (f destinationForm) input() DestinationInput {
	return DestinationInput{CohortID: f.Cohort, Kind: f.Kind, Employer: f.Employer, Role: f.Role,
		StartDay: f.StartDay, StartMonth: f.StartMonth, StartYear: f.StartYear, Hours: f.Hours,
		Contract: f.Contract, EvidenceNote: f.Evidence, EvidenceSeen: f.EvidenceSeen == "yes"}
}

func bindDestination(c echo.Context) (DestinationInput, error) {
	var f destinationForm
	if err := c.Bind(&f); err != nil {
		return DestinationInput{}, apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	return f.input(), nil
}

type learnerPage struct {
	*LearnerView
	Form      DestinationInput
	Draft     followUpDraft // a follow-up form sent back with errors
	Errors    []apperr.FieldError
	Done      string
	Kinds     []string
	Contracts []string
	Outcomes  []string
}

// followUpDraft is what was typed into one follow-up form.
type followUpDraft struct {
	DestinationID, Kind, Outcome, Note string
}

func (m *Module) learner(c echo.Context) error {
	return m.renderLearner(c, http.StatusOK, DestinationInput{}, followUpDraft{}, nil)
}

func (m *Module) renderLearner(c echo.Context, status int, form DestinationInput, draft followUpDraft, errs []apperr.FieldError) error {
	v, err := m.svc.Learner(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	name := v.Learner.Name
	if name == "" {
		name = v.Learner.Email
	}
	return m.pages.HTML(c, status, "outcomes/learner", "Destinations: "+name, learnerPage{
		LearnerView: v, Form: form, Draft: draft, Errors: errs, Done: c.QueryParam("done"),
		Kinds: Kinds, Contracts: Contracts, Outcomes: FollowUpOutcomes,
	})
}

func learnerURL(id, done string) string {
	return "/manage/learners/" + url.PathEscape(id) + "/destinations?done=" + done
}

func (m *Module) recordDestination(c echo.Context) error {
	in, err := bindDestination(c)
	if err != nil {
		return err
	}
	_, err = m.svc.RecordDestination(c.Request().Context(), auth.UserOf(c), c.Param("id"), in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderLearner(c, http.StatusUnprocessableEntity, in, followUpDraft{}, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, learnerURL(c.Param("id"), "recorded"))
}

func (m *Module) verify(c echo.Context) error {
	learnerID, err := m.svc.Verify(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, learnerURL(learnerID, "verified"))
}

type followUpForm struct {
	Outcome string `form:"outcome"`
	Note    string `form:"note"`
}

func (m *Module) recordFollowUp(c echo.Context) error {
	var f followUpForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	destID, kind := c.Param("id"), c.Param("kind")
	learnerID, err := m.svc.RecordFollowUp(c.Request().Context(), auth.UserOf(c), destID, kind, FollowUpInput{Outcome: f.Outcome, Note: f.Note})
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		// Each follow-up form on the page has its own field ids.
		fields := make([]apperr.FieldError, len(e.Fields))
		for i, fe := range e.Fields {
			fields[i] = apperr.FieldError{Field: fe.Field + "-" + destID + "-" + kind, Message: fe.Message}
		}
		c.SetParamNames("id")
		c.SetParamValues(learnerID)
		draft := followUpDraft{DestinationID: destID, Kind: kind, Outcome: f.Outcome, Note: f.Note}
		return m.renderLearner(c, http.StatusUnprocessableEntity, DestinationInput{}, draft, fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, learnerURL(learnerID, "follow-up")+"#destination-"+destID)
}

type followUpsPage struct {
	Due []DueFollowUp
}

func (m *Module) followUps(c echo.Context) error {
	due, err := m.svc.DueFollowUps(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "outcomes/follow-ups", "Follow-ups due", followUpsPage{Due: due})
}
