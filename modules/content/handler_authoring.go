package content

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// formBodyLimit caps the plain forms under /admin/content/lessons/, which
// the server's general body limit skips because the same prefix takes
// uploads. A lesson's Markdown is far smaller.
const formBodyLimit = "2M"

// maxImportBytes caps an uploaded programme zip.
const maxImportBytes = MaxPackageMB << 20

// authoringRoutes registers the course content pages for editors.
func (m *Handlers) authoringRoutes(r *auth.Routes) {
	form := middleware.BodyLimit(formBodyLimit)
	r.GET("/admin/content", editors, m.programmes)
	r.POST("/admin/content/programmes", editors, m.createProgramme)
	r.POST("/admin/content/import", editors, m.importProgramme)
	r.GET("/admin/content/programmes/:id", editors, m.programme)
	r.POST("/admin/content/programmes/:id", editors, m.saveProgramme)
	r.GET("/admin/content/programmes/:id/export", editors, m.exportProgramme)
	r.GET("/admin/content/programmes/:id/preview", editors, m.previewProgramme)
	r.POST("/admin/content/programmes/:id/modules", editors, m.addModule)
	r.POST("/admin/content/programmes/:id/shared", editors, m.includeShared)
	r.POST("/admin/content/programmes/:id/shared/:module/remove", editors, m.excludeShared)
	r.POST("/admin/content/shared", editors, m.createShared)

	r.GET("/admin/content/modules/:id", editors, m.module)
	r.POST("/admin/content/modules/:id", editors, m.saveModule)
	r.POST("/admin/content/modules/:id/move", editors, m.moveModule)
	r.POST("/admin/content/modules/:id/lessons", editors, m.addLesson)
	r.GET("/admin/content/modules/:id/check", editors, m.check)
	r.POST("/admin/content/modules/:id/check", editors, m.saveCheck)
	m.checkFormRoutes(r, editors)

	r.GET("/admin/content/lessons/:id", editors, m.lesson)
	r.POST("/admin/content/lessons/:id", editors, m.saveLesson)
	r.GET("/admin/content/lessons/:id/preview", editors, m.previewLesson)
	r.POST("/admin/content/lessons/:id/move", editors, m.moveLesson, form)
	r.POST("/admin/content/lessons/:id/delete", editors, m.deleteLesson, form)
	r.POST("/admin/content/lessons/:id/media", editors, m.lessonMedia)
	r.POST("/admin/content/lessons/:id/media/:media/remove", editors, m.removeLessonMedia)
	r.POST("/admin/content/lessons/:id/audio", editors, m.lessonAudio)
	r.POST("/admin/content/lessons/:id/audio/remove", editors, m.removeLessonAudio)

	r.GET("/admin/media", editors, m.library)
	r.POST("/admin/media", editors, m.uploadToLibrary)
}

// doneMessages are the confirmations shown after a change, by the code in
// ?done=. Only known codes are shown, so a link cannot put words on the
// page.
var doneMessages = map[string]string{
	"created":  "Programme created. It is a draft: learners cannot see it until you publish it.",
	"imported": "Programme imported as a draft. Check it, then publish it and its modules and lessons.",
	"imported-shared-updated": "Programme imported as a draft. The zip had a different version of a shared module it includes, " +
		"so that shared module was updated: the change shows in every programme that uses it.",
	"shared-added":    "Shared module added as a draft. Include it in programmes from each programme's page.",
	"shared-included": "Shared module included. Learners who completed it elsewhere have it completed here too.",
	"shared-removed":  "Shared module taken out of this programme. Learners keep what they did in it.",
	"saved":           "Changes saved.",
	"module-added":    "Module added as a draft.",
	"lesson-added":    "Lesson added as a draft.",
	"moved":           "Order changed.",
	"not-moved":       "That is already at the end of the list, so it did not move.",
	"deleted":         "Lesson deleted.",
	"media-added":     "File added to the lesson, and your changes to the lesson saved.",
	"media-removed":   "File taken out of the lesson, and your changes to the lesson saved. The file is still in the media library.",
	"audio-saved":     "Recording saved, and your changes to the lesson saved.",
	"audio-removed":   "Recording taken out, and your changes to the lesson saved.",
	"saved-not-uploaded": "Changes saved. The file you chose was not uploaded: choose it again and select the button beside it, " +
		"“Upload and add” or “Upload recording”.",
	"check-saved": "Knowledge check saved.",
	"uploaded":    "File uploaded to the media library.",
}

func doneMessage(c echo.Context) string { return doneMessages[c.QueryParam("done")] }

// seeOther redirects after a successful POST, with a confirmation code and
// an optional #fragment.
func seeOther(c echo.Context, path, done, fragment string) error {
	u := path + "?" + url.Values{"done": {done}}.Encode()
	if fragment != "" {
		u += "#" + fragment
	}
	return c.Redirect(http.StatusSeeOther, u)
}

// formProblem returns the field errors in err and the status to answer
// with when err is about what the editor entered, so the form is shown
// again with their input; ok is false for any other error.
func formProblem(err error) (fields []apperr.FieldError, status int, ok bool) {
	e := apperr.As(err)
	if len(e.Fields) > 0 && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict) {
		return e.Fields, e.Kind.Status(), true
	}
	return nil, 0, false
}

// bind reads a form into f.
func bind(c echo.Context, f any) error {
	if err := c.Bind(f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	return nil
}

// moved is the confirmation code for a move.
func moved(ok bool) string {
	if ok {
		return "moved"
	}
	return "not-moved"
}

// prefixed gives field errors the ids of a second form on the same page
// ("module-title" for the add-module form's title), so the error summary
// links to the right input. With only listed, just those fields change.
func prefixed(fields []apperr.FieldError, prefix string, only ...string) []apperr.FieldError {
	out := make([]apperr.FieldError, len(fields))
	for i, f := range fields {
		out[i] = f
		if len(only) == 0 || slices.Contains(only, f.Field) {
			out[i].Field = prefix + f.Field
		}
	}
	return out
}
