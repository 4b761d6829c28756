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

// ImportOptions say how Import treats what a package leaves open.
type ImportOptions struct {
	// Publish sets the published flag of anything the package leaves unset.
	Publish bool
	// UpdateShared makes a shared module the package carries replace the
	// one already here with its slug, when they differ (an editor's zip).
	// Otherwise the one here is kept (seeding, so editors' changes
	// survive).
	UpdateShared bool
}

// Imported is what Import did.
type Imported struct {
	ProgrammeID string
	// SharedUpdated names the shared modules the package changed: every
	// programme that includes them shows the change.
	SharedUpdated []string
}

// Import writes a package as a new programme in one transaction. Shared
// modules it includes are created when they are not here yet, from the
// package; those already here are linked, and updated from the package
// when opts.UpdateShared says so. Media files go to the store first; if
// anything fails, the objects written are deleted again and no row
// remains. Errors: Conflict when the slug is taken, Invalid for a bad
// package or a shared module that is neither here nor in the package.
func (s *Service) Import(ctx context.Context, actorID string, pkg *Package, opts ImportOptions) (*Imported, error) {
	if err := pkg.Validate(); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "The package has problems: "+err.Error(), err)
	}
	im := &importer{s: s, actorID: actorID, pkg: pkg, publish: opts.Publish, media: maxMediaBytes}
	defer func() {
		for _, key := range im.written { // only reached on failure; cleared on success
			_ = s.files.Delete(context.WithoutCancel(ctx), key)
		}
	}()
	out := &Imported{}
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
			pkg.Meta.Length, pkg.Intro, flag(pkg.Meta.Published, opts.Publish), pkg.Meta.Open, pkg.Meta.ForMentors()).Scan(&out.ProgrammeID).Error; err != nil {
			return err
		}
		for i, m := range pkg.Modules {
			if _, err := im.module(ctx, &out.ProgrammeID, m, i+1, mediaDir(i, m.Slug)); err != nil {
				return err
			}
		}
		for _, ref := range pkg.Meta.Shared {
			moduleID, updated, err := im.shared(ctx, ref.Module, opts.UpdateShared)
			if err != nil {
				return err
			}
			if updated {
				out.SharedUpdated = append(out.SharedUpdated, ref.Module)
			}
			if err := s.store.IncludeShared(ctx, out.ProgrammeID, moduleID, ref.After); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	im.written = nil
	return out, nil
}

// importer writes a package's modules, counting the media it stores.
type importer struct {
	s       *Service
	actorID string
	pkg     *Package
	publish bool
	media   int64    // what the package's media may still unpack to
	written []string // object keys stored, deleted again on failure
}

// module inserts a module (a shared one when programmeID is nil) with
// its lessons, their media, audio and questions, and its check.
func (im *importer) module(ctx context.Context, programmeID *string, m PackageModule, position int, dir string) (string, error) {
	g := db.Conn(ctx, im.s.db.Gorm)
	var moduleID string
	if err := g.Raw(`INSERT INTO modules (programme_id, shared, slug, title, summary, overview_md, position, published)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, programmeID, programmeID == nil, m.Slug, m.Meta.Title, m.Meta.Summary, m.Overview,
		position, flag(m.Meta.Published, im.publish)).Scan(&moduleID).Error; err != nil {
		return "", err
	}
	for j, l := range m.Lessons {
		var lessonID string
		if err := g.Raw(`INSERT INTO lessons (module_id, slug, title, minutes, body_md, position, published)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, moduleID, l.Slug, l.Meta.Title, l.Meta.Minutes, l.Body,
			j+1, flag(l.Meta.Published, im.publish)).Scan(&lessonID).Error; err != nil {
			return "", err
		}
		if err := im.lessonParts(ctx, lessonID, l, dir); err != nil {
			return "", err
		}
	}
	if m.Check != nil {
		if err := im.s.store.ReplaceCheck(ctx, moduleID, m.Check); err != nil {
			return "", err
		}
	}
	return moduleID, nil
}

