package match

import (
	"errors"
	"fmt"
	"math"
)

// The solver: a minimum-cost maximum flow on
//
//	source -> each learner (capacity 1, cost 0)
//	learner -> mentor, one arc per eligible pair (capacity 1, cost -score)
//	mentor -> sink (capacity = the mentor's capacity, cost 0)
//
// A flow of value k is a matching of k learners, and its cost is minus
// its total score, so the maximum flow of least cost is the lexicographic
// optimum asked for: as many learners matched as possible, then the
// highest total score among those matchings. It is found in two exact
// steps, so no "large bonus per matched learner" is needed:
//
//  1. Dinic's algorithm finds a maximum flow, of value F. This fixes the
//     number of matched learners.
//  2. Cost scaling (Goldberg and Tarjan's push-relabel "refine", as in
//     Goldberg's CS2) then turns it into a cheapest flow of the same value
//     F: it only ever moves flow round cycles of the residual network, so
//     every node keeps its balance and the value stays F. A flow of value
//     F is the cheapest exactly when its residual network has no cycle of
//     negative cost.
//
// Why step 2 is exact. Costs are integers (scores are whole millionths,
// see Score), multiplied by alpha = n+1 for a network of n nodes. Refine
// keeps node prices p under which every residual arc has reduced cost
// c(v,w) + p(v) - p(w) >= -eps ("eps-optimal"), dividing eps by
// scaleFactor each round, down to eps = 1. A residual cycle has at most n
// arcs and the same cost under reduced costs, so it then costs at least
// -n, which is more than -alpha: in unscaled units, more than -1. Being an
// integer, it is at least 0, so no negative cycle is left and the flow is
// optimal. All arithmetic is in int64; scaled costs are checked to stay
// under 2^60 and prices above -2^61, so nothing can overflow, and if it
// would, the solver says so (ErrTooLargeToSolve) rather than return a
// wrong answer. Prices only ever fall, so one bound suffices.
//
// Speed: about log(alpha*C)/log(scaleFactor) refines for costs up to C
// (after dividing out their common divisor), each in practice a few
// passes over the arcs; the global price update (updatePrices) keeps the
// number of relabels low. See BenchmarkSolve for figures.

// Pair is an eligible learner and mentor, as indexes into
// Problem.Learners and Problem.Mentors, with the pair's score.
type Pair struct {
	Learner, Mentor int32
	Score           Score
}

// Assignment is the solver's answer.
type Assignment struct {
	// Mentor holds, for each learner, the index of their mentor, or -1.
	Mentor []int32
	// Matched is how many learners have a mentor: the most possible.
	Matched int
	// Total is the sum of the matched pairs' scores: the highest possible
	// among matchings of Matched learners.
	Total Score
}

// ErrTooLargeToSolve is returned rather than a wrong answer when the
// scores' range and the problem's size together would overflow the exact
// integer arithmetic. Scaled costs fit for any scores within ±MaxScore up
// to about a million learners and mentors together; prices, checked as
// they fall, have stayed within 1.5 times the largest scaled cost in the
// benchmarks, dozens of times inside the limit even at the largest
// scores. Rounding scores to fewer decimal places cures it.
var ErrTooLargeToSolve = errors.New("match: scores too large or too precise for a problem this size")

// scaleFactor is how much eps shrinks per refine.
const scaleFactor = 8

const (
	costLimit  = 1 << 60
	priceLimit = 1 << 61
)

// Solve finds the matching with the most learners and, among those, the
// highest total score. capacity[j] is how many learners mentor j may
// take; pairs are the only eligible pairs. A pair listed twice is used
// once, at its better score. It returns an error for an index out of
// range, a negative capacity, a score beyond ±MaxScore or
// ErrTooLargeToSolve.
func Solve(learners int, capacity []int, pairs []Pair) (Assignment, error) {
	for _, p := range pairs {
		if p.Learner < 0 || int(p.Learner) >= learners || p.Mentor < 0 || int(p.Mentor) >= len(capacity) {
			return Assignment{}, fmt.Errorf("match: pair (%d, %d) is out of range", p.Learner, p.Mentor)
		}
		if p.Score > MaxScore || p.Score < -MaxScore {
			return Assignment{}, fmt.Errorf("match: score %s %w", p.Score, ErrTooLarge)
		}
	}
	for j, c := range capacity {
		if c < 0 || c > math.MaxInt32 {
			return Assignment{}, fmt.Errorf("match: mentor %d has capacity %d", j, c)
		}
	}
	if int64(len(pairs))+int64(learners)+int64(len(capacity)) > math.MaxInt32/2-2 {
		return Assignment{}, fmt.Errorf("match: %d pairs are more than the solver can index", len(pairs))
	}
	g := newGraph(learners, capacity, pairs)
	g.maxFlow()
	if err := g.minCost(); err != nil {
		return Assignment{}, err
	}
	return g.assignment(pairs), nil
}

// arc is one direction of an edge; its twin is arcs[rev].
type arc struct {
	head int32
	rev  int32
	cap  int32 // residual capacity
	both int32 // this arc's and its twin's residual capacities added up, which never changes
	cost int64
}

// twinCap is the residual capacity of the twin arc, read without touching
// it (the twin lies elsewhere in memory).
func (x *arc) twinCap() int32 { return x.both - x.cap }

// graph is the flow network in compressed form: node v's arcs are
// arcs[first[v]:first[v+1]]. Learner i is node i, mentor j is node
// learners+j, then the source and the sink.
type graph struct {
	n, learners  int
	source, sink int32
	first        []int32
	arcs         []arc
	pairArc      []int32 // arcs index of each pair's learner->mentor arc, or -1
	price        []int64
	excess       []int32
	current      []int32
	dist         []int32   // for updatePrices
	buckets      [][]int32 // for updatePrices
	active       int       // nodes with at least one arc
}

func newGraph(learners int, capacity []int, pairs []Pair) *graph {
	mentors := len(capacity)
	g := &graph{n: learners + mentors + 2, learners: learners}
	g.source, g.sink = int32(learners+mentors), int32(learners+mentors+1)
	deg := make([]int32, g.n+1)
	hasPair := make([]bool, g.n)
	for _, p := range pairs {
		if capacity[p.Mentor] == 0 {
			continue
		}
		l, m := p.Learner, int32(learners)+p.Mentor
		deg[l]++
		deg[m]++
		hasPair[l], hasPair[m] = true, true
	}
	for v := range learners + mentors {
		if hasPair[v] {
			deg[v]++
			if v < learners {
				deg[g.source]++
			} else {
				deg[g.sink]++
			}
			g.active++
		}
	}
	g.active += 2
	g.first = make([]int32, g.n+1)
	for v := range g.n {
		g.first[v+1] = g.first[v] + deg[v]
	}
	g.arcs = make([]arc, g.first[g.n])
	pos := deg[:g.n]
	copy(pos, g.first[:g.n])
	add := func(u, v, c int32, cost int64) int32 {
		a, b := pos[u], pos[v]
		pos[u]++
		pos[v]++
		g.arcs[a] = arc{head: v, rev: b, cap: c, both: c, cost: cost}
		g.arcs[b] = arc{head: u, rev: a, cap: 0, both: c, cost: -cost}
		return a
	}
	for v := range learners {
		if hasPair[v] {
			add(g.source, int32(v), 1, 0)
		}
	}
	g.pairArc = make([]int32, len(pairs))
	for i, p := range pairs {
		g.pairArc[i] = -1
		if capacity[p.Mentor] > 0 {
			g.pairArc[i] = add(p.Learner, int32(learners)+p.Mentor, 1, -int64(p.Score))
		}
	}
	for j, c := range capacity {
		if hasPair[learners+j] {
			add(int32(learners+j), g.sink, int32(c), 0)
		}
	}
	g.price = make([]int64, g.n)
	g.excess = make([]int32, g.n)
	g.current = make([]int32, g.n)
	g.dist = make([]int32, g.n)
	g.buckets = make([][]int32, 3*g.n+1)
	return g
}

