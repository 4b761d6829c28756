package cohorts

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type invitesPage struct {
	Cohort  *Cohort
	Invites []Invite
	BaseURL string // for the links learners follow
	Created string // the code just made
	Revoked string // the code just cancelled
	Days    string
	MaxUses string
	Errors  []apperr.FieldError
	// QR codes of the join links of the codes still working.
	QR map[string]QR
}

type inviteForm struct {
	Days    string `form:"days"`
	MaxUses string `form:"max_uses"`
}

func (h *Handlers) invites(c echo.Context) error {
	return h.renderInvites(c, http.StatusOK, inviteForm{Days: "14", MaxUses: "30"}, nil)
}

func (h *Handlers) renderInvites(c echo.Context, status int, f inviteForm, errs []apperr.FieldError) error {
	co, invites, err := h.svc.Invites(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	title := "Invite codes"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	qr := map[string]QR{}
	for _, inv := range invites {
		if inv.State == "active" {
			if qr[inv.Code], err = qrFor(h.baseURL + "/join/" + inv.Code); err != nil {
				return err
			}
		}
	}
	return h.pages.HTML(c, status, "cohorts/invites", title, invitesPage{Cohort: co, Invites: invites,
		BaseURL: h.baseURL, Created: NormaliseCode(c.QueryParam("created")),
		Revoked: NormaliseCode(c.QueryParam("revoked")), Days: f.Days, MaxUses: f.MaxUses, Errors: errs, QR: qr})
}

func (h *Handlers) createInvite(c echo.Context) error {
	var f inviteForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	inv, err := h.svc.CreateInvite(c.Request().Context(), auth.UserOf(c), c.Param("id"), InviteInput(f))
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return h.renderInvites(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+inv.CohortID+"/invites?created="+inv.Code)
}

func (h *Handlers) revokeInvite(c echo.Context) error {
	if err := h.svc.RevokeInvite(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("code")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+url.PathEscape(c.Param("id"))+"/invites?revoked="+url.QueryEscape(c.Param("code")))
}

type joinFormPage struct {
	Code   string
	Errors []apperr.FieldError
	// For a signed-in learner: their personal invitations, what they just
	// did with one ("accepted", "declined") or why they could not.
	Invitations []PersonalInvitation
	Done        string
	Problem     string
}

// joinForm asks for a code; submitted (GET, so it works as a bookmark
// too), it goes to the code's page. A signed-in learner also sees the
// personal invitations waiting for them.
func (h *Handlers) joinForm(c echo.Context) error {
	typed, ok := c.QueryParams()["code"]
	if !ok {
		done := c.QueryParam("done")
		if done != "accepted" && done != "declined" {
			done = ""
		}
		return h.renderJoinForm(c, http.StatusOK, joinFormPage{Done: done})
	}
	code := NormaliseCode(typed[0])
	msg := "Enter the code your programme manager gave you: 8 letters and numbers"
	if code != "" {
		_, err := h.svc.Invitation(c.Request().Context(), nil, code)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/join/"+code)
		}
		if e := apperr.As(err); e.Kind != apperr.NotFound {
			return err
		}
		msg = errNoCode.Message
	}
	return h.renderJoinForm(c, http.StatusUnprocessableEntity,
		joinFormPage{Code: typed[0], Errors: []apperr.FieldError{{Field: "code", Message: msg}}})
}

// renderJoinForm shows the join page, with a signed-in learner's
// invitations.
func (h *Handlers) renderJoinForm(c echo.Context, status int, p joinFormPage) error {
	if u := auth.UserOf(c); u.Has(auth.RoleLearner) {
		var err error
		if p.Invitations, err = h.svc.Invitations(c.Request().Context(), u.ID); err != nil {
			return err
		}
	}
	title := "Join a course with a code"
	switch {
	case p.Done == "accepted":
		title = "You have joined"
	case len(p.Invitations) > 0:
		title = "Invitations waiting for you"
	}
	if len(p.Errors) > 0 || p.Problem != "" {
		title = "Error: " + title
	}
	return h.pages.HTML(c, status, "cohorts/join", title, p)
}

type joinPage struct {
	*Invitation
	SignedIn  bool
	IsLearner bool
	Error     string
}

func (h *Handlers) joinPage(c echo.Context) error {
	return h.renderJoin(c, http.StatusOK, "")
}

func (h *Handlers) renderJoin(c echo.Context, status int, problem string) error {
	u := auth.UserOf(c)
	inv, err := h.svc.Invitation(c.Request().Context(), u, c.Param("code"))
	if err != nil {
		return err
	}
	title := "Join " + inv.ProgrammeTitle
	if problem != "" {
		title = "Error: " + title
	}
	return h.pages.HTML(c, status, "cohorts/join_code", title,
		joinPage{Invitation: inv, SignedIn: u != nil, IsLearner: u.Has(auth.RoleLearner), Error: problem})
}

func (h *Handlers) join(c echo.Context) error {
	inv, err := h.svc.Join(c.Request().Context(), auth.UserOf(c), c.Param("code"))
	if e := apperr.As(err); err != nil && e.Kind == apperr.Conflict {
		return h.renderJoin(c, e.Kind.Status(), e.Message)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/join/"+inv.Code)
}
