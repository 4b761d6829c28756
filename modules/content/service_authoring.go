package content

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/pubsub"
)

// NewItem is what an editor gives to start a programme, module or lesson:
// a title and a short name for web addresses (made from the title when
// left blank).
type NewItem struct {
	Title string
	Slug  string
}

// ProgrammeFields are a programme's editable fields.
type ProgrammeFields struct {
	Title, Summary, Audience, Length, IntroMD string
	Published                                 bool
	OpenEnrolment                             bool // anyone signed in may start it
	ForMentors                                bool // a programme for mentors, not learners
}

// ModuleFields are a module's editable fields.
type ModuleFields struct {
	Title, Summary, OverviewMD string
	Published                  bool
}

// LessonFields are a lesson's editable fields. Minutes is kept as typed,
// so a form shown again with errors shows what the editor entered.
type LessonFields struct {
	Title, Minutes, BodyMD string
	Published              bool
	// QuestionsYAML are the quick questions shown after the lesson, as a
	// YAML list in the shape of check.yaml's questions; blank for none.
	QuestionsYAML string
	// Shuffle shows each learner the questions' options in an order of
	// their own.
	Shuffle bool
}

// Directions a module or lesson can move in.
const (
	Up   = "up"
	Down = "down"
)

var (
	errNoProgramme = apperr.New(apperr.NotFound, "There is no such programme")
	errNoModule    = apperr.New(apperr.NotFound, "There is no such module")
	errNoLesson    = apperr.New(apperr.NotFound, "There is no such lesson")
)

// lessonInUse is the refusal to delete a lesson someone has completed.
var lessonInUse = &apperr.Error{Kind: apperr.Conflict,
	Message: "Learners have completed this lesson, so it cannot be deleted. Unpublish it instead.",
	Fields: []apperr.FieldError{{Field: "published",
		Message: "Learners have completed this lesson, so it cannot be deleted. Unpublish it instead."}}}

// ProgrammeList lists every programme, drafts included, with counts of
// all their modules, lessons and checks.
func (s *Service) ProgrammeList(ctx context.Context) ([]ProgrammeSummary, error) {
	return s.store.Programmes(ctx, true)
}

// CreateProgramme starts a draft programme and returns its id. Errors:
// Invalid (title, slug, or the slug is taken).
func (s *Service) CreateProgramme(ctx context.Context, actorID string, in NewItem) (string, error) {
	title, slug, err := checkNewItem(in, "programme")
	if err != nil {
		return "", err
	}
	var id string
	err = s.write(ctx, func(ctx context.Context) error {
		taken, err := s.store.exists(ctx, "SELECT 1 FROM programmes WHERE slug = ?", slug)
		if err != nil {
			return err
		}
		if taken {
			return apperr.InvalidFields(apperr.FieldError{Field: "slug",
				Message: fmt.Sprintf("There is already a programme with the short name %q. Choose a different one.", slug)})
		}
		if id, err = s.store.CreateProgramme(ctx, slug, title); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.programme.created", "programme", id, map[string]any{"slug": slug, "title": title})
	})
	return id, err
}

// UpdateProgramme saves a programme's fields. Errors: NotFound, Invalid.
func (s *Service) UpdateProgramme(ctx context.Context, actorID, id string, in ProgrammeFields) error {
	p := Programme{ID: id, Title: strings.TrimSpace(in.Title), Summary: strings.TrimSpace(in.Summary),
		Audience: strings.TrimSpace(in.Audience), LengthText: strings.TrimSpace(in.Length), IntroMD: in.IntroMD, Published: in.Published,
		OpenEnrolment: in.OpenEnrolment, ForMentors: in.ForMentors}
	problems := overLimits(
		fieldText{"summary", summaryLimit, p.Summary}, fieldText{"audience", audienceLimit, p.Audience},
		fieldText{"length", lengthLimit, p.LengthText}, fieldText{"intro", introLimit, p.IntroMD})
	if fe := checkTitle(p.Title, "programme"); fe != nil {
		problems = append([]apperr.FieldError{*fe}, problems...)
	}
	if len(problems) > 0 {
		return apperr.InvalidFields(problems...)
	}
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "programmes", id); err != nil {
			return notFoundOr(err, errNoProgramme)
		}
		if err := s.store.UpdateProgramme(ctx, &p, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.programme.updated", "programme", id, map[string]any{"title": p.Title,
			"published": p.Published, "open_enrolment": p.OpenEnrolment, "for_mentors": p.ForMentors})
	})
}

