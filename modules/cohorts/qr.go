package cohorts

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR is a QR code drawn as an SVG path, made on the server so no outside
// service ever sees a join link.
type QR struct {
	Size int    // modules across, quiet zone included
	Path string // one subpath per dark run
}

// qrFor encodes text (a join link) at medium error correction, enough for
// a code printed on a poster or shown on a projector.
func qrFor(text string) (QR, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return QR{}, fmt.Errorf("cohorts: unable to make a QR code: %w", err)
	}
	bits := q.Bitmap()
	var b strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	return QR{Size: len(bits), Path: b.String()}, nil
}
