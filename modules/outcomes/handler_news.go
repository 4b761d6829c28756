package outcomes

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type newsPage struct {
	*NewsView
	Form      DestinationInput
	Errors    []apperr.FieldError
	Done      bool
	Kinds     []string
	Contracts []string
}

func (m *Module) news(c echo.Context) error {
	return m.renderNews(c, http.StatusOK, DestinationInput{}, nil)
}

func (m *Module) renderNews(c echo.Context, status int, form DestinationInput, errs []apperr.FieldError) error {
	v, err := m.svc.News(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	title := "Tell us your news"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return m.pages.HTML(c, status, "outcomes/news", title, newsPage{
		NewsView: v, Form: form, Errors: errs, Done: c.QueryParam("done") == "1", Kinds: Kinds, Contracts: Contracts,
	})
}

func (m *Module) reportNews(c echo.Context) error {
	in, err := bindDestination(c)
	if err != nil {
		return err
	}
	in.EvidenceSeen = false // only staff can vouch for a destination
	_, err = m.svc.ReportNews(c.Request().Context(), auth.UserOf(c), in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderNews(c, http.StatusUnprocessableEntity, in, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/learn/news?done=1")
}
