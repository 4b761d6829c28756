package match_test

import (
	"testing"

	"onramp/modules/mentoring/match"
	"onramp/modules/mentoring/match/matchtest"
)

// TestSolveIsOptimalOnAProblemTooLargeForBruteForce checks the solver's
// answer on a random 2,000 x 400 problem with an optimality certificate
// rather than a second solver: in the residual network of the matching,
// no path from the source to the sink (so no larger matching exists) and
// no cycle of negative cost (so no matching of the same size scores
// higher).
func TestSolveIsOptimalOnAProblemTooLargeForBruteForce(t *testing.T) {
	p, pairs := matchtest.Random(2000, 400, 20, 7)
	capacity := make([]int, len(p.Mentors))
	for j, m := range p.Mentors {
		capacity[j] = m.Capacity
	}
	a, err := match.Solve(len(p.Learners), capacity, pairs)
	if err != nil {
		t.Fatal(err)
	}
	L, M := len(p.Learners), len(p.Mentors)
	s, tk := L+M, L+M+1
	type edge struct {
		from, to int
		cost     int64
	}
	var edges []edge
	load := make([]int, M)
	for l, m := range a.Mentor {
		if m >= 0 {
			load[m]++
			edges = append(edges, edge{l, s, 0})
		} else {
			edges = append(edges, edge{s, l, 0})
		}
	}
	for _, pr := range pairs {
		if a.Mentor[pr.Learner] == pr.Mentor {
			edges = append(edges, edge{L + int(pr.Mentor), int(pr.Learner), int64(pr.Score)})
		} else {
			edges = append(edges, edge{int(pr.Learner), L + int(pr.Mentor), -int64(pr.Score)})
		}
	}
	for m := range M {
		if load[m] > capacity[m] {
			t.Fatalf("mentor %d over capacity", m)
		}
		if load[m] < capacity[m] {
			edges = append(edges, edge{L + m, tk, 0})
		}
		if load[m] > 0 {
			edges = append(edges, edge{tk, L + m, 0})
		}
	}
	n := L + M + 2

	reach := make([]bool, n)
	reach[s] = true
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			if reach[e.from] && !reach[e.to] {
				reach[e.to], changed = true, true
			}
		}
	}
	if reach[tk] {
		t.Fatalf("an augmenting path exists: %d matched is not the most", a.Matched)
	}

	dist := make([]int64, n) // all zero: a virtual source to every node
	for round := 0; ; round++ {
		changed := false
		for _, e := range edges {
			if d := dist[e.from] + e.cost; d < dist[e.to] {
				dist[e.to], changed = d, true
			}
		}
		if !changed {
			break
		}
		if round == n {
			t.Fatalf("a negative cycle exists: total %s is not the best for %d matched", a.Total, a.Matched)
		}
	}
}