// AddModule appends a draft module to a programme and returns its id.
// Errors: NotFound, Invalid (title, slug, or the slug is taken in the
// programme).
func (s *Service) AddModule(ctx context.Context, actorID, programmeID string, in NewItem) (string, error) {
	title, slug, err := checkNewItem(in, "module")
	if err != nil {
		return "", err
	}
	var id string
	err = s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "programmes", programmeID); err != nil {
			return notFoundOr(err, errNoProgramme)
		}
		taken, err := s.store.exists(ctx, "SELECT 1 FROM modules WHERE programme_id = ? AND slug = ?", programmeID, slug)
		if err != nil {
			return err
		}
		if taken {
			return apperr.InvalidFields(apperr.FieldError{Field: "slug",
				Message: fmt.Sprintf("This programme already has a module with the short name %q. Choose a different one.", slug)})
		}
		if id, err = s.store.CreateModule(ctx, programmeID, slug, title); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.module.created", "module", id,
			map[string]any{"programme_id": programmeID, "slug": slug, "title": title})
	})
	return id, err
}

// UpdateModule saves a module's fields. Errors: NotFound, Invalid.
func (s *Service) UpdateModule(ctx context.Context, actorID, id string, in ModuleFields) error {
	m := Module{ID: id, Title: strings.TrimSpace(in.Title), Summary: strings.TrimSpace(in.Summary),
		OverviewMD: in.OverviewMD, Published: in.Published}
	problems := overLimits(fieldText{"summary", summaryLimit, m.Summary}, fieldText{"overview", overviewLimit, m.OverviewMD})
	if fe := checkTitle(m.Title, "module"); fe != nil {
		problems = append([]apperr.FieldError{*fe}, problems...)
	}
	if len(problems) > 0 {
		return apperr.InvalidFields(problems...)
	}
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "modules", id); err != nil {
			return notFoundOr(err, errNoModule)
		}
		if err := s.store.UpdateModule(ctx, &m, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.module.updated", "module", id, map[string]any{"title": m.Title, "published": m.Published})
	})
}

// MoveModule swaps a module with its neighbour in direction (Up or Down)
// and returns the module. moved is false when it was already at that end.
// Errors: NotFound, BadRequest (direction).
func (s *Service) MoveModule(ctx context.Context, actorID, id, direction string) (m *Module, moved bool, err error) {
	if direction != Up && direction != Down {
		return nil, false, apperr.New(apperr.BadRequest, "Choose to move up or down.")
	}
	err = s.write(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.store.ModuleByID(ctx, id); err != nil {
			return notFoundOr(err, errNoModule)
		}
		if err := s.store.lockRow(ctx, "programmes", m.ProgrammeID); err != nil {
			return notFoundOr(err, errNoModule) // deleted meanwhile
		}
		if moved, err = s.store.MoveModule(ctx, id, direction == Up, s.now()); err != nil || !moved {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.module.moved", "module", id, map[string]any{"direction": direction})
	})
	return m, moved, err
}

// AddLesson appends a draft five-minute lesson to a module and returns its
// id. Errors: NotFound, Invalid (title, slug, or the slug is taken in the
// module).
func (s *Service) AddLesson(ctx context.Context, actorID, moduleID string, in NewItem) (string, error) {
	title, slug, err := checkNewItem(in, "lesson")
	if err != nil {
		return "", err
	}
	var id string
	err = s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "modules", moduleID); err != nil {
			return notFoundOr(err, errNoModule)
		}
		taken, err := s.store.exists(ctx, "SELECT 1 FROM lessons WHERE module_id = ? AND slug = ?", moduleID, slug)
		if err != nil {
			return err
		}
		if taken {
			return apperr.InvalidFields(apperr.FieldError{Field: "slug",
				Message: fmt.Sprintf("This module already has a lesson with the short name %q. Choose a different one.", slug)})
		}
		if id, err = s.store.CreateLesson(ctx, moduleID, slug, title, 5); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.created", "lesson", id,
			map[string]any{"module_id": moduleID, "slug": slug, "title": title})
	})
	return id, err
}

