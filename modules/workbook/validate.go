package workbook

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"onramp/app/apperr"
)

// checker gathers a message for each field with a problem.
type checker struct{ errs []apperr.FieldError }

func (c *checker) add(field, msg string) {
	c.errs = append(c.errs, apperr.FieldError{Field: field, Message: msg})
}

// text returns v trimmed. missing is the message when it is empty (""
// for a field that may be left empty); label names the field in the
// message when it is longer than max characters.
func (c *checker) text(field, v, missing, label string, max int) string {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case v == "" && missing != "":
		c.add(field, missing)
	case n > max:
		c.add(field, fmt.Sprintf("%s must be %d characters or fewer. You have %d.", label, max, n))
	}
	return v
}

// err is an Invalid error naming each problem, or nil when there is none.
func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return apperr.InvalidFields(c.errs...)
}
