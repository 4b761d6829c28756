package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScanLabelsTheDisguisesPeopleUse(t *testing.T) {
	d := defaultDetector(t)
	for _, tc := range []struct {
		text  string
		label string
	}{
		{"07700 900 123", ContactDetails},
		{"oh seven seven oh oh, nine oh oh, one two three", ContactDetails},
		{"0️⃣7️⃣7️⃣0️⃣0️⃣9️⃣0️⃣0️⃣1️⃣2️⃣3️⃣", ContactDetails},
		{"０７７００ ９００ １２３", ContactDetails},
		{"۰۷۷۰۰۹۰۰۱۲۳", ContactDetails},
		{"07x70x09x00x12x3", ContactDetails},
		{"jo dot b at gmail dot com", ContactDetails},
		{"jo[at]outlook[dot]com", ContactDetails},
		{"my site is jobloggs.co.uk", ContactDetails},
		{"@jo.bloggs99", ContactDetails},
		{"add me on snаpchat", ContactDetails}, // Cyrillic а
		{"s n a p me", ContactDetails},
		{"k i l l myself", Concern},
		{"su1c1dal", Concern},
		{"i wanna dieeee", Concern},
		{"im @ jade.w.99 on there", ContactDetails},
		{"my twitch is bigsamplays", ContactDetails},
		{"been smoking every day just to cope", Concern},
	} {
		if got := d.Scan(tc.text); !got.Has(tc.label) {
			t.Errorf("Scan(%q) = %v, want %s", tc.text, got.Labels, tc.label)
		}
	}
}

func TestScanLeavesWorkTalkAlone(t *testing.T) {
	d := defaultDetector(t)
	for _, text := range []string{
		"Samaritans are on 116 123 and Shout is 85258",
		"call NHS 111, or 999 in an emergency",
		"the interview is at St Mary's Hospital, Praed Street, London W2 1NY",
		"look on jobs.nhs.uk and healthcareers.nhs.uk",
		"shifts are 7 till 7, band 3, £24,071 a year",
		"the job reference is C9215-24-0534",
		"safeguarding training covered self-harm and county lines",
		"alcohol gel kills 99.9% of germs",
		"I'm dying to start!",
		"I deleted Instagram",
		"email the recruitment team",
		"I'll send you the link to the lesson",
		"see you @ lunch",
		"i drink coffee to get through nights",
		"talk to the recruiter on the phone.",
	} {
		if got := d.Scan(text); got.Flagged() {
			t.Errorf("Scan(%q) = %v %+v, want nothing", text, got.Labels, got.Reasons)
		}
	}
}

func TestReasonSpansPointAtWhatWasTyped(t *testing.T) {
	d := defaultDetector(t)
	text := "héllo 😊 my number is ０７７００ ９００ １２３ and I want to kill myself"
	r := d.Scan(text)
	if !r.Has(ContactDetails) || !r.Has(Concern) {
		t.Fatalf("labels %v, want both", r.Labels)
	}
	var rules []string
	for _, reason := range r.Reasons {
		if reason.Text != text[reason.Start:reason.End] {
			t.Errorf("reason %+v: text does not match its span", reason)
		}
		rules = append(rules, reason.Rule+"="+reason.Text)
	}
	joined := strings.Join(rules, "; ")
	for _, want := range []string{"phone_number=０７７００ ９００ １２３", "self_harm=kill myself"} {
		if !strings.Contains(joined, want) {
			t.Errorf("reasons %s do not include %s", joined, want)
		}
	}
}

func TestNormalMessageHasEmptyLabelsNotNil(t *testing.T) {
	r := defaultDetector(t).Scan("see you at the open day")
	if r.Labels == nil || len(r.Labels) != 0 || r.Reasons != nil {
		t.Fatalf("got %#v, want empty labels and no reasons", r)
	}
}

func TestExtraListsFromTheEnvironmentAreMerged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "extra.txt")
	body := "# our own words\n[concern exploitation]\nbig man said go\n\n[allow]\nout of office\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if defaultDetector(t).Scan("the big man said go to the station").Flagged() {
		t.Fatal("the phrase is flagged without the extra list; the test proves nothing")
	}
	t.Setenv(ListsEnv, path)
	d, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	r := d.Scan("the big man said go to the station")
	if !r.Has(Concern) || r.Reasons[0].Source != path+":3" {
		t.Fatalf("got %+v, want a concern sourced from %s:3", r, path)
	}
	if !d.Scan("I want to kill myself").Has(Concern) {
		t.Fatal("the embedded lists were replaced, not extended")
	}
}

func TestListErrorsNameTheFileAndLine(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"[concern]\nx\n", ":1: section [concern] needs one name"},
		{"[nonsense]\n", ":1: unknown section [nonsense]"},
		{"hello\n", ":1: \"hello\" comes before any [section]"},
		{"[contact x]\n\n(open\n", ":3: \"(open\": ( without )"},
		{"[contact x]\n{nomacro}\n", ":2: \"{nomacro}\": no [macro nomacro] section"},
		{"[contact x]\nre: (\n", ":2: \"re: (\""},
		{"[public-number]\n0800 abc\n", ":2: \"0800 abc\" is not a number"},
	} {
		path := filepath.Join(t.TempDir(), "bad.txt")
		if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(path)
		if err == nil || !strings.Contains(err.Error(), path+tc.want) {
			t.Errorf("lists %q: error %v, want it to contain %q", tc.body, err, path+tc.want)
		}
	}
	if _, err := New(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("a missing file gave %v, want an error naming it", err)
	}
}

func TestPackageScanUsesTheDefaultLists(t *testing.T) {
	if _, err := Default(); err != nil {
		t.Fatalf("Default: %v", err)
	}
	if r := Scan("whats ur snap"); !r.Has(ContactDetails) {
		t.Fatalf("Scan = %v, want contact_details", r.Labels)
	}
}
