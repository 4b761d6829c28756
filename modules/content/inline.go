package content

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"onramp/app/apperr"
)

// Pictures inside lesson text: an editor places a picture attached to
// the lesson with ![alt text](/media/ID), the Markdown the lesson editor
// offers beside each picture. Only this app's media addresses are shown,
// and only with alt text: anything else renders as its alt text alone.
// Learners may fetch a file only when it is attached to a lesson they
// can see, so saving refuses a picture that is not attached.

// mediaSrc is the one picture address lesson text may use.
var mediaSrc = regexp.MustCompile(`^/media/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// InlineImage is a picture written in Markdown text.
type InlineImage struct {
	Src string
	Alt string
}

// MediaID is the id of the media file the picture shows, or "" when its
// address is not one of this app's media files.
func (i InlineImage) MediaID() string {
	if m := mediaSrc.FindStringSubmatch(i.Src); m != nil {
		return m[1]
	}
	return ""
}

// markdownParser reads Markdown the way the Renderer does.
var markdownParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()

// InlineImages lists the pictures in Markdown text, in order.
func InlineImages(src string) []InlineImage {
	source := []byte(src)
	var out []InlineImage
	_ = ast.Walk(markdownParser.Parse(text.NewReader(source)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			out = append(out, InlineImage{Src: string(img.Destination), Alt: altText(img, source)})
		}
		return ast.WalkContinue, nil
	})
	return out
}

// altText is the text inside an image's square brackets, with its
// backslash escapes undone as the renderer undoes them.
func altText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(source))
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(string(util.UnescapePunctuations([]byte(b.String()))))
}

// WithoutInline leaves out of media the files the text already shows as
// pictures inside it, so a lesson does not show a picture twice.
func WithoutInline(media []LessonMedia, body string) []LessonMedia {
	var inline []string
	for _, img := range InlineImages(body) {
		if id := img.MediaID(); id != "" && img.Alt != "" {
			inline = append(inline, id)
		}
	}
	if len(inline) == 0 {
		return media
	}
	return slices.DeleteFunc(slices.Clone(media), func(m LessonMedia) bool { return m.Kind == "image" && slices.Contains(inline, m.ID) })
}

// inlineImageProblems checks the pictures in a lesson's text against the
// files attached to it: each must be one of its pictures, with alt text.
func inlineImageProblems(body string, attached []LessonMedia) []apperr.FieldError {
	var out []apperr.FieldError
	for i, img := range InlineImages(body) {
		n := i + 1
		id := img.MediaID()
		if !slices.ContainsFunc(attached, func(m LessonMedia) bool { return m.ID == id && m.Kind == "image" }) {
			out = append(out, apperr.FieldError{Field: "body", Message: fmt.Sprintf("Picture %d in the lesson text (%s) is not one of this lesson's pictures. "+
				"Add it under “Pictures, video and files”, then copy the Markdown shown beside it into the text.", n, img.Src)})
			continue
		}
		if img.Alt == "" {
			out = append(out, apperr.FieldError{Field: "body", Message: fmt.Sprintf("Picture %d in the lesson text needs alt text: "+
				"describe the picture between the square brackets, like ![A porter pushing a wheelchair](%s).", n, img.Src)})
		}
	}
	return out
}

// inlineImagesOnly turns every picture that is not one of this app's
// media files with alt text into its alt text, before rendering.
type inlineImagesOnly struct{}

func (inlineImagesOnly) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var refused []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			if !mediaSrc.Match(img.Destination) || altText(img, reader.Source()) == "" {
				refused = append(refused, img)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, img := range refused {
		parent := img.Parent()
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
	}
}

// Markdown is what an editor pastes into lesson text to show the picture
// there: ![alt text](/media/ID), with the alt text's brackets and
// backslashes escaped so they cannot end it early.
func (m LessonMedia) Markdown() string {
	alt := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`).Replace(m.AltText)
	return "![" + alt + "](/media/" + m.ID + ")"
}
