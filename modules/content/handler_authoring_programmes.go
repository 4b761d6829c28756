package content

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type newItemForm struct {
	Title string `form:"title"`
	Slug  string `form:"slug"`
}

func (f newItemForm) item() NewItem { return NewItem{Title: f.Title, Slug: f.Slug} }

type programmesPage struct {
	Programmes []ProgrammeSummary
	Create     newItemForm
	ImportAs   string
	Errors     []apperr.FieldError
	Done       string
}

func (m *Handlers) programmes(c echo.Context) error {
	return m.renderProgrammes(c, http.StatusOK, programmesPage{Done: doneMessage(c)})
}

func (m *Handlers) renderProgrammes(c echo.Context, status int, data programmesPage) error {
	list, err := m.svc.ProgrammeList(c.Request().Context())
	if err != nil {
		return err
	}
	data.Programmes = list
	return m.pages.HTML(c, status, "content/programmes", "Course content", data)
}

func (m *Handlers) createProgramme(c echo.Context) error {
	var f newItemForm
	if err := bind(c, &f); err != nil {
		return err
	}
	id, err := m.svc.CreateProgramme(c.Request().Context(), auth.UserOf(c).ID, f.item())
	if fields, status, ok := formProblem(err); ok {
		return m.renderProgrammes(c, status, programmesPage{Create: f, Errors: fields})
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/programmes/"+id, "created", "")
}

// importProgramme takes a zip in the multipart field "file" and an
// optional short name in "slug". The server's general body limit skips
// this path, so the limit is applied here while the body is read.
func (m *Handlers) importProgramme(c echo.Context) error {
	req := c.Request()
	tooBig := apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "The zip is too large. The most you can import is 500 MB."})
	fail := func(err error) error {
		fields, status, ok := formProblem(err)
		if !ok {
			return err
		}
		return m.renderProgrammes(c, status, programmesPage{ImportAs: req.FormValue("slug"), Errors: prefixed(fields, "import-", "slug")})
	}
	if req.ContentLength > maxImportBytes {
		return fail(tooBig)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxImportBytes)
	if err := req.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(tooBig)
		}
		return fail(apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a zip file to import."}))
	}
	defer req.MultipartForm.RemoveAll()
	file, hdr, err := req.FormFile("file")
	if err != nil {
		return fail(apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a zip file to import."}))
	}
	defer file.Close()
	id, err := m.svc.ImportZip(req.Context(), auth.UserOf(c).ID, file, hdr.Size, req.FormValue("slug"))
	if err != nil {
		return fail(err)
	}
	return seeOther(c, "/admin/content/programmes/"+id, "imported", "")
}

type programmePage struct {
	Outline *Outline
	Form    programmeForm
	Module  newItemForm
	Errors  []apperr.FieldError
	Done    string
}

type programmeForm struct {
	Title     string `form:"title"`
	Summary   string `form:"summary"`
	Audience  string `form:"audience"`
	Length    string `form:"length"`
	IntroMD   string `form:"intro"`
	Published bool   `form:"published"`
	Open      bool   `form:"open_enrolment"`
	Mentors   bool   `form:"for_mentors"`
}

func (m *Handlers) programme(c echo.Context) error {
	return m.renderProgramme(c, http.StatusOK, programmePage{Done: doneMessage(c)}, nil)
}

// renderProgramme shows the programme page; with form nil the fields show
// what is stored, otherwise what the editor sent.
func (m *Handlers) renderProgramme(c echo.Context, status int, data programmePage, form *programmeForm) error {
	o, err := m.svc.ProgrammeForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	data.Outline = o
	if form != nil {
		data.Form = *form
	} else {
		p := o.Programme
		data.Form = programmeForm{Title: p.Title, Summary: p.Summary, Audience: p.Audience, Length: p.LengthText,
			IntroMD: p.IntroMD, Published: p.Published, Open: p.OpenEnrolment, Mentors: p.ForMentors}
	}
	return m.pages.HTML(c, status, "content/programme", o.Programme.Title, data)
}

func (m *Handlers) saveProgramme(c echo.Context) error {
	var f programmeForm
	if err := bind(c, &f); err != nil {
		return err
	}
	err := m.svc.UpdateProgramme(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), ProgrammeFields{
		Title: f.Title, Summary: f.Summary, Audience: f.Audience, Length: f.Length, IntroMD: f.IntroMD, Published: f.Published,
		OpenEnrolment: f.Open, ForMentors: f.Mentors})
	if fields, status, ok := formProblem(err); ok {
		return m.renderProgramme(c, status, programmePage{Errors: fields}, &f)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/programmes/"+c.Param("id"), "saved", "")
}

func (m *Handlers) addModule(c echo.Context) error {
	var f newItemForm
	if err := bind(c, &f); err != nil {
		return err
	}
	id, err := m.svc.AddModule(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.item())
	if fields, status, ok := formProblem(err); ok {
		return m.renderProgramme(c, status, programmePage{Module: f, Errors: prefixed(fields, "module-")}, nil)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+id, "module-added", "")
}

// exportProgramme downloads the programme, drafts and media included, as
// a zip in the package layout. The package is read in full first, so a
// failure is a clean error page rather than half a zip.
func (m *Handlers) exportProgramme(c echo.Context) error {
	pkg, err := m.svc.ExportPackage(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+pkg.Slug+`.zip"`) // slugs are [a-z0-9-]
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return pkg.WriteZip(c.Response())
}

type programmePreview struct {
	Outline *Outline
	Intro   template.HTML
	Modules []modulePreview
}

type modulePreview struct {
	OutlineModule
	Overview template.HTML
}

func (m *Handlers) previewProgramme(c echo.Context) error {
	o, err := m.svc.ProgrammeForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	r := m.svc.Renderer()
	data := programmePreview{Outline: o, Intro: r.HTML(o.Programme.IntroMD)}
	for _, mod := range o.Modules {
		data.Modules = append(data.Modules, modulePreview{OutlineModule: mod, Overview: r.HTML(mod.OverviewMD)})
	}
	return m.pages.HTML(c, http.StatusOK, "content/preview_programme", "Preview: "+o.Programme.Title, data)
}
