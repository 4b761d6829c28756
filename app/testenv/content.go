package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"onramp/app/pubsub"
	"onramp/modules/content"
)

// SharedExample is the tiny content example of a module shared by two
// programmes (modules/content/testdata/shared-example), imported under
// slugs no other test uses.
type SharedExample struct {
	A, B   string // the programmes' slugs; A includes the shared module after its module 1, B first
	Shared string // the shared module's slug
}

// ImportSharedExample imports the shared-module example, published,
// through the content service, and returns its slugs. The programmes'
// titles ("Tiny A", "Tiny B") get the same number as their slugs. Both programmes are
// open, so a learner can start them on their own.
func ImportSharedExample(t testing.TB, svc *content.Service) SharedExample {
	t.Helper()
	pkgs, err := content.ReadShipped(os.DirFS(filepath.Join(ModuleRoot(t), "modules/content/testdata/shared-example")))
	if err != nil {
		t.Fatalf("reading the shared-module example: %v", err)
	}
	n := sequence.Add(1)
	ex := SharedExample{Shared: fmt.Sprintf("tiny-safety-%d", n)}
	for _, p := range pkgs {
		p.Slug = fmt.Sprintf("%s-%d", p.Slug, n)
		p.Meta.Title = fmt.Sprintf("%s %d", p.Meta.Title, n) // pages listing programmes never say one title twice
		for i := range p.Meta.Shared {
			p.Meta.Shared[i].Module = ex.Shared
		}
		for i := range p.Shared {
			p.Shared[i].Slug = ex.Shared
			p.Shared[i].Meta.Shared = ex.Shared
		}
		if p.Meta.Shared[0].After == 0 {
			ex.B = p.Slug
		} else {
			ex.A = p.Slug
		}
		if _, err := svc.Import(context.Background(), "", p, content.ImportOptions{Publish: true}); err != nil {
			t.Fatalf("importing %s: %v", p.Slug, err)
		}
	}
	if ex.A == "" || ex.B == "" {
		t.Fatalf("the shared-module example is not two programmes: %+v", ex)
	}
	// The example is open to everyone: left published, it would be offered
	// to the learners of later tests in the package (a finished learner's
	// "next programme"). Withdraw it when the test ends.
	t.Cleanup(func() {
		g := DB(t).Gorm
		if err := g.Exec("UPDATE programmes SET published = false WHERE slug IN (?, ?)", ex.A, ex.B).Error; err != nil {
			t.Errorf("unpublishing the shared-module example: %v", err)
		}
		if err := pubsub.Notify(context.Background(), g, content.Channel, ""); err != nil {
			t.Errorf("telling the app its content changed: %v", err)
		}
	})
	return ex
}
