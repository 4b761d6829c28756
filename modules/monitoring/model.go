package monitoring

import "time"

// Option is one answer to a question: the code stored in the database
// and the words people see.
type Option struct{ Code, Label string }

// OptionGroup puts a heading over some of a question's options (the five
// ethnic groups). Questions without headings have one group, unlabelled.
type OptionGroup struct {
	Code, Label string
	Options     []Option
}

// Question is one equality monitoring question. "Prefer not to say" is
// not listed in Groups: every question offers it (see PreferNotToSay).
type Question struct {
	Field  string // form field and database column
	Title  string // what reports call it: "Sex"
	Legend string // the question as asked
	Hint   string
	Groups []OptionGroup
	// ByGroup reports the question by its groups rather than its options:
	// ethnicity is asked in 19 detailed groups and reported in 5.
	ByGroup bool
}

// PreferNotToSay is an answer to every question.
var PreferNotToSay = Option{"prefer_not_to_say", "Prefer not to say"}

// NotAnswered is the report category for learners with no answers saved.
var NotAnswered = Option{"not_answered", "Not answered"}

// Grouped reports whether the options sit under headings.
func (q Question) Grouped() bool { return len(q.Groups) > 1 }

// Valid reports whether code is one of the question's answers.
func (q Question) Valid(code string) bool {
	if code == PreferNotToSay.Code {
		return true
	}
	for _, g := range q.Groups {
		for _, o := range g.Options {
			if o.Code == code {
				return true
			}
		}
	}
	return false
}

// Categories are the rows a report shows for the question, in order:
// its options (or groups), "Prefer not to say", then "Not answered".
func (q Question) Categories() []Option {
	var out []Option
	for _, g := range q.Groups {
		if q.ByGroup {
			out = append(out, Option{g.Code, g.Label})
			continue
		}
		out = append(out, g.Options...)
	}
	return append(out, PreferNotToSay, NotAnswered)
}

var yesNo = []OptionGroup{{Options: []Option{{"yes", "Yes"}, {"no", "No"}}}}

// Questions are asked in this order. The codes match the CHECK
// constraints of equality_answers (migrations/00005_monitoring.sql).
var Questions = []Question{
	{
		Field: "sex", Title: "Sex", Legend: "What is your sex?",
		Groups: []OptionGroup{{Options: []Option{{"female", "Female"}, {"male", "Male"}}}},
	},
	{
		Field: "gender_same_as_birth", Title: "Gender identity same as sex registered at birth",
		Legend: "Is the gender you identify with the same as your sex registered at birth?",
		Groups: yesNo,
	},
	{
		// The ONS 2021 Census categories for England and Wales.
		Field: "ethnicity", Title: "Ethnic group", Legend: "What is your ethnic group?",
		Hint:    "Choose the one that best describes you.",
		ByGroup: true,
		Groups: []OptionGroup{
			{Code: "asian", Label: "Asian, Asian British or Asian Welsh", Options: []Option{
				{"asian_bangladeshi", "Bangladeshi"}, {"asian_chinese", "Chinese"}, {"asian_indian", "Indian"},
				{"asian_pakistani", "Pakistani"}, {"asian_other", "Any other Asian background"}}},
			{Code: "black", Label: "Black, Black British, Black Welsh, Caribbean or African", Options: []Option{
				{"black_african", "African"}, {"black_caribbean", "Caribbean"},
				{"black_other", "Any other Black, Black British or Caribbean background"}}},
			{Code: "mixed", Label: "Mixed or Multiple ethnic groups", Options: []Option{
				{"mixed_white_asian", "White and Asian"}, {"mixed_white_black_african", "White and Black African"},
				{"mixed_white_black_caribbean", "White and Black Caribbean"},
				{"mixed_other", "Any other Mixed or Multiple ethnic background"}}},
			{Code: "white", Label: "White", Options: []Option{
				{"white_english_welsh_scottish_ni_british", "English, Welsh, Scottish, Northern Irish or British"},
				{"white_irish", "Irish"}, {"white_gypsy_irish_traveller", "Gypsy or Irish Traveller"},
				{"white_roma", "Roma"}, {"white_other", "Any other White background"}}},
			{Code: "other", Label: "Other ethnic group", Options: []Option{
				{"other_arab", "Arab"}, {"other_any", "Any other ethnic group"}}},
		},
	},
	{
		Field: "disability", Title: "Disability or long-term health condition",
		Legend: "Do you have a disability or a long-term health condition?",
		Hint:   "This means a physical or mental health condition that makes day-to-day life harder and has lasted, or is likely to last, 12 months or more.",
		Groups: yesNo,
	},
	{
		Field: "care_experience", Title: "Care experience", Legend: "Have you ever been in care?",
		Hint:   "For example, living with foster carers, in a children's home, or with relatives or friends arranged by the council.",
		Groups: yesNo,
	},
	{
		Field: "benefits", Title: "Getting benefits at start",
		Legend: "When you started with us, were you getting any benefits?",
		Hint:   "For example, Universal Credit, Jobseeker's Allowance or Employment and Support Allowance.",
		Groups: yesNo,
	},
	{
		Field: "neet", Title: "Not in education, employment or training at start",
		Legend: "When you started with us, were you out of work, education and training?",
		Hint:   "This means you did not have a job and were not at school, college, university, or on an apprenticeship or training course.",
		Groups: yesNo,
	},
}

// AgeBands are the report rows for age, worked out from the learner's
// date of birth on the day their earliest cohort in the report started
// (one age per person, however many cohorts). "Not known" covers a
// missing date of birth and one giving an age under 16, which the
// programmes do not take, so it is almost certainly mistyped.
var AgeBands = []Option{
	{"16_17", "16 to 17"}, {"18_19", "18 to 19"}, {"20_24", "20 to 24"},
	{"25_30", "25 to 30"}, {"31_plus", "31 and over"}, {"not_known", "Not known"},
}

// Answers are one learner's saved answers, keyed by Question.Field.
type Answers struct {
	Values     map[string]string
	AnsweredAt time.Time
	UpdatedAt  time.Time
}

// Filters choose what a report covers. Empty means "all" (within what the
// viewer may see).
type Filters struct {
	Programme    string `query:"programme"`    // programme slug
	Organisation string `query:"organisation"` // organisation id; admins only
	Cohort       string `query:"cohort"`       // cohort id
}

// Report is an equality report after suppression: nothing in it is a
// count from 1 to 7, and every count is of people, adjusted by its cell
// key (see Perturb). A withheld report has no tables at all, only the
// reason.
type Report struct {
	Filters Filters
	Tables  []Table
	// Withheld is set when fewer than MinPeople people in the report have
	// answered the questions; WithheldReason then says so to the viewer.
	Withheld       bool
	WithheldReason string
	MinPeople      int
}

// Choice is one entry of a filter's drop-down.
type Choice struct{ Value, Label string }

// FilterChoices are what the report page's filters offer the viewer.
type FilterChoices struct {
	Programmes    []Choice
	Organisations []Choice // empty for managers: theirs is fixed
	Cohorts       []Choice
}
