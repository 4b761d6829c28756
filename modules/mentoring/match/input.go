package match

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Reading problems and score files for `onramp match`. Every error names
// the file and the line (and for JSON the column), so whoever made the
// file can find the mistake:
//
//	problem.json line 14, column 19: mentor "M3": capacity 7 is not between 0 (paused) and 5
//	pairs.csv line 7: score "abc" is not a number

// mentorFields decodes a Mentor without its UnmarshalJSON, so the reader
// can refuse unknown fields; an absent "eligible" is still true.
type mentorFields Mentor

// UnmarshalJSON reads a mentor, taking an absent "eligible" as true.
func (m *Mentor) UnmarshalJSON(b []byte) error {
	f := mentorFields{Eligible: true}
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*m = Mentor(f)
	return nil
}

// ReadProblem reads a problem file: {"learners": [...], "mentors": [...]}.
// name is the file's name for messages. It refuses JSON errors, unknown
// keys and fields (a misspelt field would otherwise be silently ignored)
// and whatever Problem.Validate refuses, naming the line.
func ReadProblem(name string, r io.Reader) (Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Problem{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Problem{}, fmt.Errorf(`%s line 1: the file is empty; a problem is {"learners": [...], "mentors": [...]}`, name)
	}
	pr := problemReader{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p, err := pr.read()
	if err != nil {
		return Problem{}, err
	}
	if err := p.Validate(); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			at := pr.learnersAt
			if ie.Side == "mentor" {
				at = pr.mentorsAt
			}
			return Problem{}, pr.errorAt(at[ie.Index].start+fieldOffset(pr.element(at[ie.Index]), ie.Field), "%v", ie)
		}
		return Problem{}, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

type span struct{ start, end int }

type problemReader struct {
	name                  string
	data                  []byte
	dec                   *json.Decoder
	learnersAt, mentorsAt []span
}

func (pr *problemReader) element(s span) []byte { return pr.data[s.start:s.end] }

func (pr *problemReader) read() (Problem, error) {
	var p Problem
	if err := pr.delim('{', `the problem must be a JSON object: {"learners": [...], "mentors": [...]}`); err != nil {
		return p, err
	}
	seen := map[string]bool{}
	for pr.dec.More() {
		at := pr.next()
		tok, err := pr.dec.Token()
		if err != nil {
			return p, pr.jsonError(err, 0)
		}
		key, _ := tok.(string)
		if seen[key] {
			return p, pr.errorAt(at, "%q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "learners":
			err = pr.list("learner", &pr.learnersAt, func(raw []byte) error {
				var l Learner
				err := decodeStrict(raw, &l)
				p.Learners = append(p.Learners, l)
				return err
			})
		case "mentors":
			err = pr.list("mentor", &pr.mentorsAt, func(raw []byte) error {
				m := mentorFields{Eligible: true}
				err := decodeStrict(raw, &m)
				p.Mentors = append(p.Mentors, Mentor(m))
				return err
			})
		default:
			err = pr.errorAt(at, `unknown key %q: a problem has "learners" and "mentors"`, key)
		}
		if err != nil {
			return p, err
		}
	}
	if _, err := pr.dec.Token(); err != nil { // the closing brace
		return p, pr.jsonError(err, 0)
	}
	if at := pr.next(); at < len(pr.data) {
		return p, pr.errorAt(at, "unexpected text after the problem's closing }")
	}
	if !seen["learners"] || !seen["mentors"] {
		return p, pr.errorAt(0, `the problem needs both "learners" and "mentors" lists`)
	}
	return p, nil
}

// list reads a JSON array of learners or mentors one element at a time,
// remembering where each one is in the file.
func (pr *problemReader) list(side string, at *[]span, decode func([]byte) error) error {
	if err := pr.delim('[', fmt.Sprintf("%ss must be a list [...]", side)); err != nil {
		return err
	}
	for pr.dec.More() {
		start := pr.next()
		var raw json.RawMessage
		if err := pr.dec.Decode(&raw); err != nil {
			return pr.jsonError(err, 0)
		}
		s := span{start, start + len(raw)}
		*at = append(*at, s)
		if err := decode(raw); err != nil {
			return pr.fieldError(err, side, len(*at)-1, s)
		}
	}
	if _, err := pr.dec.Token(); err != nil { // ]
		return pr.jsonError(err, 0)
	}
	return nil
}

func decodeStrict(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// fieldError places an error from decoding one learner or mentor.
func (pr *problemReader) fieldError(err error, side string, index int, s span) error {
	elem := pr.element(s)
	id := ""
	var probe struct{ ID any }
	if json.Unmarshal(elem, &probe) == nil {
		id, _ = probe.ID.(string)
	}
	person := who(side, index, id)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field, _, _ := strings.Cut(te.Field, ".")
		if te.Field != "" {
			person += ": " + te.Field
		}
		return pr.errorAt(s.start+fieldOffset(elem, field), "%s: want %s, not %s", person, describe(te.Type), te.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name := strings.Trim(f, `"`)
		return pr.errorAt(s.start+fieldOffset(elem, name), "%s: unknown field %s", person, f)
	}
	return pr.jsonError(err, s.start)
}

func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text in quotes"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(describe(t.Elem()), "a ")
	case reflect.Struct:
		return "an object {...}"
	}
	return t.String()
}

// next is the offset of the next token, past spaces and commas.
func (pr *problemReader) next() int {
	off := int(pr.dec.InputOffset())
	for off < len(pr.data) && strings.IndexByte(" \t\r\n,:", pr.data[off]) >= 0 {
		off++
	}
	return off
}

func (pr *problemReader) delim(want json.Delim, msg string) error {
	at := pr.next()
	tok, err := pr.dec.Token()
	if err != nil {
		return pr.jsonError(err, 0)
	}
	if tok != want {
		return pr.errorAt(at, "%s", msg)
	}
	return nil
}

// jsonError places a decoder error; base is the offset of the bytes the
// decoder was given.
func (pr *problemReader) jsonError(err error, base int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// A streaming decoder's offsets are not always from the start of
		// the file; reading the whole file in one go gives true ones.
		var v any
		if errors.As(json.Unmarshal(pr.data, &v), &se) {
			base = 0
		}
	}
	switch {
	case se != nil:
		return pr.errorAt(base+int(max(se.Offset-1, 0)), "%s", strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return pr.errorAt(len(pr.data), "the file ends too soon (a missing ] or }?)")
	}
	return pr.errorAt(base, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func (pr *problemReader) errorAt(off int, format string, a ...any) error {
	line, col := position(pr.data, off)
	return fmt.Errorf("%s line %d, column %d: %s", pr.name, line, col, fmt.Sprintf(format, a...))
}

// position turns a byte offset into a line and a column, both from 1.
func position(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// fieldOffset finds where a field's value starts within one JSON object,
// or 0 if it is not there.
func fieldOffset(obj []byte, field string) int {
	d := json.NewDecoder(bytes.NewReader(obj))
	if _, err := d.Token(); err != nil {
		return 0
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return 0
		}
		at := int(d.InputOffset())
		if k == field {
			for at < len(obj) && strings.IndexByte(" \t\r\n:", obj[at]) >= 0 {
				at++
			}
			return at
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return 0
		}
	}
	return 0
}

// ReadPairs reads a scores CSV for p: a header line
// learner_id,mentor_id,score, then one line per eligible pair. name is the
// file's name for messages. It refuses a missing or different header, a
// line without exactly three fields, an id not in p, a score ParseScore
// refuses and a pair listed twice, naming the line.
func ReadPairs(name string, r io.Reader, p Problem) ([]Pair, error) {
	learners := make(map[string]int32, len(p.Learners))
	for i, l := range p.Learners {
		learners[l.ID] = int32(i)
	}
	mentors := make(map[string]int32, len(p.Mentors))
	for j, m := range p.Mentors {
		mentors[m.ID] = int32(j)
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	const header = "learner_id,mentor_id,score"
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s line 1: the file is empty; its first line must be %s", name, header)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	if len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\uFEFF") // a byte order mark, as spreadsheets write
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	if got := strings.Join(rec, ","); got != header {
		return nil, fmt.Errorf("%s line 1: the first line must be the header %s, not %q", name, header, got)
	}
	var pairs []Pair
	var lines []int32
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 {
			return nil, fmt.Errorf("%s line %d: want 3 fields (%s), found %d", name, line, header, len(rec))
		}
		lid, mid := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		l, ok := learners[lid]
		if !ok {
			return nil, fmt.Errorf("%s line %d: learner %q is not in the problem", name, line, lid)
		}
		m, ok := mentors[mid]
		if !ok {
			return nil, fmt.Errorf("%s line %d: mentor %q is not in the problem", name, line, mid)
		}
		s, err := ParseScore(rec[2])
		if err != nil {
			return nil, fmt.Errorf("%s line %d: score %q %w", name, line, strings.TrimSpace(rec[2]), err)
		}
		pairs = append(pairs, Pair{Learner: l, Mentor: m, Score: s})
		lines = append(lines, int32(line))
	}
	if dup, first := duplicatePair(len(p.Learners), len(p.Mentors), pairs, lines); dup >= 0 {
		pr := pairs[dup]
		return nil, fmt.Errorf("%s line %d: the pair %s,%s was already listed on line %d",
			name, lines[dup], p.Learners[pr.Learner].ID, p.Mentors[pr.Mentor].ID, first)
	}
	return pairs, nil
}

// duplicatePair finds the earliest line that repeats a pair, returning
// its index in pairs and the line the pair was first on, or -1. It groups
// the pairs by learner (a counting sort) and marks each learner's mentors,
// which needs no map of all pairs.
func duplicatePair(learners, mentors int, pairs []Pair, lines []int32) (int, int32) {
	start := make([]int32, learners+1)
	for _, p := range pairs {
		start[p.Learner+1]++
	}
	for i := range learners {
		start[i+1] += start[i]
	}
	byLearner := make([]int32, len(pairs))
	fill := append([]int32(nil), start[:learners]...)
	for k, p := range pairs { // in file order, so each group is too
		byLearner[fill[p.Learner]] = int32(k)
		fill[p.Learner]++
	}
	mark := make([]int32, mentors) // learner+1 who last listed this mentor
	firstLine := make([]int32, mentors)
	dup, dupFirst := -1, int32(0)
	for l := range learners {
		for _, k := range byLearner[start[l]:start[l+1]] {
			m := pairs[k].Mentor
			if mark[m] != int32(l+1) {
				mark[m], firstLine[m] = int32(l+1), lines[k]
				continue
			}
			if dup < 0 || lines[k] < lines[dup] {
				dup, dupFirst = int(k), firstLine[m]
			}
		}
	}
	return dup, dupFirst
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
