// Package render turns templates into NHS.UK-styled pages. Every template is
// parsed once at start: a page that is missing or broken stops start-up
// rather than failing a request later.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London without relying on the host's zone files

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

// London is UK time: every page and export shows dates and times in it,
// whatever the server's zone.
var London = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is compiled in, so it cannot be missing
	}
	return l
}()

// DateTime writes a moment for people, in UK time: "2 December 2026 at
// 3:04pm".
func DateTime(t time.Time) string { return t.In(London).Format("2 January 2006 at 3:04pm") }

// Viewer is what every page needs to know about the person looking at it.
// The auth middleware sets it on the request; anonymous visitors get zero.
type Viewer struct {
	SignedIn  bool
	Name      string
	Roles     []string
	CSRFToken string
	// Unread is how many unread notifications the viewer has, for the
	// header; filled in only when an HTML page is rendered (see
	// Engine.OnPage).
	Unread int
	// Help is set for a learner: the help every learner page offers
	// (filled in with Unread).
	Help *LearnerHelp
}

// LearnerHelp is where a learner's pages point them for help.
type LearnerHelp struct {
	// MentorName and MentorshipID are set while they have an active
	// mentor: "contact my mentor" opens their thread.
	MentorName, MentorshipID string
}

// Has reports whether the viewer holds role.
func (v Viewer) Has(role string) bool {
	for _, r := range v.Roles {
		if r == role {
			return true
		}
	}
	return false
}

const viewerKey = "render.viewer"

// SetViewer records the viewer for the templates of this request.
func SetViewer(c echo.Context, v Viewer) { c.Set(viewerKey, v) }

// ViewerOf returns the viewer recorded for this request.
func ViewerOf(c echo.Context) Viewer {
	v, _ := c.Get(viewerKey).(Viewer)
	return v
}

// Page is the data a layout receives. Data is the page's own view model.
type Page struct {
	Title  string
	Viewer Viewer
	Path   string
	Data   any
}

// NavItem is one link in the header navigation.
type NavItem struct {
	Href, Text string
	Current    bool
}

// Pager is a pair of previous and next links (template "pager").
type Pager struct {
	Label      string
	Prev, Next *NavItem
}

// Engine holds the parsed layout and every page parsed on top of it.
type Engine struct {
	layout *template.Template
	pages  map[string]*template.Template
	onPage func(c echo.Context, v *Viewer)
}

// OnPage sets a function that completes the viewer just before a page is
// rendered, such as the header's unread count: it runs once per HTML
// page, never for API calls, redirects or static files. The composition
// root sets it once, before serving.
func (e *Engine) OnPage(fn func(c echo.Context, v *Viewer)) { e.onPage = fn }

// New parses the shared layout templates (*.html in layouts) and returns an
// engine whose asset URLs are fingerprinted by static.
func New(layouts fs.FS, static *Static) (*Engine, error) {
	e := &Engine{pages: map[string]*template.Template{}}
	t := template.New("layout").Funcs(template.FuncMap{
		"asset": static.URL,
		"date":  func(t time.Time) string { return t.In(London).Format("2 January 2006") },
		// datetime is a moment in UK time: "2 December 2026 at 3:04pm".
		"datetime": func(t time.Time) string { return DateTime(t) },
		"join":     strings.Join,
		"inc":      func(i int) int { return i + 1 },
		"list":     func(items ...string) []string { return items },
		"title":    func(s string) string { return strings.ToUpper(s[:1]) + s[1:] },
		// dict builds a map for passing several values to a template.
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"add": func(a, b int) int { return a + b },
		"mul": func(a, b int) int { return a * b },
		"kb": func(n int64) string {
			if n >= 1<<20 {
				return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
			}
			return fmt.Sprintf("%d KB", (n+1023)/1024)
		},
		// fieldError is the message for one field among form errors.
		"fieldError": func(errs []apperr.FieldError, field string) string {
			for _, e := range errs {
				if e.Field == field {
					return e.Message
				}
			}
			return ""
		},
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		// pager builds previous/next links; an empty href leaves one out.
		"pager": func(label, prevHref, prevText, nextHref, nextText string) Pager {
			p := Pager{Label: label}
			if prevHref != "" {
				p.Prev = &NavItem{Href: prevHref, Text: prevText}
			}
			if nextHref != "" {
				p.Next = &NavItem{Href: nextHref, Text: nextText}
			}
			return p
		},
		"navItem": func(current, href, text string) NavItem {
			return NavItem{Href: href, Text: text, Current: current == href || strings.HasPrefix(current, href+"/")}
		},
	}).Funcs(formFuncs)
	t, err := t.ParseFS(layouts, "*.html")
	if err != nil {
		return nil, fmt.Errorf("parsing layout templates: %w", err)
	}
	e.layout = t
	return e, nil
}

// AddPages parses each file matching pattern in fsys as a page named by its
// file name without extension, prefixed with namespace ("identity/users").
// A page defines "title"-free blocks: "content" and optionally "head".
func (e *Engine) AddPages(namespace string, fsys fs.FS, pattern string, funcs ...template.FuncMap) error {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no templates match %s for %s", pattern, namespace)
	}
	// Files whose names start with "_" hold partials the namespace's
	// pages share; they are not pages themselves.
	var partials, pages []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			partials = append(partials, f)
		} else {
			pages = append(pages, f)
		}
	}
	for _, f := range pages {
		name := namespace + "/" + strings.TrimSuffix(path.Base(f), path.Ext(f))
		clone, err := e.layout.Clone()
		if err != nil {
			return err
		}
		for _, f := range funcs {
			clone.Funcs(f)
		}
		if _, err := clone.ParseFS(fsys, append([]string{f}, partials...)...); err != nil {
			return fmt.Errorf("parsing template %s: %w", name, err)
		}
		if clone.Lookup("content") == nil {
			return fmt.Errorf("template %s defines no \"content\" block", name)
		}
		e.pages[name] = clone
	}
	return nil
}

// HTML renders page name with the request's viewer. The whole page is
// rendered into memory first, so a template error becomes a clean 500
// instead of half a page.
func (e *Engine) HTML(c echo.Context, status int, name, title string, data any) error {
	t, ok := e.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	v := ViewerOf(c)
	if e.onPage != nil && v.SignedIn {
		e.onPage(c, &v)
	}
	p := Page{Title: title, Viewer: v, Path: c.Request().URL.Path, Data: data}
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// StatusText is the plain-English title for an error status.
func StatusText(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "You do not have access to this page"
	case http.StatusUnauthorized:
		return "You need to sign in"
	case http.StatusServiceUnavailable:
		return "Sorry, this service is unavailable"
	case http.StatusTooManyRequests:
		return "Too many requests"
	case http.StatusRequestEntityTooLarge:
		return "That was too large"
	}
	if status >= 500 {
		return "Sorry, there is a problem with the service"
	}
	return "There is a problem"
}
