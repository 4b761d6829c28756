package content

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Package is a whole programme as files: what `onramp seed` imports from
// assets/content and what editors export and import as a zip. The layout
// is described in assets/content/README.md.
type Package struct {
	Slug    string
	Meta    ProgrammeMeta
	Intro   string
	Modules []PackageModule
	// Shared holds the shared modules the programme includes (see
	// ProgrammeMeta.Shared) when they travel with it: a zip carries them
	// in shared/<slug>/. Shipped programmes leave it empty: their shared
	// modules live once in assets/content/shared (see ReadShared).
	Shared []PackageModule
	// Files holds media referenced by lessons, by path inside the package
	// ("02-jobs/media/porter.jpg", "shared/safety-core/media/hands.jpg").
	Files map[string]File
}

// File is a media file in a package. One read from a zip or a folder is
// opened only when it is imported, and streamed from there to the media
// store, so a programme's media are never in memory together.
type File struct {
	Size int64 // as the zip or folder records it; checked again as it is read
	fsys fs.FS
	name string
	data []byte
}

// Open returns a reader of the file's bytes, to be closed after.
func (f File) Open() (io.ReadCloser, error) {
	if f.fsys == nil {
		return io.NopCloser(bytes.NewReader(f.data)), nil
	}
	return f.fsys.Open(f.name)
}

// bytesFile is a media file already in memory, as an export reads it.
func bytesFile(b []byte) File { return File{Size: int64(len(b)), data: b} }

// ProgrammeMeta is programme.md's front matter.
type ProgrammeMeta struct {
	Title     string `yaml:"title"`
	Summary   string `yaml:"summary"`
	Audience  string `yaml:"audience,omitempty"`
	Length    string `yaml:"length,omitempty"`
	Published *bool  `yaml:"published,omitempty"`
	// Open lets any signed-in learner start the programme on their own.
	Open bool `yaml:"open,omitempty"`
	// For says who the programme is for: "mentors" for a mentor
	// programme; empty (or "learners") for learners.
	For string `yaml:"for,omitempty"`
	// Shared names the shared modules the programme includes, and where.
	Shared []SharedRef `yaml:"shared,omitempty"`
}

// SharedRef includes a shared module in a programme: after the
// programme's own module number After (0: before the first).
type SharedRef struct {
	Module string `yaml:"module"`
	After  int    `yaml:"after"`
}

// Who a programme is for, as programme.md's "for" says.
const (
	forLearners = "learners"
	forMentors  = "mentors"
)

// ForMentors reports whether the programme is for mentors.
func (m ProgrammeMeta) ForMentors() bool { return m.For == forMentors }

// audienceOf is the "for" value a programme is exported with: only
// mentor programmes say it, so learner programmes export as before.
func audienceOf(mentors bool) string {
	if mentors {
		return forMentors
	}
	return ""
}

// PackageModule is one module folder.
type PackageModule struct {
	Slug     string
	Meta     ModuleMeta
	Overview string
	Lessons  []PackageLesson
	Check    *CheckFile
}

// ModuleMeta is module.md's front matter.
type ModuleMeta struct {
	Title     string `yaml:"title"`
	Summary   string `yaml:"summary"`
	Published *bool  `yaml:"published,omitempty"`
	// Shared marks a shared module in a zip with its slug, so importing
	// the zip creates or updates that one shared module.
	Shared string `yaml:"shared,omitempty"`
}

// PackageLesson is one lesson file.
type PackageLesson struct {
	Slug string
	Meta LessonMeta
	Body string
}

// LessonMeta is a lesson's front matter.
type LessonMeta struct {
	Title     string       `yaml:"title"`
	Minutes   int          `yaml:"minutes"`
	Published *bool        `yaml:"published,omitempty"`
	Media     []LessonFile `yaml:"media,omitempty"`
	// Audio is the lesson read aloud, played instead of the browser's
	// speech.
	Audio *LessonAudio `yaml:"audio,omitempty"`
	// Questions are quick practice questions shown after the lesson, in
	// the shape of a check's.
	Questions []QuestionFile `yaml:"questions,omitempty"`
	// Shuffle false shows the questions' options in the order written;
	// absent, each learner gets an order of their own.
	Shuffle *bool `yaml:"shuffle,omitempty"`
	// Review is a claim in the lesson an expert must check before launch
	// (assets/content/REVIEW.md lists them all). It is for the people
	// who look after the files in assets/content, which are the master
	// copy: learners never see it and importing does not keep it.
	Review string `yaml:"review,omitempty"`
}

