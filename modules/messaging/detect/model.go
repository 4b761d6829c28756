package detect

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The models are a second, learned layer after the rules. Concern is
// written in endlessly varied ways ("sofa surfing at my mates", "he buys
// me stuff and picks me up from college"), and so are invitations to move
// elsewhere ("we could chat somewhere the platform doesnt log"); phrase
// lists miss most of the ways nobody thought of. Each label has a model, a
// logistic regression over the words, word pairs, word-gap-word pairs and
// character 3-5-grams of the words view (the same normalised text the
// phrases are matched in, so look-alike letters, spelt-out letters and
// repeated letters are already undone).
//
// A model only adds: a message the rules did not give its label gets it
// when the model's probability reaches the threshold in its weights file
// (model_concern.txt, model_contact.txt), with a reason of rule
// "model_concern" or "model_contact" over the words that weighed most.
// The weights are trained offline from the labelled corpora in testdata by
// model_train_test.go (see the go:generate line below) and embedded.
// ONRAMP_SAFEGUARDING_MODEL=off switches the layer off.

//go:generate go test -run ^TestTrainModels$ -count=1 . -args -train

// ModelEnv names the environment variable that switches the models off
// ("off"), or sets the concern model's threshold (a probability such as
// "0.7": lower flags more concerns and more normal messages); unset or
// "on" keeps them on at the thresholds in their weights files.
const ModelEnv = "ONRAMP_SAFEGUARDING_MODEL"

// The Rule of a reason the concern or the contact details model gave.
const (
	ModelConcernRule = "model_concern"
	ModelContactRule = "model_contact"
)

var (
	//go:embed model_concern.txt
	concernModelFile []byte
	//go:embed model_contact.txt
	contactModelFile []byte
)

// Feature kinds; each is scaled by 1/sqrt(its count in the message) so a
// long message does not score high just for being long.
const (
	kindWord = iota
	kindPair
	kindChar
	kindSkip
	numKinds
)

var kindPrefix = [numKinds]string{"w:", "p:", "c:", "s:"}

// maxCharGramWord is the longest word whose character n-grams count;
// longer "words" are pasted links or keyboard mashing.
const maxCharGramWord = 30

// textModel is a loaded weights file.
type textModel struct {
	label     string // Concern or ContactDetails
	rule      string
	bias      float64
	threshold float64
	scale     [numKinds]float64
	weights   map[uint64]float32 // featureHash -> weight
}

