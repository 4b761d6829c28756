package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

// Rule says who may call a route. Every route is registered with one, so
// no route is reachable by accident.
type Rule struct {
	public bool
	roles  []string // empty with public false: any signed-in user
}

// Public routes need no sign-in (health, sign-in itself, static files).
var Public = Rule{public: true}

// SignedIn routes need a signed-in user of any role.
var SignedIn = Rule{}

// Roles returns a rule admitting signed-in users holding any of roles.
func Roles(roles ...string) Rule {
	return Rule{roles: roles}
}

// Allows reports whether u (nil when anonymous) may call a route with r.
func (r Rule) Allows(u *User) bool {
	switch {
	case r.public:
		return true
	case u == nil:
		return false
	case len(r.roles) == 0:
		return true
	}
	return u.HasAny(r.roles...)
}

func (r Rule) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	if r.public {
		return next
	}
	return func(c echo.Context) error {
		u := UserOf(c)
		if u == nil {
			if isAPI(c) || c.Request().Method != http.MethodGet {
				return apperr.New(apperr.Unauthorized, "Sign in to continue")
			}
			return c.Redirect(http.StatusSeeOther, "/auth/login?return_to="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		if !r.Allows(u) {
			return apperr.New(apperr.Forbidden, "Your account does not have access to this page")
		}
		return next(c)
	}
}

// Routes registers handlers with their rule and remembers the rule of each,
// so a test can walk every route and check who gets in.
type Routes struct {
	e          *echo.Echo
	rules      map[string]Rule
	idempotent echo.MiddlewareFunc
}

// NewRoutes wraps e. a provides the Idempotency-Key middleware.
func NewRoutes(e *echo.Echo, a *Auth) *Routes {
	return &Routes{e: e, rules: map[string]Rule{}, idempotent: a.Idempotent}
}

// Idempotent returns the middleware that makes an API write replay-safe
// with an Idempotency-Key header (see Auth.Idempotent).
func (r *Routes) Idempotent() echo.MiddlewareFunc { return r.idempotent }

// Add registers h for method and path under rule, after any extra
// middleware (which runs once the rule has admitted the caller).
func (r *Routes) Add(method, path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	key := method + " " + path
	if _, dup := r.rules[key]; dup {
		panic(fmt.Sprintf("auth: route %s registered twice", key))
	}
	r.rules[key] = rule
	r.e.Add(method, path, h, append([]echo.MiddlewareFunc{rule.middleware}, mw...)...)
}

// GET registers a GET route.
func (r *Routes) GET(path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add(http.MethodGet, path, rule, h, mw...)
}

// POST registers a POST route.
func (r *Routes) POST(path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add(http.MethodPost, path, rule, h, mw...)
}

// Rule returns the rule of a registered route.
func (r *Routes) Rule(method, path string) (Rule, bool) {
	rule, ok := r.rules[method+" "+path]
	return rule, ok
}

// Keys lists every registered "METHOD path", sorted.
func (r *Routes) Keys() []string {
	keys := make([]string, 0, len(r.rules))
	for k := range r.rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }
