package mentoring

import (
	"testing"

	"onramp/modules/content"
	"onramp/modules/learning"
)

func TestAMentorSeesOneLinePerProgrammeWhateverTheMenteesGroups(t *testing.T) {
	into := &learning.Progress{Outline: &content.Outline{Programme: content.Programme{Title: "Get Into"}}, Percent: 45}
	started := &learning.Progress{Outline: &content.Outline{Programme: content.Programme{Title: "Get Started"}}, Percent: 100, Complete: true}
	ens := []learning.EnrolmentProgress{
		{Enrolment: learning.Enrolment{ProgrammeSlug: "get-into", Status: "active"}, Progress: into},
		{Enrolment: learning.Enrolment{ProgrammeSlug: "get-into", Status: "active"}, Progress: into},
		{Enrolment: learning.Enrolment{ProgrammeSlug: "get-started", Status: "withdrawn"}, Progress: started},
		{Enrolment: learning.Enrolment{ProgrammeSlug: "get-started", Status: "completed"}, Progress: started},
	}
	got := summarise(ens)
	if len(got) != 2 || got[0].Programme != "Get Into" || got[1].Programme != "Get Started" {
		t.Fatalf("summaries %+v, want one for Get Into and one for Get Started", got)
	}
}
