package content

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"onramp/app/apperr"
)

// A new check, before the editor changes them.
const (
	newCheckTitle    = "Check what you know"
	newCheckPassMark = 80
)

// CheckDraft returns a module's check as a file the form editor changes:
// the stored check, or an empty one with the usual title and pass mark.
// Errors: NotFound.
func (s *Service) CheckDraft(ctx context.Context, moduleID string) (*CheckEdit, *CheckFile, error) {
	v, err := s.CheckForEdit(ctx, moduleID)
	if err != nil {
		return nil, nil, err
	}
	if v.Check == nil {
		return v, &CheckFile{Title: newCheckTitle, PassMark: newCheckPassMark}, nil
	}
	return v, v.Check.File(), nil
}

// SaveCheckFile saves f as the module's check, through the same checks
// and audit entry as a check written in YAML (SaveCheck), so the two
// editors cannot disagree about what a valid check is.
// Errors: NotFound, Invalid.
func (s *Service) SaveCheckFile(ctx context.Context, actorID, moduleID string, f *CheckFile) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("content: unable to write the check as YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("content: unable to write the check as YAML: %w", err)
	}
	return s.SaveCheck(ctx, actorID, moduleID, b.String())
}

// QuestionProblems checks question n (counting from 1) as the form editor
// shows it, with messages that name the question and point at the field to
// fix: "option-2-text" is the text of answer 2.
func QuestionProblems(n int, q QuestionFile) []apperr.FieldError {
	var out []apperr.FieldError
	add := func(field, format string, args ...any) {
		out = append(out, apperr.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(q.Text) == "" {
		add("text", "Question %d needs a question. Type what you want to ask", n)
	} else if msg := questionLimit.problem(q.Text); msg != "" {
		add("text", "Question %d: %s", n, msg)
	}
	if q.Kind != KindSingle && q.Kind != KindMultiple {
		add("kind", "Question %d: choose whether it has one right answer or more than one", n)
	}
	if len(q.Options) < 2 {
		add(fmt.Sprintf("option-%d-text", len(q.Options)+1), "Question %d needs at least two answers to choose from", n)
	}
	if len(q.Options) > maxOptions {
		add("option-1-text", "Question %d has %d answers. A question can have at most %d", n, len(q.Options), maxOptions)
	}
	right := 0
	for i, o := range q.Options {
		a := i + 1
		switch {
		case strings.TrimSpace(o.Text) == "":
			add(fmt.Sprintf("option-%d-text", a), "Question %d, answer %d needs its text, or remove the answer", n, a)
		case optionLimit.problem(o.Text) != "":
			add(fmt.Sprintf("option-%d-text", a), "Question %d, answer %d: %s", n, a, optionLimit.problem(o.Text))
		}
		if strings.TrimSpace(o.Feedback) == "" {
			add(fmt.Sprintf("option-%d-feedback", a), "Question %d, answer %d needs feedback: say why it is right or wrong", n, a)
		} else if msg := feedbackLimit.problem(o.Feedback); msg != "" {
			add(fmt.Sprintf("option-%d-feedback", a), "Question %d, answer %d feedback: %s", n, a, msg)
		}
		if o.Correct {
			right++
		}
	}
	switch {
	case right == 0 && len(q.Options) > 0:
		add("option-1-correct", "Question %d needs at least one right answer. Tick “This is a right answer” on one of them", n)
	case right > 1 && q.Kind == KindSingle:
		add("kind", "Question %d has %d right answers but is set to one right answer. Choose “More than one right answer”, or untick the others", n, right)
	}
	return out
}

// CheckSettingsProblems checks the title and pass mark the form editor
// sends. passMark is the editor's text, so "eighty" can be explained.
func CheckSettingsProblems(title, passMark string) (int, []apperr.FieldError) {
	var out []apperr.FieldError
	if strings.TrimSpace(title) == "" {
		out = append(out, apperr.FieldError{Field: "title", Message: "Enter a title for the check, like “Check what you know”"})
	} else if msg := titleLimit.problem(strings.TrimSpace(title)); msg != "" {
		out = append(out, apperr.FieldError{Field: "title", Message: sentence(msg)})
	}
	mark, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(passMark), "%")))
	if err != nil || mark < 1 || mark > 100 {
		out = append(out, apperr.FieldError{Field: "pass_mark", Message: "Pass mark must be a whole number from 1 to 100, like 80"})
	}
	return mark, out
}
