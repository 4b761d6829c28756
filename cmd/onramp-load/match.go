package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"onramp/modules/mentoring/match/matchtest"
)

// writeMatchProblem writes the random problem BenchmarkSolve uses (about
// 50 eligible pairs per learner, capacities 1-5, six-decimal scores) as
// files for `onramp match --problem DIR/problem.json --scores
// DIR/pairs.csv`, so the whole command, parsing included, can be timed.
func writeMatchProblem(size, dir string) error {
	var learners, mentors int
	if _, err := fmt.Sscanf(size, "%dx%d", &learners, &mentors); err != nil || learners <= 0 || mentors <= 0 {
		return fmt.Errorf("-match-problem %q: want LEARNERSxMENTORS, e.g. 10000x2000", size)
	}
	p, pairs := matchtest.Random(learners, mentors, 50, 1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err := writeFile(filepath.Join(dir, "problem.json"), func(w *bufio.Writer) error {
		w.WriteString("{\"learners\": [\n")
		for i, l := range p.Learners {
			if err := writeElement(w, l, i == len(p.Learners)-1); err != nil {
				return err
			}
		}
		w.WriteString("],\n\"mentors\": [\n")
		for j, m := range p.Mentors {
			if err := writeElement(w, m, j == len(p.Mentors)-1); err != nil {
				return err
			}
		}
		_, err := w.WriteString("]}\n")
		return err
	})
	if err != nil {
		return err
	}
	err = writeFile(filepath.Join(dir, "pairs.csv"), func(w *bufio.Writer) error {
		w.WriteString("learner_id,mentor_id,score\n")
		for _, pr := range pairs {
			fmt.Fprintf(w, "%s,%s,%s\n", p.Learners[pr.Learner].ID, p.Mentors[pr.Mentor].ID, pr.Score)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s/problem.json (%d learners, %d mentors) and %s/pairs.csv (%d pairs)\n", dir, learners, mentors, dir, len(pairs))
	return nil
}

func writeElement(w *bufio.Writer, v any, last bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Write(b)
	if !last {
		w.WriteByte(',')
	}
	return w.WriteByte('\n')
}

func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
