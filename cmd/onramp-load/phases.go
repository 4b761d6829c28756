package main

import (
	"context"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// result is one phase's outcome.
type result struct {
	name      string
	requests  int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.latencies)-1))
	return r.latencies[i]
}

var client = &http.Client{
	Timeout: 30 * time.Second,
	// Redirects count as answers: a lesson page never redirects when all
	// is well, and the load tool should not follow one off to sign-in.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute},
}

// do sends req, drains the body and reports whether it succeeded.
func do(req *http.Request) bool {
	// Ask for compression as a browser does, but leave the bytes packed:
	// a phone unpacks on its own CPU, not this machine's.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode < 400
}

type collector struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
}

func (c *collector) add(local []time.Duration, errs int) {
	c.mu.Lock()
	c.latencies = append(c.latencies, local...)
	c.errors += errs
	c.mu.Unlock()
}

func (c *collector) result(name string, elapsed time.Duration) result {
	sort.Slice(c.latencies, func(i, j int) bool { return c.latencies[i] < c.latencies[j] })
	return result{name: name, requests: len(c.latencies), errors: c.errors, elapsed: elapsed, latencies: c.latencies}
}

// closedLoop keeps conns requests in flight for d: the throughput ceiling.
func closedLoop(ctx context.Context, name string, conns int, d time.Duration, next func(int) *http.Request, _ []*learner) result {
	var n atomic.Int64
	var col collector
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			errs := 0
			for ctx.Err() == nil {
				req := next(int(n.Add(1) - 1))
				t0 := time.Now()
				if !do(req) {
					errs++
				}
				local = append(local, time.Since(t0))
			}
			col.add(local, errs)
		}()
	}
	wg.Wait()
	r := col.result(name, time.Since(start))
	printResult(r)
	return r
}

// openLoop sends rate requests a second for d over up to conns
// connections. Latency runs from when a request was due, so time spent
// waiting for a free connection counts against the server.
func openLoop(ctx context.Context, name string, conns, rate int, d time.Duration, next func(int) *http.Request, _ []*learner) result {
	total := int(float64(rate) * d.Seconds())
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, total)
	var col collector
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			errs := 0
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if !do(next(j.i)) {
					errs++
				}
				local = append(local, time.Since(j.due))
			}
			col.add(local, errs)
		}()
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	sent := 0
	for sent < total && ctx.Err() == nil {
		now := time.Now()
		for sent < total {
			due := start.Add(time.Duration(sent) * interval)
			if due.After(now) {
				break
			}
			jobs <- job{sent, due}
			sent++
		}
		time.Sleep(500 * time.Microsecond)
	}
	close(jobs)
	wg.Wait()
	r := col.result(name, time.Since(start))
	printResult(r)
	return r
}
