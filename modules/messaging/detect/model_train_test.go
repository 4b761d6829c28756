package detect

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"os"
	"sort"
	"testing"
)

// The concern model's training data: heldout5 and heldout6 stay out, to
// measure how the model generalises.
var modelTrainFiles = []string{"testdata/corpus.jsonl", "testdata/heldout.jsonl", "testdata/heldout2.jsonl", "testdata/heldout3.jsonl", "testdata/heldout4.jsonl"}

const (
	modelMaxFeatures = 4000
	modelMinDocs     = 2
	modelL2          = 1e-4
	modelIters       = 400
	modelRate        = 1.0
	modelFolds       = 5
	modelNormalGoal  = 0.03 // normal messages flagged (rules or model), under cross-validation
)

func hasLabel(m message, l string) bool {
	for _, x := range m.Labels {
		if x == l {
			return true
		}
	}
	return false
}

func featureNames(text string) []string {
	w := wordsView(normalise(text))
	var out []string
	for _, f := range modelFeatures(w.s) {
		out = append(out, f.name)
	}
	return out
}

// trainModel fits an L2-regularised logistic regression on binary
// features by full-batch gradient descent; deterministic.
func trainModel(msgs []message) *concernModel {
	docs := make([][]string, len(msgs))
	df := map[string]int{}
	for i, m := range msgs {
		docs[i] = featureNames(m.Text)
		for _, f := range docs[i] {
			df[f]++
		}
	}
	var vocab []string
	for f, n := range df {
		if n >= modelMinDocs {
			vocab = append(vocab, f)
		}
	}
	sort.Slice(vocab, func(i, j int) bool {
		if df[vocab[i]] != df[vocab[j]] {
			return df[vocab[i]] > df[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	if len(vocab) > modelMaxFeatures {
		vocab = vocab[:modelMaxFeatures]
	}
	index := map[string]int{}
	for i, f := range vocab {
		index[f] = i
	}
	x := make([][]int, len(msgs))
	y := make([]float64, len(msgs))
	for i, m := range msgs {
		for _, f := range docs[i] {
			if j, ok := index[f]; ok {
				x[i] = append(x[i], j)
			}
		}
		if hasLabel(m, Concern) {
			y[i] = 1
		}
	}
	w := make([]float64, len(vocab))
	g := make([]float64, len(vocab))
	b := 0.0
	n := float64(len(msgs))
	for it := 0; it < modelIters; it++ {
		for j := range g {
			g[j] = modelL2 * w[j]
		}
		gb := 0.0
		for i := range x {
			z := b
			for _, j := range x[i] {
				z += w[j]
			}
			d := (1/(1+math.Exp(-z)) - y[i]) / n
			gb += d
			for _, j := range x[i] {
				g[j] += d
			}
		}
		b -= modelRate * 10 * gb
		for j := range w {
			w[j] -= modelRate * 10 * g[j]
		}
	}
	m := &concernModel{Bias: round4(b), Weights: map[string]float64{}}
	for j, f := range vocab {
		if v := round4(w[j]); math.Abs(v) >= 0.01 {
			m.Weights[f] = v
		}
	}
	return m
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func fold(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % modelFolds)
}

func readTraining(t testing.TB) []message {
	var all []message
	for _, p := range modelTrainFiles {
		for _, m := range readCorpus(t, p) {
			m.ID = p + "#" + m.ID
			all = append(all, m)
		}
	}
	return all
}

// TestTrainConcernModel writes model_concern.json; run by go generate.
func TestTrainConcernModel(t *testing.T) {
	if os.Getenv("DETECT_TRAIN_MODEL") == "" {
		t.Skip("set DETECT_TRAIN_MODEL=1 (or run go generate) to retrain the concern model")
	}
	rules := defaultDetector(t)
	rules.model = nil
	all := readTraining(t)
	// Out-of-fold probabilities.
	p := make([]float64, len(all))
	for k := 0; k < modelFolds; k++ {
		var train []message
		for _, m := range all {
			if fold(m.ID) != k {
				train = append(train, m)
			}
		}
		m := trainModel(train)
		for i, msg := range all {
			if fold(msg.ID) == k {
				words := wordsView(normalise(msg.Text))
				p[i], _ = m.score(modelFeatures(words.s))
			}
		}
	}
	ruleFlag := make([]Result, len(all))
	for i, m := range all {
		ruleFlag[i] = rules.Scan(m.Text)
	}
	evaluate := func(th float64) (recall, normal float64) {
		var tp, pos, fl, nn int
		for i, m := range all {
			concern := ruleFlag[i].Has(Concern) || p[i] > th
			if hasLabel(m, Concern) {
				pos++
				if concern {
					tp++
				}
			}
			if len(m.Labels) == 0 {
				nn++
				if concern || ruleFlag[i].Flagged() {
					fl++
				}
			}
		}
		return ratio(tp, pos), ratio(fl, nn)
	}
	r0, n0 := evaluate(2)
	t.Logf("rules alone on the training data: concern recall %.3f, normals flagged %.3f", r0, n0)
	best := 0.99
	for th := 0.99; th >= 0.05; th -= 0.01 {
		if _, n := evaluate(th); n <= modelNormalGoal {
			best = th
		} else {
			break
		}
	}
	best = math.Round(best*100) / 100
	r1, n1 := evaluate(best)
	t.Logf("threshold %.2f, %d-fold cross-validated: concern recall %.3f, normals flagged %.3f", best, modelFolds, r1, n1)
	m := trainModel(all)
	m.Threshold = best
	t.Logf("%d features", len(m.Weights))
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("model_concern.json", append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"testdata/heldout5.jsonl", "testdata/heldout6.jsonl"} {
		msgs := readCorpus(t, path)
		with := defaultDetector(t)
		with.model = m
		t.Logf("%s rules alone:\n%s", path, scoreCorpus(rules, msgs))
		t.Logf("%s rules + model:\n%s", path, scoreCorpus(with, msgs))
	}
}
