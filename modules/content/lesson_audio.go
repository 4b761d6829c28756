package content

import (
	"context"
	"io"
	"strings"

	"onramp/app/apperr"
	"onramp/app/storage"
)

// lessonAudioTypes are the recordings a lesson can play instead of the
// browser's speech: the formats every current browser plays.
var lessonAudioTypes = map[string]bool{"audio/mpeg": true, "audio/mp4": true, "audio/ogg": true}

const msgAudioType = "The recording must be an MP3, M4A or OGG audio file."

// SetLessonAudio gives a lesson a recording of it read aloud, with its
// transcript, replacing any it had; with no file (nil Body) only the
// transcript of the recording it has changes. The file keeps the media
// upload rules (type sniffed from its bytes, size limit) and must be MP3,
// M4A or OGG audio. Errors: NotFound; Invalid (no transcript, wrong type,
// no file and no recording yet); TooLarge; Unavailable.
func (s *Service) SetLessonAudio(ctx context.Context, actorID, lessonID string, file FileUpload, transcript string) error {
	l, err := s.store.Lesson(ctx, lessonID)
	if err != nil {
		return notFoundOr(err, errNoLesson)
	}
	transcript = strings.TrimSpace(transcript)
	var problems []apperr.FieldError
	if transcript == "" {
		problems = append(problems, apperr.FieldError{Field: "transcript",
			Message: "Enter the transcript: the words of the recording, for people who cannot hear it."})
	}
	problems = append(problems, overLimits(fieldText{"transcript", transcriptLimit, transcript})...)
	if file.Body == nil && l.AudioID == nil {
		problems = append(problems, apperr.FieldError{Field: "audio", Message: "Choose the recording to upload."})
	}
	if file.Body != nil {
		ctype, replay, err := storage.Sniff(file.Body)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, "The file could not be read. Try again.", err)
		}
		if !lessonAudioTypes[ctype] {
			problems = append(problems, apperr.FieldError{Field: "audio", Message: msgAudioType})
		}
		file.Body = replay
	}
	if len(problems) > 0 {
		return apperr.InvalidFields(problems...)
	}
	var written string
	defer func() {
		if written != "" { // only left on failure
			_ = s.files.Delete(context.WithoutCancel(ctx), written)
		}
	}()
	err = s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "lessons", lessonID); err != nil {
			return notFoundOr(err, errNoLesson)
		}
		id := l.AudioID
		if file.Body != nil {
			m, err := s.Upload(ctx, actorID, io.Reader(file.Body), file.Size, file.Filename, "")
			if m != nil {
				written = m.Key
			}
			if err != nil {
				return asAudio(err)
			}
			id = &m.ID
		}
		if err := s.store.SetLessonAudio(ctx, lessonID, id, transcript); err != nil {
			return err
		}
		if err := s.store.TouchLesson(ctx, lessonID, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.audio_set", "lesson", lessonID, map[string]any{"media_id": *id})
	})
	if err == nil {
		written = ""
	}
	return err
}

// RemoveLessonAudio takes the recording out of a lesson (it stays in the
// media library); learners get the browser's speech again. Errors:
// NotFound.
func (s *Service) RemoveLessonAudio(ctx context.Context, actorID, lessonID string) error {
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "lessons", lessonID); err != nil {
			return notFoundOr(err, errNoLesson)
		}
		if err := s.store.SetLessonAudio(ctx, lessonID, nil, ""); err != nil {
			return err
		}
		if err := s.store.TouchLesson(ctx, lessonID, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.audio_removed", "lesson", lessonID, nil)
	})
}

// asAudio moves an upload's field errors onto the recording's field.
func asAudio(err error) error {
	e := apperr.As(err)
	if e.Kind != apperr.Invalid || len(e.Fields) == 0 {
		return err
	}
	fields := make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = apperr.FieldError{Field: "audio", Message: f.Message}
	}
	return apperr.InvalidFields(fields...)
}
