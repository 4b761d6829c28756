package content

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// The most a programme may hold, one set of limits whether an editor types
// into the authoring pages or imports a zip, so anything saved in the
// browser can be exported and imported again. They are set from the
// programmes shipped in assets/content, with wide headroom, so no real
// lesson meets them while one column, or one import held in memory, stays
// small. Largest shipped, for comparison: lesson 2,510 bytes; programme
// introduction 1,075 bytes; module overview 496 bytes; check.yaml 4,736
// bytes; summary 127 characters; question 127; option 110; feedback 151;
// a whole programme's text 176 KB in 61 files; 7 questions in a check; 5
// options in a question.
const (
	// maxTitle is the database's own check on every title.
	maxTitle = 120 // characters
	maxSlug  = 80  // characters

	// maxText caps short plain text: summaries, who a programme is for,
	// question and option text, feedback and alt text.
	maxText = 2000 // characters

	// maxLessonBytes caps a lesson's Markdown. A lesson may take up to 120
	// minutes; read aloud that is about 24,000 words, some 150 KB.
	maxLessonBytes = 200 << 10

	// maxIntroBytes caps a programme's introduction and a module's
	// overview, which are a few paragraphs at most.
	maxIntroBytes = 20 << 10

	// maxCheckBytes caps a knowledge check as check.yaml, as the check
	// editor saves it and an export writes it.
	maxCheckBytes = 200 << 10

	// maxQuestions and maxOptions cap the size of one knowledge check.
	maxQuestions = 50
	maxOptions   = 10

	// frontMatterBytes is room in a Markdown file for its front matter
	// (title, settings, the media list with alt text) on top of the body.
	frontMatterBytes = 64 << 10

	// maxZipEntries caps the files in an imported zip: every lesson of a
	// large programme with a picture, a video and captions is a few
	// hundred.
	maxZipEntries = 1000

	// maxTextBytes caps all of a package's Markdown and YAML together,
	// which is held in memory while it is read: some 50 lessons of the
	// largest size.
	maxTextBytes = 10 << 20

	// maxPackageBytes is everything a zip may unpack to: about twice the
	// largest zip an editor may upload (MaxPackageMB), as media, which
	// are most of a large zip, barely compress.
	maxPackageBytes = 1 << 30

	// maxMediaBytes caps all of a package's media together. Media are
	// streamed to the media store one at a time, never held in memory.
	maxMediaBytes = maxPackageBytes - maxTextBytes
)

// limit is the most one kind of text may hold. Markdown is measured in
// bytes (what it costs to keep and send), short text in characters (what
// an editor sees as they type).
type limit struct {
	name  string // the text, for messages: "the lesson"
	noun  string // a file holding it, for messages: "a lesson"
	max   int
	bytes bool
}

var (
	titleLimit    = limit{name: "the title", max: maxTitle}
	lengthLimit   = limit{name: "how long it takes", max: maxTitle}
	summaryLimit  = limit{name: "the summary", max: maxText}
	audienceLimit = limit{name: "who it is for", max: maxText}
	questionLimit = limit{name: "the question", max: maxText}
	optionLimit   = limit{name: "the option", max: maxText}
	feedbackLimit = limit{name: "the feedback", max: maxText}
	altLimit      = limit{name: "the alt text", max: maxText}
	introLimit    = limit{name: "the introduction", noun: "a programme's introduction", max: maxIntroBytes, bytes: true}
	overviewLimit = limit{name: "the overview", noun: "a module's overview", max: maxIntroBytes, bytes: true}
	lessonLimit   = limit{name: "the lesson", noun: "a lesson", max: maxLessonBytes, bytes: true}
	// transcriptLimit: a recording's transcript, kept in the lesson's
	// front matter, is the lesson read aloud: some 5,000 words at most.
	transcriptLimit = limit{name: "the transcript", noun: "a transcript", max: frontMatterBytes / 2, bytes: true}
	checkLimit      = limit{name: "the check", noun: "a knowledge check", max: maxCheckBytes, bytes: true}
)

// problem says how s is over the limit ("the lesson is 210.5 KB; it can
// be at most 200 KB"), or "" when it fits.
func (l limit) problem(s string) string {
	n := len(s)
	if !l.bytes {
		if n <= l.max { // a rune is at least a byte
			return ""
		}
		n = utf8.RuneCountInString(s)
	}
	if n <= l.max {
		return ""
	}
	return fmt.Sprintf("%s is %s; it can be at most %s", l.name, l.size(int64(n)), l.size(int64(l.max)))
}

// size words an amount in the limit's unit.
func (l limit) size(n int64) string {
	if l.bytes {
		return byteSize(n)
	}
	return thousands(n) + " characters"
}

// tooBigError refuses a file in a package that is over its limit, before
// more of it is unpacked than the limit allows.
type tooBigError struct {
	name string
	size int64 // -1 when only known to be over
	what limit
}

func (e *tooBigError) Error() string {
	size := byteSize(e.size)
	if e.size < 0 {
		size = "more than " + byteSize(int64(e.what.max))
	}
	return fmt.Sprintf("%s is %s; %s can be at most %s", e.name, size, e.what.noun, byteSize(int64(e.what.max)))
}

// byteSize words a size for people: 900 bytes, 2.5 KB, 2.1 MB. Fractions
// round up, so a size just over a limit never reads as the limit itself.
func byteSize(n int64) string {
	const k = 1024
	unit := func(div float64, name string) string {
		v := math.Ceil(float64(n)/div*10) / 10
		return strconv.FormatFloat(v, 'f', -1, 64) + " " + name
	}
	switch {
	case n < k:
		return thousands(n) + " bytes"
	case n < k*k:
		return unit(k, "KB")
	case n < k*k*k:
		return unit(k*k, "MB")
	}
	return unit(k*k*k, "GB")
}

// thousands writes n with commas: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
