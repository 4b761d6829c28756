package identity

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
	"onramp/app/render"
)

// scopeLabels say in words what each scope reads.
var scopeLabels = map[string]string{
	auth.ScopeReportsRead: "Outcomes and equality reports (reports:read)",
	auth.ScopeCohortsRead: "Cohorts, their progress and organisations (cohorts:read)",
}

// serviceTokenRequest is the create form and the body of
// POST /api/v1/service-tokens.
type serviceTokenRequest struct {
	Name           string   `json:"name" form:"name"`
	Scopes         []string `json:"scopes" form:"scopes"`
	OrganisationID string   `json:"organisation_id" form:"organisation_id"`
	ExpiresInDays  int      `json:"expires_in_days" form:"expires_in_days"`
}

func (r serviceTokenRequest) service() NewServiceToken {
	return NewServiceToken{Name: r.Name, Scopes: r.Scopes, OrganisationID: r.OrganisationID, ExpiresInDays: r.ExpiresInDays}
}

type tokensPage struct {
	Tokens        []ServiceToken
	Organisations []Organisation
	Scopes        []render.Option // the create form's checkboxes
	Form          serviceTokenRequest
	Errors        []apperr.FieldError
	Created       *ServiceToken // the token just made, shown with Secret once
	Secret        string
	Done          string
	Now           time.Time
}

func (m *Module) listTokens(c echo.Context) error {
	return m.renderTokens(c, http.StatusOK, tokensPage{Form: serviceTokenRequest{ExpiresInDays: 90}, Done: c.QueryParam("done")})
}

func (m *Module) renderTokens(c echo.Context, status int, data tokensPage) error {
	ctx := c.Request().Context()
	var err error
	if data.Tokens, err = m.svc.ServiceTokens(ctx); err != nil {
		return err
	}
	if data.Organisations, err = m.svc.Organisations(ctx); err != nil {
		return err
	}
	data.Now = m.svc.now()
	for _, sc := range auth.AllScopes {
		data.Scopes = append(data.Scopes, render.Option{Value: sc, Label: scopeLabels[sc], Checked: slices.Contains(data.Form.Scopes, sc)})
	}
	return m.pages.HTML(c, status, "identity/service-tokens", "Service tokens", data)
}

func (m *Module) createToken(c echo.Context) error {
	var f serviceTokenRequest
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	t, secret, err := m.svc.CreateServiceToken(c.Request().Context(), auth.UserOf(c), f.service())
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderTokens(c, http.StatusUnprocessableEntity, tokensPage{Form: f, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	// Shown here and never again, so this answer is not a redirect.
	c.Response().Header().Set("Cache-Control", "no-store")
	return m.renderTokens(c, http.StatusCreated, tokensPage{Form: serviceTokenRequest{ExpiresInDays: 90}, Created: &t, Secret: secret})
}

func (m *Module) revokeToken(c echo.Context) error {
	if err := m.svc.RevokeServiceToken(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/service-tokens?done=revoked")
}

// serviceTokenJSON is a service token in the API, never with its secret.
type serviceTokenJSON struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Scopes         []string   `json:"scopes"`
	OrganisationID *string    `json:"organisation_id"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	LastUsedAt     *time.Time `json:"last_used_at"`
}

func tokenJSON(t ServiceToken, now time.Time) serviceTokenJSON {
	return serviceTokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, OrganisationID: t.OrganisationID, Status: t.Status(now),
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt}
}

// createdTokenJSON is the body of a 201 from POST /api/v1/service-tokens:
// the only time the secret is shown.
type createdTokenJSON struct {
	serviceTokenJSON
	Token string `json:"token"`
}

func (m *Module) apiListTokens(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	tokens, next, err := m.svc.ServiceTokenPage(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Items      []serviceTokenJSON `json:"items"`
		NextCursor *string            `json:"next_cursor"`
	}{Items: make([]serviceTokenJSON, len(tokens)), NextCursor: page.NextCursor(next)}
	now := m.svc.now()
	for i, t := range tokens {
		out.Items[i] = tokenJSON(t, now)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, out)
}

func (m *Module) apiGetToken(c echo.Context) error {
	t, err := m.svc.ServiceToken(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, tokenJSON(t, m.svc.now()))
}

func (m *Module) apiCreateToken(c echo.Context) error {
	var req serviceTokenRequest
	if err := (&echo.DefaultBinder{}).BindBody(c, &req); err != nil {
		return apperr.InvalidFields(apperr.FieldError{Field: "body",
			Message: `Send JSON like {"name":"Trust board reports","scopes":["reports:read"],"organisation_id":"…","expires_in_days":90}`})
	}
	t, secret, err := m.svc.CreateServiceToken(c.Request().Context(), auth.UserOf(c), req.service())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Location", "/api/v1/service-tokens/"+t.ID)
	return c.JSON(http.StatusCreated, createdTokenJSON{serviceTokenJSON: tokenJSON(t, m.svc.now()), Token: secret})
}

func (m *Module) apiRevokeToken(c echo.Context) error {
	if err := m.svc.RevokeServiceToken(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// organisationJSON is an organisation in the API.
type organisationJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// apiOrganisations lists the organisations the caller may see data of,
// by the one scope rule: every one for admins, their own for managers
// and organisation tokens.
func (m *Module) apiOrganisations(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	orgs, next, err := m.svc.OrganisationPage(c.Request().Context(), auth.UserOf(c), p)
	if err != nil {
		return err
	}
	out := struct {
		Items      []organisationJSON `json:"items"`
		NextCursor *string            `json:"next_cursor"`
	}{Items: make([]organisationJSON, len(orgs)), NextCursor: page.NextCursor(next)}
	for i, o := range orgs {
		out.Items[i] = organisationJSON{ID: o.ID, Name: o.Name, Kind: o.Kind}
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, out)
}
