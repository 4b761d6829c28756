// Package migrations holds Onramp's numbered goose SQL migrations, embedded
// so the binary can migrate and check its own schema.
package migrations

import "embed"

// FS is every migration file, in goose's naming (NNNNN_name.sql).
//
//go:embed *.sql
var FS embed.FS
