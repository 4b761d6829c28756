package content

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type lessonPage struct {
	*LessonEdit
	Form       lessonForm
	Preview    template.HTML // the body as learners will see it
	Previewing bool          // showing unsaved changes
	Alt        string        // the upload form's alt text, kept on an error
	Transcript string        // the audio form's transcript, kept on an error
	Errors     []apperr.FieldError
	Done       string
}

type lessonForm struct {
	Title     string `form:"title"`
	Minutes   string `form:"minutes"`
	BodyMD    string `form:"body"`
	Published bool   `form:"published"`
	Questions string `form:"questions"` // YAML
	Shuffle   bool   `form:"shuffle"`
	Action    string `form:"action"` // "preview" or "save"
}

func (m *Handlers) lesson(c echo.Context) error {
	return m.renderLesson(c, http.StatusOK, lessonPage{Done: doneMessage(c)}, nil)
}

// renderLesson shows the lesson editor; with form nil the fields show what
// is stored, otherwise what the editor sent. The preview shows the form's
// body, sanitised exactly as learners get it.
func (m *Handlers) renderLesson(c echo.Context, status int, data lessonPage, form *lessonForm) error {
	v, err := m.svc.LessonForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	data.LessonEdit = v
	if form != nil {
		data.Form = *form
	} else {
		l := v.Lesson
		qs, err := QuestionsYAML(l.Questions)
		if err != nil {
			return err
		}
		data.Form = lessonForm{Title: l.Title, Minutes: strconv.Itoa(l.Minutes), BodyMD: l.BodyMD, Published: l.Published, Questions: qs, Shuffle: l.Shuffle}
	}
	if data.Transcript == "" {
		data.Transcript = v.Lesson.AudioTranscript
	}
	data.Preview = m.svc.Renderer().HTML(data.Form.BodyMD)
	return m.pages.HTML(c, status, "content/lesson", v.Lesson.Title, data)
}

// saveLesson saves the lesson, or with action=preview shows the page again
// with the editor's changes rendered and nothing saved.
func (m *Handlers) saveLesson(c echo.Context) error {
	var f lessonForm
	if err := bind(c, &f); err != nil {
		return err
	}
	switch {
	case f.Action == "preview":
		return m.renderLesson(c, http.StatusOK, lessonPage{Previewing: true}, &f)
	case f.Action == backAction:
		return m.renderLesson(c, http.StatusOK, lessonPage{}, &f)
	case f.Published:
		if asked, err := m.askToPublish(c, PublishLesson, c.Param("id"), f.Title); asked || err != nil {
			return err
		}
	}
	err := m.svc.UpdateLesson(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"),
		LessonFields{Title: f.Title, Minutes: f.Minutes, BodyMD: f.BodyMD, Published: f.Published, QuestionsYAML: f.Questions, Shuffle: f.Shuffle})
	if fields, status, ok := formProblem(err); ok {
		return m.renderLesson(c, status, lessonPage{Errors: fields}, &f)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "saved", "")
}

func (m *Handlers) moveLesson(c echo.Context) error {
	var f moveForm
	if err := bind(c, &f); err != nil {
		return err
	}
	moduleID, ok, err := m.svc.MoveLesson(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.Direction)
	if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+moduleID, moved(ok), "lessons")
}

type deleteForm struct {
	Confirm string `form:"confirm"`
}

func (m *Handlers) deleteLesson(c echo.Context) error {
	var f deleteForm
	if err := bind(c, &f); err != nil {
		return err
	}
	if f.Confirm != "yes" {
		return m.renderLesson(c, http.StatusUnprocessableEntity, lessonPage{Errors: []apperr.FieldError{{Field: "confirm",
			Message: "Tick the box to confirm you want to delete this lesson."}}}, nil)
	}
	moduleID, err := m.svc.DeleteLesson(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"))
	if fields, status, ok := formProblem(err); ok {
		return m.renderLesson(c, status, lessonPage{Errors: fields}, nil)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+moduleID, "deleted", "lessons")
}

// lessonMedia adds a file to the lesson: with source=library one chosen
// from the library ("media", and "media-captions" for a video), otherwise
// an uploaded "file" with its "alt" text and optional "captions" file.
// The server's general body limit skips this path, so the upload limit is
// applied here while the body is read, before anything is stored.
func (m *Handlers) lessonMedia(c echo.Context) error {
	req := c.Request()
	limit := m.svc.limits.MaxUploadBody()
	if req.ContentLength > limit {
		return m.mediaProblem(c, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other)))
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	err := req.ParseMultipartForm(8 << 20)
	if errors.Is(err, http.ErrNotMultipart) { // choosing from the library needs no file
		err = req.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return m.mediaProblem(c, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other)))
	case err != nil:
		return m.mediaProblem(c, apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to upload."}))
	}
	if req.MultipartForm != nil {
		defer req.MultipartForm.RemoveAll()
	}
	ctx, actor, lessonID := req.Context(), auth.UserOf(c).ID, c.Param("id")
	if req.FormValue("source") == "library" {
		err = m.svc.AttachMedia(ctx, actor, lessonID, req.FormValue("media"), req.FormValue("media-captions"))
	} else {
		err = m.uploadToLesson(c, lessonID)
	}
	if err != nil {
		return m.mediaProblem(c, err)
	}
	return seeOther(c, "/admin/content/lessons/"+lessonID, "media-added", "media")
}

