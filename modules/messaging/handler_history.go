package messaging

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

// history is a thread's full record, laid out to print for a case.
func (m *Module) history(c echo.Context) error {
	h, err := m.svc.History(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "messaging/history", "Message history", h)
}
