package devidp

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/ory/fosite"
)

//go:embed templates/*.html
var templateFiles embed.FS

// parsePages parses the embedded pages once, so a broken template fails New
// rather than a request.
func parsePages() (*template.Template, error) {
	pages, err := template.ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("devidp: parse templates: %w", err)
	}
	return pages, nil
}

// signInPage is the data for templates/signin.html.
type signInPage struct {
	Title         string
	StylesheetURL string
	Error         string
	Action        string        // the authorize endpoint's path
	Hidden        []hiddenField // the original authorize parameters
	Users         []userChoice
	CancelParam   string
}

// hiddenField is one authorize parameter the page's forms send again.
type hiddenField struct{ Name, Value string }

// userChoice is one demo account on the sign-in page.
type userChoice struct{ Name, Email, Roles string }

// signedOutPage is the data for templates/signedout.html.
type signedOutPage struct {
	Title         string
	StylesheetURL string
	Error         string
}

// renderSignIn shows every demo user as its own GET form that repeats the
// authorize request with a login_hint, so signing in needs no JavaScript.
func (p *Provider) renderSignIn(w http.ResponseWriter, ar fosite.AuthorizeRequester, problem string) {
	form := ar.GetRequestForm()
	names := make([]string, 0, len(form))
	for name := range form {
		if name != "login_hint" && name != cancelParam {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	page := signInPage{
		Title:         "Choose a demo account",
		StylesheetURL: p.stylesheetURL,
		Error:         problem,
		Action:        p.basePath + authorizePath,
		CancelParam:   cancelParam,
	}
	for _, name := range names {
		for _, value := range form[name] {
			page.Hidden = append(page.Hidden, hiddenField{Name: name, Value: value})
		}
	}
	for _, u := range p.users {
		page.Users = append(page.Users, userChoice{Name: u.Name, Email: u.Email, Roles: strings.Join(u.Roles, ", ")})
	}
	p.render(w, http.StatusOK, "signin.html", page)
}

// renderSignedOut shows the signed-out page, with problem as an error
// summary when it is not empty.
func (p *Provider) renderSignedOut(w http.ResponseWriter, status int, problem string) {
	p.render(w, status, "signedout.html", signedOutPage{Title: "You have signed out", StylesheetURL: p.stylesheetURL, Error: problem})
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (p *Provider) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.pages.ExecuteTemplate(&buf, name, data); err != nil {
		p.log.Error("devidp: render page", "page", name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