// lessonParts writes what a lesson's front matter attaches to it: media,
// audio and questions, and points the pictures in its text at the media
// files stored for it.
func (im *importer) lessonParts(ctx context.Context, lessonID string, l PackageLesson, dir string) error {
	g := db.Conn(ctx, im.s.db.Gorm)
	stored := map[string]*Media{} // by file name in the package
	for k, f := range l.Meta.Media {
		m, err := im.file(ctx, dir, f.File, f.Alt)
		if err != nil {
			return err
		}
		stored[path.Base(f.File)] = m
		var captionsID *string
		if f.Captions != "" {
			c, err := im.file(ctx, dir, f.Captions, "")
			if err != nil {
				return err
			}
			captionsID = &c.ID
		}
		if err := g.Exec("INSERT INTO lesson_media (lesson_id, media_id, position, captions_id) VALUES (?, ?, ?, ?)",
			lessonID, m.ID, k+1, captionsID).Error; err != nil {
			return err
		}
	}
	if body, err := storedPictures(l, dir, stored); err != nil {
		return err
	} else if body != l.Body {
		if err := g.Exec("UPDATE lessons SET body_md = ? WHERE id = ?", body, lessonID).Error; err != nil {
			return err
		}
	}
	if a := l.Meta.Audio; a != nil {
		m, err := im.file(ctx, dir, a.File, "")
		if err != nil {
			return err
		}
		if !lessonAudioTypes[m.ContentType] {
			return apperr.New(apperr.Invalid, fmt.Sprintf("The programme could not be imported: %s%s is not a recording a lesson can play. %s",
				dir, path.Base(a.File), msgAudioType))
		}
		if err := im.s.store.SetLessonAudio(ctx, lessonID, &m.ID, a.Transcript); err != nil {
			return err
		}
	}
	return im.s.store.ReplaceLessonQuestions(ctx, lessonID, l.Meta.Questions, l.Meta.Shuffled())
}

// storedPictures is a package lesson's text with each picture's address
// in the package (media/porter.jpg) turned into the address of the file
// stored for it (/media/ID). Validate has made sure each is a file the
// lesson lists; here each must also be a picture. Errors: Invalid.
func storedPictures(l PackageLesson, dir string, stored map[string]*Media) (string, error) {
	for _, img := range InlineImages(l.Body) {
		name := packageFile(img.Src)
		if m := stored[name]; m != nil && m.Kind != storage.KindImage {
			return "", apperr.New(apperr.Invalid, fmt.Sprintf("The programme could not be imported: the text of lesson %s shows %s%s as a picture, but it is not one. "+
				"Only a PNG, JPEG, GIF or WebP file can be shown in the text.", l.Slug, dir, name))
		}
	}
	return rewritePictures(l.Body, func(src string) (string, bool) {
		m := stored[packageFile(src)]
		if m == nil {
			return "", false
		}
		return "/media/" + m.ID, true
	}), nil
}

// file stores one media file of the package.
func (im *importer) file(ctx context.Context, dir, name, alt string) (*Media, error) {
	m, err := im.s.importFile(ctx, im.actorID, im.pkg, dir, name, alt, &im.media)
	if m != nil {
		im.written = append(im.written, m.Key)
	}
	return m, err
}

// importFile streams a media file from the package to the media store,
// counting it against what the package's media may unpack to (left).
// Errors: Invalid, naming the file, when it is missing, too large, or does
// not unpack; the upload rules' errors; Unavailable.
func (s *Service) importFile(ctx context.Context, actorID string, pkg *Package, dir, name, alt string, left *int64) (*Media, error) {
	where := dir + path.Base(name)
	f, ok := pkg.Files[where]
	if !ok {
		return nil, apperr.New(apperr.Invalid, fmt.Sprintf("The package lists media file %q but does not contain it.", name))
	}
	if f.Size > *left {
		return nil, mediaTooMuch(where)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "The programme could not be imported: "+damaged(where).Error()+".")
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
	return m, err
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
	var positions []int // of the own modules, in order
	for _, m := range o.Modules {
		if !m.Shared {
			positions = append(positions, m.Position)
		}
	}
	for _, m := range o.Modules {
		dir := mediaDir(len(pkg.Modules), m.Slug)
		if m.Shared {
			dir = sharedMediaDir(m.Slug)
		}
		pm, err := s.modulePackage(ctx, m, dir, pkg.Files)
		if err != nil {
			return nil, err
		}
		if !m.Shared {
			pkg.Modules = append(pkg.Modules, *pm)
			continue
		}
		after := 0 // the number, in the package, of the own module it follows
		for _, pos := range positions {
			if pos <= m.After {
				after++
			}
		}
		pkg.Meta.Shared = append(pkg.Meta.Shared, SharedRef{Module: m.Slug, After: after})
		pkg.Shared = append(pkg.Shared, *pm)
	}
	return pkg, nil
}

