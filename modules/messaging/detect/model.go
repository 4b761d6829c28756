package detect

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// The concern model backs up the concern rules: a logistic regression over
// the words view's word unigrams and bigrams (so leetspeak, spelt-out
// letters, fillers and repeated letters are folded as for the rules). A
// message is labelled concern if a rule says so OR the model's probability
// is above its threshold; a model flag carries a Reason with rule "model",
// its span covering the words that pushed the score up most, and Source
// giving the probability and those words.
//
// The weights are trained from the labelled testdata (corpus.jsonl and
// heldout.jsonl to heldout4.jsonl; heldout5 and heldout6 are kept out to
// measure generalisation) and committed in model_concern.json, so runtime
// never trains. To retrain (deterministic):
//
//	go generate ./modules/messaging/detect/
//
// which runs TestTrainConcernModel with DETECT_TRAIN_MODEL=1.
//
//go:generate env DETECT_TRAIN_MODEL=1 go test -count=1 -run ^TestTrainConcernModel$ .

//go:embed model_concern.json
var modelJSON []byte

// concernModel is the trained model.
type concernModel struct {
	Bias      float64            `json:"bias"`
	Threshold float64            `json:"threshold"`
	Weights   map[string]float64 `json:"weights"`
}

func loadModel(data []byte) (*concernModel, error) {
	var m concernModel
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("model_concern.json: %v", err)
	}
	return &m, nil
}

// feature is one unigram or bigram and the span of the words view it
// covers.
type feature struct {
	name       string
	start, end int
}

// modelFeatures lists a words view's unigrams and bigrams, each once.
func modelFeatures(s string) []feature {
	type word struct {
		w          string
		start, end int
	}
	var ws []word
	for i := 0; i < len(s); {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && (isLetter(s[j]) || isDigit(s[j])) {
			j++
		}
		ws = append(ws, word{s[i:j], i, j})
		i = j
	}
	seen := make(map[string]bool, 2*len(ws))
	var out []feature
	add := func(f feature) {
		if !seen[f.name] {
			seen[f.name] = true
			out = append(out, f)
		}
	}
	for i, w := range ws {
		add(feature{w.w, w.start, w.end})
		if i+1 < len(ws) {
			add(feature{w.w + " " + ws[i+1].w, w.start, ws[i+1].end})
		}
	}
	return out
}

// score is the model's probability that the message is a concern, with
// the features present in the model.
func (m *concernModel) score(feats []feature) (float64, []feature) {
	z := m.Bias
	var hit []feature
	for _, f := range feats {
		if w, ok := m.Weights[f.name]; ok {
			z += w
			hit = append(hit, f)
		}
	}
	return 1 / (1 + math.Exp(-z)), hit
}

// modelReason is the model's Reason for a message whose rules found no
// concern, or nil when the model does not flag it either.
func (d *Detector) modelReason(words *view) []Reason {
	m := d.model
	if m == nil {
		return nil
	}
	p, hit := m.score(modelFeatures(words.s))
	if p <= m.Threshold {
		return nil
	}
	sort.SliceStable(hit, func(i, j int) bool { return m.Weights[hit[i].name] > m.Weights[hit[j].name] })
	var top []string
	start, end := -1, -1
	for _, f := range hit {
		if len(top) == 3 || m.Weights[f.name] <= 0 {
			break
		}
		top = append(top, fmt.Sprintf("%q", f.name))
		if start < 0 || f.start < start {
			start = f.start
		}
		end = max(end, f.end)
	}
	r := Reason{Label: Concern, Rule: "model", Source: fmt.Sprintf("model p=%.2f: %s", p, strings.Join(top, ", "))}
	if start >= 0 {
		r.Start, r.End = words.orig(start, end)
	} else {
		r.Start, r.End = words.orig(0, len(words.s))
	}
	return []Reason{r}
}
