// Package assets embeds the shared page templates, static files (the
// vendored NHS.UK frontend and Onramp's own CSS and JavaScript) and the
// course content packages Onramp ships with.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed templates static content
var files embed.FS

// Templates holds layout.html and the form-field partials (forms.html) at
// its root; pages/ holds the shared pages.
var Templates = sub("templates")

// Static holds the files served under /static/.
var Static = sub("static")

// Content holds the shipped course content packages, one folder per
// programme (see content/README.md).
var Content = sub("content")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return f
}
