package mentoring

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
	"onramp/app/page"
)

// mentorshipJSON is a mentorship as the API shows it: the other person
// by first name only (none while a proposal waits for a manager), and a
// summary fit for the caller's role.
type mentorshipJSON struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	StartsOn       *string `json:"starts_on"`
	EndsOn         *string `json:"ends_on"`
	Role           string  `json:"role"` // the caller's side: learner, mentor or staff
	OtherFirstName string  `json:"other_first_name,omitempty"`
	LearnerFirst   string  `json:"learner_first_name,omitempty"`
	MentorFirst    string  `json:"mentor_first_name,omitempty"`
	Summary        string  `json:"summary"`
}

func day(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }

func toJSON(u *auth.User, m Mentorship) mentorshipJSON {
	j := mentorshipJSON{ID: m.ID, Status: m.Status}
	if m.StartsOn != nil {
		s, e := day(*m.StartsOn), day(*m.EndsOn)
		j.StartsOn, j.EndsOn = &s, &e
	}
	switch {
	case u.ID == m.LearnerID:
		j.Role = "learner"
		if m.Status != StatusProposed {
			j.OtherFirstName = m.MentorFirstName()
			j.Summary = m.MentorJobRole + ", " + Label(CareerFamilies, m.MentorCareerFamily)
		} else {
			j.Summary = "A mentor has been suggested for you. Your programme manager will confirm it soon."
		}
	case u.ID == m.MentorID:
		j.Role, j.OtherFirstName = "mentor", m.LearnerFirstName()
		j.Summary = "Your mentee " + m.LearnerFirstName()
	default:
		j.Role, j.LearnerFirst, j.MentorFirst = "staff", m.LearnerFirstName(), m.MentorFirstName()
		j.Summary = m.Reasons
	}
	return j
}

func (m *Module) apiList(c echo.Context) error {
	u := auth.UserOf(c)
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	ms, next, err := m.svc.MinePage(c.Request().Context(), u, p)
	if err != nil {
		return err
	}
	out := make([]mentorshipJSON, len(ms))
	for i, x := range ms {
		out[i] = toJSON(u, x)
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, out)
}

func (m *Module) apiGet(c echo.Context) error {
	u := auth.UserOf(c)
	x, err := m.svc.Mentorship(c.Request().Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toJSON(u, x))
}
