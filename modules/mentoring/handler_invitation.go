package mentoring

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type inviteForm struct {
	Name  string `form:"name"`
	Email string `form:"email"`
}

type invitePage struct {
	Form   InviteInput
	Errors []apperr.FieldError
	Sent   string // the email just invited, or ""
}

func (m *Module) invitePage(c echo.Context) error {
	return m.pages.HTML(c, http.StatusOK, "mentoring/invite", "Invite a mentor", invitePage{Sent: c.QueryParam("sent")})
}

func (m *Module) invite(c echo.Context) error {
	var f inviteForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	in := InviteInput(f)
	inv, err := m.svc.Invite(c.Request().Context(), auth.UserOf(c), in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.pages.HTML(c, http.StatusUnprocessableEntity, "mentoring/invite", "Invite a mentor", invitePage{Form: in, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/mentoring/invitations?sent="+inv.Email)
}

func (m *Module) invitation(c echo.Context) error {
	inv, err := m.svc.MentorInvitation(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "mentoring/invitation", "Your invitation to mentor", inv)
}

func (m *Module) acceptInvitation(c echo.Context) error {
	if err := m.svc.AcceptInvitation(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/mentoring/profile")
}
