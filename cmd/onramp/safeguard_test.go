package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runWithErr is run with the command's standard error kept.
func runWithErr(t *testing.T, errOut io.Writer, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := Main{Out: &out, Err: errOut}.Run(ctx, args)
	return out.String(), err
}

// withStdin makes the command read input from a file holding body.
func withStdin(t *testing.T, body string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin.jsonl")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = old; f.Close() })
}

type scanLine struct {
	ID     any       `json:"id"`
	Labels *[]string `json:"labels"`
}

func parseScanOutput(t *testing.T, out string) []scanLine {
	t.Helper()
	var lines []scanLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		var s scanLine
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("output line %q is not JSON: %v", l, err)
		}
		if s.Labels == nil {
			t.Fatalf("output line %q has no labels list (null or missing)", l)
		}
		lines = append(lines, s)
	}
	return lines
}

func TestSafeguardScanLabelsEachMessageInInputOrder(t *testing.T) {
	withStdin(t, `{"id":"m1","text":"see you at the open day on the 14th","sender":"mentor"}
{"id":"m2","text":"text me on 07700 900 123","sender":"learner"}
{"id":3,"text":"i dont want to be here anymore","sender":"learner"}

{"id":"m4","text":"our secret ok? add me on snap","sender":"mentor"}
`)
	out, err := run(t, "safeguard", "scan")
	if err != nil {
		t.Fatalf("safeguard scan: %v", err)
	}
	if strings.Contains(out, "null") {
		t.Errorf("output has a null:\n%s", out)
	}
	got := parseScanOutput(t, out)
	want := []struct {
		id     any
		labels string
	}{
		{"m1", ""}, {"m2", "contact_details"}, {float64(3), "concern"}, {"m4", "contact_details,concern"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d output lines, want %d:\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		if got[i].ID != w.id || strings.Join(*got[i].Labels, ",") != w.labels {
			t.Errorf("line %d: id %v labels %v, want id %v labels [%s]", i+1, got[i].ID, *got[i].Labels, w.id, w.labels)
		}
	}
	if !strings.Contains(out, `{"id":"m1","labels":[]}`) {
		t.Errorf("a normal message is not written as an empty list:\n%s", out)
	}
}

func TestSafeguardScanReportsBadLinesKeepsGoingAndFails(t *testing.T) {
	withStdin(t, `{"id":"a","text":"hello"}
not json
{"id":"b"}
{"id":"c","text":"my email is jo@example.com"}`)
	var errOut strings.Builder
	out, err := runWithErr(t, &errOut, "safeguard", "scan")
	if err == nil {
		t.Fatal("bad lines did not make the command fail")
	}
	var u usageError
	if errors.As(err, &u) {
		t.Fatalf("bad input is not a usage error: %v", err)
	}
	for _, want := range []string{"line 2:", "line 3:"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr does not name %s:\n%s", want, errOut.String())
		}
	}
	got := parseScanOutput(t, out)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" || strings.Join(*got[1].Labels, ",") != "contact_details" {
		t.Fatalf("good lines were not all scanned:\n%s", out)
	}
}

func TestSafeguardScanHandlesALargeInput(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		b.WriteString(`{"id":"`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(`","text":"the interview is at 10:30, ring me on 07700 900 123 after"}` + "\n")
	}
	withStdin(t, b.String())
	out, err := run(t, "safeguard", "scan")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, `"labels":["contact_details"]`); n != 5000 {
		t.Fatalf("%d of 5000 messages labelled", n)
	}
}

func TestSafeguardScanNamesABadListsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lists.txt")
	if err := os.WriteFile(path, []byte("[concern grooming]\n(unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONRAMP_SAFEGUARDING_LISTS", path)
	withStdin(t, `{"id":"a","text":"hello"}`)
	_, err := run(t, "safeguard", "scan")
	if err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Fatalf("got %v, want an error naming %s:2", err, path)
	}
}

func TestSafeguardWithoutScanIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"safeguard"}, {"safeguard", "scna"}} {
		_, err := run(t, args...)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "safeguard scan") {
			t.Errorf("onramp %q returned %v, want the safeguard usage", args, err)
		}
	}
}
