package monitoring

import "testing"

// With every question optional, a report is only as safe as its least
// answered question: 25 people telling us their sex must not let one
// person's ethnic group be shown as the only one given.
func TestTheMinimumCountsTheLeastAnsweredQuestion(t *testing.T) {
	var raw []RawTable
	for i, q := range Questions {
		answeredIt := 25
		if q.Field == "ethnicity" {
			answeredIt = 1
		}
		raw = append(raw, RawTable{Code: q.Field, Rows: []RawRow{
			{Code: "a", Enrolled: answeredIt - 1}, {Code: PreferNotToSay.Code, Enrolled: 1},
			{Code: NotAnswered.Code, Enrolled: 30 - answeredIt + i}}})
	}
	if got := answered(raw); got != 1 {
		t.Errorf("answered = %d, want 1 (the ethnicity question's)", got)
	}
}
