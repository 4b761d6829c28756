package content

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

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
	Shared     []SharedModuleSummary
	SharedNew  newItemForm
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
	if data.Shared, err = m.svc.SharedModules(c.Request().Context()); err != nil {
		return err
	}
	return m.pages.HTML(c, status, "content/programmes", "Course content", data)
}

func (m *Handlers) createShared(c echo.Context) error {
	var f newItemForm
	if err := bind(c, &f); err != nil {
		return err
	}
	id, err := m.svc.CreateSharedModule(c.Request().Context(), auth.UserOf(c).ID, f.item())
	if fields, status, ok := formProblem(err); ok {
		return m.renderProgrammes(c, status, programmesPage{SharedNew: f, Errors: prefixed(fields, "shared-")})
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+id, "shared-added", "")
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
	im, err := m.svc.ImportZip(req.Context(), auth.UserOf(c).ID, file, hdr.Size, req.FormValue("slug"))
	if err != nil {
		return fail(err)
	}
	done := "imported"
	if len(im.SharedUpdated) > 0 {
		done = "imported-shared-updated"
	}
	return seeOther(c, "/admin/content/programmes/"+im.ProgrammeID, done, "")
}

type programmePage struct {
	Outline *Outline
	Form    programmeForm
	Module  newItemForm
	Shared  []SharedModuleSummary // to include
	Include includeForm
	Errors  []apperr.FieldError
	Done    string
}

// Own counts the programme's own modules, which shared ones go after.
func (p programmePage) Own() int {
	n := 0
	for _, m := range p.Outline.Modules {
		if !m.Shared {
			n++
		}
	}
	return n
}

// OwnNumber is the number of the own module at position, as the
// programme page numbers its own modules (0 for none).
func (p programmePage) OwnNumber(position int) int {
	n := 0
	for _, m := range p.Outline.Modules {
		if !m.Shared && m.Position <= position {
			n++
		}
	}
	return n
}

// IncludeHint says which numbers a shared module can be placed after.
func (p programmePage) IncludeHint() string {
	n := p.Own()
	if n == 1 {
		return "0 puts it first, 1 after this programme's one module."
	}
	return fmt.Sprintf("0 puts it first. This programme has %d modules of its own.", n)
}

type includeForm struct {
	Module string `form:"module"`
	After  string `form:"after"`
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
	Action    string `form:"action"` // "back" from the publish confirmation
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
	if data.Shared, err = m.svc.SharedModules(c.Request().Context()); err != nil {
		return err
	}
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
	if f.Action == backAction {
		return m.renderProgramme(c, http.StatusOK, programmePage{}, &f)
	}
	if f.Published {
		if asked, err := m.askToPublish(c, PublishProgramme, c.Param("id"), f.Title); asked || err != nil {
			return err
		}
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

// includeShared includes a shared module in the programme, or moves it.
func (m *Handlers) includeShared(c echo.Context) error {
	var f includeForm
	if err := bind(c, &f); err != nil {
		return err
	}
	after, err := strconv.Atoi(strings.TrimSpace(f.After))
	if err != nil {
		after = -1 // refused with the range to use
	}
	err = m.svc.IncludeShared(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.Module, after)
	if fields, status, ok := formProblem(err); ok {
		return m.renderProgramme(c, status, programmePage{Include: f, Errors: fields}, nil)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/programmes/"+c.Param("id"), "shared-included", "modules")
}

// excludeShared takes a shared module out of the programme.
func (m *Handlers) excludeShared(c echo.Context) error {
	err := m.svc.ExcludeShared(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), c.Param("module"))
	if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/programmes/"+c.Param("id"), "shared-removed", "modules")
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
