package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"onramp/app/apperr"
	"onramp/app/db"
	"onramp/app/storage"
)

// Import writes a package as a new programme in one transaction and
// returns its id. Media files go to the store first; if anything fails,
// the objects written are deleted again and no row remains. publish sets
// the published flag of anything the package leaves unset. Errors:
// Conflict when the slug is taken, Invalid for a bad package.
func (s *Service) Import(ctx context.Context, actorID string, pkg *Package, publish bool) (string, error) {
	if err := pkg.Validate(); err != nil {
		return "", apperr.Wrap(apperr.Invalid, "The package has problems: "+err.Error(), err)
	}
	var written []string
	media := int64(maxMediaBytes) // what the package's media may still unpack to
	defer func() {
		for _, key := range written { // only reached on failure; cleared on success
			_ = s.files.Delete(context.WithoutCancel(ctx), key)
		}
	}()
	var programmeID string
	err := s.write(ctx, func(ctx context.Context) error {
		var exists bool
		if err := db.Conn(ctx, s.db.Gorm).Raw("SELECT EXISTS (SELECT 1 FROM programmes WHERE slug = ?)", pkg.Slug).Scan(&exists).Error; err != nil {
			return err
		}
		if exists {
			return apperr.New(apperr.Conflict, fmt.Sprintf("A programme with the short name %q already exists. Delete it or import under another name.", pkg.Slug))
		}
		g := db.Conn(ctx, s.db.Gorm)
		if err := g.Raw(`INSERT INTO programmes (slug, title, summary, audience, length_text, intro_md, published, open_enrolment, for_mentors)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, pkg.Slug, pkg.Meta.Title, pkg.Meta.Summary, pkg.Meta.Audience,
			pkg.Meta.Length, pkg.Intro, flag(pkg.Meta.Published, publish), pkg.Meta.Open, pkg.Meta.ForMentors()).Scan(&programmeID).Error; err != nil {
			return err
		}
		for i, m := range pkg.Modules {
			var moduleID string
			if err := g.Raw(`INSERT INTO modules (programme_id, slug, title, summary, overview_md, position, published)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, programmeID, m.Slug, m.Meta.Title, m.Meta.Summary, m.Overview,
				i+1, flag(m.Meta.Published, publish)).Scan(&moduleID).Error; err != nil {
				return err
			}
			for j, l := range m.Lessons {
				var lessonID string
				if err := g.Raw(`INSERT INTO lessons (module_id, slug, title, minutes, body_md, position, published)
					VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, moduleID, l.Slug, l.Meta.Title, l.Meta.Minutes, l.Body,
					j+1, flag(l.Meta.Published, publish)).Scan(&lessonID).Error; err != nil {
					return err
				}
				for k, f := range l.Meta.Media {
					dir := mediaDir(i, m.Slug)
					mediaID, key, err := s.importFile(ctx, actorID, pkg, dir, f.File, f.Alt, &media)
					written = append(written, key)
					if err != nil {
						return err
					}
					var captionsID *string
					if f.Captions != "" {
						id, key, err := s.importFile(ctx, actorID, pkg, dir, f.Captions, "", &media)
						written = append(written, key)
						if err != nil {
							return err
						}
						captionsID = &id
					}
					if err := g.Exec("INSERT INTO lesson_media (lesson_id, media_id, position, captions_id) VALUES (?, ?, ?, ?)",
						lessonID, mediaID, k+1, captionsID).Error; err != nil {
						return err
					}
				}
			}
			if m.Check != nil {
				if err := s.store.ReplaceCheck(ctx, moduleID, m.Check); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		written = nil
	}
	return programmeID, err
}

// importFile streams a media file from the package to the media store,
// counting it against what the package's media may unpack to (left).
// Errors: Invalid, naming the file, when it is missing, too large, or does
// not unpack; the upload rules' errors; Unavailable.
func (s *Service) importFile(ctx context.Context, actorID string, pkg *Package, dir, name, alt string, left *int64) (id, key string, err error) {
	where := dir + path.Base(name)
	f, ok := pkg.Files[where]
	if !ok {
		return "", "", apperr.New(apperr.Invalid, fmt.Sprintf("The package lists media file %q but does not contain it.", name))
	}
	if f.Size > *left {
		return "", "", mediaTooMuch(where)
	}
	rc, err := f.Open()
	if err != nil {
		return "", "", apperr.New(apperr.Invalid, "The programme could not be imported: "+damaged(where).Error()+".")
	}
	defer rc.Close()
	mr := &meteredReader{r: rc, left: left}
	m, err := s.storeUpload(ctx, actorID, mr, f.Size, path.Base(name), alt)
	switch e := apperr.As(err); {
	case err == nil:
	case errors.Is(mr.err, errMediaTotal):
		err = mediaTooMuch(where)
	case mr.err != nil || errors.Is(err, storage.ErrSizeMismatch):
		err = apperr.New(apperr.Invalid, "The programme could not be imported: "+damaged(where).Error()+".")
	case e.Kind == apperr.TooLarge:
		err = apperr.New(apperr.Invalid, fmt.Sprintf("The programme could not be imported: %s is too large. %s", where, e.Message))
	}
	if m == nil {
		return "", "", err
	}
	return m.ID, m.Key, err
}

var errMediaTotal = errors.New("the package's media are over their limit")

func mediaTooMuch(where string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("The programme could not be imported: its media come to more than %s by %s; a programme's media can be at most %s together.",
		byteSize(maxMediaBytes), where, byteSize(maxMediaBytes)))
}

// meteredReader reads a package's media file, failing once the package's
// media together pass their limit, and keeps the file's own read error so
// a broken zip is told apart from the media store failing.
type meteredReader struct {
	r    io.Reader
	left *int64
	err  error
}

func (m *meteredReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if *m.left -= int64(n); *m.left < 0 {
		m.err = errMediaTotal
		return n, m.err
	}
	if err != nil && err != io.EOF {
		m.err = err
	}
	return n, err
}

// Export reads a programme, drafts included, back into a package, with its
// media files read from the store.
func (s *Service) Export(ctx context.Context, programmeID string) (*Package, error) {
	o, err := s.store.OutlineByID(ctx, programmeID)
	if isNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "There is no such programme")
	}
	if err != nil {
		return nil, err
	}
	p := o.Programme
	pkg := &Package{Slug: p.Slug, Intro: p.IntroMD, Files: map[string]File{},
		Meta: ProgrammeMeta{Title: p.Title, Summary: p.Summary, Audience: p.Audience, Length: p.LengthText, Published: &p.Published,
			Open: p.OpenEnrolment, For: audienceOf(p.ForMentors)}}
	for i, m := range o.Modules {
		pm := PackageModule{Slug: m.Slug, Overview: m.OverviewMD,
			Meta: ModuleMeta{Title: m.Title, Summary: m.Summary, Published: ptr(m.Published)}}
		dir := mediaDir(i, m.Slug)
		for _, l := range m.Lessons {
			full, err := s.store.Lesson(ctx, l.ID)
			if err != nil {
				return nil, err
			}
			pl := PackageLesson{Slug: l.Slug, Body: full.BodyMD,
				Meta: LessonMeta{Title: l.Title, Minutes: l.Minutes, Published: ptr(l.Published)}}
			media, err := s.store.LessonMedia(ctx, l.ID)
			if err != nil {
				return nil, err
			}
			for _, md := range media {
				f := LessonFile{File: exportName(pkg.Files, dir, md.Media), Alt: md.AltText}
				if err := s.readInto(ctx, pkg.Files, dir+f.File, md.Key); err != nil {
					return nil, err
				}
				if md.CaptionsID != nil {
					c, err := s.store.MediaByID(ctx, *md.CaptionsID)
					if err != nil {
						return nil, err
					}
					f.Captions = exportName(pkg.Files, dir, *c)
					if err := s.readInto(ctx, pkg.Files, dir+f.Captions, c.Key); err != nil {
						return nil, err
					}
				}
				pl.Meta.Media = append(pl.Meta.Media, f)
			}
			pm.Lessons = append(pm.Lessons, pl)
		}
		if m.Check != nil {
			c, err := s.store.Check(ctx, m.Check.ID)
			if err != nil {
				return nil, err
			}
			pm.Check = c.File()
		}
		pkg.Modules = append(pkg.Modules, pm)
	}
	return pkg, nil
}

// exportName is a media file's name inside a package: the name it was
// uploaded with, so a round trip keeps names as they were, with the start
// of its id added only when another file in the folder has that name.
func exportName(files map[string]File, dir string, m Media) string {
	name := path.Base(m.Filename)
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if _, taken := files[dir+name]; taken {
		name = m.ID[:8] + "-" + name
	}
	return name
}

func (s *Service) readInto(ctx context.Context, files map[string]File, name, key string) error {
	r, _, err := s.files.Open(ctx, key)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "Media storage is not answering, so the export cannot include media. Try again later.", err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	files[name] = bytesFile(b)
	return err
}

// File turns a stored check back into its package form.
func (c *Check) File() *CheckFile {
	f := &CheckFile{Title: c.Title, PassMark: c.PassMark}
	for _, q := range c.Questions {
		qf := QuestionFile{Text: q.Text, Kind: q.Kind}
		for _, o := range q.Options {
			qf.Options = append(qf.Options, OptionFile{Text: o.Text, Correct: o.Correct, Feedback: o.Feedback})
		}
		f.Questions = append(f.Questions, qf)
	}
	return f
}

func flag(set *bool, fallback bool) bool {
	if set != nil {
		return *set
	}
	return fallback
}

func ptr[T any](v T) *T { return &v }
