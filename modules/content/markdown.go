package content

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// Renderer turns editors' Markdown into HTML that is safe to put in a page:
// goldmark renders, bluemonday removes anything that could run script
// (script and style elements, event handlers, javascript: URLs).
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	cache  sync.Map // cacheKey -> template.HTML
}

type cacheKey struct {
	id      string
	version int64
}

// NewRenderer returns a renderer for lesson content.
func NewRenderer() *Renderer {
	p := bluemonday.UGCPolicy()
	// Helplines are links a phone can call or text: [NHS 111](tel:111),
	// [text SHOUT to 85258](sms:85258).
	p.AllowURLSchemes("tel", "sms")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Pictures only from this app's media store (see inline.go).
	p.AllowAttrs("src").Matching(mediaSrc).OnElements("img")
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(inlineImagesOnly{}, 100))))
	return &Renderer{md: md, policy: p}
}

// HTML renders and sanitises src.
func (r *Renderer) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when writing to buf fails, which it cannot.
		return ""
	}
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes())) // #nosec: sanitised just above
}

// Cached renders src once per (id, version), so busy lesson pages do not
// render the same Markdown on every request. Versions come from the
// content's updated_at, so an edit on any replica shows everywhere.
func (r *Renderer) Cached(id string, version int64, src string) template.HTML {
	k := cacheKey{id, version}
	if h, ok := r.cache.Load(k); ok {
		return h.(template.HTML)
	}
	h := r.HTML(src)
	r.cache.Store(k, h)
	return h
}
