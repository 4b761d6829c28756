package cohorts

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// acceptInvitation enrols the learner from a personal invitation.
func (h *Handlers) acceptInvitation(c echo.Context) error {
	_, err := h.svc.AcceptInvitation(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if e := apperr.As(err); err != nil && e.Kind == apperr.Conflict {
		return h.renderJoinForm(c, e.Kind.Status(), joinFormPage{Problem: e.Message})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/join?done=accepted")
}

// declineInvitation records the learner's no thanks.
func (h *Handlers) declineInvitation(c echo.Context) error {
	err := h.svc.DeclineInvitation(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if e := apperr.As(err); err != nil && e.Kind == apperr.Conflict {
		return h.renderJoinForm(c, e.Kind.Status(), joinFormPage{Problem: e.Message})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/join?done=declined")
}