// UpdateLesson saves a lesson's fields and moves its updated_at on, so
// learners see the new text at once. Errors: NotFound, Invalid (title,
// minutes, publishing an empty lesson, a picture in the text that is not
// attached to the lesson or has no alt text).
func (s *Service) UpdateLesson(ctx context.Context, actorID, id string, in LessonFields) error {
	l := Lesson{ID: id, Title: strings.TrimSpace(in.Title), BodyMD: in.BodyMD, Published: in.Published}
	var problems []apperr.FieldError
	if fe := checkTitle(l.Title, "lesson"); fe != nil {
		problems = append(problems, *fe)
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(in.Minutes))
	switch {
	case err != nil:
		problems = append(problems, apperr.FieldError{Field: "minutes", Message: "Enter the minutes as a whole number, like 5."})
	case minutes < 1 || minutes > 120:
		problems = append(problems, apperr.FieldError{Field: "minutes", Message: "Minutes must be between 1 and 120."})
	}
	l.Minutes = minutes
	if l.Published && strings.TrimSpace(l.BodyMD) == "" {
		problems = append(problems, apperr.FieldError{Field: "body", Message: "Write the lesson before you publish it."})
	}
	problems = append(problems, overLimits(fieldText{"body", lessonLimit, l.BodyMD})...)
	if len(InlineImages(l.BodyMD)) > 0 {
		attached, err := s.store.LessonMedia(ctx, id)
		if err != nil {
			return err
		}
		problems = append(problems, inlineImageProblems(l.BodyMD, attached)...)
	}
	questions, err := ParseLessonQuestions(in.QuestionsYAML)
	problems = append(problems, apperr.As(err).Fields...)
	if len(problems) > 0 {
		return apperr.InvalidFields(problems...)
	}
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "lessons", id); err != nil {
			return notFoundOr(err, errNoLesson)
		}
		if err := s.store.UpdateLesson(ctx, &l, s.now()); err != nil {
			return err
		}
		if err := s.store.ReplaceLessonQuestions(ctx, id, questions, in.Shuffle); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.updated", "lesson", id,
			map[string]any{"title": l.Title, "minutes": l.Minutes, "published": l.Published, "questions": len(questions), "shuffle": in.Shuffle})
	})
}

// MoveLesson swaps a lesson with its neighbour in direction (Up or Down)
// and returns the module it is in. moved is false when it was already at
// that end. Errors: NotFound, BadRequest (direction).
func (s *Service) MoveLesson(ctx context.Context, actorID, id, direction string) (moduleID string, moved bool, err error) {
	if direction != Up && direction != Down {
		return "", false, apperr.New(apperr.BadRequest, "Choose to move up or down.")
	}
	err = s.write(ctx, func(ctx context.Context) error {
		l, err := s.store.Lesson(ctx, id)
		if err != nil {
			return notFoundOr(err, errNoLesson)
		}
		moduleID = l.ModuleID
		if err := s.store.lockRow(ctx, "modules", moduleID); err != nil {
			return notFoundOr(err, errNoLesson) // deleted meanwhile
		}
		if moved, err = s.store.MoveLesson(ctx, id, direction == Up, s.now()); err != nil || !moved {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.moved", "lesson", id, map[string]any{"direction": direction})
	})
	return moduleID, moved, err
}

// DeleteLesson removes a lesson nobody has completed and returns the
// module it was in. Errors: NotFound, Conflict when a learner completed
// it (their record must stay; unpublishing hides the lesson instead).
func (s *Service) DeleteLesson(ctx context.Context, actorID, id string) (string, error) {
	var moduleID string
	err := s.write(ctx, func(ctx context.Context) error {
		l, err := s.store.Lesson(ctx, id)
		if err != nil {
			return notFoundOr(err, errNoLesson)
		}
		moduleID = l.ModuleID
		if err := s.store.lockRow(ctx, "lessons", id); err != nil {
			return notFoundOr(err, errNoLesson) // deleted meanwhile
		}
		used, err := s.store.LessonCompleted(ctx, id)
		if err != nil {
			return err
		}
		if used {
			return lessonInUse
		}
		if err := s.store.DeleteLesson(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.lesson.deleted", "lesson", id,
			map[string]any{"module_id": l.ModuleID, "slug": l.Slug, "title": l.Title})
	})
	if errors.Is(err, errCompleted) { // completed between the check and the delete
		return "", lessonInUse
	}
	return moduleID, err
}

// write runs fn in a transaction that also announces the change on
// Channel, so every replica's cache forgets it when it commits, and then
// clears this replica's at once so the editor sees it on their next page.
func (s *Service) write(ctx context.Context, fn func(ctx context.Context) error) error {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return pubsub.Notify(ctx, s.db.Gorm, Channel, "")
	})
	if err == nil {
		s.cat.Invalidate()
	}
	return err
}