// modulePackage reads a module back into its package form. With files,
// its media are read from the store into files under dir; with files nil
// only their names are given (to compare a module with a package's).
func (s *Service) modulePackage(ctx context.Context, m OutlineModule, dir string, files map[string]File) (*PackageModule, error) {
	pm := &PackageModule{Slug: m.Slug, Overview: m.OverviewMD,
		Meta: ModuleMeta{Title: m.Title, Summary: m.Summary, Published: ptr(m.Published)}}
	if m.Shared {
		pm.Meta.Shared = m.Slug
	}
	names := files
	if names == nil {
		names = map[string]File{}
	}
	read := func(name, key string) error {
		if files == nil {
			names[name] = File{}
			return nil
		}
		return s.readInto(ctx, files, name, key)
	}
	for _, l := range m.Lessons {
		full, err := s.store.Lesson(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		pl := PackageLesson{Slug: l.Slug, Body: full.BodyMD,
			Meta: LessonMeta{Title: l.Title, Minutes: l.Minutes, Published: ptr(l.Published), Questions: questionFiles(full.Questions),
				Shuffle: shuffleSetting(full.Shuffle)}}
		media, err := s.store.LessonMedia(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		pictures := map[string]string{} // each picture's address in the package, by media id
		for _, md := range media {
			f := LessonFile{File: exportName(names, dir, md.Media), Alt: md.AltText}
			if md.Kind == storage.KindImage {
				pictures[md.ID] = packageAddress(f.File)
			}
			if err := read(dir+f.File, md.Key); err != nil {
				return nil, err
			}
			if md.CaptionsID != nil {
				c, err := s.store.MediaByID(ctx, *md.CaptionsID)
				if err != nil {
					return nil, err
				}
				f.Captions = exportName(names, dir, *c)
				if err := read(dir+f.Captions, c.Key); err != nil {
					return nil, err
				}
			}
			pl.Meta.Media = append(pl.Meta.Media, f)
		}
		pl.Body = rewritePictures(pl.Body, func(src string) (string, bool) {
			address, ok := pictures[InlineImage{Src: src}.MediaID()]
			return address, ok
		})
		if full.AudioID != nil {
			a, err := s.store.MediaByID(ctx, *full.AudioID)
			if err != nil {
				return nil, err
			}
			pl.Meta.Audio = &LessonAudio{File: exportName(names, dir, *a), Transcript: full.AudioTranscript}
			if err := read(dir+pl.Meta.Audio.File, a.Key); err != nil {
				return nil, err
			}
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
	return pm, nil
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
	return &CheckFile{Title: c.Title, PassMark: c.PassMark, Shuffle: shuffleSetting(c.Shuffle), Questions: questionFiles(c.Questions)}
}

// questionFiles turns stored questions back into their package form.
func questionFiles(qs []Question) []QuestionFile {
	var out []QuestionFile
	for _, q := range qs {
		qf := QuestionFile{Text: q.Text, Kind: q.Kind}
		for _, o := range q.Options {
			qf.Options = append(qf.Options, OptionFile{Text: o.Text, Correct: o.Correct, Feedback: o.Feedback})
		}
		out = append(out, qf)
	}
	return out
}

func flag(set *bool, fallback bool) bool {
	if set != nil {
		return *set
	}
	return fallback
}

func ptr[T any](v T) *T { return &v }
