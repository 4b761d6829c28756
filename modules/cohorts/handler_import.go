package cohorts

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/sheet"
)

// enrolmentRoutes registers spreadsheet imports, invite codes (managers'
// pages and the learners' join pages), answers to personal invitations,
// and withdrawing and transferring learners.
func (h *Handlers) enrolmentRoutes(r *auth.Routes) {
	r.GET("/manage/cohorts/:id/import", staff, h.importForm)
	r.GET("/manage/cohorts/:id/import/example.csv", staff, h.importExample)
	r.POST("/manage/cohorts/:id/import", staff, h.importUpload)
	r.GET("/manage/cohorts/:id/imports/:import", staff, h.importPreview)
	r.POST("/manage/cohorts/:id/imports/:import/confirm", staff, h.importConfirm)
	r.POST("/api/v1/cohorts/:id/imports", staff, h.apiImport, r.Idempotent())
	r.POST("/api/v1/cohorts/:id/imports/:import/confirm", staff, h.apiConfirm)

	r.GET("/manage/cohorts/:id/invites", staff, h.invites)
	r.POST("/manage/cohorts/:id/invites", staff, h.createInvite)
	r.POST("/manage/cohorts/:id/invites/:code/revoke", staff, h.revokeInvite)
	r.GET("/join", auth.Public, h.joinForm)
	r.GET("/join/:code", auth.Public, h.joinPage)
	r.POST("/join/:code", auth.Roles(auth.RoleLearner), h.join)
	r.POST("/join/invitations/:id/accept", auth.Roles(auth.RoleLearner), h.acceptInvitation)
	r.POST("/join/invitations/:id/decline", auth.Roles(auth.RoleLearner), h.declineInvitation)

	r.GET("/manage/cohorts/:id/learners/:learner", staff, h.learner)
	r.POST("/manage/cohorts/:id/learners/:learner/withdraw", staff, h.withdraw)
	r.POST("/manage/cohorts/:id/learners/:learner/transfer", staff, h.transfer)
	r.GET("/manage/cohorts/:id/nudges", staff, h.nudgePreview)
	r.POST("/manage/cohorts/:id/nudges", staff, h.sendNudges)
}

type importFormPage struct {
	Cohort  *Cohort
	Ages    AgeRange
	Columns []string
	MaxRows int
	Errors  []apperr.FieldError
}

func (h *Handlers) importForm(c echo.Context) error {
	return h.renderImportForm(c, http.StatusOK, nil)
}

func (h *Handlers) renderImportForm(c echo.Context, status int, errs []apperr.FieldError) error {
	co, err := h.svc.Cohort(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	title := "Add learners from a spreadsheet"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return h.pages.HTML(c, status, "cohorts/import", title, importFormPage{Cohort: co, Ages: AgesFor(co.ProgrammeSlug),
		Columns: ImportColumns, MaxRows: MaxImportRows, Errors: errs})
}

// importExample is a spreadsheet to start from, with learners whose ages
// suit the cohort.
func (h *Handlers) importExample(c echo.Context) error {
	co, err := h.svc.Cohort(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	min := AgesFor(co.ProgrammeSlug).Min
	return sheet.Send(c.Response(), sheet.CSV, "onramp-learners-example", "", [][]string{
		{"name", "email", "date_of_birth", "phone"},
		{"Aisha Rahman", "aisha.rahman@example.com", co.StartsOn.AddDate(-min-2, -3, 5).Format("02/01/2006"), "07700 900123"},
		{"Ben Carter", "ben.carter@example.com", co.StartsOn.AddDate(-min-4, 2, -9).Format("2006-01-02"), ""},
	})
}

// uploadedFile reads the "file" field of a multipart form, up to the
// import limit.
func uploadedFile(c echo.Context) (string, []byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return "", nil, errTooBig
		}
		return "", nil, fileError("Choose a CSV file to upload")
	}
	if fh.Size > MaxImportBytes {
		return "", nil, errTooBig
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	return fh.Filename, data, err
}

// fileProblem returns the form errors of a refused upload, or ok false
// for any other error.
func fileProblem(err error) (fields []apperr.FieldError, status int, ok bool) {
	e := apperr.As(err)
	switch e.Kind {
	case apperr.Invalid:
		return e.Fields, e.Kind.Status(), true
	case apperr.TooLarge:
		return []apperr.FieldError{{Field: "file", Message: e.Message}}, e.Kind.Status(), true
	}
	return nil, 0, false
}

func (h *Handlers) importUpload(c echo.Context) error {
	name, data, err := uploadedFile(c)
	if err == nil {
		var imp *Import
		if imp, err = h.svc.PreviewImport(c.Request().Context(), auth.UserOf(c), c.Param("id"), name, data); err == nil {
			return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+imp.Cohort.ID+"/imports/"+imp.ID)
		}
	}
	if fields, status, ok := fileProblem(err); ok {
		return h.renderImportForm(c, status, fields)
	}
	return err
}

func (h *Handlers) importPreview(c echo.Context) error {
	imp, err := h.svc.Import(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("import"))
	if err != nil {
		return err
	}
	return h.pages.HTML(c, http.StatusOK, "cohorts/import_preview", "Check the learners before adding them", imp)
}

func (h *Handlers) importConfirm(c echo.Context) error {
	res, err := h.svc.ConfirmImport(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("import"))
	if err != nil {
		return err
	}
	q := url.Values{"added": {strconv.Itoa(res.Added)}, "already": {strconv.Itoa(res.AlreadyAdded)}}
	return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+url.PathEscape(c.Param("id"))+"?"+q.Encode())
}

type rowErrorJSON struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type importJSON struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	Rows      int            `json:"rows"`
	ValidRows int            `json:"valid_rows"`
	ErrorRows int            `json:"error_rows"`
	Errors    []rowErrorJSON `json:"errors"`
}

func (h *Handlers) apiImport(c echo.Context) error {
	name, data, err := uploadedFile(c)
	if err != nil {
		// Check the cohort first, so a refusal never tells another
		// organisation's manager anything about the file.
		if _, cerr := h.svc.Cohort(c.Request().Context(), auth.UserOf(c), c.Param("id")); cerr != nil {
			return cerr
		}
		return err
	}
	imp, err := h.svc.PreviewImport(c.Request().Context(), auth.UserOf(c), c.Param("id"), name, data)
	if err != nil {
		return err
	}
	out := importJSON{ID: imp.ID, Status: imp.Status, Rows: len(imp.Rows), ValidRows: imp.ValidRows,
		ErrorRows: imp.ErrorRows, Errors: []rowErrorJSON{}}
	for _, r := range imp.Rows {
		for _, e := range r.Errors {
			out.Errors = append(out.Errors, rowErrorJSON{Row: r.Row, Field: e.Field, Message: e.Message})
		}
	}
	return c.JSON(http.StatusCreated, out)
}

// confirmJSON is a confirmed import's answer: the same fields and words
// whoever was in the file.
type confirmJSON struct {
	Added        int    `json:"added"`
	AlreadyAdded int    `json:"already_added"`
	Message      string `json:"message"`
}

func (h *Handlers) apiConfirm(c echo.Context) error {
	res, err := h.svc.ConfirmImport(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("import"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, confirmJSON{Added: res.Added, AlreadyAdded: res.AlreadyAdded, Message: ImportResultMessage})
}