// maxFlow is Dinic's algorithm: breadth-first levels from the source, then
// unit augmenting paths along rising levels until none is left. Every
// path carries one unit, since each learner's source arc has capacity 1.
func (g *graph) maxFlow() {
	level := make([]int32, g.n)
	queue := make([]int32, 0, g.n)
	for {
		for i := range level {
			level[i] = -1
		}
		level[g.source] = 0
		queue = append(queue[:0], g.source)
		for h := 0; h < len(queue); h++ {
			v := queue[h]
			for a := g.first[v]; a < g.first[v+1]; a++ {
				if w := g.arcs[a].head; g.arcs[a].cap > 0 && level[w] < 0 {
					level[w] = level[v] + 1
					queue = append(queue, w)
				}
			}
		}
		if level[g.sink] < 0 {
			return
		}
		copy(g.current, g.first[:g.n])
		for g.augment(g.source, level) {
		}
	}
}

func (g *graph) augment(v int32, level []int32) bool {
	if v == g.sink {
		return true
	}
	for end := g.first[v+1]; g.current[v] < end; g.current[v]++ {
		a := &g.arcs[g.current[v]]
		if a.cap > 0 && level[a.head] == level[v]+1 && g.augment(a.head, level) {
			a.cap--
			g.arcs[a.rev].cap++
			return true
		}
	}
	return false
}

// minCost scales the costs by alpha = n+1 and refines the flow from
// eps = the largest cost down to eps = 1 (see the package comment above).
func (g *graph) minCost() error {
	alpha := int64(g.active + 1)
	// Dividing every cost by their greatest common divisor changes no
	// answer but can save many refines: the scoring model's scores are
	// multiples of 0.2, say, not of 0.000001.
	var maxCost, divisor int64
	for i := range g.arcs {
		c := max(g.arcs[i].cost, -g.arcs[i].cost)
		maxCost = max(maxCost, c)
		divisor = gcd(divisor, c)
	}
	if maxCost == 0 {
		return nil
	}
	maxCost /= divisor
	if maxCost > costLimit/alpha {
		return ErrTooLargeToSolve
	}
	for i := range g.arcs {
		g.arcs[i].cost = g.arcs[i].cost / divisor * alpha
	}
	for eps := maxCost * alpha; eps > 1; {
		eps = max(1, eps/scaleFactor)
		if err := g.refine(eps); err != nil {
			return err
		}
	}
	return nil
}

// refine turns an (eps*scaleFactor)-optimal flow into an eps-optimal one
// of the same value: it saturates every residual arc of negative reduced
// cost, which leaves some nodes with excess and some with deficit, then
// pushes excess along admissible arcs (residual, negative reduced cost),
// lowering a node's price by at least eps when it has none, until every
// node is balanced again.
func (g *graph) refine(eps int64) error {
	arcs, first, price, excess := g.arcs, g.first, g.price, g.excess
	for v := range int32(g.n) {
		pv := price[v]
		for a := first[v]; a < first[v+1]; a++ {
			if x := &arcs[a]; x.cap > 0 && x.cost+pv-price[x.head] < 0 {
				excess[v] -= x.cap
				excess[x.head] += x.cap
				arcs[x.rev].cap += x.cap
				x.cap = 0
			}
		}
	}
	queue := newRing(g.n)
	for v := range int32(g.n) {
		if excess[v] > 0 {
			queue.push(v)
		}
	}
	relabels := 0
	if err := g.updatePrices(eps); err != nil {
		return err
	}
	for !queue.empty() {
		if relabels > g.n/2 {
			if err := g.updatePrices(eps); err != nil {
				return err
			}
			relabels = 0
		}
		v := queue.pop()
		for excess[v] > 0 {
			pv := price[v]
			a, end := g.current[v], first[v+1]
			for ; a < end; a++ {
				x := &arcs[a]
				if x.cap == 0 || x.cost+pv-price[x.head] >= 0 {
					continue
				}
				w := x.head
				d := min(excess[v], x.cap)
				x.cap -= d
				arcs[x.rev].cap += d
				excess[v] -= d
				if excess[w] <= 0 && excess[w]+d > 0 {
					queue.push(w)
				}
				excess[w] += d
				if excess[v] == 0 {
					break
				}
			}
			g.current[v] = a
			if excess[v] > 0 {
				if err := g.relabel(v, eps); err != nil {
					return err
				}
				relabels++
			}
		}
	}
	return nil
}

