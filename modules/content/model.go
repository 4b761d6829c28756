// Package content owns course content: programmes, their modules, lessons
// and knowledge checks, the media lessons show, and the content packages
// they are shipped and moved in.
package content

import (
	"regexp"
	"time"
)

// Question kinds.
const (
	KindSingle   = "single"   // exactly one right option
	KindMultiple = "multiple" // tick every right option
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// reservedSlugs are learner pages under /learn that a programme's short
// name (/learn/<slug>) must not hide.
var reservedSlugs = map[string]bool{"about-you": true, "news": true}

// Programme is a course: Get Started, Get Into, Step into Work.
type Programme struct {
	ID         string
	Slug       string
	Title      string
	Summary    string
	Audience   string
	LengthText string
	IntroMD    string
	Published  bool
	// OpenEnrolment lets any signed-in learner start the programme on
	// their own; otherwise they join through their programme manager.
	OpenEnrolment bool
	// ForMentors marks a programme for mentors (their induction): only
	// mentors see it, and learners never do.
	ForMentors bool
	UpdatedAt  time.Time
}

// Module is a part of a programme, with lessons and one check. A shared
// module belongs to no programme (ProgrammeID is ""): programmes include
// it, and progress in it counts in each of them.
type Module struct {
	ID          string
	ProgrammeID string
	Shared      bool
	Slug        string
	Title       string
	Summary     string
	OverviewMD  string
	Position    int
	Published   bool
}

// Lesson is one short page of learning.
type Lesson struct {
	ID        string
	ModuleID  string
	Slug      string
	Title     string
	Minutes   int
	BodyMD    string
	Position  int
	Published bool
	UpdatedAt time.Time
	// AudioID is a recording of the lesson read aloud, with its
	// transcript; nil when there is none.
	AudioID         *string
	AudioTranscript string
	// Shuffle shows each learner the options of the lesson's questions in
	// an order of their own; off, in the order written.
	Shuffle bool
}

// Check is a module's knowledge check.
type Check struct {
	ID       string
	ModuleID string
	Title    string
	PassMark int
	// Shuffle shows the options of each question in a new order on every
	// attempt; off, in the order written.
	Shuffle   bool
	Questions []Question `gorm:"-"`
}

// Question is one question of a check, or a quick question inside a
// lesson: exactly one of CheckID and LessonID is set.
type Question struct {
	ID       string
	CheckID  string
	LessonID string
	Position int
	Text     string
	Kind     string
	Options  []Option `gorm:"-"`
}

// Option is one answer to a question.
type Option struct {
	ID         string
	QuestionID string
	Position   int
	Text       string
	Correct    bool
	Feedback   string
}

// Media is an uploaded file.
type Media struct {
	ID          string
	Key         string
	Kind        string
	ContentType string
	Size        int64
	Filename    string
	AltText     string
	CreatedAt   time.Time
}

// LessonMedia is a file shown in a lesson, with captions for video.
type LessonMedia struct {
	Media
	Position   int
	CaptionsID *string
}
