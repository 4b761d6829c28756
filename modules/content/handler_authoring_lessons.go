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
	Action    string `form:"action"` // "preview", "save" or "back" (from the publish confirmation)
}

func (f lessonForm) fields() LessonFields {
	return LessonFields{Title: f.Title, Minutes: f.Minutes, BodyMD: f.BodyMD, Published: f.Published,
		QuestionsYAML: f.Questions, Shuffle: f.Shuffle}
}

// The lesson page is one form: the lesson's fields, the upload, library
// and recording fields, and every button that changes the lesson. A
// button lower down the page (upload, add from the library, save or
// remove the recording, remove a file) posts the whole form to its own
// address, which saves the lesson's fields first, so text typed and not
// yet saved is never lost to an upload. Only "Save lesson" publishes or
// unpublishes, after asking when learners would see it at once.

// unchangedPublish is added to the confirmation of a change made with a
// lower button when the Published tick was changed too but not saved.
const unchangedPublish = " Published was not changed: select “Save lesson” to publish or unpublish."

func (m *Handlers) lesson(c echo.Context) error {
	done := doneMessage(c)
	if done != "" && c.QueryParam("publish") == "unchanged" {
		done += unchangedPublish
	}
	return m.renderLesson(c, http.StatusOK, lessonPage{Done: done}, nil)
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

// readLessonPost reads a post of the lesson page within the upload limit
// (the server's general body limit skips these paths), before anything
// is stored. done removes the upload's temporary files.
func (m *Handlers) readLessonPost(c echo.Context) (done func(), err error) {
	req := c.Request()
	limit := m.svc.limits.MaxUploadBody()
	if req.ContentLength > limit {
		return nil, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other))
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	err = req.ParseMultipartForm(8 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = req.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(max(m.svc.limits.Video, m.svc.limits.Other))
	case err != nil:
		return nil, apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	return func() {
		if req.MultipartForm != nil {
			req.MultipartForm.RemoveAll()
		}
	}, nil
}

// keepTyped saves the lesson's fields posted with a lower button, keeping
// Published as stored. typed is nil when the post has no lesson fields;
// publishChanged says the editor changed the Published tick, which was
// not saved. Errors: Invalid (the fields), shown with what was typed.
func (m *Handlers) keepTyped(c echo.Context) (typed *lessonForm, publishChanged bool, err error) {
	if _, ok := c.Request().PostForm["title"]; !ok {
		return nil, false, nil
	}
	var f lessonForm
	if err := bind(c, &f); err != nil {
		return nil, false, err
	}
	ctx := c.Request().Context()
	v, err := m.svc.LessonForEdit(ctx, c.Param("id"))
	if err != nil {
		return nil, false, err
	}
	in := f.fields()
	in.Published = v.Lesson.Published
	return &f, f.Published != v.Lesson.Published, m.svc.UpdateLesson(ctx, auth.UserOf(c).ID, c.Param("id"), in)
}

// lessonDone redirects to the lesson page after a lower button's change.
func lessonDone(c echo.Context, done string, publishChanged bool, fragment string) error {
	u := "/admin/content/lessons/" + c.Param("id") + "?done=" + done
	if publishChanged {
		u += "&publish=unchanged"
	}
	return c.Redirect(http.StatusSeeOther, u+"#"+fragment)
}

// saveLesson saves the lesson, or with action=preview shows the page again
// with the editor's changes rendered and nothing saved.
func (m *Handlers) saveLesson(c echo.Context) error {
	done, err := m.readLessonPost(c)
	if err != nil {
		return err
	}
	defer done()
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
	err = m.svc.UpdateLesson(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.fields())
	if fields, status, ok := formProblem(err); ok {
		return m.renderLesson(c, status, lessonPage{Errors: fields}, &f)
	} else if err != nil {
		return err
	}
	if chosen(c, "file") || chosen(c, "audio") {
		return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "saved-not-uploaded", "media")
	}
	return seeOther(c, "/admin/content/lessons/"+c.Param("id"), "saved", "")
}

// chosen reports whether the post carries a file in field name.
func chosen(c echo.Context, name string) bool {
	mf := c.Request().MultipartForm
	return mf != nil && len(mf.File[name]) > 0 && mf.File[name][0].Size > 0
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

// lessonChange runs a lower button's change (see keepTyped): it saves
// the typed fields, then calls change; a problem with either shows the
// page again with what was typed, the problem on field (a file too
// large is a problem with field).
func (m *Handlers) lessonChange(c echo.Context, field, done, fragment string, change func() error) error {
	var typed *lessonForm
	fail := func(err error, note string) error {
		fields, status, ok := formProblem(err)
		if e := apperr.As(err); e.Kind == apperr.TooLarge {
			fields, status, ok = []apperr.FieldError{{Field: field, Message: e.Message}}, e.Kind.Status(), true
		}
		if !ok {
			return err
		}
		req := c.Request()
		return m.renderLesson(c, status, lessonPage{Errors: fields, Alt: req.FormValue("alt"), Transcript: req.FormValue("transcript"),
			Done: note}, typed)
	}
	cleanup, err := m.readLessonPost(c)
	if err != nil {
		return fail(err, "")
	}
	defer cleanup()
	typed, publishChanged, err := m.keepTyped(c)
	if err != nil {
		return fail(err, "Nothing else was changed: fix the lesson, then try again. Choose any file again too.")
	}
	if err := change(); err != nil {
		return fail(err, "")
	}
	return lessonDone(c, done, publishChanged, fragment)
}

// lessonMedia adds a file to the lesson: with source=library one chosen
// from the library ("media", and "media-captions" for a video), otherwise
// an uploaded "file" with its "alt" text and optional "captions" file.
func (m *Handlers) lessonMedia(c echo.Context) error {
	return m.lessonChange(c, "file", "media-added", "media", func() error {
		req := c.Request()
		if req.FormValue("source") == "library" {
			return m.svc.AttachMedia(req.Context(), auth.UserOf(c).ID, c.Param("id"), req.FormValue("media"), req.FormValue("media-captions"))
		}
		return m.uploadToLesson(c, c.Param("id"))
	})
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

func (m *Handlers) removeLessonMedia(c echo.Context) error {
	return m.lessonChange(c, "file", "media-removed", "media", func() error {
		return m.svc.DetachMedia(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), c.Param("media"))
	})
}

// lessonAudio sets the lesson's recording ("audio", optional when it has
// one: then only the "transcript" changes) and its transcript.
func (m *Handlers) lessonAudio(c echo.Context) error {
	return m.lessonChange(c, "audio", "audio-saved", "audio", func() error {
		req := c.Request()
		var up FileUpload
		if f, hdr, err := req.FormFile("audio"); err == nil {
			defer f.Close()
			up = FileUpload{Body: f, Size: hdr.Size, Filename: hdr.Filename}
		}
		return m.svc.SetLessonAudio(req.Context(), auth.UserOf(c).ID, c.Param("id"), up, req.FormValue("transcript"))
	})
}

func (m *Handlers) removeLessonAudio(c echo.Context) error {
	return m.lessonChange(c, "audio", "audio-removed", "audio", func() error {
		return m.svc.RemoveLessonAudio(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"))
	})
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
