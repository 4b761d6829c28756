package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/db"
	"onramp/app/storage"
)

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// Limits cap upload sizes in bytes.
type Limits struct {
	Video int64 // video files
	Other int64 // everything else
}

// Service holds the rules for content and media.
type Service struct {
	db     *db.DB
	store  *Store
	cat    *Catalogue
	files  storage.Store
	audit  Recorder
	limits Limits
	render *Renderer
	now    func() time.Time
}

// NewService returns the content service. Learners' reads are cached for
// cacheTTL (0 turns the cache off).
func NewService(d *db.DB, files storage.Store, audit Recorder, limits Limits, cacheTTL time.Duration, now func() time.Time) *Service {
	store := NewStore(d.Gorm)
	return &Service{db: d, store: store, cat: NewCatalogue(store, cacheTTL, now), files: files, audit: audit,
		limits: limits, render: NewRenderer(), now: now}
}

// Catalogue is the cached read side of published content, for the
// learning module.
func (s *Service) Catalogue() *Catalogue { return s.cat }

// Renderer renders lesson Markdown to safe HTML.
func (s *Service) Renderer() *Renderer { return s.render }

// SeedShipped imports every programme under fsys (assets/content) that
// is not in the database yet, published, with the shared modules it
// includes (created from fsys's shared/ folder when not here yet).
// Programmes and shared modules already there are left alone, so
// editors' changes survive a re-seed.
func (s *Service) SeedShipped(ctx context.Context, fsys fs.FS) error {
	pkgs, err := ReadShipped(fsys)
	if err != nil {
		return err
	}
	for _, pkg := range pkgs {
		if _, err := s.Import(ctx, "", pkg, ImportOptions{Publish: true}); err != nil {
			// Conflict: already imported, perhaps edited since; keep it.
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Kind == apperr.Conflict {
				continue
			}
			return fmt.Errorf("importing %s: %w", pkg.Slug, err)
		}
	}
	return s.seedShared(ctx, fsys)
}

// seedShared creates each shared module under fsys's shared/ folder that
// is not here yet, published, so a database seeded before it existed
// gets it too; editors then include it in the programmes already there
// (seeding never changes those).
func (s *Service) seedShared(ctx context.Context, fsys fs.FS) error {
	r := &packageReader{fsys: fsys, left: maxTextBytes}
	pkg := &Package{Files: map[string]File{}}
	mods, err := r.shared(sharedDir, pkg.Files)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if problems := m.problems(sharedDir + "/" + m.Slug); len(problems) > 0 {
			return fmt.Errorf("shared module %s: %s", m.Slug, strings.Join(problems, "; "))
		}
		err := s.db.WithTx(ctx, func(ctx context.Context) error {
			if _, err := s.store.SharedModuleID(ctx, m.Slug); !isNotFound(err) {
				return err // there already, or a failure
			}
			im := &importer{s: s, pkg: pkg, publish: true, media: maxMediaBytes}
			_, err := im.module(ctx, nil, m, 1, sharedMediaDir(m.Slug))
			if err != nil {
				for _, key := range im.written {
					_ = s.files.Delete(context.WithoutCancel(ctx), key)
				}
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("seeding shared module %s: %w", m.Slug, err)
		}
	}
	s.cat.Invalidate()
	return nil
}

// Upload stores a file sent by an editor: the type is sniffed from its
// bytes (never the name), only images, video, audio, PDF and WebVTT are
// accepted, images need alt text, and the size limit is enforced while
// the bytes stream in, so nothing oversized is ever kept. Errors: Invalid
// (type, alt text), TooLarge, Unavailable (store down).
func (s *Service) Upload(ctx context.Context, actorID string, r io.Reader, size int64, filename, alt string) (*Media, error) {
	m, err := s.storeUpload(ctx, actorID, r, size, filename, alt)
	if err != nil {
		return nil, err
	}
	return m, s.audit.Record(ctx, actorID, "media.uploaded", "media", m.ID, map[string]any{"filename": m.Filename, "size": m.Size, "type": m.ContentType})
}

func (s *Service) storeUpload(ctx context.Context, actorID string, r io.Reader, size int64, filename, alt string) (*Media, error) {
	ctype, replay, err := storage.Sniff(r)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "The file could not be read. Try again.", err)
	}
	kind, ok := storage.Allowed(ctype)
	if !ok {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "file",
			Message: "This type of file cannot be used. Upload a picture (PNG, JPEG, GIF or WebP), a video (MP4 or WebM), audio (MP3, M4A, OGG or WAV), a PDF or WebVTT captions."})
	}
	alt = strings.TrimSpace(alt)
	if kind == "image" && alt == "" {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "alt",
			Message: "Describe the picture for people who cannot see it (alt text)."})
	}
	if fe := overLimits(fieldText{"alt", altLimit, alt}); fe != nil {
		return nil, apperr.InvalidFields(fe...)
	}
	limit := s.limits.Other
	if kind == "video" {
		limit = s.limits.Video
	}
	if size > limit {
		return nil, tooLarge(limit)
	}
	key := storage.NewKey(s.now())
	obj, err := s.files.Put(ctx, key, replay, size, ctype, limit)
	switch {
	case errors.Is(err, storage.ErrTooLarge):
		return nil, tooLarge(limit)
	case errors.Is(err, storage.ErrUnavailable):
		return nil, apperr.Wrap(apperr.Unavailable, "Media storage is not answering. Try again in a few minutes.", err)
	case err != nil:
		return nil, err
	}
	m := &Media{Key: key, Kind: kind, ContentType: ctype, Size: obj.Size, Filename: cleanFilename(filename), AltText: alt}
	var creator *string
	if actorID != "" {
		creator = &actorID
	}
	err = db.Conn(ctx, s.db.Gorm).Raw(`INSERT INTO media (key, kind, content_type, size, filename, alt_text, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at`, m.Key, m.Kind, m.ContentType, m.Size, m.Filename, m.AltText, creator).
		Row().Scan(&m.ID, &m.CreatedAt)
	if err != nil {
		_ = s.files.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return m, nil
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, fmt.Sprintf("The file is too large. The most you can upload is %d MB.", limit>>20))
}

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
	}, name)
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}
