package audit

import (
	"embed"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/dayinput"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module shows the audit log to administrators.
type Module struct {
	log   *Log
	pages *render.Engine
}

// NewModule registers the audit pages.
func NewModule(l *Log, pages *render.Engine) (*Module, error) {
	if err := pages.AddPages("audit", templates, "templates/*.html"); err != nil {
		return nil, err
	}
	return &Module{log: l, pages: pages}, nil
}

// Routes registers GET /admin/audit for administrators.
func (m *Module) Routes(r *auth.Routes) {
	r.GET("/admin/audit", auth.Roles(auth.RoleAdmin), m.list)
}

// pageSize is how many entries the page shows: the newest that match.
const pageSize = 200

type listForm struct {
	Subject   string `query:"subject"` // TYPE:ID, from a link on a person's page
	Person    string `query:"person"`
	Action    string `query:"action"`
	FromDay   string `query:"from-day"`
	FromMonth string `query:"from-month"`
	FromYear  string `query:"from-year"`
	ToDay     string `query:"to-day"`
	ToMonth   string `query:"to-month"`
	ToYear    string `query:"to-year"`
}

type listPage struct {
	Form     listForm
	Actions  []render.Option
	Entries  []shownEntry
	Errors   []apperr.FieldError
	Filtered bool
	About    string // who the entries are about, when the list is one person's
	Limit    int
}

type shownEntry struct {
	Entry
	When         string // in UK time, like "2 December 2026 at 3:04pm"
	Sentence     string
	SubjectLink  string
	SubjectLabel string
}

// list shows the newest entries, narrowed by the filters in the query.
func (m *Module) list(c echo.Context) error {
	var f listForm
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, &f); err != nil {
		return apperr.New(apperr.BadRequest, "The filters could not be read. Try again.")
	}
	data := listPage{Form: f, Limit: pageSize}
	for _, g := range actionGroups {
		data.Actions = append(data.Actions, render.Option{Value: g.Value, Label: g.Label})
	}
	filter := Filter{Person: f.Person, Actions: actionsOf(f.Action)}
	if kind, id, _ := strings.Cut(f.Subject, ":"); id != "" {
		filter.SubjectType, filter.SubjectID = kind, id
	}
	from, fromErr := m.day("from", "Start date", dayinput.Input{Day: f.FromDay, Month: f.FromMonth, Year: f.FromYear})
	to, toErr := m.day("to", "End date", dayinput.Input{Day: f.ToDay, Month: f.ToMonth, Year: f.ToYear})
	for _, e := range []*apperr.FieldError{fromErr, toErr} {
		if e != nil {
			data.Errors = append(data.Errors, *e)
		}
	}
	if from != nil && to != nil && to.Before(*from) {
		data.Errors = append(data.Errors, apperr.FieldError{Field: "to-day", Message: "End date must be the same as or after the start date"})
	}
	if len(data.Errors) > 0 {
		return m.pages.HTML(c, http.StatusUnprocessableEntity, "audit/list", "Audit log", data)
	}
	filter.From = from
	if to != nil {
		end := to.AddDate(0, 0, 1) // the whole of the end day
		filter.To = &end
	}
	data.Filtered = filter.Person != "" || filter.Actions != nil || filter.From != nil || filter.To != nil || filter.SubjectType != ""
	entries, err := m.log.Search(c.Request().Context(), filter, pageSize)
	if err != nil {
		return err
	}
	for _, e := range entries {
		s := shownEntry{Entry: e, When: render.DateTime(e.At), Sentence: e.Describe()}
		if e.SubjectType == "user" {
			s.SubjectLink, s.SubjectLabel = "/admin/users/"+e.SubjectID, e.subjectName()
			if e.SubjectID == filter.SubjectID {
				data.About = s.SubjectLabel
			}
		}
		data.Entries = append(data.Entries, s)
	}
	return m.pages.HTML(c, http.StatusOK, "audit/list", "Audit log", data)
}

// day reads an optional NHS date input as midnight UK time on that day.
func (m *Module) day(name, label string, in dayinput.Input) (*time.Time, *apperr.FieldError) {
	if in.Empty() {
		return nil, nil
	}
	t, bad := dayinput.Parse(name, label, in)
	if bad != nil {
		return nil, bad
	}
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, render.London)
	return &t, nil
}
