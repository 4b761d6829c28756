package match_test

import (
	"fmt"
	"testing"

	"onramp/modules/mentoring/match"
	"onramp/modules/mentoring/match/matchtest"
)

// BenchmarkSolve times the solver alone on random problems with about 50
// eligible pairs per learner (see matchtest.Random). Run with
//
//	go test -run '^$' -bench Solve -benchtime 3x ./modules/mentoring/match/
func BenchmarkSolve(b *testing.B) {
	for _, size := range []struct{ learners, mentors int }{{1000, 200}, {10000, 2000}, {50000, 10000}} {
		b.Run(fmt.Sprintf("%dx%d", size.learners, size.mentors), func(b *testing.B) {
			p, pairs := matchtest.Random(size.learners, size.mentors, 50, 1)
			capacity := make([]int, len(p.Mentors))
			for j, m := range p.Mentors {
				capacity[j] = m.Capacity
			}
			b.ResetTimer()
			var a match.Assignment
			for b.Loop() {
				var err error
				if a, err = match.Solve(len(p.Learners), capacity, pairs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(a.Matched), "matched")
		})
	}
}
