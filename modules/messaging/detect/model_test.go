package detect

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func rulesOnly(t testing.TB) *Detector {
	t.Helper()
	d := defaultDetector(t)
	d.models = nil
	return d
}

func TestEmbeddedModelsLoad(t *testing.T) {
	models, err := loadModels()
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, m := range models {
		if m.threshold <= 0 || m.threshold >= 1 || len(m.weights) < 1000 {
			t.Errorf("%s: threshold %g, %d weights: not a trained model", m.label, m.threshold, len(m.weights))
		}
		labels = append(labels, m.label)
	}
	if strings.Join(labels, ",") != Concern+","+ContactDetails {
		t.Errorf("models for %v, want concern and contact details", labels)
	}
	if len(defaultDetector(t).models) != 2 {
		t.Fatal("New left the models out")
	}
}

// concernModel is the detector's concern model.
func concernModel(t testing.TB, d *Detector) *textModel {
	t.Helper()
	for _, m := range d.models {
		if m.label == Concern {
			return m
		}
	}
	t.Fatal("no concern model")
	return nil
}

// modelReason is the reason of the model for label for text as if the
// rules had found nothing, or nil: the models are tested apart from the
// lists, which change.
func modelReason(d *Detector, text, label string) []Reason {
	words := wordsView(normalise(text))
	var out []Reason
	for _, r := range d.modelReasons(&words, indexView(words.s), nil) {
		if r.Label == label {
			out = append(out, r)
		}
	}
	return out
}

// Messages written for this test, not taken from any corpus.
func TestModelFlagsObviousConcerns(t *testing.T) {
	d := defaultDetector(t)
	for _, text := range []string{
		"my step dad locks the fridge at night and i only eat what my mates give me at college",
		"this older guy i met online keeps sending me money and says i can stay at his flat whenever",
		"I've started giving away my stuff to my cousins",
		"the girls on my course keep posting pics of me and laughing, nobody sits with me",
		"been sleeping in the car for a week since my mum kicked me out",
		"you looked really pretty in your profile pic, bet the boys at college love you",
	} {
		r := modelReason(d, text, Concern)
		if len(r) != 1 {
			t.Errorf("model reasons for %q: %+v, want one", text, r)
			continue
		}
		if r[0].Rule != ModelConcernRule || len(strings.Fields(text[r[0].Start:r[0].End])) < minSpanWords {
			t.Errorf("model reason for %q: %+v, want a model_concern over a few words", text, r[0])
		}
	}
}

func TestModelFlagsObviousInvitationsElsewhere(t *testing.T) {
	d := defaultDetector(t)
	for _, text := range []string{
		"this app is so slow, can we just chat on facetime instead",
		"whats the best number to get you on tonight",
		"I'll send you my personal zoom link privately so we can talk properly",
	} {
		r := modelReason(d, text, ContactDetails)
		if len(r) != 1 || r[0].Rule != ModelContactRule {
			t.Errorf("contact model reasons for %q: %+v, want one", text, r)
		}
	}
}

func TestModelLeavesNormalMessagesAlone(t *testing.T) {
	d := defaultDetector(t)
	for _, text := range []string{
		"thanks for the mock interview, the STAR answers make loads more sense now",
		"my placement starts monday on the stroke ward, 7:30 till 8, bit nervous but excited",
		"Well done on passing the moving and handling course! Next we could look at your personal statement.",
		"the bus was late again so i missed the start of the lesson on infection control",
		"is it normal to feel tired after a run of night shifts? i slept till 3pm",
		// Short messages weigh no more than a few words' worth, and numbers
		// are the rules' business: signposting stays normal.
		"call 999", "116 123", "ring 111 if it gets worse", "body",
	} {
		for _, label := range []string{Concern, ContactDetails} {
			if r := modelReason(d, text, label); r != nil {
				t.Errorf("model reasons for %q: %+v, want none", text, r)
			}
		}
		if r := d.Scan(text); r.Flagged() {
			t.Errorf("Scan(%q) = %v %+v, want nothing", text, r.Labels, r.Reasons)
		}
	}
}

// Scan asks the model only when the rules found no concern, and then adds
// its reason.
func TestScanAddsTheModelAfterTheRules(t *testing.T) {
	rules, d := rulesOnly(t), defaultDetector(t)
	missed := "I've started giving away my stuff to my cousins"
	if rules.Scan(missed).Has(Concern) {
		t.Fatalf("the rules now flag %q: pick a concern they miss for this test", missed)
	}
	r := d.Scan(missed)
	if !r.Has(Concern) || r.Reasons[len(r.Reasons)-1].Rule != ModelConcernRule {
		t.Fatalf("Scan(%q) = %+v, want the model's concern", missed, r)
	}
	found := "I want to kill myself"
	for _, reason := range d.Scan(found).Reasons {
		if reason.Rule == ModelConcernRule {
			t.Fatalf("Scan(%q) has a model reason %+v besides the rules' own", found, reason)
		}
	}
}

func TestModelReasonShowsTheWordsThatWeighedMost(t *testing.T) {
	text := "Hiya! Interview went fine I think, they asked about teamwork. Also my mum's new boyfriend keeps coming in my room at night when she's asleep. Anyway what should I wear on Friday?"
	r := modelReason(defaultDetector(t), text, Concern)
	if len(r) != 1 {
		t.Fatalf("model reasons %+v, want one", r)
	}
	got := text[r[0].Start:r[0].End]
	worrying := "my mum's new boyfriend keeps coming in my room at night when she's asleep"
	if !strings.Contains(worrying, got) {
		t.Errorf("reason covers %q, want words of %q", got, worrying)
	}
	t.Logf("reason: %q", got)
}

