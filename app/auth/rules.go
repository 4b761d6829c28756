package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	scopes []string // service-token scopes admitted besides the roles
}

// Public routes need no sign-in (health, sign-in itself, static files).
var Public = Rule{public: true}

// SignedIn routes need a signed-in user of any role.
var SignedIn = Rule{}

// Roles returns a rule admitting signed-in users holding any of roles.
func Roles(roles ...string) Rule {
	return Rule{roles: roles}
}

// OrScope returns r also admitting service tokens that hold scope. A
// service token is refused on every route without one of its scopes.
func (r Rule) OrScope(scope string) Rule {
	r.scopes = append(slices.Clone(r.scopes), scope)
	return r
}

// Allows reports whether u (nil when anonymous) may call a route with r.
func (r Rule) Allows(u *User) bool {
	switch {
	case r.public:
		return true
	case u == nil:
		return false
	case u.IsToken():
		return slices.ContainsFunc(r.scopes, func(s string) bool { return slices.Contains(u.Scopes, s) })
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
				if isAPI(c) {
					c.Response().Header().Set("WWW-Authenticate", bearerChallenge)
				}
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
// so a test can walk every route and check who gets in. Each route's chain
// is: its rule, the CSRF check, the admitted middleware, then its own
// middleware. The rule comes first so that a caller it refuses is answered
// before their body is read.
type Routes struct {
	e          *echo.Echo
	rules      map[string]Rule
	idempotent echo.MiddlewareFunc
	csrf       echo.MiddlewareFunc
	csrfExempt []string
	admitted   []echo.MiddlewareFunc
}

// RouteOptions shape the chain every route is registered with.
type RouteOptions struct {
	// CSRFExempt are route paths, as registered, of public routes that
	// authenticate some other way (a signed logout token) or carry no
	// session (the dev identity provider's own forms, the signed-out page).
	CSRFExempt []string
	// Admitted run on every route once its rule and CSRF check have let
	// the caller in: checks that read the body belong here.
	Admitted []echo.MiddlewareFunc
}

// NewRoutes wraps e. a provides the CSRF check and the Idempotency-Key
// middleware.
func NewRoutes(e *echo.Echo, a *Auth, o RouteOptions) *Routes {
	return &Routes{e: e, rules: map[string]Rule{}, idempotent: a.Idempotent, csrf: a.csrf,
		csrfExempt: o.CSRFExempt, admitted: o.Admitted}
}

// Idempotent returns the middleware that makes an API write replay-safe
// with an Idempotency-Key header (see Auth.Idempotent).
func (r *Routes) Idempotent() echo.MiddlewareFunc { return r.idempotent }

// Add registers h for method and path under rule, after any extra
// middleware (which runs once the rule has admitted the caller). It panics
// on a route registered twice, and on a CSRF exemption for a route that
// is not public: that would let any web site act as the signed-in user.
func (r *Routes) Add(method, path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	key := method + " " + path
	if _, dup := r.rules[key]; dup {
		panic(fmt.Sprintf("auth: route %s registered twice", key))
	}
	r.rules[key] = rule
	chain := []echo.MiddlewareFunc{rule.middleware}
	switch {
	case !slices.Contains(r.csrfExempt, path):
		chain = append(chain, r.csrf)
	case !rule.public:
		panic(fmt.Sprintf("auth: route %s is exempt from CSRF but not public", key))
	}
	chain = append(append(chain, r.admitted...), mw...)
	r.e.Add(method, path, h, chain...)
}

// GET registers a GET route.
func (r *Routes) GET(path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add(http.MethodGet, path, rule, h, mw...)
}

// DELETE registers a DELETE route.
func (r *Routes) DELETE(path string, rule Rule, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add(http.MethodDelete, path, rule, h, mw...)
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