// parseModel reads the weights file name: "label L", "threshold P", "bias
// B", "scale W P C S" and then one "FEATURE WEIGHT" per line; # starts a
// comment line.
func parseModel(name string, data []byte) (*textModel, error) {
	m := &textModel{weights: map[uint64]float32{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		bad := func() error { return fmt.Errorf("%s:%d: cannot read %q", name, n, line) }
		if f[0] == "label" && len(f) == 2 && (f[1] == Concern || f[1] == ContactDetails) {
			m.label, m.rule = f[1], ModelConcernRule
			if f[1] == ContactDetails {
				m.rule = ModelContactRule
			}
			seen[f[0]] = true
			continue
		}
		nums := make([]float64, 0, 3)
		for _, s := range f[1:] {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, bad()
			}
			nums = append(nums, x)
		}
		switch {
		case f[0] == "threshold" && len(nums) == 1:
			m.threshold = nums[0]
		case f[0] == "bias" && len(nums) == 1:
			m.bias = nums[0]
		case f[0] == "scale" && len(nums) == numKinds:
			copy(m.scale[:], nums)
		case len(nums) == 1 && len(f[0]) > 2:
			kind := -1
			for k, p := range kindPrefix {
				if strings.HasPrefix(f[0], p) {
					kind = k
				}
			}
			if kind < 0 {
				return nil, bad()
			}
			m.weights[featureHash(kind, []byte(f[0][2:]))] = float32(nums[0])
		default:
			return nil, bad()
		}
		seen[f[0]] = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !seen["label"] || !seen["threshold"] || !seen["bias"] || !seen["scale"] || len(m.weights) == 0 {
		return nil, fmt.Errorf("%s: needs a label, threshold, bias, scale and weights", name)
	}
	return m, nil
}

// featureHash is FNV-1a of the feature's kind and bytes.
func featureHash(kind int, f []byte) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind + 1)
	h *= 1099511628211
	for _, c := range f {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// appendWord appends a word as features read it: a number is "0", since
// which number it is is the rules' business (a phone, NHS 111, a job
// reference), and other digits inside words are all "0" too ("sk8er0").
func appendWord(b []byte, w string) []byte {
	if isNumber(w) {
		return append(b, '0')
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isDigit(c) {
			c = '0'
		}
		b = append(b, c)
	}
	return b
}

// isNumber reports whether a word is all digits.
func isNumber(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// eachFeature calls emit for every feature of the words toks of the view
// text s: the feature's kind, its bytes (valid only during the call) and
// the first and last word it came from. buf is scratch space, returned
// for reuse.
func eachFeature(s string, toks []tok, buf []byte, emit func(kind int, f []byte, first, last int)) []byte {
	for i, t := range toks {
		// A number alone is no evidence either way: whether it is a phone
		// number is the rules' judgement, and a model that learnt "numbers
		// mean contact details" holds a message for a time or a reference.
		if !isNumber(t.w) {
			buf = appendWord(buf[:0], t.w)
			emit(kindWord, buf, i, i)
		}
		if i+1 < len(toks) && !strings.ContainsAny(s[t.end:toks[i+1].start], ".!?;") && !(isNumber(t.w) && isNumber(toks[i+1].w)) {
			buf = append(appendWord(buf[:0], t.w), '_')
			buf = appendWord(buf, toks[i+1].w)
			emit(kindPair, buf, i, i+1)
			if i+2 < len(toks) && !strings.ContainsAny(s[toks[i+1].end:toks[i+2].start], ".!?;") && !(isNumber(t.w) && isNumber(toks[i+2].w)) {
				buf = append(appendWord(buf[:0], t.w), '_', '_')
				buf = appendWord(buf, toks[i+2].w)
				emit(kindSkip, buf, i, i+2)
			}
		}
		if len(t.w) > maxCharGramWord {
			continue
		}
		// The word between boundary marks, so "_kil" says "kil" starts it.
		buf = append(appendWord(append(buf[:0], '_'), t.w), '_')
		word := len(buf)
		if word < 3+2 && buf[1] == '0' {
			continue // a number: its word feature says all there is
		}
		for n := 3; n <= 5; n++ {
			for j := 0; j+n <= word; j++ {
				buf = append(buf[:word], buf[j:j+n]...)
				emit(kindChar, buf[word:], i, i)
			}
		}
	}
	return buf
}

// minKindCount are the counts of each kind of feature in a message of
// about five words. A shorter message is scaled as if it had these, so
// that one word alone ("body", "85258") cannot weigh as much as a whole
// sentence.
var minKindCount = [numKinds]int{5, 4, 50, 3}

// kindScales are the factors each kind's weights are multiplied by in a
// message with n features of each kind.
func (m *textModel) kindScales(n [numKinds]int) [numKinds]float64 {
	var out [numKinds]float64
	for k := range out {
		out[k] = m.scale[k] / math.Sqrt(float64(max(n[k], minKindCount[k])))
	}
	return out
}

// probability is the model's probability that the message whose words
// view is s, with words toks, has the model's label.
func (m *textModel) probability(s string, toks []tok) float64 {
	var p [1]float64
	probabilities([]*textModel{m}, s, toks, p[:])
	return p[0]
}

// maxModels is the most models probabilities scores in one pass.
const maxModels = 4

// probabilities sets ps[i] to models[i]'s probability for the message
// whose words view is s, with words toks, reading its features once.
func probabilities(models []*textModel, s string, toks []tok, ps []float64) {
	models = models[:min(len(models), maxModels)]
	var n [numKinds]int
	var sum [maxModels][numKinds]float64
	var buf [2 * (maxCharGramWord + 2)]byte
	eachFeature(s, toks, buf[:0], func(kind int, f []byte, _, _ int) {
		n[kind]++
		h := featureHash(kind, f)
		for i, m := range models {
			if w, ok := m.weights[h]; ok {
				sum[i][kind] += float64(w)
			}
		}
	})
	for i, m := range models {
		z := m.bias
		for k, scale := range m.kindScales(n) {
			z += scale * sum[i][k]
		}
		ps[i] = 1 / (1 + math.Exp(-z))
	}
}

// strongestSpan returns the bytes of s (words toks) that weighed most
// towards a concern: the sentence whose words add up to the most, and in
// it the run of words adding up to the most. Each feature's weight is
// shared among the words it came from.
func (m *textModel) strongestSpan(s string, toks []tok) (int, int) {
	if len(toks) == 0 {
		return 0, len(s)
	}
	var n [numKinds]int
	eachFeature(s, toks, nil, func(kind int, _ []byte, _, _ int) { n[kind]++ })
	scales := m.kindScales(n)
	score := make([]float64, len(toks))
	eachFeature(s, toks, nil, func(kind int, f []byte, first, last int) {
		if w, ok := m.weights[featureHash(kind, f)]; ok {
			c := scales[kind] * float64(w) / float64(last-first+1)
			for i := first; i <= last; i++ {
				score[i] += c
			}
		}
	})
	// The sentence with the highest total.
	bestSum, bestFirst, bestLast := math.Inf(-1), 0, len(toks)-1
	for first := 0; first < len(toks); {
		last := first
		for last+1 < len(toks) && !strings.ContainsAny(s[toks[last].end:toks[last+1].start], ".!?;") {
			last++
		}
		sum := 0.0
		for i := first; i <= last; i++ {
			sum += score[i]
		}
		if sum > bestSum {
			bestSum, bestFirst, bestLast = sum, first, last
		}
		first = last + 1
	}
	// In it, the few words in a row that add up to the most, less any
	// word at either end that counted against.
	width := min(maxSpanWords, bestLast-bestFirst+1)
	top, topFirst := math.Inf(-1), bestFirst
	for first := bestFirst; first+width-1 <= bestLast; first++ {
		sum := 0.0
		for i := first; i < first+width; i++ {
			sum += score[i]
		}
		if sum > top {
			top, topFirst = sum, first
		}
	}
	topLast := topFirst + width - 1
	for topLast-topFirst >= minSpanWords {
		switch {
		case score[topFirst] <= 0 && score[topFirst] <= score[topLast]:
			topFirst++
		case score[topLast] <= 0:
			topLast--
		default:
			return toks[topFirst].start, toks[topLast].end
		}
	}
	return toks[topFirst].start, toks[topLast].end
}

// A model reason shows maxSpanWords words in a row, fewer when those at
// the ends counted against a concern, but not fewer than minSpanWords.
const (
	maxSpanWords = 7
	minSpanWords = 3
)

// modelReasons are the models' reasons for a message: each model whose
// label the rules did not give and whose probability reaches its threshold
// gives one.
func (d *Detector) modelReasons(v *view, words *wordIndex, reasons []Reason) []Reason {
	var asked [maxModels]*textModel
	models := asked[:0]
	for _, m := range d.models {
		given := false
		for _, r := range reasons {
			given = given || r.Label == m.label
		}
		if !given && len(models) < maxModels {
			models = append(models, m)
		}
	}
	if len(models) == 0 {
		return nil
	}
	var ps [maxModels]float64
	probabilities(models, v.s, words.toks, ps[:])
	var out []Reason
	for i, m := range models {
		if ps[i] < m.threshold {
			continue
		}
		// A message naming a public helpline ("call 999", "text 85258")
		// is signposting: only the rules, which know each number, may
		// call it contact details.
		if m.label == ContactDetails && d.namesPublicNumber(words.toks) {
			continue
		}
		i, j := m.strongestSpan(v.s, words.toks)
		s, e := v.orig(i, j)
		out = append(out, Reason{Label: m.label, Rule: m.rule, Start: s, End: e})
	}
	return out
}

// namesPublicNumber reports whether the words hold a public service's
// number, alone or written in groups ("116 123").
func (d *Detector) namesPublicNumber(toks []tok) bool {
	run := ""
	for _, t := range toks {
		if !isNumber(t.w) {
			run = ""
			continue
		}
		run += t.w
		if d.publicNumbers[t.w] || d.publicNumbers[run] {
			return true
		}
	}
	return false
}

var (
	embeddedOnce   sync.Once
	embeddedModels []*textModel
	embeddedErr    error
)

// loadModels reads the embedded weights, once.
func loadModels() ([]*textModel, error) {
	embeddedOnce.Do(func() {
		for _, f := range []struct {
			name string
			data []byte
		}{{"model_concern.txt", concernModelFile}, {"model_contact.txt", contactModelFile}} {
			m, err := parseModel(f.name, f.data)
			if err != nil {
				embeddedModels, embeddedErr = nil, err
				return
			}
			embeddedModels = append(embeddedModels, m)
		}
	})
	return embeddedModels, embeddedErr
}

// modelSetting reads ModelEnv: whether the concern model is on and, when
// the setting is a probability, the concern threshold to use instead of
// the one in model_concern.txt (0 when none).
func modelSetting() (on bool, threshold float64, err error) {
	v := strings.TrimSpace(os.Getenv(ModelEnv))
	switch strings.ToLower(v) {
	case "", "on":
		return true, 0, nil
	case "off":
		return false, 0, nil
	}
	if p, err := strconv.ParseFloat(v, 64); err == nil && p > 0 && p < 1 {
		return true, p, nil
	}
	return false, 0, fmt.Errorf("%s is %q: use on, off, or a threshold between 0 and 1 such as 0.7", ModelEnv, v)
}
