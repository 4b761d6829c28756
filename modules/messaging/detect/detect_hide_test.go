package detect

import "testing"

func TestHideContactsHidesPersonalDetailsButNotHelplines(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"Ms Patel, 07700 900123, my college tutor":           "Ms Patel, [hidden], my college tutor",
		"email me at amira.k@example.com after":              "email me at [hidden] after",
		"I live at 14 Station Road, NE1 4ST":                 "I live at [hidden], [hidden]",
		"If you feel low call Samaritans on 116 123 anytime": "If you feel low call Samaritans on 116 123 anytime",
		"I helped serve lunch on the ward.":                  "I helped serve lunch on the ward.",
	} {
		if got := d.HideContacts(in, "[hidden]"); got != want {
			t.Errorf("HideContacts(%q) = %q, want %q", in, got, want)
		}
	}
}
