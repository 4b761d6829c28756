package mentoring

import (
	"context"
	"time"

	"onramp/modules/notify"
)

// Notifier delivers notifications in the app and by email; the notify
// module provides it. A notification's title and body never carry message
// content or personal details beyond a first name, and its DedupeKey makes
// sending the same one twice harmless.
type Notifier interface {
	Notify(ctx context.Context, n notify.Notification) error
}

// Profile is a mentor's profile, shown to their mentees (but never their
// contact details).
type Profile struct {
	UserID          string    `gorm:"column:user_id"`
	Name            string    `gorm:"column:name;->"`
	JobRole         string    `gorm:"column:job_role"`
	CareerFamily    string    `gorm:"column:career_family"`
	Employer        string    `gorm:"column:employer"`
	Region          string    `gorm:"column:region"`
	Languages       Strings   `gorm:"column:languages;type:text[]"`
	Interests       Strings   `gorm:"column:interests;type:text[]"`
	Availability    Strings   `gorm:"column:availability;type:text[]"`
	Capacity        int       `gorm:"column:capacity"`
	LivedExperience string    `gorm:"column:lived_experience"`
	Bio             string    `gorm:"column:bio"`
	Gender          string    `gorm:"column:gender"`
	CreatedAt       time.Time `gorm:"column:created_at"`
	UpdatedAt       time.Time `gorm:"column:updated_at"`
}

// Vetting is what a safeguarding lead recorded about a mentor's checks.
type Vetting struct {
	UserID                 string     `gorm:"column:user_id"`
	DBSEnhancedBarred      bool       `gorm:"column:dbs_enhanced_barred"`
	DBSCertificateOn       *time.Time `gorm:"column:dbs_certificate_on"`
	DBSUpdateService       bool       `gorm:"column:dbs_update_service"`
	SafeguardingTrainingOn *time.Time `gorm:"column:safeguarding_training_on"`
	ReferencesOK           bool       `gorm:"column:references_ok"`
	ApprovedUnder18        bool       `gorm:"column:approved_under_18"`
	RecordedBy             string     `gorm:"column:recorded_by"`
	RecordedAt             time.Time  `gorm:"column:recorded_at"`
	// SuspendedAt is set while a safeguarding lead has suspended the
	// mentor (see SuspendMentor); the reason is for leads only.
	SuspendedAt     *time.Time `gorm:"column:suspended_at"`
	SuspendedReason string     `gorm:"column:suspended_reason"`
}

// Preferences are what a learner would like in a mentor; all optional.
type Preferences struct {
	UserID       string    `gorm:"column:user_id"`
	Interests    Strings   `gorm:"column:interests;type:text[]"`
	Region       string    `gorm:"column:region"`
	Languages    Strings   `gorm:"column:languages;type:text[]"`
	Availability Strings   `gorm:"column:availability;type:text[]"`
	MentorGender string    `gorm:"column:mentor_gender"`
	UpdatedAt    time.Time `gorm:"column:updated_at"`
}

// Mentorship statuses.
const (
	StatusProposed = "proposed"
	StatusActive   = "active"
	StatusEnded    = "ended"
	StatusRejected = "rejected"
)

// Mentorship is a learner and a mentor, with the names the pages show.
type Mentorship struct {
	ID             string     `gorm:"column:id"`
	LearnerID      string     `gorm:"column:learner_id"`
	MentorID       string     `gorm:"column:mentor_id"`
	OrganisationID string     `gorm:"column:organisation_id"`
	Status         string     `gorm:"column:status"`
	Score          float64    `gorm:"column:score"`
	Reasons        string     `gorm:"column:reasons"`
	ProposedAt     time.Time  `gorm:"column:proposed_at"`
	ApprovedAt     *time.Time `gorm:"column:approved_at"`
	StartsOn       *time.Time `gorm:"column:starts_on"`
	EndsOn         *time.Time `gorm:"column:ends_on"`
	EndedAt        *time.Time `gorm:"column:ended_at"`
	EndReason      string     `gorm:"column:end_reason"`
	RejectedReason string     `gorm:"column:rejected_reason"`
	LearnerName    string     `gorm:"column:learner_name"`
	MentorName     string     `gorm:"column:mentor_name"`
	// The mentor's profile, for what the learner is shown.
	MentorJobRole      string `gorm:"column:mentor_job_role"`
	MentorCareerFamily string `gorm:"column:mentor_career_family"`
	MentorBio          string `gorm:"column:mentor_bio"`
}

// LearnerFirstName and MentorFirstName are what each side is shown of the
// other, and all a notice may carry.
func (m Mentorship) LearnerFirstName() string { return FirstName(m.LearnerName) }

// MentorFirstName is the mentor's first name.
func (m Mentorship) MentorFirstName() string { return FirstName(m.MentorName) }

// Goal is something the two people are working towards.
type Goal struct {
	ID           string     `gorm:"column:id"`
	MentorshipID string     `gorm:"column:mentorship_id"`
	Title        string     `gorm:"column:title"`
	TargetOn     *time.Time `gorm:"column:target_on"`
	DoneAt       *time.Time `gorm:"column:done_at"`
	CreatedBy    string     `gorm:"column:created_by"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
}

// Survey is one side's answers at the end of a mentorship.
type Survey struct {
	MentorshipID string    `gorm:"column:mentorship_id"`
	Side         string    `gorm:"column:side"`
	RespondentID string    `gorm:"column:respondent_id"`
	Useful       int       `gorm:"column:useful"`
	HelpedWork   string    `gorm:"column:helped_work"`
	Comment      string    `gorm:"column:comment"`
	SubmittedAt  time.Time `gorm:"column:submitted_at"`
}

// CareerFamilies are the career family codes in the order forms list
// them, with their names.
var CareerFamilies = []Option{
	{"nursing_midwifery", "Nursing and midwifery"}, {"allied_health", "Allied health professions"},
	{"healthcare_science", "Healthcare science"}, {"estates_facilities", "Estates and facilities"},
	{"administration", "Administration"}, {"social_care", "Social care"}, {"ambulance", "Ambulance service"},
	{"medicine_dentistry", "Medicine and dentistry"}, {"other", "Something else"},
}

// Slots are when someone can meet online.
var Slots = []Option{
	{"weekday_daytime", "Weekday daytimes"}, {"weekday_evening", "Weekday evenings"}, {"weekend", "Weekends"},
}

// Regions are the English regions forms offer.
var Regions = []string{"North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
	"East of England", "London", "South East", "South West"}

// Option is a code and its words.
type Option struct{ Value, Label string }

// Label is the words for code among opts, or code itself.
func Label(opts []Option, code string) string {
	for _, o := range opts {
		if o.Value == code {
			return o.Label
		}
	}
	return code
}

func validCode(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Value == code {
			return true
		}
	}
	return false
}
