package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
	"onramp/app/render"
)

// roleHome is a role's home page until its feature module takes the route
// over; it says plainly what is not built yet.
type roleHome struct {
	Coming string
	Links  []link
}

type link struct{ Href, Text string }

func homeRoutes(r *auth.Routes, pages *render.Engine) {
	r.GET("/", auth.Public, func(c echo.Context) error {
		if u := auth.UserOf(c); u != nil {
			if home := u.Home(); home != "/" {
				return c.Redirect(http.StatusSeeOther, home)
			}
			return pages.HTML(c, http.StatusOK, "app/choose", "Where do you want to go?", nil)
		}
		return pages.HTML(c, http.StatusOK, "app/home", "", nil)
	})
	home := func(path, role, title string, data roleHome) {
		r.GET(path, auth.Roles(role), func(c echo.Context) error {
			return pages.HTML(c, http.StatusOK, "app/role-home", title, data)
		})
	}
	home("/admin", auth.RoleAdmin, "Admin", roleHome{
		Coming: "Choose what to manage.",
		Links: []link{{"/admin/content", "Course content"}, {"/admin/users", "Users and roles"}, {"/admin/audit", "Audit log"},
			{"/admin/mentoring/weights", "Mentor matching weights"}, {"/admin/service-tokens", "Service tokens for reporting tools"}},
	})
}
