package content

import (
	"context"
	"io"

	"onramp/app/apperr"
	"onramp/app/storage"
)

// FileUpload is one file from an upload form.
type FileUpload struct {
	Body     io.Reader
	Size     int64 // as declared by the client; the store enforces the real size
	Filename string
}

// MediaLibrary lists every uploaded file, newest first, with how many
// lessons use it.
func (s *Service) MediaLibrary(ctx context.Context) ([]LibraryItem, error) {
	return s.store.MediaLibrary(ctx)
}

// UploadToLesson stores a file (and WebVTT captions for a video) and adds
// it to the end of a lesson's media, all or nothing: if any step fails,
// no row remains and the stored objects are deleted again. Types are
// checked before anything is stored. Errors: NotFound, Invalid (type, alt
// text, captions), TooLarge, Unavailable.
func (s *Service) UploadToLesson(ctx context.Context, actorID, lessonID string, file FileUpload, alt string, captions *FileUpload) (*Media, error) {
	if _, err := s.store.Lesson(ctx, lessonID); err != nil {
		return nil, notFoundOr(err, errNoLesson)
	}
	if captions != nil {
		var kind string
		var err error
		if kind, file.Body, err = sniffKind(file.Body); err != nil {
			return nil, err
		}
		if kind != storage.KindVideo {
			return nil, apperr.InvalidFields(apperr.FieldError{Field: "captions",
				Message: "Captions can only go with a video. Remove the captions file, or upload a video."})
		}
		if kind, captions.Body, err = sniffKind(captions.Body); err != nil {
			return nil, err
		}
		if kind != storage.KindCaptions {
			return nil, apperr.InvalidFields(apperr.FieldError{Field: "captions",
				Message: "The captions file must be a WebVTT file (it ends in .vtt and starts with WEBVTT)."})
		}
	}
	var written []string
	defer func() {
		for _, key := range written { // only left on failure
			_ = s.files.Delete(context.WithoutCancel(ctx), key)
		}
	}()
	var m *Media
	err := s.write(ctx, func(ctx context.Context) error {
		var err error
		m, err = s.Upload(ctx, actorID, file.Body, file.Size, file.Filename, alt)
		if m != nil {
			written = append(written, m.Key)
		}
		if err != nil {
			return err
		}
		var captionsID *string
		if captions != nil {
			c, err := s.Upload(ctx, actorID, captions.Body, captions.Size, captions.Filename, "")
			if c != nil {
				written = append(written, c.Key)
			}
			if err != nil {
				return asField(err, "captions")
			}
			captionsID = &c.ID
		}
		return s.attach(ctx, actorID, lessonID, m, captionsID)
	})
	if err != nil {
		return nil, err
	}
	written = nil
	return m, nil
}

// AttachMedia adds a file from the library (with captions from the
// library for a video) to the end of a lesson's media. Errors: NotFound
// (lesson), Invalid (no such file, captions that do not fit, already in
// the lesson).
func (s *Service) AttachMedia(ctx context.Context, actorID, lessonID, mediaID, captionsID string) error {
	if _, err := s.store.Lesson(ctx, lessonID); err != nil {
		return notFoundOr(err, errNoLesson)
	}
	m, err := s.store.MediaByID(ctx, mediaID)
	if isNotFound(err) {
		return apperr.InvalidFields(apperr.FieldError{Field: "media", Message: "Choose a file from the library."})
	}
	if err != nil {
		return err
	}
	var captions *string
	if captionsID != "" {
		c, err := s.store.MediaByID(ctx, captionsID)
		switch {
		case isNotFound(err) || (err == nil && c.Kind != storage.KindCaptions):
			return apperr.InvalidFields(apperr.FieldError{Field: "media-captions", Message: "Choose a captions file from the list."})
		case err != nil:
			return err
		case m.Kind != storage.KindVideo:
			return apperr.InvalidFields(apperr.FieldError{Field: "media-captions",
				Message: "Captions can only go with a video. Choose no captions, or choose a video."})
		}
		captions = &c.ID
	}
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "lessons", lessonID); err != nil {
			return notFoundOr(err, errNoLesson) // deleted meanwhile
		}
		return s.attach(ctx, actorID, lessonID, m, captions)
	})
}

// attach links stored media to a lesson, in the caller's transaction.
func (s *Service) attach(ctx context.Context, actorID, lessonID string, m *Media, captionsID *string) error {
	ok, err := s.store.AttachMedia(ctx, lessonID, m.ID, captionsID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidFields(apperr.FieldError{Field: "media", Message: "This file is already in the lesson."})
	}
	if err := s.store.TouchLesson(ctx, lessonID, s.now()); err != nil {
		return err
	}
	detail := map[string]any{"media_id": m.ID, "filename": m.Filename}
	if captionsID != nil {
		detail["captions_id"] = *captionsID
	}
	return s.audit.Record(ctx, actorID, "content.lesson.media_added", "lesson", lessonID, detail)
}

// DetachMedia takes a file out of a lesson; it stays in the library.
// Errors: NotFound (lesson, or the file is not in it); Invalid while the
// lesson's text shows the picture inside it.
func (s *Service) DetachMedia(ctx context.Context, actorID, lessonID, mediaID string) error {
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "lessons", lessonID); err != nil {
			return notFoundOr(err, errNoLesson)
		}
		l, err := s.store.Lesson(ctx, lessonID)
		if err != nil {
			return err
		}
		for _, img := range InlineImages(l.BodyMD) {
			if img.MediaID() == mediaID {
				return apperr.InvalidFields(apperr.FieldError{Field: "body", Message: "That picture is shown inside the lesson text. " +
					"Take its Markdown, ![...](" + img.Src + "), out of the text first, then remove the picture."})
			}
		}
		ok, err := s.store.DetachMedia(ctx, lessonID, mediaID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.NotFound, "That file is not in this lesson")
		}
		if err := s.store.TouchLesson(ctx, lessonID, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.media_removed", "lesson", lessonID, map[string]any{"media_id": mediaID})
	})
}

// sniffKind reads the start of r and returns the kind of media it is ("" if
// not allowed) and a reader that still yields all of r.
func sniffKind(r io.Reader) (string, io.Reader, error) {
	ctype, replay, err := storage.Sniff(r)
	if err != nil {
		return "", nil, apperr.Wrap(apperr.Invalid, "The file could not be read. Try again.", err)
	}
	kind, _ := storage.Allowed(ctype)
	return kind, replay, nil
}

// asField moves the field errors of an upload onto another form field
// (the captions file rather than the main file).
func asField(err error, field string) error {
	e := apperr.As(err)
	if e.Kind != apperr.Invalid || len(e.Fields) == 0 {
		return err
	}
	fields := make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = apperr.FieldError{Field: field, Message: "Captions: " + f.Message}
	}
	return apperr.InvalidFields(fields...)
}
