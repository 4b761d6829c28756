package storage

import (
	"bytes"
	"io"
	"mime"

	"github.com/gabriel-vasile/mimetype"
)

// SniffLen is how many leading bytes Sniff inspects.
const SniffLen = 3072

// Kinds of media Onramp accepts, as returned by Allowed.
const (
	KindImage    = "image"
	KindVideo    = "video"
	KindAudio    = "audio"
	KindPDF      = "pdf"
	KindCaptions = "captions"
)

// allowed lists the media types that may be uploaded, by canonical name.
// Anything a browser could run as a page or script (HTML, SVG, XML),
// executables and archives are absent on purpose.
var allowed = map[string]string{
	"image/png":       KindImage,
	"image/jpeg":      KindImage,
	"image/gif":       KindImage,
	"image/webp":      KindImage,
	"video/mp4":       KindVideo,
	"video/webm":      KindVideo,
	"audio/mpeg":      KindAudio,
	"audio/mp4":       KindAudio,
	"audio/ogg":       KindAudio,
	"audio/wav":       KindAudio,
	"application/pdf": KindPDF,
	"text/vtt":        KindCaptions,
}

// aliases maps other names the detector (or a caller) may use to the
// canonical name stored with the object.
var aliases = map[string]string{
	"audio/x-m4a": "audio/mp4",
	"audio/x-wav": "audio/wav",
	"audio/wave":  "audio/wav",
	"audio/x-mp3": "audio/mpeg",
	"image/jpg":   "image/jpeg",
	"image/pjpeg": "image/jpeg",
}

// canonical returns the bare, lower-case media type of contentType with
// aliases resolved, or "" when it does not parse.
func canonical(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	if a, ok := aliases[t]; ok {
		return a
	}
	return t
}

// Sniff reads up to SniffLen bytes from r and returns the media type they
// reveal (canonical, without parameters, e.g. "text/vtt") and a reader
// that replays those bytes followed by the rest of r. Only the bytes
// count; a file's name is never consulted. The error is r's, if reading
// failed; a short or empty r is not an error.
func Sniff(r io.Reader) (contentType string, replay io.Reader, err error) {
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", nil, err
	}
	ct := canonical(mimetype.Detect(head).String())
	if ct == "" {
		ct = defaultContentType
	}
	return ct, io.MultiReader(bytes.NewReader(head), r), nil
}

// Allowed reports whether content of type contentType (as returned by
// Sniff) may be uploaded, and its kind: KindImage, KindVideo, KindAudio,
// KindPDF or KindCaptions. SVG, HTML, executables and archives are never
// allowed.
func Allowed(contentType string) (kind string, ok bool) {
	kind, ok = allowed[canonical(contentType)]
	return kind, ok
}
