// Package assets embeds the shared page templates and static files (the
// vendored NHS.UK frontend and Onramp's own CSS and JavaScript).
package assets

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates holds layout.html at its root; pages/ holds the shared pages.
var Templates = sub("templates")

// Static holds the files served under /static/.
var Static = sub("static")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return f
}
