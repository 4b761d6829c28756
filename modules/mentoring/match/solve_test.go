package match

import (
	"math/rand/v2"
	"testing"
)

// bruteForce tries every way of giving each learner one of their eligible
// mentors or none, and returns the most learners matched and the best
// total among matchings of that size.
func bruteForce(learners int, capacity []int, pairs []Pair) (int, Score) {
	options := make([][]Pair, learners)
	for _, p := range pairs {
		options[p.Learner] = append(options[p.Learner], p)
	}
	load := make([]int, len(capacity))
	bestCount, bestTotal := -1, Score(0)
	var try func(i, count int, total Score)
	try = func(i, count int, total Score) {
		if i == learners {
			if count > bestCount || count == bestCount && total > bestTotal {
				bestCount, bestTotal = count, total
			}
			return
		}
		try(i+1, count, total)
		for _, p := range options[i] {
			if load[p.Mentor] < capacity[p.Mentor] {
				load[p.Mentor]++
				try(i+1, count+1, total+p.Score)
				load[p.Mentor]--
			}
		}
	}
	try(0, 0, 0)
	return bestCount, bestTotal
}

// checkAssignment fails the test unless a respects the pairs and the
// capacities, and its Matched and Total add up.
func checkAssignment(t *testing.T, a Assignment, learners int, capacity []int, pairs []Pair) {
	t.Helper()
	best := map[[2]int32]Score{}
	for _, p := range pairs {
		k := [2]int32{p.Learner, p.Mentor}
		if s, ok := best[k]; !ok || p.Score > s {
			best[k] = p.Score
		}
	}
	load := make([]int, len(capacity))
	count, total := 0, Score(0)
	for l, m := range a.Mentor {
		if m < 0 {
			continue
		}
		s, ok := best[[2]int32{int32(l), m}]
		if !ok {
			t.Fatalf("learner %d was given mentor %d, not an eligible pair", l, m)
		}
		load[m]++
		count++
		total += s
	}
	for m, n := range load {
		if n > capacity[m] {
			t.Fatalf("mentor %d has %d learners, capacity %d", m, n, capacity[m])
		}
	}
	if count != a.Matched || total != a.Total {
		t.Fatalf("assignment says %d matched, total %s; its pairs add up to %d, %s", a.Matched, a.Total, count, total)
	}
}

func randomInstance(r *rand.Rand, maxLearners, maxMentors, maxCap int) (int, []int, []Pair) {
	learners := 1 + r.IntN(maxLearners)
	capacity := make([]int, 1+r.IntN(maxMentors))
	for j := range capacity {
		capacity[j] = r.IntN(maxCap + 1)
	}
	density := r.Float64()
	var pairs []Pair
	for l := range learners {
		for m := range capacity {
			if r.Float64() < density {
				// Few distinct values, so ties are common; some negative.
				pairs = append(pairs, Pair{Learner: int32(l), Mentor: int32(m), Score: Score(r.IntN(7)-2) * ScoreUnit / 2})
			}
		}
	}
	return learners, capacity, pairs
}

func TestSolveMatchesBruteForceOnSmallRandomProblems(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		learners, capacity, pairs := randomInstance(r, 7, 4, 3)
		a, err := Solve(learners, capacity, pairs)
		if err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, a, learners, capacity, pairs)
		count, total := bruteForce(learners, capacity, pairs)
		if a.Matched != count || a.Total != total {
			t.Fatalf("instance %d: solver matched %d with total %s; best is %d with total %s\ncapacity %v\npairs %v",
				i, a.Matched, a.Total, count, total, capacity, pairs)
		}
	}
}

func TestSolveMatchesBruteForceWithPreciseScores(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 1000 {
		learners, capacity, pairs := randomInstance(r, 7, 4, 3)
		for k := range pairs {
			pairs[k].Score = Score(r.Int64N(2*int64(MaxScore)+1)) - MaxScore
		}
		a, err := Solve(learners, capacity, pairs)
		if err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, a, learners, capacity, pairs)
		count, total := bruteForce(learners, capacity, pairs)
		if a.Matched != count || a.Total != total {
			t.Fatalf("instance %d: solver matched %d with total %s; best is %d with total %s", i, a.Matched, a.Total, count, total)
		}
	}
}

func TestSolveMatchesBruteForceWhenScoresDifferByOneMillionth(t *testing.T) {
	// Scores one unit apart are where an almost-optimal flow (eps-optimal
	// with eps not yet below 1/n) would still differ from the optimum.
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 3000 {
		learners, capacity, pairs := randomInstance(r, 7, 4, 3)
		for k := range pairs {
			pairs[k].Score = Score(r.IntN(4))
		}
		a, err := Solve(learners, capacity, pairs)
		if err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, a, learners, capacity, pairs)
		count, total := bruteForce(learners, capacity, pairs)
		if a.Matched != count || a.Total != total {
			t.Fatalf("instance %d: solver matched %d with total %s; best is %d with total %s", i, a.Matched, a.Total, count, total)
		}
	}
}

