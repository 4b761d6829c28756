package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/storage"
	"onramp/modules/mentoring"
)

// Files is where attachments are kept; app/storage provides it.
type Files interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string, max int64) (storage.Object, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, storage.Object, error)
	Delete(ctx context.Context, key string) error
	SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)
}

var _ Files = storage.Store(nil)

// Attachments are the store for files sent with messages and the largest
// one allowed, in bytes.
type Attachments struct {
	Files    Files
	MaxBytes int64
}

// AttachmentTTL is how long a signed link to an attachment stays valid:
// it is handed out per request, to someone just checked.
const AttachmentTTL = time.Minute

// attachmentTypes are what may be sent with a message: pictures and PDFs,
// never anything a browser could run.
var attachmentTypes = map[string]bool{"image/png": true, "image/jpeg": true, "application/pdf": true}

// Attachment is a file sent with a message.
type Attachment struct {
	ID           string    `gorm:"column:id" json:"id"`
	MessageID    string    `gorm:"column:message_id" json:"-"`
	Key          string    `gorm:"column:key" json:"-"`
	ContentType  string    `gorm:"column:content_type" json:"content_type"`
	Size         int64     `gorm:"column:size" json:"size"`
	Filename     string    `gorm:"column:filename" json:"filename"`
	CreatedAt    time.Time `gorm:"column:created_at" json:"-"`
	URL          string    `gorm:"-" json:"url"`
	MentorshipID string    `gorm:"column:mentorship_id;->" json:"-"`
}

// AttachmentPath is where an attachment is read, by whoever may see its
// message.
func AttachmentPath(id string) string { return "/mentoring/attachments/" + id }

// Upload is a file as sent: its bytes, declared size (-1 when unknown)
// and the name it had on the sender's device.
type Upload struct {
	R        io.Reader
	Size     int64
	Filename string
}

// SendFile sends a message carrying a picture (PNG, JPEG) or a PDF. Its
// type comes from its bytes, and it is refused before anything is stored
// when it is another type or over the size limit. Only the text is
// scanned (the body, or when empty the file's name, which becomes the
// body), so a file goes or is held with its message. Errors: as Send,
// plus Invalid (field "file"), TooLarge, Unavailable (storage down).
func (s *Service) SendFile(ctx context.Context, u *auth.User, mentorshipID, body string, f Upload) (Sent, Attachment, error) {
	name := cleanFilename(f.Filename)
	if strings.TrimSpace(body) == "" {
		body = "Sent a file: " + name
	}
	body, err := Validate(body)
	if err != nil {
		return Sent{}, Attachment{}, err
	}
	ms, err := s.mentorships.Mentorship(ctx, u, mentorshipID)
	if err != nil {
		return Sent{}, Attachment{}, err
	}
	switch paused, err := s.store.Paused(ctx, ms.ID); {
	case err != nil:
		return Sent{}, Attachment{}, err
	case !member(u, ms):
		return Sent{}, Attachment{}, errNotWriter
	case ms.Status != mentoring.StatusActive:
		return Sent{}, Attachment{}, errEnded
	case paused:
		return Sent{}, Attachment{}, errPaused
	}
	if s.files.Files == nil {
		return Sent{}, Attachment{}, apperr.New(apperr.Unavailable, "Files cannot be sent right now. Send your message without it.")
	}
	ctype, replay, err := storage.Sniff(f.R)
	if err != nil {
		return Sent{}, Attachment{}, apperr.Wrap(apperr.Invalid, "The file could not be read. Try again.", err)
	}
	if !attachmentTypes[ctype] {
		return Sent{}, Attachment{}, apperr.InvalidFields(apperr.FieldError{Field: "file",
			Message: "You can send a photo or picture (PNG or JPEG) or a PDF"})
	}
	if f.Size > s.files.MaxBytes {
		return Sent{}, Attachment{}, s.tooLarge()
	}
	a := Attachment{Key: storage.NewKey(s.now()), ContentType: ctype, Filename: name, CreatedAt: s.now()}
	obj, err := s.files.Files.Put(ctx, a.Key, replay, f.Size, ctype, s.files.MaxBytes)
	switch {
	case errors.Is(err, storage.ErrTooLarge):
		return Sent{}, Attachment{}, s.tooLarge()
	case errors.Is(err, storage.ErrUnavailable):
		return Sent{}, Attachment{}, apperr.Wrap(apperr.Unavailable, "Files cannot be sent right now. Try again in a few minutes.", err)
	case err != nil:
		return Sent{}, Attachment{}, err
	}
	a.Size = obj.Size
	sent, err := s.send(ctx, u, ms, body, func(ctx context.Context, m *Message) error {
		a.MessageID = m.ID
		if err := s.store.InsertAttachment(ctx, &a); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "message.attachment_sent", "message", m.ID, map[string]any{"attachment_id": a.ID,
			"type": a.ContentType, "size": a.Size})
	})
	if err != nil {
		// Nothing refers to the object now; it must not outlive the refusal.
		_ = s.files.Files.Delete(context.WithoutCancel(ctx), a.Key)
		return Sent{}, Attachment{}, err
	}
	a.URL = AttachmentPath(a.ID)
	return sent, a, nil
}

func (s *Service) tooLarge() error {
	return apperr.New(apperr.TooLarge, fmt.Sprintf("The file is too large. The most you can send is %d MB.", s.files.MaxBytes>>20))
}

