package identity

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/render"
)

const usersPerPage = 50

type usersPage struct {
	Query      string
	People     []Person
	Total      int64
	Page       int
	PrevURL    string
	NextURL    string
	RoleLabels func(string) string
}

func (m *Module) listUsers(c echo.Context) error {
	q := c.QueryParam("q")
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	people, total, err := m.svc.People(c.Request().Context(), q, page, usersPerPage)
	if err != nil {
		return err
	}
	data := usersPage{Query: q, People: people, Total: total, Page: page, RoleLabels: RoleLabel}
	link := func(p int) string { return "/admin/users?" + url.Values{"q": {q}, "page": {strconv.Itoa(p)}}.Encode() }
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if int64(page*usersPerPage) < total {
		data.NextURL = link(page + 1)
	}
	return m.pages.HTML(c, http.StatusOK, "identity/users", "Users and roles", data)
}

type userPage struct {
	Person        Person
	Organisations []Organisation
	Roles         []roleRow
	Errors        []apperr.FieldError
	Done          string
}

type roleRow struct {
	Role, Label      string
	Claimed, Granted bool
	Default          bool // a learner only because they hold no other role
}

func (m *Module) showUser(c echo.Context) error {
	return m.renderUser(c, http.StatusOK, nil)
}

func (m *Module) renderUser(c echo.Context, status int, fieldErrs []apperr.FieldError) error {
	ctx := c.Request().Context()
	p, err := m.svc.Person(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	orgs, err := m.svc.Organisations(ctx)
	if err != nil {
		return err
	}
	data := userPage{Person: p, Organisations: orgs, Errors: fieldErrs, Done: c.QueryParam("done")}
	noRoles := len(p.ClaimRoles) == 0 && len(p.GrantedRoles) == 0
	for _, r := range auth.AllRoles {
		data.Roles = append(data.Roles, roleRow{Role: r, Label: RoleLabel(r),
			Claimed: slices.Contains(p.ClaimRoles, r), Granted: slices.Contains(p.GrantedRoles, r),
			Default: noRoles && r == auth.RoleLearner})
	}
	return m.pages.HTML(c, status, "identity/user", p.Name, data)
}

type roleForm struct {
	Role    string `form:"role"`
	Confirm string `form:"confirm"` // "yes" once an admin grant has been confirmed
}

type confirmAdminPage struct {
	Person Person
}

// grantRole gives a role. Administrator is asked about first, on a page of
// its own (no script needed): it lets the person change anyone's roles.
func (m *Module) grantRole(c echo.Context) error {
	var f roleForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	if f.Role == auth.RoleAdmin && f.Confirm != "yes" {
		p, err := m.svc.Person(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		return m.pages.HTML(c, http.StatusOK, "identity/confirm-admin", "Make "+p.DisplayName()+" an administrator?", confirmAdminPage{Person: p})
	}
	return m.changeRole(c, m.svc.GrantRole, "granted")
}

func (m *Module) revokeRole(c echo.Context) error {
	return m.changeRole(c, m.svc.RevokeRole, "revoked")
}

type roleChange func(ctx context.Context, actor *auth.User, userID, role string) error

func (m *Module) changeRole(c echo.Context, change roleChange, done string) error {
	var f roleForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	err := change(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Role)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderUser(c, http.StatusUnprocessableEntity, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(c.Param("id"))+"?done=role-"+done)
}

type organisationForm struct {
	Organisation string `form:"organisation"`
}

func (m *Module) setOrganisation(c echo.Context) error {
	var f organisationForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	err := m.svc.SetOrganisation(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Organisation)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderUser(c, http.StatusUnprocessableEntity, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+url.PathEscape(c.Param("id"))+"?done=organisation")
}

// meResponse is the body of GET /api/v1/me.
type meResponse struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Email        string   `json:"email"`
	Roles        []string `json:"roles"`
	Organisation *string  `json:"organisation_id"`
	CSRFToken    string   `json:"csrf_token"`
}

func (m *Module) me(c echo.Context) error {
	u := auth.UserOf(c)
	resp := meResponse{ID: u.ID, Name: u.Name, Email: u.Email, Roles: u.Roles, CSRFToken: render.ViewerOf(c).CSRFToken}
	if u.OrganisationID != "" {
		resp.Organisation = &u.OrganisationID
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, resp)
}
