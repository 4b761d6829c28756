package cohorts

import (
	"strings"
	"testing"
	"time"
)

func TestAtRiskRules(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c := &Cohort{StartsOn: start, EndsOn: start.AddDate(0, 0, 42)}
	at := func(d int) *time.Time { t := start.AddDate(0, 0, d); return &t }
	cell := func(done, failed int, passed bool) ModuleCell {
		return ModuleCell{Done: done, Total: 3, HasCheck: true, Failed: failed, CheckPassed: passed}
	}
	cases := []struct {
		name  string
		today int // days after start
		row   LearnerRow
		want  string
	}{
		{"new cohort, nothing done yet", 2, LearnerRow{Modules: []ModuleCell{cell(0, 0, false)}}, ""},
		{"three days in, nothing done", 3, LearnerRow{Modules: []ModuleCell{cell(0, 0, false)}}, "not_started"},
		{"active yesterday", 10, LearnerRow{Done: 2, LastActive: at(9), Modules: []ModuleCell{cell(2, 0, false)}}, ""},
		{"quiet for seven days", 10, LearnerRow{Done: 2, LastActive: at(3), Modules: []ModuleCell{cell(2, 0, false)}}, "inactive"},
		{"failed a check once", 10, LearnerRow{Done: 3, LastActive: at(9), Modules: []ModuleCell{cell(3, 1, false)}}, ""},
		{"failed a check twice", 10, LearnerRow{Done: 3, LastActive: at(9), Modules: []ModuleCell{cell(3, 2, false)}}, "failed_check"},
		{"failed twice then passed", 10, LearnerRow{Done: 3, LastActive: at(9), Modules: []ModuleCell{cell(3, 2, true)}}, ""},
		{"finished long ago", 20, LearnerRow{Done: 3, Completed: true, LastActive: at(5), Modules: []ModuleCell{cell(3, 0, true)}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Service{risk: RiskRules{InactiveDays: 7, FailedChecks: 2, NotStartedDays: 3},
				now: func() time.Time { return start.AddDate(0, 0, tc.today).Add(12 * time.Hour) }}
			r := tc.row
			r.Total = 3
			if got := strings.Join(s.risks(c, &r), ","); got != tc.want {
				t.Errorf("risks = %q, want %q", got, tc.want)
			}
		})
	}
}
