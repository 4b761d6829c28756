package cohorts

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type learnerPage struct {
	*LearnerEnrolment
	Done   string // what was just done: "withdrawn", "transferred"
	Reason string // kept after an error
	Target string
	Errors []apperr.FieldError

	RiskLabels map[string]string
	KindLabels map[string]string
}

// kindLabels name destination kinds as outcomes.KindLabel does (cohorts
// does not import another module).
var kindLabels = map[string]string{"employment": "Employment", "apprenticeship": "Apprenticeship",
	"volunteering": "Volunteering", "education": "Education or training", "other": "Other"}

type learnerForm struct {
	Reason string `form:"reason"`
	Cohort string `form:"cohort"`
}

func (h *Handlers) learner(c echo.Context) error {
	return h.renderLearner(c, http.StatusOK, learnerForm{}, nil)
}

func (h *Handlers) renderLearner(c echo.Context, status int, f learnerForm, errs []apperr.FieldError) error {
	le, err := h.svc.Learner(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("learner"))
	if err != nil {
		return err
	}
	title := le.Progress.Name
	if title == "" {
		title = le.Progress.Email
	}
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return h.pages.HTML(c, status, "cohorts/learner", title, learnerPage{LearnerEnrolment: le,
		Done: c.QueryParam("done"), Reason: f.Reason, Target: f.Cohort, Errors: errs, RiskLabels: RiskLabels, KindLabels: kindLabels})
}

func learnerURL(cohortID, userID, done string) string {
	return "/manage/cohorts/" + url.PathEscape(cohortID) + "/learners/" + url.PathEscape(userID) + "?done=" + done
}

func (h *Handlers) withdraw(c echo.Context) error {
	var f learnerForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	err := h.svc.Withdraw(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("learner"), f.Reason)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return h.renderLearner(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, learnerURL(c.Param("id"), c.Param("learner"), "withdrawn"))
}

func (h *Handlers) transfer(c echo.Context) error {
	var f learnerForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	target, err := h.svc.Transfer(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("learner"), f.Cohort)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return h.renderLearner(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, learnerURL(target.ID, c.Param("learner"), "transferred"))
}
