package mentoring

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

func (m *Module) matching(c echo.Context) error {
	v, err := m.svc.Matching(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "mentoring/matching", "Mentoring", struct {
		*MatchingView
		Done string
	}{v, doneMessage(c.QueryParam("done"))})
}

// doneMessage is what the matching page says after an action, from the
// code the action redirected with; "" for none or an unknown code.
func doneMessage(done string) string {
	switch done {
	case "approved":
		return "Match approved"
	case "rejected":
		return "Match rejected"
	case "swapped":
		return "Mentor swapped"
	case "conflict":
		return "Conflict recorded and match rejected"
	}
	n, err := strconv.Atoi(strings.TrimPrefix(done, "matched-"))
	switch {
	case !strings.HasPrefix(done, "matched-") || err != nil || n < 0:
		return ""
	case n == 0:
		return "No new matches found"
	case n == 1:
		return "1 match proposed"
	}
	return strconv.Itoa(n) + " matches proposed"
}

func (m *Module) runMatching(c echo.Context) error {
	proposed, err := m.svc.RunMatching(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring?done=matched-"+strconv.Itoa(len(proposed)))
}

func (m *Module) proposal(c echo.Context) error {
	v, err := m.svc.Proposal(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "mentoring/proposal", "Proposed match", struct {
		*ProposalView
		Done string
	}{v, doneMessage(c.QueryParam("done"))})
}

func (m *Module) approve(c echo.Context) error {
	if _, err := m.svc.Approve(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring?done=approved")
}

func (m *Module) reject(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if _, err := m.svc.Reject(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Reason); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring?done=rejected")
}

func (m *Module) proposalConflict(c echo.Context) error {
	var f conflictForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if err := m.svc.DeclareProposalConflict(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Kind, f.Reason); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring?done=conflict")
}

func (m *Module) swap(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if _, err := m.svc.Swap(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Mentor); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring/proposals/"+c.Param("id")+"?done=swapped")
}
