package cohorts

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

type nudgePage struct {
	*NudgePlan
	Learner    string // the one learner asked for, or ""
	RiskLabels map[string]string
}

// nudgePreview shows exactly what would be sent, and to whom, before
// anything is: ?learner=ID for one learner, else everyone flagged.
func (h *Handlers) nudgePreview(c echo.Context) error {
	learner := c.QueryParam("learner")
	p, err := h.svc.PlanNudges(c.Request().Context(), auth.UserOf(c), c.Param("id"), learner)
	if err != nil {
		return err
	}
	title := "Send a nudge"
	if !p.One {
		title = "Nudge everyone who needs it"
	}
	return h.pages.HTML(c, http.StatusOK, "cohorts/nudge", title, nudgePage{NudgePlan: p, Learner: learner, RiskLabels: RiskLabels})
}

// sendNudges sends the previewed nudges: the form's learner (or the
// query's: the preview's address) or, with none, everyone flagged.
func (h *Handlers) sendNudges(c echo.Context) error {
	sent, skipped, err := h.svc.SendNudges(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.FormValue("learner"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+url.PathEscape(c.Param("id"))+
		"?nudged="+strconv.Itoa(sent)+"&skipped="+strconv.Itoa(skipped))
}