func (m *Handlers) uploadToLesson(c echo.Context, lessonID string) error {
	req := c.Request()
	f, hdr, err := req.FormFile("file")
	if err != nil {
		return apperr.InvalidFields(apperr.FieldError{Field: "file", Message: "Choose a file to upload."})
	}
	defer f.Close()
	var captions *FileUpload
	if cf, ch, err := req.FormFile("captions"); err == nil {
		defer cf.Close()
		captions = &FileUpload{Body: cf, Size: ch.Size, Filename: ch.Filename}
	}
	_, err = m.svc.UploadToLesson(req.Context(), auth.UserOf(c).ID, lessonID,
		FileUpload{Body: f, Size: hdr.Size, Filename: hdr.Filename}, req.FormValue("alt"), captions)
	return err
}

// mediaProblem shows the lesson again with what was wrong with the file,
// keeping the alt text typed.
func (m *Handlers) mediaProblem(c echo.Context, err error) error {
	fields, status, ok := formProblem(err)
	if e := apperr.As(err); e.Kind == apperr.TooLarge {
		fields, status, ok = []apperr.FieldError{{Field: "file", Message: e.Message}}, e.Kind.Status(), true
	}
	if !ok {
		return err
	}
	return m.renderLesson(c, status, lessonPage{Errors: fields, Alt: c.Request().FormValue("alt")}, nil)
}

func (m *Handlers) removeLessonMedia(c echo.Context) error {
	err := m.svc.DetachMedia(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), c.Param("media"))
	if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "media-removed", "media")
}

// lessonAudio sets the lesson's recording ("audio", optional when it has
// one: then only the "transcript" changes) and its transcript. The
// server's general body limit skips this path, so the upload limit is
// applied here while the body is read.
func (m *Handlers) lessonAudio(c echo.Context) error {
	req := c.Request()
	limit := m.svc.limits.MaxUploadBody()
	tooBig := apperr.InvalidFields(apperr.FieldError{Field: "audio", Message: apperr.As(tooLarge(m.svc.limits.Other)).Message})
	fail := func(err error) error {
		fields, status, ok := formProblem(err)
		if !ok {
			return err
		}
		return m.renderLesson(c, status, lessonPage{Errors: fields, Transcript: req.FormValue("transcript")}, nil)
	}
	if req.ContentLength > limit {
		return fail(tooBig)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	err := req.ParseMultipartForm(8 << 20)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return fail(tooBig)
	case err != nil:
		return fail(apperr.InvalidFields(apperr.FieldError{Field: "audio", Message: "Choose the recording to upload."}))
	}
	defer req.MultipartForm.RemoveAll()
	var up FileUpload
	if f, hdr, err := req.FormFile("audio"); err == nil {
		defer f.Close()
		up = FileUpload{Body: f, Size: hdr.Size, Filename: hdr.Filename}
	}
	err = m.svc.SetLessonAudio(req.Context(), auth.UserOf(c).ID, c.Param("id"), up, req.FormValue("transcript"))
	if e := apperr.As(err); err != nil && e.Kind == apperr.TooLarge {
		err = apperr.InvalidFields(apperr.FieldError{Field: "audio", Message: e.Message})
	}
	if err != nil {
		return fail(err)
	}
	return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "audio-saved", "audio")
}

func (m *Handlers) removeLessonAudio(c echo.Context) error {
	if err := m.svc.RemoveLessonAudio(c.Request().Context(), auth.UserOf(c).ID, c.Param("id")); err != nil {
		return err
	}
	return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "audio-removed", "audio")
}

type lessonPreview struct {
	*LessonEdit
	Body template.HTML
}

func (m *Handlers) previewLesson(c echo.Context) error {
	v, err := m.svc.LessonForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	data := lessonPreview{LessonEdit: v, Body: m.svc.Renderer().HTML(v.Lesson.BodyMD)}
	return m.pages.HTML(c, http.StatusOK, "content/preview_lesson", "Preview: "+v.Lesson.Title, data)
}
