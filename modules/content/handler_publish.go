package content

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

// Publishing into a programme learners are on asks first: a save that
// newly publishes a programme, module or lesson learners would see at
// once shows a confirmation page instead, carrying every field the
// editor sent, so Publish saves exactly that and Go back shows the form
// again as they left it.

const (
	confirmField = "confirm_publish" // "yes" once the editor has confirmed
	backAction   = "back"            // the confirmation page's Go back
)

type publishPage struct {
	What    string // "lesson", "module" or "programme"
	Title   string
	Reach   *Reach
	Action  string // the form's address, posted to again
	Carried []hiddenField
}

type hiddenField struct{ Name, Value string }

// Audience says who will see it, like "12 learners on Get Into and
// Get Started".
func (p publishPage) Audience() string {
	people := "1 learner"
	if p.Reach.Learners != 1 {
		people = fmt.Sprintf("%d learners", p.Reach.Learners)
	}
	names := p.Reach.Programmes
	switch len(names) {
	case 1:
		return people + " on " + names[0]
	default:
		return people + " on " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
}

// askToPublish shows the confirmation page when publishing the draft
// what/id would show it at once to enrolled learners and the editor has
// not confirmed yet; asked is false when the save should go ahead.
func (m *Handlers) askToPublish(c echo.Context, what, id, title string) (asked bool, err error) {
	if c.FormValue(confirmField) == "yes" {
		return false, nil
	}
	r, err := m.svc.PublishReach(c.Request().Context(), what, id)
	if err != nil || r.Learners == 0 {
		return false, err
	}
	form, err := c.FormParams()
	if err != nil {
		return false, apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	data := publishPage{What: what, Title: title, Reach: r, Action: c.Request().URL.Path}
	names := make([]string, 0, len(form))
	for name := range form {
		if name != "_csrf" && name != "action" && name != confirmField {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range form[name] {
			data.Carried = append(data.Carried, hiddenField{name, v})
		}
	}
	return true, m.pages.HTML(c, http.StatusOK, "content/publish", "Publish "+title+"?", data)
}
