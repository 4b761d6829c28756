// Package notify tells people about things that need them: an in-app
// list with an unread count in every page's header, and an email that
// says only that there is something to read. Other modules call
// Service.Notify with a Notification.
package notify

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"onramp/app/apperr"
	"onramp/app/db"
	"onramp/app/page"
)

// Queue enqueues background jobs in the caller's transaction; app/jobs
// provides it.
type Queue interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Service records notifications and asks for their emails.
type Service struct {
	db    *db.DB
	store *Store
	queue Queue
	now   func() time.Time
}

// NewService returns the notification service. queue carries the email
// jobs; now is the clock.
func NewService(d *db.DB, queue Queue, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), queue: queue, now: now}
}

// listLimit is how many notifications the page shows.
const listLimit = 100

var (
	kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)
	errNotFound = apperr.New(apperr.NotFound, "There is no such notification")
)

// Notify records n for its person, once per DedupeKey, and when they want
// email about it enqueues one email job in the same transaction: in the
// caller's, when ctx carries one (db.WithTx), so a rolled-back change
// notifies nobody. Errors: Invalid for a notification without a person,
// kind or title, or with a link outside Onramp; the store's otherwise.
func (s *Service) Notify(ctx context.Context, n Notification) error {
	n.Title, n.Body, n.Link = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.Link)
	if n.DedupeKey == "" {
		n.DedupeKey = uuid.NewString()
	}
	if err := validate(n); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		id, want, err := s.store.Insert(ctx, n, s.now())
		if err != nil || id == "" || !want {
			return err
		}
		return s.queue.Insert(ctx, EmailArgs{NotificationID: id}, nil)
	})
}

func validate(n Notification) error {
	switch {
	case !db.IsUUID(n.UserID):
		return apperr.New(apperr.Invalid, "A notification needs the id of the person it is for")
	case !kindPattern.MatchString(n.Kind):
		return apperr.New(apperr.Invalid, "A notification's kind must be a short lower-case name")
	case n.Title == "" || len(n.Title) > 200 || len(n.Body) > 1000 || len(n.DedupeKey) > 200:
		return apperr.New(apperr.Invalid, "A notification needs a title of up to 200 characters and a body of up to 1000")
	case n.Link != "" && (!strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") || strings.Contains(n.Link, "\\") || len(n.Link) > 500):
		return apperr.New(apperr.Invalid, "A notification's link must be a path inside Onramp")
	}
	return nil
}

// Unread counts the person's unread notifications.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	return s.store.Unread(ctx, userID)
}

// Inbox is a person's notifications, newest first, and how many are unread.
type Inbox struct {
	Items  []Item `json:"notifications"`
	Unread int    `json:"unread"`
	// NextCursor is the cursor of the next page, null on the last.
	NextCursor *string `json:"next_cursor"`
}

// List returns a page of the person's notifications, newest first, and
// the unread count of them all. Errors: page.ErrCursor.
func (s *Service) List(ctx context.Context, userID string, p page.Request) (Inbox, error) {
	items, next, err := s.store.List(ctx, userID, p)
	if err != nil {
		return Inbox{}, err
	}
	n, err := s.store.Unread(ctx, userID)
	return Inbox{Items: items, Unread: n, NextCursor: page.NextCursor(next)}, err
}

// MarkRead marks one of the person's notifications read. Errors: NotFound
// when id is not one of theirs (someone else's answers the same as none).
func (s *Service) MarkRead(ctx context.Context, userID, id string) error {
	err := s.store.MarkRead(ctx, userID, id, s.now())
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound
	}
	return err
}

// MarkAllRead marks every notification of the person read.
func (s *Service) MarkAllRead(ctx context.Context, userID string) error {
	return s.store.MarkAllRead(ctx, userID, s.now())
}

// Preferences returns what the person wants by email.
func (s *Service) Preferences(ctx context.Context, userID string) (Preferences, error) {
	return s.store.Preferences(ctx, userID)
}

// SetEmail turns the person's notification emails on or off. Emails
// already queued are dropped when their job finds them turned off.
func (s *Service) SetEmail(ctx context.Context, userID string, on bool) error {
	return s.store.SetEmail(ctx, userID, on, s.now())
}
