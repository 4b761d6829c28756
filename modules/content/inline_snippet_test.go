package content

import "testing"

func TestThePictureSnippetKeepsBracketsInItsAltText(t *testing.T) {
	m := LessonMedia{Media: Media{ID: "0b6d7c52-6a86-4c2e-9d0e-3f5a1d2b7c10", AltText: `Sam [left] helps a resident \ smiles`}}
	got := InlineImages("Before.\n\n" + m.Markdown() + "\n\nAfter.")
	if len(got) != 1 || got[0].Alt != m.AltText || got[0].MediaID() != m.ID {
		t.Errorf("the snippet %s reads back as %+v", m.Markdown(), got)
	}
}
