package app

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
)

// openAPI describes every /api/v1 route; a test keeps it and the router in
// step.
//
//go:embed openapi.json
var openAPI []byte

func openAPIRoutes(r *auth.Routes) {
	r.GET("/api/v1/openapi.json", auth.Public, func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/json", openAPI)
	})
}