// LessonAudio is a recording of a lesson with its transcript.
type LessonAudio struct {
	File       string `yaml:"file"`
	Transcript string `yaml:"transcript"`
}

// LessonFile attaches a media file from the package to a lesson.
type LessonFile struct {
	File     string `yaml:"file"`
	Alt      string `yaml:"alt,omitempty"`
	Captions string `yaml:"captions,omitempty"`
}

// CheckFile is a module's check.yaml.
type CheckFile struct {
	Title    string `yaml:"title"`
	PassMark int    `yaml:"pass_mark"`
	// Shuffle false shows the options in the order written; absent, in a
	// new order on every attempt.
	Shuffle   *bool          `yaml:"shuffle,omitempty"`
	Questions []QuestionFile `yaml:"questions"`
}

// Shuffled reports whether the check's options are shown in a new order
// on every attempt: unless the file says shuffle: false.
func (f *CheckFile) Shuffled() bool { return f.Shuffle == nil || *f.Shuffle }

// Shuffled reports whether the lesson's questions show their options in
// an order of each learner's own: unless the lesson says shuffle: false.
func (m LessonMeta) Shuffled() bool { return m.Shuffle == nil || *m.Shuffle }

// shuffleSetting is how a package file records a shuffle setting: only
// when it is off, so files of content that shuffles stay as they were.
func shuffleSetting(on bool) *bool {
	if on {
		return nil
	}
	return ptr(false)
}

// QuestionFile is one question of a check.
type QuestionFile struct {
	Text    string       `yaml:"text"`
	Kind    string       `yaml:"kind"`
	Options []OptionFile `yaml:"options"`
}

// OptionFile is one answer option.
type OptionFile struct {
	Text     string `yaml:"text"`
	Correct  bool   `yaml:"correct,omitempty"`
	Feedback string `yaml:"feedback"`
}

var numbered = regexp.MustCompile(`^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)(\.md)?$`)

// ReadPackage reads the programme in directory root of fsys. Errors name the
// file and what is wrong with it. Text files are read within the limits in
// limits.go; media files are only found, to be opened when imported.
func ReadPackage(fsys fs.FS, root string) (*Package, error) {
	r := &packageReader{fsys: fsys, left: maxTextBytes}
	p := &Package{Slug: path.Base(root), Files: map[string]File{}}
	if err := r.markdown(path.Join(root, "programme.md"), introLimit, &p.Meta, &p.Intro); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		m := numbered.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil || m[3] != "" {
			continue
		}
		mod, err := r.module(path.Join(root, e.Name()), m[2], mediaDir(len(p.Modules), m[2]), p.Files)
		if err != nil {
			return nil, err
		}
		p.Modules = append(p.Modules, *mod)
	}
	if len(p.Modules) == 0 {
		return nil, fmt.Errorf("%s: no module folders (NN-slug)", root)
	}
	shared, err := r.shared(path.Join(root, sharedDir), p.Files)
	if err != nil {
		return nil, err
	}
	p.Shared = shared
	return p, p.Validate()
}

// sharedDir holds shared modules: assets/content/shared/<slug>/, and
// <programme>/shared/<slug>/ in a zip.
const sharedDir = "shared"

// shared reads every module folder under dir, if there is one, as a
// shared module named by its folder.
func (r *packageReader) shared(dir string, files map[string]File) ([]PackageModule, error) {
	entries, err := fs.ReadDir(r.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []PackageModule
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		mod, err := r.module(path.Join(dir, e.Name()), e.Name(), sharedMediaDir(e.Name()), files)
		if err != nil {
			return nil, err
		}
		if mod.Meta.Shared == "" { // where it lies says it is shared
			mod.Meta.Shared = mod.Slug
		}
		out = append(out, *mod)
	}
	return out, nil
}