func TestTakingTheBestPairFirstWouldLeaveALearnerOut(t *testing.T) {
	// Ann suits both mentors, Ben only Mo. Greedy gives Ann her best
	// pair, Mo, and Ben gets nobody; the solver gives Ben Mo and Ann Jo,
	// even though that total (1 + 2) is lower than Ann and Mo alone (10).
	const ann, ben, jo, mo = 0, 1, 0, 1
	pairs := []Pair{
		{Learner: ann, Mentor: mo, Score: 10 * ScoreUnit},
		{Learner: ann, Mentor: jo, Score: 1 * ScoreUnit},
		{Learner: ben, Mentor: mo, Score: 2 * ScoreUnit},
	}
	a, err := Solve(2, []int{1, 1}, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if a.Matched != 2 || a.Mentor[ann] != jo || a.Mentor[ben] != mo || a.Total != 3*ScoreUnit {
		t.Fatalf("got %+v, want Ann with Jo and Ben with Mo, total 3", a)
	}
}

func TestANegativePairIsUsedWhenItMatchesOneMoreLearner(t *testing.T) {
	pairs := []Pair{
		{Learner: 0, Mentor: 0, Score: 5 * ScoreUnit},
		{Learner: 1, Mentor: 0, Score: 4 * ScoreUnit},
		{Learner: 1, Mentor: 1, Score: -3 * ScoreUnit},
	}
	a, err := Solve(2, []int{1, 1}, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if a.Matched != 2 || a.Total != 2*ScoreUnit {
		t.Fatalf("got %+v, want both matched with total 2", a)
	}
}

func TestPausedMentorsAndLearnersWithoutPairsStayUnmatched(t *testing.T) {
	pairs := []Pair{{Learner: 0, Mentor: 0, Score: 1}, {Learner: 1, Mentor: 1, Score: 1}}
	a, err := Solve(3, []int{0, 2}, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if a.Matched != 1 || a.Mentor[0] != -1 || a.Mentor[1] != 1 || a.Mentor[2] != -1 {
		t.Fatalf("got %+v, want only learner 1 matched, with mentor 1", a)
	}
}

func TestSolveAgreesWithSuccessiveShortestPathsOnMediumProblems(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 60 {
		learners, capacity, pairs := randomInstance(r, 120, 30, 5)
		for k := range pairs {
			switch i % 3 {
			case 0:
				pairs[k].Score = Score(r.Int64N(2001)-1000) * 1000
			case 1: // the extremes, where overflow would show
				pairs[k].Score = Score(r.Int64N(2*int64(MaxScore)+1)) - MaxScore
			}
		}
		a, err := Solve(learners, capacity, pairs)
		if err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, a, learners, capacity, pairs)
		count, total := referenceSSP(learners, capacity, pairs)
		if a.Matched != count || a.Total != total {
			t.Fatalf("instance %d: solver matched %d with total %s; reference %d with total %s", i, a.Matched, a.Total, count, total)
		}
	}
}

// referenceSSP is the textbook minimum-cost maximum flow: augment along a
// cheapest path (Bellman-Ford) until there is none. Slow, simple, exact.
func referenceSSP(learners int, capacity []int, pairs []Pair) (int, Score) {
	type edge struct {
		to, cap int
		cost    int64
	}
	n := learners + len(capacity) + 2
	s, t := n-2, n-1
	var edges []edge
	adj := make([][]int, n)
	add := func(u, v, c int, cost int64) {
		adj[u] = append(adj[u], len(edges))
		edges = append(edges, edge{v, c, cost})
		adj[v] = append(adj[v], len(edges))
		edges = append(edges, edge{u, 0, -cost})
	}
	for l := range learners {
		add(s, l, 1, 0)
	}
	for _, p := range pairs {
		add(int(p.Learner), learners+int(p.Mentor), 1, -int64(p.Score))
	}
	for m, c := range capacity {
		add(learners+m, t, c, 0)
	}
	count, cost := 0, int64(0)
	for {
		dist := make([]int64, n)
		via := make([]int, n)
		for i := range dist {
			dist[i], via[i] = 1<<62, -1
		}
		dist[s] = 0
		for changed := true; changed; {
			changed = false
			for u := range n {
				if dist[u] == 1<<62 {
					continue
				}
				for _, e := range adj[u] {
					if edges[e].cap > 0 && dist[u]+edges[e].cost < dist[edges[e].to] {
						dist[edges[e].to] = dist[u] + edges[e].cost
						via[edges[e].to] = e
						changed = true
					}
				}
			}
		}
		if via[t] < 0 {
			return count, Score(-cost)
		}
		for v := t; v != s; v = edges[via[v]^1].to {
			edges[via[v]].cap--
			edges[via[v]^1].cap++
		}
		count++
		cost += dist[t]
	}
}
