package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"onramp/modules/mentoring/match"
)

const matchUsage = "usage: onramp match --problem problem.json [--scores pairs.csv] [--out result.json]"

// match runs the matching engine offline: it reads a problem (and, with
// --scores, the only eligible pairs and their scores, instead of the
// scoring model), and writes {"matches", "unmatched", "total_score"} to
// --out or standard output. Mistakes in the files come back as errors
// naming the file and line.
func (m Main) match(args []string) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	problemPath := fs.String("problem", "", "the problem: learners and mentors (JSON)")
	scoresPath := fs.String("scores", "", "the only eligible pairs and their scores (CSV learner_id,mentor_id,score); skips the scoring model")
	outPath := fs.String("out", "", "where to write the result (JSON); standard output if absent")
	if err := fs.Parse(args); err != nil || *problemPath == "" || fs.NArg() > 0 {
		return usageError(matchUsage)
	}
	p, err := readFile(*problemPath, func(r io.Reader) (match.Problem, error) {
		return match.ReadProblem(*problemPath, r)
	})
	if err != nil {
		return err
	}
	var result match.Result
	if *scoresPath == "" {
		result, err = match.DefaultModel().Run(p)
	} else {
		var pairs []match.Pair
		pairs, err = readFile(*scoresPath, func(r io.Reader) ([]match.Pair, error) {
			return match.ReadPairs(*scoresPath, bufio.NewReaderSize(r, 1<<16), p)
		})
		if err != nil {
			return err
		}
		result, err = match.RunPairs(p, pairs)
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(result); err != nil {
		return err
	}
	if *outPath == "" {
		_, err = m.Out.Write(out.Bytes())
		return err
	}
	if err := os.WriteFile(*outPath, out.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	return nil
}

func readFile[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f)
}
