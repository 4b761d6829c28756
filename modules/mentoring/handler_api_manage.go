package mentoring

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
)

// proposalJSON is a proposal (or the mentorship it became) as a manager
// sees it through the API: both people by first name, and why they were
// matched.
type proposalJSON struct {
	ID               string  `json:"id"`
	Status           string  `json:"status"`
	LearnerID        string  `json:"learner_id"`
	LearnerFirstName string  `json:"learner_first_name"`
	MentorID         string  `json:"mentor_id"`
	MentorFirstName  string  `json:"mentor_first_name"`
	Score            float64 `json:"score"`
	Reasons          string  `json:"reasons"`
	ProposedAt       string  `json:"proposed_at"`
	StartsOn         *string `json:"starts_on"`
	EndsOn           *string `json:"ends_on"`
}

func toProposalJSON(m Mentorship) proposalJSON {
	j := proposalJSON{ID: m.ID, Status: m.Status, LearnerID: m.LearnerID, LearnerFirstName: m.LearnerFirstName(),
		MentorID: m.MentorID, MentorFirstName: m.MentorFirstName(), Score: m.Score, Reasons: m.Reasons,
		ProposedAt: m.ProposedAt.UTC().Format(time.RFC3339)}
	if m.StartsOn != nil {
		s, e := day(*m.StartsOn), day(*m.EndsOn)
		j.StartsOn, j.EndsOn = &s, &e
	}
	return j
}

func proposalsJSON(ms []Mentorship) []proposalJSON {
	out := make([]proposalJSON, len(ms))
	for i, m := range ms {
		out[i] = toProposalJSON(m)
	}
	return out
}

var errJSON = apperr.New(apperr.BadRequest, "The request body could not be read as JSON")

func (m *Module) apiProposals(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	ms, next, err := m.svc.Proposals(c.Request().Context(), auth.UserOf(c), p)
	if err != nil {
		return err
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, proposalsJSON(ms))
}

func (m *Module) apiMatch(c echo.Context) error {
	ms, err := m.svc.RunMatching(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, proposalsJSON(ms))
}

func (m *Module) apiApprove(c echo.Context) error {
	x, err := m.svc.Approve(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProposalJSON(x))
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

func (m *Module) apiReject(c echo.Context) error {
	var r rejectRequest
	if err := c.Bind(&r); err != nil {
		return errJSON
	}
	x, err := m.svc.Reject(c.Request().Context(), auth.UserOf(c), c.Param("id"), r.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProposalJSON(x))
}

type swapRequest struct {
	MentorID string `json:"mentor_id"`
}

func (m *Module) apiSwap(c echo.Context) error {
	var r swapRequest
	if err := c.Bind(&r); err != nil {
		return errJSON
	}
	x, err := m.svc.Swap(c.Request().Context(), auth.UserOf(c), c.Param("id"), r.MentorID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProposalJSON(x))
}
