package workbook

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/render"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the workbook's pages: the learner's own, under /workbook, and
// their mentor's read-only view.
type Module struct {
	svc   *Service
	pages *render.Engine
}

// New registers the module's templates.
func New(svc *Service, pages *render.Engine) (*Module, error) {
	funcs := template.FuncMap{"valueLabel": ValueLabel, "statusLabel": statusLabel, "has": slices.Contains[[]string],
		"references": func() string { return References },
		// plural is "1 story", "3 stories".
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		}}
	if err := pages.AddPages("workbook", templates, "templates/*.html", funcs); err != nil {
		return nil, err
	}
	return &Module{svc: svc, pages: pages}, nil
}

// Routes registers the workbook's routes. Only learners reach /workbook,
// and every page works on the signed-in learner's own workbook, so an id
// of someone else's story or log entry is not found. Mentors read their
// mentee's workbook while the mentorship is active (the service's rule).
func (m *Module) Routes(r *auth.Routes) {
	learner := auth.Roles(auth.RoleLearner)
	r.GET("/workbook", learner, m.overview)
	r.GET("/workbook/stories", learner, m.stories)
	r.GET("/workbook/stories/new", learner, m.newStory)
	r.POST("/workbook/stories", learner, m.createStory)
	r.GET("/workbook/stories/:id", learner, m.editStory)
	r.POST("/workbook/stories/:id", learner, m.updateStory)
	r.GET("/workbook/stories/:id/delete", learner, m.confirmDeleteStory)
	r.POST("/workbook/stories/:id/delete", learner, m.deleteStory)
	r.GET("/workbook/answers/:lesson/delete", learner, m.confirmDeleteAnswer)
	r.POST("/workbook/answers/:lesson/delete", learner, m.deleteAnswer)
	r.GET("/workbook/placements", learner, m.placements)
	r.GET("/workbook/placements/new", learner, m.newPlacement)
	r.POST("/workbook/placements", learner, m.createPlacement)
	r.GET("/workbook/placements/:id", learner, m.editPlacement)
	r.POST("/workbook/placements/:id", learner, m.updatePlacement)
	r.GET("/workbook/placements/:id/delete", learner, m.confirmDeletePlacement)
	r.POST("/workbook/placements/:id/delete", learner, m.deletePlacement)
	r.GET("/workbook/documents", learner, m.documents)
	r.POST("/workbook/documents", learner, m.saveDocuments)
	r.GET("/workbook/cv", learner, m.cv)
	r.POST("/workbook/cv", learner, m.saveCV)
	r.GET("/workbook/cv.pdf", learner, m.cvPDF)
	r.GET("/workbook/cv.txt", learner, m.cvText)

	mentor := auth.Roles(auth.RoleMentor)
	r.GET("/mentoring/mentorships/:id/workbook", mentor, m.menteeWorkbook)
	r.GET("/mentoring/mentorships/:id/workbook/cv.pdf", mentor, m.menteeCVPDF)
}

// learnerID is the signed-in learner, whose workbook every page is.
func learnerID(c echo.Context) string { return auth.UserOf(c).ID }

// invalid returns the fields of an Invalid error, or nil and err for any
// other error.
func invalid(err error) ([]apperr.FieldError, error) {
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return e.Fields, nil
	}
	return nil, err
}

// titled prefixes a form page's title with "Error: " when it has errors,
// as the service manual asks.
func titled(title string, errs []apperr.FieldError) string {
	if len(errs) > 0 {
		return "Error: " + title
	}
	return title
}

func (m *Module) overview(c echo.Context) error {
	w, err := m.svc.Workbook(c.Request().Context(), learnerID(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/overview", "Your workbook", w)
}

// deletePage asks before deleting one thing.
type deletePage struct {
	What, Title, Action, Back string
}

func (m *Module) menteeWorkbook(c echo.Context) error {
	v, err := m.svc.MenteeWorkbook(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/mentee", v.FirstName+"’s workbook", v)
}

func (m *Module) menteeCVPDF(c echo.Context) error {
	pdf, err := m.svc.MenteeCVPDF(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return attachment(c, "application/pdf", "cv.pdf", pdf)
}

// attachment sends body as a download named name.
func attachment(c echo.Context, contentType, name string, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, contentType, body)
}
