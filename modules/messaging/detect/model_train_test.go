package detect

import (
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The models are trained here, in the package, so that training reads
// messages through exactly the code that scans them (normalise, wordsView,
// eachFeature). Nothing runs unless asked:
//
//	go generate ./modules/messaging/detect     # = go test -run ^TestTrainModels$ -args -train
//	go test -run ^TestTrainModels$ ./modules/messaging/detect -args -loo [-show]
//
// -loo measures generalisation leave-one-writer-out: for each of the
// writers' corpora d1..d6, train on the other five (plus corpus.jsonl and
// the held-out files) and score rules alone and rules+models on the one
// left out, with the production Scan. Each model's threshold is chosen on
// the pooled left-out predictions (each message scored by a model that
// never saw its writer) so that it adds at most its budget of normal
// messages to those the rules flag. -train then trains on everything and
// writes the weights files with those thresholds.
var (
	trainFlag     = flag.Bool("train", false, "train the models and write their weights files")
	looFlag       = flag.Bool("loo", false, "report leave-one-writer-out figures for the models")
	showFlag      = flag.Bool("show", false, "with -loo, list what the models flag and miss, and each one's threshold curve")
	lambdaFlag    = flag.Float64("lambda", 1e-4, "L2 regularisation")
	posWFlag      = flag.Float64("posweight", 1, "weight of a labelled message in the loss")
	minDFFlag     = flag.Int("mindf", 2, "fewest training messages a feature must occur in")
	scalesFlag    = flag.String("scales", "2,1,1,1", "weights of the word, word-pair, character n-gram and word-gap-word features")
	budgetFlag    = flag.Float64("budget", 0.01, "most normal messages the concern model may add to those flagged, leave-one-writer-out")
	contactBudget = flag.Float64("contact-budget", 0.003, "the same for the contact details model")
	pruneFlag     = flag.Float64("prune", 0.1, "weights smaller than this are left out of the weights files (and of the left-out scoring)")
	heldoutFlag   = flag.Bool("heldout", true, "also train on testdata/heldout*.jsonl")
)

// modelSpec is one model to train.
type modelSpec struct {
	label, file string
	budget      *float64
}

var modelSpecs = []modelSpec{
	{Concern, "model_concern.txt", budgetFlag},
	{ContactDetails, "model_contact.txt", contactBudget},
}

// writerCorpora are corpora written independently, one writer each: the
// unit of leave-one-out. baseCorpora (and, unless -heldout=false, the
// rules' held-out files) are always trained on.
var (
	writerCorpora = []string{"testdata/d1.jsonl", "testdata/d2.jsonl", "testdata/d3.jsonl",
		"testdata/d4.jsonl", "testdata/d5.jsonl", "testdata/d6.jsonl"}
	baseCorpora    = []string{"testdata/corpus.jsonl"}
	heldoutCorpora = []string{"testdata/heldout.jsonl", "testdata/heldout2.jsonl", "testdata/heldout3.jsonl",
		"testdata/heldout4.jsonl", "testdata/heldout5.jsonl", "testdata/heldout6.jsonl"}
)

// example is a message read for training.
type example struct {
	msg    message
	file   string
	labels map[string]bool
	normal bool
	feats  []featCount
	// What the rules alone say.
	rules       map[string]bool
	ruleFlagged bool
}

type featCount struct {
	id    int32
	kind  int8
	count float32
}

type featureTable struct {
	ids   map[string]int32
	names []string
	kinds []int8
}

func (ft *featureTable) id(kind int, f []byte) int32 {
	key := kindPrefix[kind] + string(f)
	id, ok := ft.ids[key]
	if !ok {
		id = int32(len(ft.names))
		ft.ids[key] = id
		ft.names = append(ft.names, key)
		ft.kinds = append(ft.kinds, int8(kind))
	}
	return id
}

func readExamples(t *testing.T, rules *Detector, ft *featureTable, files []string) []*example {
	var out []*example
	for _, file := range files {
		for _, m := range readCorpus(t, file) {
			e := &example{msg: m, file: file, normal: len(m.Labels) == 0, labels: map[string]bool{}, rules: map[string]bool{}}
			for _, l := range m.Labels {
				e.labels[l] = true
			}
			r := rules.Scan(m.Text)
			for _, l := range r.Labels {
				e.rules[l] = true
			}
			e.ruleFlagged = r.Flagged()
			words := wordsView(normalise(m.Text))
			toks := indexView(words.s).toks
			counts := map[int32]float32{}
			eachFeature(words.s, toks, nil, func(kind int, f []byte, _, _ int) {
				counts[ft.id(kind, f)]++
			})
			for id, c := range counts {
				e.feats = append(e.feats, featCount{id: id, kind: ft.kinds[id], count: c})
			}
			sort.Slice(e.feats, func(i, j int) bool { return e.feats[i].id < e.feats[j].id })
			out = append(out, e)
		}
	}
	return out
}

// trained is a fitted model over a vocabulary of feature ids.
type trained struct {
	bias    float64
	weights map[int32]float64
	scale   [numKinds]float64
}

// design is a training set in sparse rows, over the vocabulary.
type design struct {
	rows   [][]featVal
	y, c   []float64 // label 0/1, example weight
	vocab  []int32   // column -> feature id
	colOf  map[int32]int
	scales [numKinds]float64
}

type featVal struct {
	col int
	x   float64
}

// rowValues are an example's feature values: counts scaled per kind by
// scale/sqrt(the kind's count in the message), over the features in colOf.
func rowValues(e *example, scales [numKinds]float64, colOf map[int32]int) []featVal {
	var n [numKinds]float64
	for _, f := range e.feats {
		n[f.kind] += float64(f.count)
	}
	var row []featVal
	for _, f := range e.feats {
		col, ok := colOf[f.id]
		if !ok {
			continue
		}
		row = append(row, featVal{col: col, x: float64(f.count) * scales[f.kind] / math.Sqrt(max(n[f.kind], float64(minKindCount[f.kind])))})
	}
	return row
}

func buildDesign(train []*example, label string, scales [numKinds]float64, minDF int, posWeight float64) *design {
	df := map[int32]int{}
	for _, e := range train {
		for _, f := range e.feats {
			df[f.id]++
		}
	}
	d := &design{colOf: map[int32]int{}, scales: scales}
	for id, n := range df {
		if n >= minDF {
			d.vocab = append(d.vocab, id)
		}
	}
	sort.Slice(d.vocab, func(i, j int) bool { return d.vocab[i] < d.vocab[j] })
	for col, id := range d.vocab {
		d.colOf[id] = col
	}
	for _, e := range train {
		d.rows = append(d.rows, rowValues(e, scales, d.colOf))
		y, c := 0.0, 1.0
		if e.labels[label] {
			y, c = 1, posWeight
		}
		d.y = append(d.y, y)
		d.c = append(d.c, c)
	}
	return d
}

// objective is the weighted mean log loss plus lambda/2 |w|^2 (the bias,
// the last parameter, is not regularised), and its gradient.
func (d *design) objective(p []float64, lambda float64, grad []float64) float64 {
	nw := len(d.vocab)
	for i := range grad {
		grad[i] = 0
	}
	var loss, total float64
	for i, row := range d.rows {
		z := p[nw]
		for _, f := range row {
			z += p[f.col] * f.x
		}
		// log(1+exp(-z)) for y=1, log(1+exp(z)) for y=0, stably.
		s := z
		if d.y[i] == 1 {
			s = -z
		}
		if s > 0 {
			loss += d.c[i] * (s + math.Log1p(math.Exp(-s)))
		} else {
			loss += d.c[i] * math.Log1p(math.Exp(s))
		}
		g := d.c[i] * (1/(1+math.Exp(-z)) - d.y[i])
		for _, f := range row {
			grad[f.col] += g * f.x
		}
		grad[nw] += g
		total += d.c[i]
	}
	loss /= total
	for i := range grad {
		grad[i] /= total
	}
	for j := 0; j < nw; j++ {
		loss += lambda / 2 * p[j] * p[j]
		grad[j] += lambda * p[j]
	}
	return loss
}

// fit minimises the objective with L-BFGS.
func (d *design) fit(lambda float64) trained {
	n := len(d.vocab) + 1
	p := make([]float64, n)
	g := make([]float64, n)
	f := d.objective(p, lambda, g)
	const mem = 10
	var ss, ys [][]float64
	var rhos []float64
	dir := make([]float64, n)
	np, ng := make([]float64, n), make([]float64, n)
	alpha := make([]float64, mem)
	for iter := 0; iter < 500; iter++ {
		// Two-loop recursion: dir = -H g.
		copy(dir, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], dir)
			axpy(-alpha[k], ys[k], dir)
		}
		if k := len(ss) - 1; k >= 0 {
			scale(dot(ss[k], ys[k])/dot(ys[k], ys[k]), dir)
		} else {
			scale(1/math.Max(1, math.Sqrt(dot(g, g))), dir)
		}
		for k := 0; k < len(ss); k++ {
			b := rhos[k] * dot(ys[k], dir)
			axpy(alpha[k]-b, ss[k], dir)
		}
		scale(-1, dir)
		slope := dot(g, dir)
		if slope >= 0 { // not a descent direction: restart
			ss, ys, rhos = nil, nil, nil
			copy(dir, g)
			scale(-1, dir)
			slope = dot(g, dir)
		}
		step, nf := 1.0, 0.0
		for tries := 0; ; tries++ {
			for i := range p {
				np[i] = p[i] + step*dir[i]
			}
			nf = d.objective(np, lambda, ng)
			if nf <= f+1e-4*step*slope || tries > 30 {
				break
			}
			step /= 2
		}
		s, y := make([]float64, n), make([]float64, n)
		for i := range p {
			s[i], y[i] = np[i]-p[i], ng[i]-g[i]
		}
		if sy := dot(s, y); sy > 1e-12 {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
			if len(ss) > mem {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
		}
		done := math.Abs(f-nf) <= 1e-10*math.Max(1, math.Abs(f))
		copy(p, np)
		copy(g, ng)
		f = nf
		if done || math.Sqrt(dot(g, g)) < 1e-7 {
			break
		}
	}
	out := trained{bias: p[n-1], weights: map[int32]float64{}, scale: d.scales}
	for col, id := range d.vocab {
		out.weights[id] = p[col]
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// textModel turns a fit into the model Scan uses, with threshold.
func (tr trained) textModel(label string, ft *featureTable, threshold float64) *textModel {
	m := &textModel{label: label, rule: ModelConcernRule, bias: tr.bias, threshold: threshold, scale: tr.scale, weights: map[uint64]float32{}}
	if label == ContactDetails {
		m.rule = ModelContactRule
	}
	for id, w := range tr.weights {
		if math.Abs(w) < *pruneFlag {
			continue
		}
		name := ft.names[id]
		m.weights[featureHash(int(ft.kinds[id]), []byte(name[2:]))] = float32(roundWeight(w))
	}
	return m
}

// roundWeight keeps four significant digits, as the weights file does.
func roundWeight(w float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(w, 'g', 4, 64), 64)
	return r
}

func parseScales(t *testing.T) [numKinds]float64 {
	var out [numKinds]float64
	parts := strings.Split(*scalesFlag, ",")
	if len(parts) != numKinds {
		t.Fatalf("-scales needs %d numbers", numKinds)
	}
	for i, p := range parts {
		if _, err := fmt.Sscanf(p, "%g", &out[i]); err != nil {
			t.Fatalf("-scales: %v", err)
		}
	}
	return out
}

// chooseThreshold is the lowest probability at which the model flags at
// most budget of the normal messages the rules leave alone.
func chooseThreshold(ps []float64, exs []*example, budget float64) float64 {
	var normals int
	var cand []float64
	for i, e := range exs {
		if e.normal {
			normals++
			if !e.ruleFlagged {
				cand = append(cand, ps[i])
			}
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(cand)))
	allowed := int(budget * float64(normals))
	if allowed >= len(cand) {
		return 0.5
	}
	// Just above the (allowed+1)th highest normal score.
	return math.Nextafter(cand[allowed], 1)
}

type figures struct {
	tp, fp, fn          map[string]int
	normals, normalsHit int
}

func (f figures) String() string {
	var b strings.Builder
	for _, l := range []string{ContactDetails, Concern} {
		fmt.Fprintf(&b, "%s recall %.3f (%3d/%3d) precision %.3f; ", l, ratio(f.tp[l], f.tp[l]+f.fn[l]),
			f.tp[l], f.tp[l]+f.fn[l], ratio(f.tp[l], f.tp[l]+f.fp[l]))
	}
	fmt.Fprintf(&b, "normal flagged %.3f (%2d/%3d)", ratio(f.normalsHit, f.normals), f.normalsHit, f.normals)
	return b.String()
}

func (f *figures) add(e *example, got map[string]bool) {
	if f.tp == nil {
		f.tp, f.fp, f.fn = map[string]int{}, map[string]int{}, map[string]int{}
	}
	for _, l := range []string{ContactDetails, Concern} {
		switch {
		case e.labels[l] && got[l]:
			f.tp[l]++
		case e.labels[l]:
			f.fn[l]++
		case got[l]:
			f.fp[l]++
		}
	}
	if e.normal {
		f.normals++
		if len(got) > 0 {
			f.normalsHit++
		}
	}
}

func TestTrainModels(t *testing.T) {
	if !*trainFlag && !*looFlag {
		t.Skip("run with -args -train or -loo")
	}
	rules := defaultDetector(t)
	rules.models = nil
	ft := &featureTable{ids: map[string]int32{}}
	base := readExamples(t, rules, ft, baseCorpora)
	if *heldoutFlag {
		base = append(base, readExamples(t, rules, ft, heldoutCorpora)...)
	}
	var writers [][]*example
	for _, f := range writerCorpora {
		writers = append(writers, readExamples(t, rules, ft, []string{f}))
	}
	scales := parseScales(t)
	fit := func(train []*example, label string) trained {
		return buildDesign(train, label, scales, *minDFFlag, *posWFlag).fit(*lambdaFlag)
	}
	t.Logf("lambda %g posweight %g mindf %d scales %v", *lambdaFlag, *posWFlag, *minDFFlag, scales)
	// foldModels[k] are the models that never saw writer k.
	foldModels := make([][]*textModel, len(writers))
	thresholds := map[string]float64{}
	for _, spec := range modelSpecs {
		var pooled []*example
		var ps []float64
		for k, held := range writers {
			train := append([]*example(nil), base...)
			for j, w := range writers {
				if j != k {
					train = append(train, w...)
				}
			}
			m := fit(train, spec.label).textModel(spec.label, ft, 0)
			foldModels[k] = append(foldModels[k], m)
			for _, e := range held {
				words := wordsView(normalise(e.msg.Text))
				ps = append(ps, m.probability(words.s, indexView(words.s).toks))
				pooled = append(pooled, e)
			}
		}
		th := chooseThreshold(ps, pooled, *spec.budget)
		thresholds[spec.label] = th
		t.Logf("%s: budget %g, threshold %.4f", spec.label, *spec.budget, th)
		if *showFlag {
			logCurve(t, ps, pooled, spec.label)
		}
	}
	var allRules, allBoth figures
	for k, held := range writers {
		withModels := *rules
		for _, m := range foldModels[k] {
			m.threshold = thresholds[m.label]
		}
		withModels.models = foldModels[k]
		var fr, fb figures
		for _, e := range held {
			r := withModels.Scan(e.msg.Text)
			got := map[string]bool{}
			for _, l := range r.Labels {
				got[l] = true
			}
			fr.add(e, e.rules)
			fb.add(e, got)
			allRules.add(e, e.rules)
			allBoth.add(e, got)
			if *showFlag {
				showExample(t, e, r, got)
			}
		}
		t.Logf("%s rules:        %s", writerCorpora[k], fr)
		t.Logf("%s rules+models: %s", writerCorpora[k], fb)
	}
	t.Logf("all rules:        %s", allRules)
	t.Logf("all rules+models: %s", allBoth)
	if !*trainFlag {
		return
	}
	var all []*example
	all = append(all, base...)
	for _, w := range writers {
		all = append(all, w...)
	}
	for _, spec := range modelSpecs {
		if err := writeModel(spec, fit(all, spec.label), ft, thresholds[spec.label]); err != nil {
			t.Fatal(err)
		}
	}
}

// showExample logs what the models added or missed on a left-out message.
func showExample(t *testing.T, e *example, r Result, got map[string]bool) {
	why := ""
	for _, reason := range r.Reasons {
		if reason.Rule == ModelConcernRule || reason.Rule == ModelContactRule {
			why += fmt.Sprintf(" [%s: %q]", reason.Rule, reason.Text)
		}
	}
	for _, l := range []string{ContactDetails, Concern} {
		kind := ""
		switch {
		case e.normal && got[l] && !e.ruleFlagged:
			kind = "NORMAL FLAGGED"
		case e.labels[l] && !got[l]:
			kind = "MISSED"
		case e.labels[l] && !e.rules[l]:
			kind = "MODEL CAUGHT"
		case !e.labels[l] && got[l] && !e.rules[l]:
			kind = "WRONG LABEL"
		}
		if kind != "" {
			t.Logf("%s %s %s %q%s", kind, l, e.msg.ID, e.msg.Text, why)
		}
	}
}

// writeModel writes a weights file, strongest features first.
func writeModel(spec modelSpec, tr trained, ft *featureTable, threshold float64) error {
	type fw struct {
		name string
		w    float64
	}
	var list []fw
	for id, w := range tr.weights {
		if math.Abs(w) >= *pruneFlag {
			list = append(list, fw{ft.names[id], w})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].w != list[j].w {
			return list[i].w > list[j].w
		}
		return list[i].name < list[j].name
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# The %s model's weights (see model.go). Generated by go generate\n", spec.label)
	files := append(append([]string(nil), baseCorpora...), writerCorpora...)
	if *heldoutFlag {
		files = append(files, heldoutCorpora...)
	}
	fmt.Fprintf(&b, "# (model_train_test.go) from %s;\n", strings.Join(files, " "))
	fmt.Fprintf(&b, "# do not edit. lambda %g posweight %g mindf %d budget %g.\n", *lambdaFlag, *posWFlag, *minDFFlag, *spec.budget)
	fmt.Fprintf(&b, "# w: word, p: word pair, s: words with one between, c: character n-gram (_ marks a word's edge); a number reads 0.\n")
	fmt.Fprintf(&b, "label %s\nthreshold %.6g\nbias %.4g\nscale %g %g %g %g\n", spec.label, threshold, tr.bias, tr.scale[0], tr.scale[1], tr.scale[2], tr.scale[3])
	for _, f := range list {
		fmt.Fprintf(&b, "%s %.4g\n", f.name, f.w)
	}
	return os.WriteFile(spec.file, []byte(b.String()), 0o644)
}

// logCurve reports, for a range of thresholds, the pooled left-out concern
// recall of rules+model and the normal messages the model adds, overall
// and for the writer it adds most for.
func logCurve(t *testing.T, ps []float64, exs []*example, label string) {
	for _, th := range []float64{0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95} {
		var tp, pos, normals, added int
		perFile := map[string][2]int{}
		for i, e := range exs {
			flagged := ps[i] >= th && !e.rules[label]
			if e.labels[label] {
				pos++
				if e.rules[label] || flagged {
					tp++
				}
			}
			if e.normal {
				normals++
				c := perFile[e.file]
				c[1]++
				if flagged && !e.ruleFlagged {
					added++
					c[0]++
				}
				perFile[e.file] = c
			}
		}
		worst, worstFile := 0.0, ""
		for f, c := range perFile {
			if r := ratio(c[0], c[1]); r > worst {
				worst, worstFile = r, f
			}
		}
		t.Logf("%s threshold %.2f: recall %.3f, normals added %.3f, most %.3f (%s)", label, th, ratio(tp, pos), ratio(added, normals), worst, worstFile)
	}
}
