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
	// Files holds media referenced by lessons, by path inside the package
	// ("02-jobs/media/porter.jpg").
	Files map[string][]byte
}

// ProgrammeMeta is programme.md's front matter.
type ProgrammeMeta struct {
	Title     string `yaml:"title"`
	Summary   string `yaml:"summary"`
	Audience  string `yaml:"audience,omitempty"`
	Length    string `yaml:"length,omitempty"`
	Published *bool  `yaml:"published,omitempty"`
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
}

// LessonFile attaches a media file from the package to a lesson.
type LessonFile struct {
	File     string `yaml:"file"`
	Alt      string `yaml:"alt,omitempty"`
	Captions string `yaml:"captions,omitempty"`
}

// CheckFile is a module's check.yaml.
type CheckFile struct {
	Title     string         `yaml:"title"`
	PassMark  int            `yaml:"pass_mark"`
	Questions []QuestionFile `yaml:"questions"`
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
// file and what is wrong with it.
func ReadPackage(fsys fs.FS, root string) (*Package, error) {
	p := &Package{Slug: path.Base(root), Files: map[string][]byte{}}
	if err := readMarkdown(fsys, path.Join(root, "programme.md"), &p.Meta, &p.Intro); err != nil {
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
		mod, err := readModule(fsys, path.Join(root, e.Name()), m[2], mediaDir(len(p.Modules), m[2]), p.Files)
		if err != nil {
			return nil, err
		}
		p.Modules = append(p.Modules, *mod)
	}
	if len(p.Modules) == 0 {
		return nil, fmt.Errorf("%s: no module folders (NN-slug)", root)
	}
	return p, p.Validate()
}

// mediaDir is where the media of the module at index i live in a package,
// the key of Package.Files.
func mediaDir(i int, slug string) string { return fmt.Sprintf("%02d-%s/media/", i+1, slug) }

func readModule(fsys fs.FS, dir, slug, media string, files map[string][]byte) (*PackageModule, error) {
	mod := &PackageModule{Slug: slug}
	if err := readMarkdown(fsys, path.Join(dir, "module.md"), &mod.Meta, &mod.Overview); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		m := numbered.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil || m[3] == "" {
			continue
		}
		l := PackageLesson{Slug: m[2]}
		if err := readMarkdown(fsys, path.Join(dir, e.Name()), &l.Meta, &l.Body); err != nil {
			return nil, err
		}
		for _, f := range l.Meta.Media {
			for _, name := range []string{f.File, f.Captions} {
				if name == "" {
					continue
				}
				b, err := fs.ReadFile(fsys, path.Join(dir, "media", path.Base(name)))
				if err != nil {
					return nil, fmt.Errorf("%s/%s: media file %q: %w", dir, e.Name(), name, err)
				}
				files[media+path.Base(name)] = b
			}
		}
		mod.Lessons = append(mod.Lessons, l)
	}
	b, err := fs.ReadFile(fsys, path.Join(dir, "check.yaml"))
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

// readMarkdown splits a file into YAML front matter (into meta) and body.
func readMarkdown(fsys fs.FS, name string, meta any, body *string) error {
	b, err := fs.ReadFile(fsys, name)
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

// Validate checks what the database would also refuse, with messages that
// name the place, so a bad package fails before anything is written.
func (p *Package) Validate() error {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if !slugPattern.MatchString(p.Slug) {
		bad("programme folder %q is not a valid slug (lower-case letters, digits and hyphens)", p.Slug)
	}
	if reservedSlugs[p.Slug] {
		bad("programme folder %q is a name Onramp uses for a learner page; choose another", p.Slug)
	}
	if strings.TrimSpace(p.Meta.Title) == "" {
		bad("%s: programme.md needs a title", p.Slug)
	}
	seen := map[string]bool{}
	for _, m := range p.Modules {
		where := p.Slug + "/" + m.Slug
		if seen[m.Slug] {
			bad("%s: two modules share the slug %q", where, m.Slug)
		}
		seen[m.Slug] = true
		if strings.TrimSpace(m.Meta.Title) == "" {
			bad("%s: module.md needs a title", where)
		}
		lessons := map[string]bool{}
		for _, l := range m.Lessons {
			if lessons[l.Slug] {
				bad("%s: two lessons share the slug %q", where, l.Slug)
			}
			lessons[l.Slug] = true
			if strings.TrimSpace(l.Meta.Title) == "" {
				bad("%s/%s: lesson needs a title", where, l.Slug)
			}
			if l.Meta.Minutes < 1 || l.Meta.Minutes > 120 {
				bad("%s/%s: minutes must be between 1 and 120", where, l.Slug)
			}
		}
		if m.Check != nil {
			for _, e := range m.Check.Problems() {
				bad("%s/check.yaml: %s", where, e)
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// Problems lists what is wrong with a check, in words an editor can act on.
func (c *CheckFile) Problems() []string {
	var out []string
	if strings.TrimSpace(c.Title) == "" {
		out = append(out, "the check needs a title")
	}
	if c.PassMark < 1 || c.PassMark > 100 {
		out = append(out, "pass_mark must be a percentage from 1 to 100")
	}
	if len(c.Questions) == 0 {
		out = append(out, "add at least one question")
	}
	for i, q := range c.Questions {
		n := strconv.Itoa(i + 1)
		if strings.TrimSpace(q.Text) == "" {
			out = append(out, "question "+n+" has no text")
		}
		if q.Kind != KindSingle && q.Kind != KindMultiple {
			out = append(out, "question "+n+": kind must be single or multiple")
		}
		if len(q.Options) < 2 {
			out = append(out, "question "+n+" needs at least two options")
		}
		correct := 0
		for j, o := range q.Options {
			if strings.TrimSpace(o.Text) == "" {
				out = append(out, fmt.Sprintf("question %s, option %d has no text", n, j+1))
			}
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
		dir := fmt.Sprintf("%02d-%s/", i+1, m.Slug)
		if err := add(dir+"module.md", markdownFile(m.Meta, m.Overview)); err != nil {
			return err
		}
		for j, l := range m.Lessons {
			if err := add(fmt.Sprintf("%s%02d-%s.md", dir, j+1, l.Slug), markdownFile(l.Meta, l.Body)); err != nil {
				return err
			}
		}
		if m.Check != nil {
			b, err := yaml.Marshal(m.Check)
			if err != nil {
				return err
			}
			if err := add(dir+"check.yaml", b); err != nil {
				return err
			}
		}
	}
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := add(n, p.Files[n]); err != nil {
			return err
		}
	}
	return zw.Close()
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
// folder in the same layout). The zip holds one top-level folder.
func ReadZip(r io.ReaderAt, size int64) (*Package, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errors.New("this file is not a zip file")
	}
	var root string
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxPackageBytes {
			return nil, errors.New("the zip unpacks to more than 1 GB, which is too large for a programme")
		}
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
	if root == "" {
		return nil, errors.New("the zip is empty")
	}
	return ReadPackage(zr, root)
}
