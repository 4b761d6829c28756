package learning

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

// HelpView is a learner's "Get help" page: who they can talk to.
type HelpView struct {
	Mentor   MentorCard
	Managers []Contact
	// InGroup is set when they are in a group a programme manager runs
	// (not only programmes they started on their own).
	InGroup bool
}

// Help returns who the learner can contact: their mentor while they have
// one, and the programme managers of their groups.
func (s *Service) Help(ctx context.Context, u *auth.User) (*HelpView, error) {
	v := &HelpView{}
	ens, err := s.enrolments.ForUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range ens {
		v.InGroup = v.InGroup || (!e.SelfEnrolment && e.Status != "withdrawn")
	}
	if v.Managers, err = s.enrolments.ProgrammeManagers(ctx, u.ID); err != nil {
		return nil, err
	}
	if s.mentors != nil {
		name, id, err := s.mentors.MentorOf(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		v.Mentor = MentorCard{FirstName: name, Active: id != "", MentorshipID: id}
	}
	return v, nil
}

func (m *Module) help(c echo.Context) error {
	v, err := m.svc.Help(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "learning/help", "Get help", v)
}
