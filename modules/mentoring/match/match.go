// Package match is the whole-pool matching engine of the Mentoring
// feature: given every learner waiting for a mentor and every mentor with
// room, it matches as many learners as possible (each learner at most one
// mentor, each mentor at most their capacity) and, among all matchings of
// that size, finds one with the highest total score. It is exact, not
// greedy; see solve.go for the method.
//
// Scores come either from the scoring model (Model: hard filters, then
// weights, with plain-English reasons) or from a caller who lists the only
// eligible pairs with their scores (RunPairs, `onramp match --scores`).
// The package knows nothing of databases or HTTP: the mentoring module
// builds a Problem from its tables, `onramp match` reads one from a file
// (ReadProblem, ReadPairs).
package match

// Result is the outcome of a run, in the shape `onramp match` prints.
type Result struct {
	// Matches are in the order of the problem's learners.
	Matches []Match `json:"matches"`
	// Unmatched are the ids of learners left without a mentor, in the
	// problem's order.
	Unmatched []string `json:"unmatched"`
	// TotalScore is the sum of the matches' scores.
	TotalScore Score `json:"total_score"`
}

// Match is one learner given one mentor.
type Match struct {
	LearnerID string `json:"learner_id"`
	MentorID  string `json:"mentor_id"`
	Score     Score  `json:"score"`
	// Reasons explain the score in plain English; empty when the scores
	// came from the caller.
	Reasons string `json:"reasons"`
}

// Run matches p's learners and mentors with the scoring model. It returns
// p.Validate's *InputError, an error for weights out of range, or the
// solver's error.
func (m Model) Run(p Problem) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := m.Validate(); err != nil {
		return Result{}, err
	}
	return run(p, m.Pairs(p), func(l Learner, mn Mentor) string { return m.Reasons(l, mn) })
}

// RunPairs matches p's learners and mentors using only the given pairs
// and their scores: the scoring model, hard filters included, is skipped,
// so whoever made the pairs answers for their eligibility. Mentors'
// capacities still apply. It returns p.Validate's *InputError or the
// solver's error.
func RunPairs(p Problem, pairs []Pair) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	return run(p, pairs, nil)
}

func run(p Problem, pairs []Pair, reasons func(Learner, Mentor) string) (Result, error) {
	capacity := make([]int, len(p.Mentors))
	for j, m := range p.Mentors {
		capacity[j] = m.Capacity
	}
	a, err := Solve(len(p.Learners), capacity, pairs)
	if err != nil {
		return Result{}, err
	}
	score := make(map[[2]int32]Score, a.Matched)
	for _, pr := range pairs {
		if a.Mentor[pr.Learner] == pr.Mentor {
			k := [2]int32{pr.Learner, pr.Mentor}
			if s, ok := score[k]; !ok || pr.Score > s {
				score[k] = pr.Score
			}
		}
	}
	r := Result{Matches: make([]Match, 0, a.Matched), Unmatched: []string{}, TotalScore: a.Total}
	for i, j := range a.Mentor {
		l := p.Learners[i]
		if j < 0 {
			r.Unmatched = append(r.Unmatched, l.ID)
			continue
		}
		mt := Match{LearnerID: l.ID, MentorID: p.Mentors[j].ID, Score: score[[2]int32{int32(i), j}]}
		if reasons != nil {
			mt.Reasons = reasons(l, p.Mentors[j])
		}
		r.Matches = append(r.Matches, mt)
	}
	return r, nil
}
