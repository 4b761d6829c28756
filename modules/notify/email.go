package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"onramp/app/db"
)

// EmailArgs is the job that emails a person to say they have a new
// notification.
type EmailArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind is River's name for notification emails.
func (EmailArgs) Kind() string { return "notify.email" }

// InsertOpts retries a failing mail server for about a day (River backs
// off more each attempt) before giving up.
func (EmailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// EmailWorker sends notification emails. Register it with app/jobs.
type EmailWorker struct {
	river.WorkerDefaults[EmailArgs]
	store   *Store
	mailer  Mailer
	baseURL string
	now     func() time.Time
}

// NewEmailWorker returns the worker that sends notification emails
// through mailer, linking to baseURL's /notifications.
func NewEmailWorker(d *db.DB, mailer Mailer, baseURL string, now func() time.Time) *EmailWorker {
	return &EmailWorker{store: NewStore(d.Gorm), mailer: mailer, baseURL: strings.TrimRight(baseURL, "/"), now: now}
}

// Work sends one notification's email unless it was sent already, the
// person has since turned email off, or the notification is gone. A
// mail server error is returned, so River retries.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	t, err := w.store.emailTarget(ctx, job.Args.NotificationID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Emailed || !t.WantEmail {
		return nil
	}
	if err := w.mailer.Send(ctx, ComposeEmail(t.Email, t.Name, w.baseURL)); err != nil {
		return fmt.Errorf("notify: emailing notification %s: %w", job.Args.NotificationID, err)
	}
	return w.store.markEmailed(ctx, job.Args.NotificationID, w.now())
}

// Email is one plain-text message to one address.
type Email struct {
	To, Subject, Body string
}

// ComposeEmail is the only email notifications send: it greets the person
// by first name and says there is something to read, with a link. It
// never carries the notification's title or body, nor anything else
// about the person: email is read on shared phones and forwarded.
func ComposeEmail(to, name, baseURL string) Email {
	greeting := "Hello,"
	if first := FirstName(name); first != "" {
		greeting = "Hello " + first + ","
	}
	return Email{
		To:      to,
		Subject: "You have a new notification on Onramp",
		Body: greeting + "\n\nYou have a new notification on Onramp. Sign in to read it:\n" +
			baseURL + "/notifications\n\n" +
			"You can turn these emails off at " + baseURL + "/notifications/settings\n",
	}
}

// FirstName is the first word of a full name, "" for none.
func FirstName(name string) string { return FirstNameOr(name, "") }

// FirstNameOr is the first word of a full name, or otherwise for none.
func FirstNameOr(name, otherwise string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return otherwise
}