// checkNewItem validates a new programme, module or lesson and returns its
// trimmed title and slug, making the slug from the title when left blank.
func checkNewItem(in NewItem, what string) (title, slug string, err error) {
	title = strings.TrimSpace(in.Title)
	slug = strings.TrimSpace(in.Slug)
	var problems []apperr.FieldError
	if fe := checkTitle(title, what); fe != nil {
		problems = append(problems, *fe)
	}
	if slug == "" && title != "" {
		slug = slugify(title)
	}
	if fe := checkSlug(slug); fe != nil {
		problems = append(problems, *fe)
	} else if what == "programme" && reservedSlugs[slug] {
		problems = append(problems, apperr.FieldError{Field: "slug", Message: "That short name is used by another page. Choose a different one."})
	}
	if len(problems) > 0 {
		return "", "", apperr.InvalidFields(problems...)
	}
	return title, slug, nil
}

// fieldText is a form field's text and the limit it must keep to.
type fieldText struct {
	field string
	limit limit
	text  string
}

// overLimits lists the fields whose text is over its limit, each with a
// message saying by how much.
func overLimits(fields ...fieldText) []apperr.FieldError {
	var out []apperr.FieldError
	for _, f := range fields {
		if msg := f.limit.problem(f.text); msg != "" {
			out = append(out, apperr.FieldError{Field: f.field, Message: sentence(msg) + "."})
		}
	}
	return out
}

func checkTitle(title, what string) *apperr.FieldError {
	switch {
	case title == "":
		return &apperr.FieldError{Field: "title", Message: "Enter a title for the " + what + "."}
	case utf8.RuneCountInString(title) > maxTitle:
		return &apperr.FieldError{Field: "title", Message: fmt.Sprintf("The title must be %d characters or fewer.", maxTitle)}
	}
	return nil
}

func checkSlug(slug string) *apperr.FieldError {
	switch {
	case slug == "":
		return &apperr.FieldError{Field: "slug", Message: "Enter a short name, like first-steps."}
	case len(slug) > maxSlug:
		return &apperr.FieldError{Field: "slug", Message: fmt.Sprintf("The short name must be %d characters or fewer.", maxSlug)}
	case !slugPattern.MatchString(slug):
		return &apperr.FieldError{Field: "slug",
			Message: "The short name can only have small letters (a to z), numbers and single hyphens between words, like first-steps."}
	}
	return nil
}

// slugify makes a short name from a title: "Your first day!" becomes
// "your-first-day". Letters outside a to z are dropped, so the result may
// be empty.
func slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '_' || r == '/' || r == '.':
			hyphen = true
		}
	}
	slug := b.String()
	if len(slug) > maxSlug {
		slug = strings.TrimRight(slug[:maxSlug], "-")
	}
	return slug
}

// notFoundOr turns db.ErrNotFound into notFound and passes other errors on.
func notFoundOr(err error, notFound error) error {
	if isNotFound(err) {
		return notFound
	}
	return err
}