// OpenAttachment checks that u may see an attachment (one of the
// mentorship's two people who may see its message, or a safeguarding
// lead) and returns it with a short signed URL, or, when the store cannot
// sign, an open reader the caller closes. A lead opening a held message's
// file is on the record. Errors: NotFound (no such file, or one u may not
// see), Forbidden (staff outside the thread), Unavailable.
func (s *Service) OpenAttachment(ctx context.Context, u *auth.User, id string) (Attachment, string, io.ReadSeekCloser, error) {
	a, err := s.store.Attachment(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return a, "", nil, errNoAttachment
	}
	if err != nil {
		return a, "", nil, err
	}
	ms, err := s.readable(ctx, u, a.MentorshipID)
	if err != nil {
		return a, "", nil, err
	}
	m, err := s.store.Message(ctx, a.MessageID)
	if err != nil {
		return a, "", nil, err
	}
	v := viewer{ID: u.ID, Lead: isLead(u) && !member(u, ms)}
	if !v.visible(m) {
		return a, "", nil, errNoAttachment
	}
	if isLead(u) && m.Status != StatusDelivered {
		if err := s.audit.Record(ctx, u.ID, "message.attachment_viewed", "message", m.ID, map[string]any{"attachment_id": a.ID, "status": m.Status}); err != nil {
			return a, "", nil, err
		}
	}
	if s.files.Files == nil {
		return a, "", nil, apperr.New(apperr.Unavailable, "This file cannot be shown right now. Try again in a few minutes.")
	}
	url, err := s.files.Files.SignedURL(ctx, a.Key, AttachmentTTL, a.Filename)
	if err != nil || url != "" {
		return a, url, nil, fileError(err)
	}
	r, _, err := s.files.Files.Open(ctx, a.Key)
	return a, "", r, fileError(err)
}

// withFiles puts each message's files, with the path each is read at,
// on its view; views are only of messages the viewer may see.
func (s *Service) withFiles(ctx context.Context, views []View) error {
	if len(views) == 0 {
		return nil
	}
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	list, err := s.store.AttachmentsOf(ctx, ids)
	if err != nil {
		return err
	}
	byMessage := map[string][]Attachment{}
	for _, a := range list {
		a.URL = AttachmentPath(a.ID)
		byMessage[a.MessageID] = append(byMessage[a.MessageID], a)
	}
	for i := range views {
		views[i].Files = byMessage[views[i].ID]
	}
	return nil
}

// removeExpiredFiles deletes the stored files of messages created before
// cutoff, ahead of the messages themselves (whose rows take the
// attachment rows with them), so no object outlives its message.
func (s *Service) removeExpiredFiles(ctx context.Context, cutoff time.Time) error {
	keys, err := s.store.AttachmentKeysBefore(ctx, cutoff)
	if err != nil || len(keys) == 0 || s.files.Files == nil {
		return err
	}
	for _, k := range keys {
		if err := s.files.Files.Delete(ctx, k); err != nil {
			return fmt.Errorf("messaging: unable to remove an expired attachment: %w", err)
		}
	}
	return nil
}

var errNoAttachment = apperr.New(apperr.NotFound, "There is no such file")

func fileError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrUnavailable):
		return apperr.Wrap(apperr.Unavailable, "This file cannot be shown right now. Try again in a few minutes.", err)
	case errors.Is(err, storage.ErrNotFound):
		return apperr.Wrap(apperr.NotFound, "There is no such file", err)
	}
	return err
}

// cleanFilename keeps the last part of a sent file's name, without
// control characters or quotes, at most 200 bytes.
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	for len(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if strings.TrimSpace(name) == "" {
		return "file"
	}
	return name
}

// InsertAttachment stores a sent file's record, filling in its id.
func (s *Store) InsertAttachment(ctx context.Context, a *Attachment) error {
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO message_attachments (message_id, key, content_type, size, filename, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, a.MessageID, a.Key, a.ContentType, a.Size, a.Filename, a.CreatedAt).Scan(&a.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the attachment of message %s: %w", a.MessageID, err)
	}
	return nil
}

// Attachment loads one attachment with its message's mentorship.
// Errors: db.ErrNotFound.
func (s *Store) Attachment(ctx context.Context, id string) (Attachment, error) {
	var a Attachment
	if !db.IsUUID(id) {
		return a, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT a.*, m.mentorship_id FROM message_attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = ?`, id).Scan(&a)
	return a, db.One(res, "message attachment", id)
}

// AttachmentsOf lists the attachments of the given messages, oldest first.
func (s *Store) AttachmentsOf(ctx context.Context, messageIDs []string) ([]Attachment, error) {
	var out []Attachment
	err := db.Conn(ctx, s.g).Raw(`SELECT a.*, m.mentorship_id FROM message_attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.message_id = ANY (?::uuid[]) ORDER BY a.created_at, a.id`, pgArray(messageIDs)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the attachments of %d messages: %w", len(messageIDs), err)
	}
	return out, nil
}

// AttachmentKeysBefore lists the storage keys of files sent with messages
// created before cutoff.
func (s *Store) AttachmentKeysBefore(ctx context.Context, cutoff time.Time) ([]string, error) {
	var keys []string
	err := db.Conn(ctx, s.g).Raw(`SELECT a.key FROM message_attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.created_at < ?`, cutoff).Scan(&keys).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list attachments older than %s: %w", cutoff.Format(time.RFC3339), err)
	}
	return keys, nil
}

// FileType names an attachment's type in words: "PNG image", "JPEG
// image" or "PDF".
func FileType(ctype string) string {
	switch ctype {
	case "image/png":
		return "PNG image"
	case "image/jpeg":
		return "JPEG image"
	case "application/pdf":
		return "PDF"
	}
	return ctype
}

// FileSize is a size for people: "900 bytes", "12 KB", "1.4 MB".
func FileSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
}

// MaxMB is the largest file that may be sent, in whole megabytes.
func (s *Service) MaxMB() int64 { return s.files.MaxBytes >> 20 }
