package workbook

import "time"

// Value is one of the six NHS values, by the key stored for it.
type Value struct{ Key, Label string }

// Values are the six NHS values, in the NHS Constitution's order.
var Values = []Value{
	{"working-together", "Working together for patients"},
	{"respect-dignity", "Respect and dignity"},
	{"quality-of-care", "Commitment to quality of care"},
	{"compassion", "Compassion"},
	{"improving-lives", "Improving lives"},
	{"everyone-counts", "Everyone counts"},
}

// ValueLabel is the words for a value's key, or "" for an unknown key.
func ValueLabel(key string) string {
	for _, v := range Values {
		if v.Key == key {
			return v.Label
		}
	}
	return ""
}

// TryAnswer is a learner's answer to the "Try this" at the end of a
// lesson.
type TryAnswer struct {
	UserID        string `gorm:"primaryKey"`
	LessonID      string `gorm:"primaryKey"`
	LessonTitle   string `gorm:"->;-:migration"` // read with the answer
	ProgrammeSlug string
	Answer        string
	UpdatedAt     time.Time
}

// TableName is the try answers' table.
func (TryAnswer) TableName() string { return "workbook_try_answers" }

// Story is a STAR story: what happened, told as Situation, Task, Action
// and Result, with the NHS values it shows.
type Story struct {
	ID                              string `gorm:"primaryKey;default:gen_random_uuid()"`
	UserID                          string
	Title                           string
	Situation, Task, Action, Result string
	NHSValues                       []string `gorm:"column:nhs_values;serializer:json"`
	CreatedAt, UpdatedAt            time.Time
}

// TableName is the stories' table.
func (Story) TableName() string { return "workbook_stories" }

// Placement is one day (or visit) in the placement log.
type Placement struct {
	ID           string `gorm:"primaryKey;default:gen_random_uuid()"`
	UserID       string
	HappenedOn   time.Time
	Place        string
	Did, Learned string
	NHSValue     string `gorm:"column:nhs_value"`
	CreatedAt    time.Time
}

// TableName is the placement log's table.
func (Placement) TableName() string { return "workbook_placements" }

// Document statuses, by key.
const (
	NotStarted = "not-started"
	Working    = "working"
	Ready      = "ready"
)

// Statuses are where a learner can be with a document, in order.
var Statuses = []Value{{NotStarted, "Not started"}, {Working, "Working on it"}, {Ready, "Ready"}}

// Item is a document an employer asks for before someone starts work.
type Item struct{ Key, Label, Hint string }

// Items are the document checklist, in the order employers usually ask.
var Items = []Item{
	{"photo-id", "Photo ID", "For example a passport, a driving licence or a CitizenCard."},
	{"right-to-work", "Proof you can work in the UK",
		"A passport. If you have no passport, your birth certificate and your National Insurance number. Or a share code, if you have one from GOV.UK."},
	{"address", "Proof of address", "A letter or statement from the last 3 months with your name and address, such as from a bank, the council or the Jobcentre."},
	{"references", "Two references",
		"Two people who know you and are not family, such as a teacher, youth worker or past boss. Write down their names and how to contact them."},
	{"dbs", "DBS check", "The employer applies for this check. You give them your ID documents so they can."},
	{"bank", "Bank account details for your pay", "Your account number and sort code. Any UK bank or building society account works."},
	{"ni-number", "National Insurance number", "It is on letters from HMRC or the DWP. If you cannot find it, ask for it on GOV.UK."},
}

// Document is where a learner is with one item of the checklist.
type Document struct {
	UserID    string `gorm:"primaryKey"`
	Item      string `gorm:"primaryKey"`
	Status    string
	Note      string
	UpdatedAt time.Time
}

// TableName is the document checklist's table.
func (Document) TableName() string { return "workbook_documents" }

// Entry is one job, placement or volunteering, or one course, on a CV.
type Entry struct {
	Title   string `json:"title"`   // the role, or the course or qualification
	Place   string `json:"place"`   // the employer, or the school or college
	Dates   string `json:"dates"`   // as the learner writes them: "June 2025 to now"
	Details string `json:"details"` // what they did, or learned
}

// MaxEntries is how many jobs, and how many courses, a CV lists.
const MaxEntries = 3

// CV is a learner's CV, as saved.
type CV struct {
	UserID     string `gorm:"primaryKey"`
	FullName   string
	Town       string
	Phone      string
	Email      string
	Statement  string
	Experience []Entry `gorm:"serializer:json"`
	Education  []Entry `gorm:"serializer:json"`
	Skills     string
	UpdatedAt  time.Time
}

// TableName is the CVs' table.
func (CV) TableName() string { return "workbook_cvs" }