// relabel lowers v's price just enough, and then eps more, to make its
// cheapest residual arc admissible.
func (g *graph) relabel(v int32, eps int64) error {
	best := int64(math.MinInt64)
	for a := g.first[v]; a < g.first[v+1]; a++ {
		if x := &g.arcs[a]; x.cap > 0 {
			best = max(best, g.price[x.head]-x.cost)
		}
	}
	p := best - eps
	if p < -priceLimit {
		return ErrTooLargeToSolve
	}
	g.price[v] = p
	g.current[v] = g.first[v]
	return nil
}

// updatePrices is the "global price update" heuristic: it lowers prices
// so that every node with excess has an admissible path to a node with a
// deficit, keeping the flow eps-optimal, which saves many small relabels.
//
// With arc lengths len(v,w) = floor(reduced cost / eps) + 1 (never
// negative, by eps-optimality), let d(v) be the length of a shortest
// residual path from v to a node with deficit. Lowering every price by
// eps*d keeps each residual arc's reduced cost at least -eps, since
// d(v) <= d(w) + len(v,w). Dijkstra's algorithm with one bucket per
// length, run backwards from the deficits, finds d; it stops once every
// node with excess has been reached, and nodes not yet reached take the
// level it stopped at, which keeps the same inequality. Lengths beyond
// 3n are not followed (no price needs to fall further in one refine); if
// that leaves a node with excess unreached, prices stay as they were.
func (g *graph) updatePrices(eps int64) error {
	const unreached = math.MaxInt32
	dist, buckets := g.dist, g.buckets
	for v := range dist {
		dist[v] = unreached
	}
	for b := range buckets {
		buckets[b] = buckets[b][:0]
	}
	waiting := 0 // nodes with excess not yet scanned
	for v := range int32(g.n) {
		switch {
		case g.excess[v] < 0:
			dist[v] = 0
			buckets[0] = append(buckets[0], v)
		case g.excess[v] > 0:
			waiting++
		}
	}
	level := int32(0)
scan:
	for ; int(level) < len(buckets); level++ {
		for k := 0; k < len(buckets[level]); k++ {
			w := buckets[level][k]
			if dist[w] != level {
				continue // reached again, more cheaply; or already scanned
			}
			dist[w] = -1 - level // scanned: final distance level
			if g.excess[w] > 0 {
				if waiting--; waiting == 0 {
					break scan
				}
			}
			pw := g.price[w]
			for a := g.first[w]; a < g.first[w+1]; a++ {
				x := &g.arcs[a]
				v := x.head
				if x.twinCap() == 0 || dist[v] < 0 {
					continue
				}
				reduced := -x.cost + g.price[v] - pw // of the residual arc v->w
				length := int64(0)
				if reduced >= 0 {
					length = reduced/eps + 1
				}
				if d := int64(level) + length; d < int64(dist[v]) && d < int64(len(buckets)) {
					dist[v] = int32(d)
					buckets[d] = append(buckets[d], v)
				}
			}
		}
	}
	if waiting > 0 {
		// Some node with excess lies beyond the last bucket: leave the
		// prices as they are; the update is only ever a shortcut.
		return nil
	}
	for v := range g.n {
		d := int64(level)
		if dist[v] < 0 {
			d = int64(-1 - dist[v])
		}
		if d > 0 {
			if d > (g.price[v]+priceLimit)/eps {
				return ErrTooLargeToSolve
			}
			g.price[v] -= d * eps
		}
		g.current[v] = g.first[v]
	}
	return nil
}

func (g *graph) assignment(pairs []Pair) Assignment {
	as := Assignment{Mentor: make([]int32, g.learners)}
	for i := range as.Mentor {
		as.Mentor[i] = -1
	}
	for i, p := range pairs {
		if a := g.pairArc[i]; a >= 0 && g.arcs[a].cap == 0 {
			as.Mentor[p.Learner] = p.Mentor
			as.Matched++
			as.Total += p.Score
		}
	}
	return as
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ring is a first-in first-out queue of nodes; each node is in it at most
// once, so n slots suffice.
type ring struct {
	buf        []int32
	head, size int
}

func newRing(n int) *ring { return &ring{buf: make([]int32, n)} }

func (r *ring) empty() bool { return r.size == 0 }

func (r *ring) push(v int32) {
	r.buf[(r.head+r.size)%len(r.buf)] = v
	r.size++
}

func (r *ring) pop() int32 {
	v := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return v
}
