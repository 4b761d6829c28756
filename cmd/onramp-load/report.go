package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"
)

func printResult(r result) {
	fmt.Printf("  %-42s %7.0f req/s  p50 %6s  p95 %6s  p99 %6s  errors %d\n",
		r.name, r.rate(), ms(r.pct(0.50)), ms(r.pct(0.95)), ms(r.pct(0.99)), r.errors)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// weight is what a lesson page costs a phone, compressed, media excluded.
type weight struct {
	html, assets int
	files        []string
}

var assetRefs = regexp.MustCompile(`(?:href|src|data-nhsuk-frontend)="(/static/[^"]+)"`)

// pageWeight fetches a lesson page and every stylesheet and script it
// loads, as a browser would, gzip-compressed, and adds up the bytes sent.
func pageWeight(l *learner, base, lessonID string) (weight, error) {
	var w weight
	fetch := func(u string) (raw []byte, wire int, err error) {
		req := l.request(http.MethodGet, u)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, 0, err
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return nil, 0, err
			}
			raw, err = io.ReadAll(zr)
			return raw, len(body), err
		}
		return body, len(body), nil
	}
	html, n, err := fetch(base + "/learn/" + loadProgramme + "/lessons/" + lessonID)
	if err != nil {
		return w, err
	}
	w.html = n
	for _, m := range assetRefs.FindAllSubmatch(html, -1) {
		_, n, err := fetch(base + string(m[1]))
		if err != nil {
			return w, err
		}
		w.assets += n
		w.files = append(w.files, fmt.Sprintf("%s %.1f KB", m[1], float64(n)/1024))
	}
	return w, nil
}

func report(out io.Writer, o options, rs []result, pg []pgResult, w weight) {
	fmt.Fprintf(out, "\n## Onramp load test (%d learners, %d connections, %s a phase)\n\n", o.users, o.conns, o.duration)
	fmt.Fprintln(out, "| phase | requests | req/s | p50 | p95 | p99 | errors |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Fprintf(out, "| %s | %d | %.0f | %s | %s | %s | %d |\n", r.name, r.requests, r.rate(), ms(r.pct(.5)), ms(r.pct(.95)), ms(r.pct(.99)), r.errors)
	}
	if len(pg) > 0 {
		fmt.Fprintln(out, "\n| the same statements in pgbench | transactions/s | app as share of PostgreSQL alone |")
		fmt.Fprintln(out, "|---|---|---|")
		for i, p := range pg {
			app := rs[2*i].rate() // the closed-loop phase of the same request
			fmt.Fprintf(out, "| %s | %.0f | %.0f%% |\n", p.name, p.tps, 100*app/p.tps)
		}
	}
	fmt.Fprintf(out, "\nLesson page weight, gzip, media excluded: %.1f KB (HTML %.1f KB + CSS/JS %.1f KB)\n",
		float64(w.html+w.assets)/1024, float64(w.html)/1024, float64(w.assets)/1024)
	for _, f := range w.files {
		fmt.Fprintln(out, "  ", f)
	}
}