func TestModelIsSwitchedOffByTheEnvironment(t *testing.T) {
	text := "I've started giving away my stuff to my cousins"
	t.Setenv(ModelEnv, "off")
	d, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if d.models != nil || d.Scan(text).Has(Concern) {
		t.Fatalf("%s=off still uses the model", ModelEnv)
	}
	t.Setenv(ModelEnv, "on")
	if d, err = FromEnv(); err != nil || !d.Scan(text).Has(Concern) {
		t.Fatalf("%s=on: err %v, model not used", ModelEnv, err)
	}
	t.Setenv(ModelEnv, "0.999")
	if d, err = FromEnv(); err != nil || concernModel(t, d).threshold != 0.999 || d.Scan(text).Has(Concern) {
		t.Fatalf("%s=0.999: err %v, threshold not used", ModelEnv, err)
	}
	if concernModel(t, defaultDetector(t)).threshold == 0.999 {
		t.Fatal("the threshold setting changed the shared embedded model")
	}
	t.Setenv(ModelEnv, "maybe")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), ModelEnv) {
		t.Fatalf("%s=maybe: error %v, want one naming the setting", ModelEnv, err)
	}
}

func TestModelFileErrorsAreReported(t *testing.T) {
	for _, body := range []string{
		"",
		"label concern\nthreshold 0.5\nbias 0\nscale 1 1 1 1\n",
		"threshold 0.5\nbias 0\nscale 1 1 1 1\nw:word 1\n",
		"label other\nthreshold 0.5\nbias 0\nscale 1 1 1 1\nw:word 1\n",
		"label concern\nthreshold 0.5\nbias 0\nscale 1 1 1 1\nx:word 1\n",
		"label concern\nthreshold 0.5\nbias 0\nscale 1 1 1 1\nw:word NaN\n",
		"label concern\nthreshold 0.5\nbias 0\nscale 1 1\nw:word 1\n",
	} {
		if _, err := parseModel("bad.txt", []byte(body)); err == nil || !strings.Contains(err.Error(), "bad.txt") {
			t.Errorf("parseModel(%q): error %v, want one naming the file", body, err)
		}
	}
	if _, err := parseModel("good.txt", []byte("label concern\nthreshold 0.5\nbias 0\nscale 1 1 1 1\nw:word 1\n")); err != nil {
		t.Errorf("a good file: %v", err)
	}
}

// The scan cost of the model: compare with BenchmarkScanTypicalMessage,
// which runs rules and model.
func BenchmarkScanTypicalMessageRulesOnly(b *testing.B) {
	d := rulesOnly(b)
	msgs := typicalMessages()
	b.ReportAllocs()
	defer reportCPUTime(b)()
	for i := 0; i < b.N; i++ {
		d.Scan(msgs[i%len(msgs)])
	}
}

func BenchmarkScanTypicalMessageRulesAndModel(b *testing.B) {
	d := defaultDetector(b)
	msgs := typicalMessages()
	b.ReportAllocs()
	defer reportCPUTime(b)()
	for i := 0; i < b.N; i++ {
		d.Scan(msgs[i%len(msgs)])
	}
}

// Every message of the writers' corpora in turn: the mix of lengths and of
// flagged and normal messages a real day brings.
func BenchmarkScanCorpusRulesOnly(b *testing.B) { benchmarkCorpus(b, rulesOnly(b)) }

func BenchmarkScanCorpusRulesAndModel(b *testing.B) { benchmarkCorpus(b, defaultDetector(b)) }

func benchmarkCorpus(b *testing.B, d *Detector) {
	var msgs []string
	for _, f := range writerCorpora {
		for _, m := range readCorpus(b, f) {
			msgs = append(msgs, m.Text)
		}
	}
	b.ReportAllocs()
	defer reportCPUTime(b)()
	for i := 0; i < b.N; i++ {
		d.Scan(msgs[i%len(msgs)])
	}
}

func typicalMessages() []string {
	return []string{
		"hiya, just finished lesson 4 on infection control! the interview at the royal is on thursday at 10:30, band 3 HCA, 7 till 7 shifts. any tips for the values questions? im so nervous lol 😬",
		"Great work! For values questions, use STAR: situation, task, action, result. Arrive 15 minutes early, bring your passport, and have two examples of compassion ready. You've got this.",
		"honestly feeling a bit rubbish today, applied for 6 jobs on nhs jobs and heard nothing back. my mum says keep going. is it normal to wait this long? the ref was 338-HCA-0917-24",
	}
}

// The models' own share of a scan: their features and weights over words
// the rules have already found.
func BenchmarkModelsTypicalMessage(b *testing.B) {
	models := defaultDetector(b).models
	type prepared struct {
		s    string
		toks []tok
	}
	var msgs []prepared
	for _, text := range typicalMessages() {
		words := wordsView(normalise(text))
		msgs = append(msgs, prepared{words.s, indexView(words.s).toks})
	}
	ps := make([]float64, len(models))
	b.ReportAllocs()
	defer reportCPUTime(b)()
	for i := 0; i < b.N; i++ {
		p := msgs[i%len(msgs)]
		probabilities(models, p.s, p.toks, ps)
	}
}

// reportCPUTime resets the benchmark's timer and returns a func that
// reports the process's CPU time per op besides wall time: the machine
// the benchmarks run on is shared, and CPU time varies less with its load.
func reportCPUTime(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := cpu()
	return func() {
		b.StopTimer()
		b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op")
	}
}
