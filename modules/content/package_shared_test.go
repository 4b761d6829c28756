package content

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestSharedModulesTravelInAProgrammeZipLosslessly(t *testing.T) {
	pkgs, err := ReadShipped(os.DirFS("testdata/shared-example"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 {
		t.Fatalf("%d programmes in the example, want 2", len(pkgs))
	}
	for _, p := range pkgs {
		if len(p.Shared) != 1 || p.Shared[0].Slug != "tiny-safety" || p.Shared[0].Meta.Shared != "tiny-safety" {
			t.Fatalf("%s does not carry its shared module: %+v", p.Slug, p.Shared)
		}
		if qs := p.Shared[0].Lessons[0].Meta.Questions; len(qs) != 2 {
			t.Fatalf("the shared lesson has %d questions, want 2", len(qs))
		}
		var first bytes.Buffer
		if err := p.WriteZip(&first); err != nil {
			t.Fatal(err)
		}
		back, err := ReadZip(bytes.NewReader(first.Bytes()), int64(first.Len()))
		if err != nil {
			t.Fatalf("%s: %v", p.Slug, err)
		}
		if !reflect.DeepEqual(p, back) {
			t.Errorf("%s: the package read back from its zip differs", p.Slug)
		}
		var second bytes.Buffer
		if err := back.WriteZip(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("%s: exporting the re-read package gave different bytes", p.Slug)
		}
	}
}

func TestPackageValidationNamesSharedModuleMistakes(t *testing.T) {
	pkgs, err := ReadShipped(os.DirFS("testdata/shared-example"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		mutate func(p *Package)
		want   string
	}{
		"after past the last module": {func(p *Package) { p.Meta.Shared[0].After = 5 }, "it must be from 0"},
		"named twice":                {func(p *Package) { p.Meta.Shared = append(p.Meta.Shared, p.Meta.Shared[0]) }, "is named twice"},
		"carried but not named":      {func(p *Package) { p.Meta.Shared = nil }, "does not include this shared module"},
		"marker on an own module":    {func(p *Package) { p.Modules[0].Meta.Shared = "x" }, "only a module in the shared/ folder"},
		"marker not the folder":      {func(p *Package) { p.Shared[0].Meta.Shared = "other" }, "must be the folder's name"},
		"audio without transcript": {func(p *Package) {
			p.Modules[0].Lessons[0].Meta.Audio = &LessonAudio{File: "a.mp3"}
		}, "audio needs a transcript"},
		"question with one option": {func(p *Package) {
			p.Shared[0].Lessons[0].Meta.Questions[0].Options = p.Shared[0].Lessons[0].Meta.Questions[0].Options[:1]
		}, "needs at least two options"},
	} {
		p := *pkgs[0]
		p.Meta.Shared = append([]SharedRef(nil), p.Meta.Shared...)
		p.Modules = append([]PackageModule(nil), p.Modules...)
		p.Modules[0].Lessons = append([]PackageLesson(nil), p.Modules[0].Lessons...)
		p.Shared = append([]PackageModule(nil), p.Shared...)
		p.Shared[0].Lessons = append([]PackageLesson(nil), p.Shared[0].Lessons...)
		qs := append([]QuestionFile(nil), p.Shared[0].Lessons[0].Meta.Questions...)
		p.Shared[0].Lessons[0].Meta.Questions = qs
		c.mutate(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a problem saying %q", name, err, c.want)
		}
	}
}
