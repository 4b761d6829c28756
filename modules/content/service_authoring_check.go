package content

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"onramp/app/apperr"
)

// CheckYAML is a stored check as check.yaml text (see
// assets/content/README.md), or "" for none.
func CheckYAML(c *Check) (string, error) {
	if c == nil {
		return "", nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c.File()); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// ParseCheck reads check.yaml text. Settings the format does not have are
// errors, so a misspelt "corect: true" is reported rather than ignored.
// Errors: Invalid, one message per problem on the field "yaml"; the file
// is returned too when the text was readable YAML, so it can be previewed.
func ParseCheck(text string) (*CheckFile, error) {
	if strings.TrimSpace(text) == "" {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "yaml",
			Message: "Enter the knowledge check. Start from the example on this page."})
	}
	if msg := checkLimit.problem(text); msg != "" { // before parsing it
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "yaml", Message: sentence(msg) + "."})
	}
	f := &CheckFile{}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		return nil, apperr.InvalidFields(yamlProblems(err, checkYAML)...)
	}
	problems := f.Problems()
	if len(problems) > 0 {
		fields := make([]apperr.FieldError, len(problems))
		for i, p := range problems {
			fields[i] = apperr.FieldError{Field: "yaml", Message: sentence(p) + "."}
		}
		return f, apperr.InvalidFields(fields...)
	}
	return f, nil
}

// SaveCheck replaces a module's knowledge check with the one in text (in
// check.yaml form). Learners' earlier attempts keep their answers.
// Errors: NotFound, Invalid (unreadable YAML, or a check with problems).
func (s *Service) SaveCheck(ctx context.Context, actorID, moduleID, text string) error {
	f, err := ParseCheck(text)
	if err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "modules", moduleID); err != nil {
			return notFoundOr(err, errNoModule)
		}
		if err := s.store.ReplaceCheck(ctx, moduleID, f); err != nil {
			return err
		}
		if err := s.store.TouchModule(ctx, moduleID, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.check.updated", "module", moduleID,
			map[string]any{"title": f.Title, "pass_mark": f.PassMark, "shuffle": f.Shuffled(), "questions": len(f.Questions)})
	})
}

// QuestionsYAML is a lesson's questions as YAML text, in the shape of
// the questions: list of check.yaml, or "" for none.
func QuestionsYAML(qs []Question) (string, error) {
	if len(qs) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(questionFiles(qs)); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// ParseLessonQuestions reads a lesson's questions from YAML text (a list
// in the shape of check.yaml's questions); blank text is no questions.
// Errors: Invalid, one message per problem on the field "questions".
func ParseLessonQuestions(text string) ([]QuestionFile, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	if msg := checkLimit.problem(text); msg != "" {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "questions", Message: "The questions are too long: " + msg + "."})
	}
	var qs []QuestionFile
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&qs); err != nil && !errors.Is(err, io.EOF) {
		return nil, apperr.InvalidFields(yamlProblems(err, questionsYAML)...)
	}
	if problems := LessonQuestionProblems(qs); len(problems) > 0 {
		fields := make([]apperr.FieldError, len(problems))
		for i, p := range problems {
			fields[i] = apperr.FieldError{Field: "questions", Message: sentence(p) + "."}
		}
		return qs, apperr.InvalidFields(fields...)
	}
	return qs, nil
}

var (
	yamlLine    = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlUnknown = regexp.MustCompile("^field (\\S+) not found in type")
	yamlType    = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")
)

// yamlHints say what common YAML syntax errors usually mean.
var yamlHints = map[string]string{
	"mapping values are not allowed in this context":  "a colon (:) is in the wrong place. If some text has a colon in it, put the whole text in quotes",
	"did not find expected key":                       "the indentation is wrong. Line each setting up with the ones around it",
	"found character that cannot start any token":     "there is a character YAML cannot start with here (often a tab). Indent with spaces, and put text in quotes",
	"did not find expected '-' indicator":             "a list item is out of line. Line up each - with the others in its list",
	"could not find expected ':'":                     "a setting is missing its colon, like text: Your answer",
	"found a tab character that violates indentation": "there is a tab. Indent with spaces only",
}

// yamlText names a YAML text an editor writes, for yamlProblems.
type yamlText struct {
	field    string // the form field
	name     string // "the check"
	settings string // the settings it can have
}

var (
	checkYAML = yamlText{field: "yaml", name: "check",
		settings: "title, pass_mark, shuffle, questions, text, kind, options, correct and feedback"}
	questionsYAML = yamlText{field: "questions", name: "questions",
		settings: "text, kind, options, correct and feedback"}
)

// yamlProblems turns a YAML decoding error into messages an editor can act
// on, each naming its line.
func yamlProblems(err error, in yamlText) []apperr.FieldError {
	var lines []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		lines = te.Errors
	} else {
		lines = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	out := make([]apperr.FieldError, 0, len(lines))
	for _, l := range lines {
		where, what := "", l
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			where, what = "Line "+m[1]+": ", m[2]
		}
		switch m := yamlUnknown.FindStringSubmatch(what); {
		case m != nil:
			what = fmt.Sprintf("%q is not a setting a %s can have. Check the spelling: the settings are %s",
				m[1], strings.TrimSuffix(in.name, "s"), in.settings)
		case yamlType.MatchString(what):
			t := yamlType.FindStringSubmatch(what)
			what = fmt.Sprintf("%q should be %s", t[1], yamlKind(t[2]))
		case yamlHints[what] != "":
			what = yamlHints[what]
		default:
			what += ". Check the indentation and quotes"
		}
		out = append(out, apperr.FieldError{Field: in.field, Message: "The " + in.name + " could not be read. " + where + what + "."})
	}
	return out
}

// yamlKind names a Go type the way an editor thinks of the value.
func yamlKind(goType string) string {
	switch {
	case goType == "int":
		return "a whole number, like 80"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "text"
	case strings.HasPrefix(goType, "[]"):
		return "a list, with each item on its own line starting with -"
	}
	return "a group of settings, each on its own line like text: ..."
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
