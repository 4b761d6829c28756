// Package matchtest makes random matching problems for the matcher's
// benchmark and for `onramp-load -match-problem`, so both measure the same
// kind of problem.
package matchtest

import (
	"fmt"
	"math/rand/v2"

	"onramp/modules/mentoring/match"
)

// Random returns a problem with the given numbers of learners and mentors
// (ids L1.. and M1.., mentor capacities 1 to 5 at random) and about
// perLearner eligible pairs for each learner, with distinct mentors
// drawn at random and scores drawn uniformly from 0 to 10 in millionths
// (so six decimal places, and few ties). The same seed gives the same
// problem.
func Random(learners, mentors, perLearner int, seed uint64) (match.Problem, []match.Pair) {
	r := rand.New(rand.NewPCG(seed, 0x6d61746368))
	p := match.Problem{Learners: make([]match.Learner, learners), Mentors: make([]match.Mentor, mentors)}
	for i := range p.Learners {
		p.Learners[i] = match.Learner{ID: fmt.Sprintf("L%d", i+1)}
	}
	for j := range p.Mentors {
		p.Mentors[j] = match.Mentor{ID: fmt.Sprintf("M%d", j+1), Capacity: 1 + r.IntN(match.MaxCapacity), Eligible: true}
	}
	k := min(perLearner, mentors)
	pairs := make([]match.Pair, 0, learners*k)
	seen := make(map[int32]bool, k)
	for i := range learners {
		clear(seen)
		for len(seen) < k {
			m := int32(r.IntN(mentors))
			if seen[m] {
				continue
			}
			seen[m] = true
			pairs = append(pairs, match.Pair{Learner: int32(i), Mentor: m, Score: match.Score(r.Int64N(10 * int64(match.ScoreUnit)))})
		}
	}
	return p, pairs
}
