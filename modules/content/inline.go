package content

import (
	"fmt"
	"net/url"
	"path"
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
// can see, so saving refuses a picture that is not attached. In a package
// (see assets/content/README.md) the same picture is written
// ![alt text](media/porter.jpg), naming a file the lesson's media: lists:
// Export and Import turn one address into the other.

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

// rewritePictures returns Markdown text with the address of each picture
// that to gives a new one for replaced, and every other byte as it was.
// The parser gives each address as a slice of the text itself, which is
// how its place in the text is found; an address it gives as a copy is
// left as it was.
func rewritePictures(src string, to func(src string) (string, bool)) string {
	source := []byte(src)
	type edit struct {
		at, end int
		with    string
	}
	var edits []edit
	_ = ast.Walk(markdownParser.Parse(text.NewReader(source)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !ok || !entering || len(img.Destination) == 0 {
			return ast.WalkContinue, nil
		}
		with, ok := to(string(img.Destination))
		at := cap(source) - cap(img.Destination)
		inText := at >= 0 && at < len(source) && &source[at] == &img.Destination[0]
		// A reference definition serves every picture using it: change it once.
		if ok && inText && !slices.ContainsFunc(edits, func(e edit) bool { return e.at == at }) {
			edits = append(edits, edit{at: at, end: at + len(img.Destination), with: with})
		}
		return ast.WalkContinue, nil
	})
	slices.SortFunc(edits, func(a, b edit) int { return a.at - b.at })
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(src[last:e.at])
		b.WriteString(e.with)
		last = e.end
	}
	b.WriteString(src[last:])
	return b.String()
}

// packageAddress is the address lesson text in a package gives the
// picture in media file name: media/ and the name, escaped as a URL path
// so any name is one address in Markdown.
func packageAddress(name string) string { return "media/" + url.PathEscape(path.Base(name)) }

// packageFile is the media file name a picture's address in a package's
// lesson text names, or "" when it is not media/ and a name.
func packageFile(src string) string {
	name, ok := strings.CutPrefix(src, "media/")
	if !ok {
		return ""
	}
	if n, err := url.PathUnescape(name); err == nil {
		name = n
	}
	if name != path.Base(name) {
		return ""
	}
	return name
}

// pictureProblems lists what is wrong with the pictures in a package
// lesson's text, by the rule saving a lesson holds to: each must be one
// of the lesson's own pictures, media/ and a file name its media: lists,
// with alt text.
func (l PackageLesson) pictureProblems() []string {
	var out []string
	for _, img := range InlineImages(l.Body) {
		name := packageFile(img.Src)
		switch {
		case name == "":
			out = append(out, fmt.Sprintf("the lesson text shows a picture from %s; a lesson can only show its own pictures: "+
				"list the file under media: and write its address as media/ and the file name, like ![A porter](media/porter.jpg)", img.Src))
		case !slices.ContainsFunc(l.Meta.Media, func(f LessonFile) bool { return path.Base(f.File) == name }):
			out = append(out, fmt.Sprintf("the lesson text shows the picture %s, but the lesson's media: does not list %s; "+
				"add it there, with its alt text, or take the picture out of the text", img.Src, name))
		case img.Alt == "":
			out = append(out, fmt.Sprintf("the picture %s in the lesson text needs alt text: describe it between the square brackets", img.Src))
		}
	}
	return out
}