// ReadShipped reads every programme in fsys (assets/content), each with
// the shared modules it includes (from fsys's shared/ folder, with their
// media) in Package.Shared, as a zip export carries them. Errors name the
// file and what is wrong, or a shared module a programme names that is
// not there.
func ReadShipped(fsys fs.FS) ([]*Package, error) {
	r := &packageReader{fsys: fsys, left: maxTextBytes}
	files := map[string]File{}
	shared, err := r.shared(sharedDir, files)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]PackageModule{}
	for _, m := range shared {
		if problems := m.problems(sharedDir + "/" + m.Slug); len(problems) > 0 {
			return nil, errors.New(strings.Join(problems, "\n"))
		}
		bySlug[m.Slug] = m
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []*Package
	for _, e := range entries {
		if !e.IsDir() || e.Name() == sharedDir {
			continue
		}
		p, err := ReadPackage(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("content package %s: %w", e.Name(), err)
		}
		for _, ref := range p.Meta.Shared {
			m, ok := bySlug[ref.Module]
			if !ok {
				return nil, fmt.Errorf("%s/programme.md: shared module %q is not in %s/", e.Name(), ref.Module, sharedDir)
			}
			p.Shared = append(p.Shared, m)
			prefix := sharedMediaDir(m.Slug)
			for name, f := range files {
				if strings.HasPrefix(name, prefix) {
					p.Files[name] = f
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// mediaDir is where the media of the module at index i live in a package,
// the key of Package.Files.
func mediaDir(i int, slug string) string { return fmt.Sprintf("%02d-%s/media/", i+1, slug) }

// sharedMediaDir is where the media of a shared module live in a package.
func sharedMediaDir(slug string) string { return sharedDir + "/" + slug + "/media/" }

// packageReader reads a package's text files, each within its limit and
// all of them together within maxTextBytes, so reading a package never
// holds more in memory than a programme can need, whatever its zip claims.
type packageReader struct {
	fsys fs.FS
	left int64 // text bytes still allowed
}

func (r *packageReader) module(dir, slug, media string, files map[string]File) (*PackageModule, error) {
	mod := &PackageModule{Slug: slug}
	if err := r.markdown(path.Join(dir, "module.md"), overviewLimit, &mod.Meta, &mod.Overview); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(r.fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		m := numbered.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil || m[3] == "" {
			continue
		}
		l := PackageLesson{Slug: m[2]}
		if err := r.markdown(path.Join(dir, e.Name()), lessonLimit, &l.Meta, &l.Body); err != nil {
			return nil, err
		}
		names := []string{}
		for _, f := range l.Meta.Media {
			names = append(names, f.File, f.Captions)
		}
		if a := l.Meta.Audio; a != nil {
			names = append(names, a.File)
		}
		for _, name := range names {
			if name == "" {
				continue
			}
			where := path.Join(dir, "media", path.Base(name))
			st, err := fs.Stat(r.fsys, where)
			if err == nil && !st.Mode().IsRegular() {
				err = errors.New("not a file")
			}
			if err != nil {
				return nil, fmt.Errorf("%s/%s: media file %q: %w", dir, e.Name(), name, err)
			}
			files[media+path.Base(name)] = File{Size: st.Size(), fsys: r.fsys, name: where}
		}
		mod.Lessons = append(mod.Lessons, l)
	}
	b, err := r.read(path.Join(dir, "check.yaml"), checkLimit, 0)
	if err == nil {
		mod.Check = &CheckFile{}
		if err := yaml.Unmarshal(b, mod.Check); err != nil {
			return nil, fmt.Errorf("%s/check.yaml: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return mod, nil
}

// markdown reads a file and splits it into YAML front matter (into meta)
// and body. what limits the body; the file may hold frontMatterBytes more.
func (r *packageReader) markdown(name string, what limit, meta any, body *string) error {
	b, err := r.read(name, what, frontMatterBytes)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	front, after, found := strings.Cut(rest, "\n---\n")
	if !ok || !found {
		return fmt.Errorf("%s: must start with front matter between --- lines", name)
	}
	if err := yaml.Unmarshal([]byte(front), meta); err != nil {
		return fmt.Errorf("%s: front matter: %w", name, err)
	}
	*body = strings.TrimSpace(after)
	return nil
}

// read returns a text file of the package. A file over what's limit (plus
// room) is refused with its size, taken from the zip's record when that
// is already too big; the record is never trusted otherwise: at most the
// limit and one byte more is unpacked.
func (r *packageReader) read(name string, what limit, room int) ([]byte, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	most := int64(what.max + room)
	if st, err := f.Stat(); err == nil && st.Size() > most {
		return nil, &tooBigError{name: name, size: st.Size(), what: what}
	}
	b, err := io.ReadAll(io.LimitReader(f, most+1))
	switch {
	case err != nil:
		return nil, damaged(name)
	case int64(len(b)) > most:
		return nil, &tooBigError{name: name, size: -1, what: what}
	}
	if r.left -= int64(len(b)); r.left < 0 {
		return nil, fmt.Errorf("the programme's text comes to more than %s by %s; a programme can have at most %s of Markdown and YAML (media are not counted)",
			byteSize(maxTextBytes), name, byteSize(maxTextBytes))
	}
	return b, nil
}

// damaged refuses a file whose bytes do not match what the zip records
// about it: a size that lies, a bad checksum, a broken stream.
func damaged(name string) error {
	return fmt.Errorf("%s could not be unpacked: it does not match what the zip records about it, so the zip is damaged. Zip the programme folder again and import that", name)
}

// Validate checks what the database would also refuse, and the limits in
// limits.go, with messages that name the place, so a bad package fails
// before anything is written.
func (p *Package) Validate() error {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	over := func(where string, l limit, s string) {
		if msg := l.problem(s); msg != "" {
			bad("%s: %s", where, msg)
		}
	}
	if !slugPattern.MatchString(p.Slug) || len(p.Slug) > maxSlug {
		bad("programme folder %q is not a valid slug (lower-case letters, digits and hyphens, at most %d)", p.Slug, maxSlug)
	}
	if reservedSlugs[p.Slug] {
		bad("programme folder %q is a name Onramp uses for a learner page; choose another", p.Slug)
	}
	if strings.TrimSpace(p.Meta.Title) == "" {
		bad("%s: programme.md needs a title", p.Slug)
	}
	where := p.Slug + "/programme.md"
	over(where, titleLimit, strings.TrimSpace(p.Meta.Title))
	over(where, summaryLimit, p.Meta.Summary)
	over(where, audienceLimit, p.Meta.Audience)
	over(where, lengthLimit, p.Meta.Length)
	over(where, introLimit, p.Intro)
	if f := p.Meta.For; f != "" && f != forLearners && f != forMentors {
		bad("%s: for must be %q or %q, not %q", where, forLearners, forMentors, f)
	}
	seen := map[string]bool{}
	for _, m := range p.Modules {
		where := p.Slug + "/" + m.Slug
		if seen[m.Slug] {
			bad("%s: two modules share the slug %q", where, m.Slug)
		}
		seen[m.Slug] = true
		if m.Meta.Shared != "" {
			bad("%s/module.md: only a module in the %s/ folder can be marked shared", where, sharedDir)
		}
		problems = append(problems, m.problems(where)...)
	}
	carried := map[string]bool{}
	for _, m := range p.Shared {
		where := p.Slug + "/" + sharedDir + "/" + m.Slug
		if carried[m.Slug] {
			bad("%s: two shared modules share the slug %q", where, m.Slug)
		}
		carried[m.Slug] = true
		problems = append(problems, m.problems(where)...)
	}
	named := map[string]bool{}
	for _, ref := range p.Meta.Shared {
		switch {
		case !slugPattern.MatchString(ref.Module) || len(ref.Module) > maxSlug:
			bad("%s: shared module %q is not a valid short name", where, ref.Module)
		case named[ref.Module]:
			bad("%s: shared module %q is named twice", where, ref.Module)
		case ref.After < 0 || ref.After > len(p.Modules):
			bad("%s: shared module %q has after: %d; it must be from 0 (before the first module) to %d (after the last)",
				where, ref.Module, ref.After, len(p.Modules))
		}
		named[ref.Module] = true
	}
	for _, m := range p.Shared {
		if !named[m.Slug] {
			bad("%s/%s/%s: the programme does not include this shared module; name it under shared: in programme.md", p.Slug, sharedDir, m.Slug)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// problems lists what is wrong with one module of a package, each
// message starting with where (the module's folder).
func (m PackageModule) problems(where string) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	over := func(where string, l limit, s string) {
		if msg := l.problem(s); msg != "" {
			bad("%s: %s", where, msg)
		}
	}
	if !slugPattern.MatchString(m.Slug) {
		bad("%s: the module's folder name is not a valid short name (small letters, numbers and hyphens)", where)
	}
	if len(m.Slug) > maxSlug {
		bad("%s: the module's folder name is longer than %d characters", where, maxSlug)
	}
	if m.Meta.Shared != "" && m.Meta.Shared != m.Slug {
		bad("%s/module.md: shared: %q must be the folder's name, %q", where, m.Meta.Shared, m.Slug)
	}
	if strings.TrimSpace(m.Meta.Title) == "" {
		bad("%s: module.md needs a title", where)
	}
	over(where+"/module.md", titleLimit, strings.TrimSpace(m.Meta.Title))
	over(where+"/module.md", summaryLimit, m.Meta.Summary)
	over(where+"/module.md", overviewLimit, m.Overview)
	lessons := map[string]bool{}
	for _, l := range m.Lessons {
		if lessons[l.Slug] {
			bad("%s: two lessons share the slug %q", where, l.Slug)
		}
		lessons[l.Slug] = true
		if len(l.Slug) > maxSlug {
			bad("%s/%s: the lesson's file name is longer than %d characters", where, l.Slug, maxSlug)
		}
		if strings.TrimSpace(l.Meta.Title) == "" {
			bad("%s/%s: lesson needs a title", where, l.Slug)
		}
		if l.Meta.Minutes < 1 || l.Meta.Minutes > 120 {
			bad("%s/%s: minutes must be between 1 and 120", where, l.Slug)
		}
		over(where+"/"+l.Slug, titleLimit, strings.TrimSpace(l.Meta.Title))
		over(where+"/"+l.Slug, lessonLimit, l.Body)
		for _, f := range l.Meta.Media {
			over(where+"/"+l.Slug+": "+f.File, altLimit, f.Alt)
		}
		for _, e := range l.pictureProblems() {
			bad("%s/%s: %s", where, l.Slug, e)
		}
		for _, e := range l.Meta.AudioProblems() {
			bad("%s/%s: %s", where, l.Slug, e)
		}
		for _, e := range LessonQuestionProblems(l.Meta.Questions) {
			bad("%s/%s: %s", where, l.Slug, e)
		}
	}
	if m.Check != nil {
		for _, e := range m.Check.Problems() {
			bad("%s/check.yaml: %s", where, e)
		}
	}
	return problems
}

// AudioProblems lists what is wrong with a lesson's audio: a recording
// needs its transcript, for people who cannot hear it.
func (l LessonMeta) AudioProblems() []string {
	a := l.Audio
	if a == nil {
		return nil
	}
	var out []string
	if strings.TrimSpace(a.File) == "" {
		out = append(out, "audio needs a file")
	}
	if strings.TrimSpace(a.Transcript) == "" {
		out = append(out, "audio needs a transcript: the words of the recording, for people who cannot hear it")
	}
	if msg := transcriptLimit.problem(a.Transcript); msg != "" {
		out = append(out, msg)
	}
	return out
}

// maxLessonQuestions caps the quick questions inside one lesson.
const maxLessonQuestions = 5

// LessonQuestionProblems lists what is wrong with a lesson's questions,
// by the rules of a check's questions.
func LessonQuestionProblems(qs []QuestionFile) []string {
	out := questionProblems(qs)
	if len(qs) > maxLessonQuestions {
		out = append(out, fmt.Sprintf("the lesson has %d questions; a lesson can have at most %d", len(qs), maxLessonQuestions))
	}
	return out
}

// Problems lists what is wrong with a check, in words an editor can act on.
func (c *CheckFile) Problems() []string {
	var out []string
	over := func(where string, l limit, s string) {
		if msg := l.problem(s); msg != "" {
			out = append(out, where+msg)
		}
	}
	if strings.TrimSpace(c.Title) == "" {
		out = append(out, "the check needs a title")
	}
	over("", titleLimit, strings.TrimSpace(c.Title))
	if c.PassMark < 1 || c.PassMark > 100 {
		out = append(out, "pass_mark must be a percentage from 1 to 100")
	}
	if len(c.Questions) == 0 {
		out = append(out, "add at least one question")
	}
	if len(c.Questions) > maxQuestions {
		out = append(out, fmt.Sprintf("the check has %d questions; it can have at most %d", len(c.Questions), maxQuestions))
	}
	out = append(out, questionProblems(c.Questions)...)
	if b, err := yaml.Marshal(c); err == nil {
		over("", checkLimit, string(b)) // as an export writes it, so what saves also imports
	}
	return out
}

// questionProblems lists what is wrong with questions, numbered from 1.
func questionProblems(qs []QuestionFile) []string {
	var out []string
	over := func(where string, l limit, s string) {
		if msg := l.problem(s); msg != "" {
			out = append(out, where+msg)
		}
	}
	for i, q := range qs {
		n := strconv.Itoa(i + 1)
		if strings.TrimSpace(q.Text) == "" {
			out = append(out, "question "+n+" has no text")
		}
		over("question "+n+": ", questionLimit, q.Text)
		if q.Kind != KindSingle && q.Kind != KindMultiple {
			out = append(out, "question "+n+": kind must be single or multiple")
		}
		if len(q.Options) < 2 {
			out = append(out, "question "+n+" needs at least two options")
		}
		if len(q.Options) > maxOptions {
			out = append(out, fmt.Sprintf("question %s has %d options; a question can have at most %d", n, len(q.Options), maxOptions))
		}
		correct := 0
		for j, o := range q.Options {
			if strings.TrimSpace(o.Text) == "" {
				out = append(out, fmt.Sprintf("question %s, option %d has no text", n, j+1))
			}
			over(fmt.Sprintf("question %s, option %d: ", n, j+1), optionLimit, o.Text)
			over(fmt.Sprintf("question %s, option %d: ", n, j+1), feedbackLimit, o.Feedback)
			if o.Correct {
				correct++
			}
		}
		switch {
		case correct == 0:
			out = append(out, "question "+n+" has no correct option")
		case q.Kind == KindSingle && correct > 1:
			out = append(out, "question "+n+" is single choice but has more than one correct option")
		}
	}
	return out
}

// WriteZip writes the package in the documented layout. The output is
// deterministic (sorted, fixed timestamps) so export, import and export
// again gives the same bytes.
func (p *Package) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	add := func(name string, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.Slug + "/" + name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	}
	if err := add("programme.md", markdownFile(p.Meta, p.Intro)); err != nil {
		return err
	}
	for i, m := range p.Modules {
		if err := writeModule(add, fmt.Sprintf("%02d-%s/", i+1, m.Slug), m); err != nil {
			return err
		}
	}
	for _, m := range p.Shared {
		m.Meta.Shared = m.Slug // the marker that makes importing it update the one shared module
		if err := writeModule(add, sharedDir+"/"+m.Slug+"/", m); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := p.addFile(zw, n); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeModule writes a module's files into dir of a zip.
func writeModule(add func(name string, b []byte) error, dir string, m PackageModule) error {
	if err := add(dir+"module.md", markdownFile(m.Meta, m.Overview)); err != nil {
		return err
	}
	for j, l := range m.Lessons {
		if err := add(fmt.Sprintf("%s%02d-%s.md", dir, j+1, l.Slug), markdownFile(l.Meta, l.Body)); err != nil {
			return err
		}
	}
	if m.Check == nil {
		return nil
	}
	b, err := yaml.Marshal(m.Check)
	if err != nil {
		return err
	}
	return add(dir+"check.yaml", b)
}

// addFile copies a media file into the zip without holding it in memory.
func (p *Package) addFile(zw *zip.Writer, name string) error {
	r, err := p.Files[name].Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := zw.CreateHeader(&zip.FileHeader{Name: p.Slug + "/" + name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

func markdownFile(meta any, body string) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	y, _ := yaml.Marshal(meta) // plain structs of strings and ints always marshal
	b.Write(y)
	b.WriteString("---\n")
	b.WriteString(body)
	b.WriteString("\n")
	return b.Bytes()
}

// ReadZip reads a package written by WriteZip (or zipped by hand from a
// folder in the same layout). The zip holds one top-level folder. A zip
// that would unpack to more than a programme can hold is refused before it
// is unpacked (see limits.go), naming the file and the limit; what it
// records about sizes is checked first but never trusted, as each file is
// read through a limit of its own.
func ReadZip(r io.ReaderAt, size int64) (*Package, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errors.New("this file is not a zip file")
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("the zip holds %s files; a programme can have at most %s",
			thousands(int64(len(zr.File))), thousands(maxZipEntries))
	}
	var root string
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxPackageBytes {
			return nil, fmt.Errorf("%s is %s; a programme can unpack to at most %s", f.Name,
				byteSize(int64(min(f.UncompressedSize64, 1<<62))), byteSize(maxPackageBytes))
		}
		total += f.UncompressedSize64 // at most maxZipEntries times maxPackageBytes: no overflow
		top, _, _ := strings.Cut(f.Name, "/")
		if root == "" {
			root = top
		} else if top != root {
			return nil, errors.New("the zip must hold one programme folder and nothing else")
		}
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") {
			return nil, fmt.Errorf("the zip holds an unsafe path %q", f.Name)
		}
	}
	if total > maxPackageBytes {
		return nil, fmt.Errorf("the zip unpacks to %s; a programme can unpack to at most %s",
			byteSize(int64(total)), byteSize(maxPackageBytes))
	}
	if root == "" {
		return nil, errors.New("the zip is empty")
	}
	return ReadPackage(zr, root)
}
