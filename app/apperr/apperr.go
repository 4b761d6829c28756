// Package apperr is the one error type services return: a kind the HTTP
// layer maps to a status, and a message that is safe to show to the person
// who made the request.
package apperr

import (
	"errors"
	"net/http"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds a service may return.
const (
	Internal     Kind = iota // our fault; the message is never the cause
	Invalid                  // the input was wrong; Fields says where
	BadRequest               // the request itself is malformed or stale
	Unauthorized             // sign in first
	Forbidden                // signed in, but not allowed
	NotFound                 // no such thing, or not yours to know about
	Conflict                 // clashes with what exists
	TooLarge                 // request or upload over its limit
	Unavailable              // a dependency is down; try again later
)

// FieldError is one problem with one input, worded for the person filling
// in the form.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a kind and a message safe to show.
type Error struct {
	Kind Kind
	// Code names this problem among others of its kind, for clients
	// (the problem type is urn:onramp:problem:CODE); empty means the
	// kind's own name.
	Code    string
	Message string
	Fields  []FieldError
	Cause   error // logged, never shown
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error of kind with a message safe to show.
func New(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

// Wrap returns an error of kind whose cause is logged but not shown.
func Wrap(kind Kind, message string, cause error) *Error {
	return &Error{Kind: kind, Message: message, Cause: cause}
}

// InvalidFields returns an Invalid error listing each field's problem.
func InvalidFields(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Message: "There is a problem with what you entered", Fields: fields}
}

// As returns err as an *Error; anything else becomes Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Message: "Something went wrong on our side", Cause: err}
}

// WithCode returns a copy of e with code set (see Error.Code).
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

// ProblemCode is the code of the problem type e is: its Code, or else
// its kind's name.
func (e *Error) ProblemCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// String is the kind's name as it appears in problem types.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case BadRequest:
		return "bad-request"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not-found"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too-large"
	case Unavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Status is the HTTP status for a kind.
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return http.StatusUnprocessableEntity
	case BadRequest:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
