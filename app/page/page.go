// Package page is the one rule for paging API lists: how a caller asks for
// a page (limit and cursor), how a store learns where the page starts, and
// how the answer says where the next page is.
//
// Pages are keyset pages, never OFFSET: each list has a stable, unique
// order (such as created_at then id), a cursor is the last item's sort
// key, and the next page is the items whose key comes after it. An item
// added or removed between two requests therefore neither repeats an item
// nor skips one that was there all along. The cursor is base64url JSON of
// the key: opaque to clients, who pass back what they were given.
package page

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"onramp/app/apperr"
)

// DefaultLimit is the page size when the caller does not say; MaxLimit
// is the most one page holds.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ErrCursor is the answer to a cursor Onramp did not give out, or one
// from another list.
var ErrCursor = apperr.InvalidFields(apperr.FieldError{Field: "cursor",
	Message: "The cursor is not one this list gave out. Leave cursor out to start again at the first page, then follow the next link"})

var errLimit = apperr.InvalidFields(apperr.FieldError{Field: "limit",
	Message: "limit must be a whole number from 1 to " + strconv.Itoa(MaxLimit)})

// Request is the page a caller asked for: at most Limit items after the
// cursor's key (the first page when there is no cursor).
type Request struct {
	Limit int
	key   []json.RawMessage
}

// First is the first page of DefaultLimit items, for callers other than
// the API (pages and tests).
func First(limit int) Request { return Request{Limit: limit} }

// Parse reads the limit and cursor query parameters. Errors: Invalid
// naming "limit" or "cursor".
func Parse(q url.Values) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s[0])
		if err != nil || n < 1 || n > MaxLimit || len(s) > 1 {
			return r, errLimit
		}
		r.Limit = n
	}
	if s, ok := q["cursor"]; ok {
		raw, err := base64.RawURLEncoding.DecodeString(s[0])
		if err != nil || len(s) > 1 || json.Unmarshal(raw, &r.key) != nil || len(r.key) == 0 {
			return r, ErrCursor
		}
	}
	return r, nil
}

// IsFirst reports whether the request is for the first page.
func (r Request) IsFirst() bool { return len(r.key) == 0 }

// After decodes the cursor's key into dst, one pointer per part of the
// key in order, for the store to select what comes after it. Errors:
// ErrCursor when the key has another shape.
func (r Request) After(dst ...any) error {
	if len(r.key) != len(dst) {
		return ErrCursor
	}
	for i, d := range dst {
		if err := json.Unmarshal(r.key[i], d); err != nil {
			return ErrCursor
		}
	}
	return nil
}

// Fetch is how many rows a store reads: one more than the page, so Cut
// can tell whether a next page exists.
func (r Request) Fetch() int { return r.Limit + 1 }

// Encode is the cursor for an item whose sort key is key.
func Encode(key ...any) string {
	b, err := json.Marshal(key)
	if err != nil {
		panic("page: unencodable sort key: " + err.Error()) // keys are strings, numbers and times
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Cut trims rows, read with r.Fetch in the list's order, to the page and
// returns the cursor of the page's last item when more rows follow ("" on
// the last page). key gives an item's sort key.
func Cut[T any](r Request, rows []T, key func(T) []any) ([]T, string) {
	if len(rows) <= r.Limit {
		return rows, ""
	}
	rows = rows[:r.Limit]
	return rows, Encode(key(rows[len(rows)-1])...)
}

// SetNext adds the RFC 8288 Link header naming the next page of the list
// at u (its path and query, with cursor replaced by next), when there is
// one. The reference is relative to the API's origin.
func SetNext(h http.Header, u *url.URL, next string) {
	if next == "" {
		return
	}
	q := u.Query()
	q.Set("cursor", next)
	h.Add("Link", "<"+(&url.URL{Path: u.Path, RawQuery: q.Encode()}).String()+`>; rel="next"`)
}

// NextCursor is next as a list body's next_cursor field: null on the last
// page, for lists whose body is an object.
func NextCursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

// Anchor pages a short list read whole (a person's few enrolments, the
// handful of programmes), whose order is fixed by a unique id as last
// tie-break: the cursor is the id of the page's last item, and the next
// page is what follows that item now, so an item added between two
// requests neither repeats nor hides another. Errors: ErrCursor when the
// cursor is not an id, or its item has gone from the list.
func Anchor[T any](r Request, items []T, id func(T) string) ([]T, string, error) {
	if !r.IsFirst() {
		var last string
		if err := r.After(&last); err != nil {
			return nil, "", ErrCursor
		}
		i := slices.IndexFunc(items, func(t T) bool { return id(t) == last })
		if i < 0 {
			return nil, "", ErrCursor
		}
		items = items[i+1:]
	}
	if len(items) <= r.Limit {
		return items, "", nil
	}
	items = items[:r.Limit]
	return items, Encode(id(items[len(items)-1])), nil
}
