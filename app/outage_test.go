package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// outageServer starts Onramp with its database behind a fault proxy and
// short database deadlines, so a test can stop or hang PostgreSQL for
// this server alone.
func outageServer(t *testing.T) (*testenv.Server, *testenv.FaultProxy) {
	t.Helper()
	p, viaProxy := testenv.DatabaseProxy(t)
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.DatabaseURL = viaProxy
		cfg.DBAcquireTimeout, cfg.DBStatementTimeout, cfg.RequestTimeout = time.Second, time.Second, 5*time.Second
	})
	return srv, p
}

// getAs fetches path as a browser (accept is "text/html") or an API
// client and returns the status, headers and body; a transport error,
// such as the client's own timeout, is returned rather than failing.
func getAs(c *testenv.Client, path, accept string) (int, http.Header, string, error) {
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Accept", accept)
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b), err
}

// waitUntilServed polls path until it answers 200, failing after 15 s.
func waitUntilServed(t *testing.T, c *testenv.Client, path string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _, body, err := getAs(c, path, "application/json")
		if status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not recover within 15s of the database returning: %d %v %.200s", path, status, err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// metricValue reads one counter's value from the app's /metrics.
func metricValue(t *testing.T, srv *testenv.Server, name string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.App.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// checkOutagePage requires the answers a person gets while the database
// is down: 503 with Retry-After, an NHS page for a browser and problem
// details for the API, each saying what happened in plain words.
func checkOutageAnswer(t *testing.T, c *testenv.Client, what string) {
	t.Helper()
	status, h, body, err := getAs(c, "/learn", "text/html")
	if err != nil || status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "cannot reach its records") ||
		!strings.Contains(body, "nhsuk") {
		t.Errorf("a page with the database %s: %d %v Retry-After %q %q %.300s", what, status, err, h.Get("Retry-After"), h.Get("Content-Type"), body)
	}
	status, h, body, err = getAs(c, "/api/v1/me", "application/json")
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal([]byte(body), &p)
	if err != nil || status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" ||
		h.Get("Content-Type") != "application/problem+json" || p.Status != 503 || !strings.Contains(p.Detail, "try again") {
		t.Errorf("the API with the database %s: %d %v Retry-After %q %q %.300s", what, status, err, h.Get("Retry-After"), h.Get("Content-Type"), body)
	}
}

// TestAStoppedDatabaseIsA503WithRetryAfterNotABare500: while PostgreSQL
// refuses connections, signed-in people get Onramp's own 503 (the
// session store's failure included), and everything works again once
// it is back, without a restart.
func TestAStoppedDatabaseIsA503WithRetryAfterNotABare500(t *testing.T) {
	srv, p := outageServer(t)
	learner := srv.SignIn(t, "learner@example.org")
	before := metricValue(t, srv, "onramp_db_unavailable_total")
	p.Cut()
	checkOutageAnswer(t, learner, "stopped")
	if after := metricValue(t, srv, "onramp_db_unavailable_total"); after < before+2 {
		t.Errorf("onramp_db_unavailable_total went from %v to %v over two 503s", before, after)
	}
	p.Restore()
	waitUntilServed(t, learner, "/api/v1/me")
}

// TestAHungDatabaseFailsRequestsWithA503AndThePoolRecovers: with
// PostgreSQL taking connections but never answering, requests (more of
// them than the pool has connections) are answered 503 instead of
// waiting for it, and the pool serves again once it answers.
func TestAHungDatabaseFailsRequestsWithA503AndThePoolRecovers(t *testing.T) {
	srv, p := outageServer(t)
	learner := srv.SignIn(t, "learner@example.org")
	p.Freeze()
	// The client waits far longer than the database deadlines (1 s) and
	// the request budget (5 s): a request that waits for the database
	// shows up as a client timeout.
	learner.Client.Timeout = 20 * time.Second
	var wg sync.WaitGroup
	results := make(chan string, 15)
	for range 15 { // more than the pool's 10 connections
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, h, _, err := getAs(learner, "/api/v1/me", "application/json")
			if err != nil || status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
				results <- fmt.Sprintf("%d %v Retry-After %q", status, err, h.Get("Retry-After"))
			}
		}()
	}
	wg.Wait()
	close(results)
	for r := range results {
		t.Errorf("a request with the database hung: %s, want 503 with Retry-After", r)
	}
	checkOutageAnswer(t, learner, "hung")
	p.Restore()
	waitUntilServed(t, learner, "/api/v1/me")
}

// TestWritesAcknowledgedAcrossADatabaseOutageAreAllKept sends messages
// from several clients while PostgreSQL stops and comes back: every
// answer is 201 or a 503 with Retry-After (never a 500), and every
// message acknowledged with 201 is in the database afterwards.
func TestWritesAcknowledgedAcrossADatabaseOutageAreAllKept(t *testing.T) {
	srv, p := outageServer(t)
	id := demoMentorship(t)
	api := "/api/v1/mentorships/" + id + "/messages"
	learner := srv.SignIn(t, "learner@example.org")
	mentor := srv.SignIn(t, "mentor@example.org")

	var mu sync.Mutex
	var acked []string
	counts := map[int]int{}
	var wrong []string
	firstAcks := make(chan struct{}, 64)
	send := func(c *testenv.Client, n int) {
		body := fmt.Sprintf(`{"body":"Outage test message %d"}`, n)
		req, _ := http.NewRequest(http.MethodPost, c.Base+api, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		resp, err := c.Client.Do(req)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			wrong = append(wrong, err.Error())
			return
		}
		defer resp.Body.Close()
		counts[resp.StatusCode]++
		switch {
		case resp.StatusCode == http.StatusCreated:
			var out sent
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID == "" {
				wrong = append(wrong, fmt.Sprintf("201 without an id: %v", err))
				return
			}
			acked = append(acked, out.ID)
			select {
			case firstAcks <- struct{}{}:
			default:
			}
		case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		default:
			b, _ := io.ReadAll(resp.Body)
			wrong = append(wrong, fmt.Sprintf("%d %.200s", resp.StatusCode, b))
		}
	}
	var wg sync.WaitGroup
	for w, c := range []*testenv.Client{learner, mentor, learner, mentor} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				send(c, w*1000+i)
			}
		}()
	}
	for range 8 {
		<-firstAcks
	}
	p.Cut()
	time.Sleep(time.Second)
	p.Restore()
	wg.Wait()

	if len(wrong) > 0 {
		t.Errorf("answers other than 201 or 503 with Retry-After: %q", wrong)
	}
	if counts[http.StatusServiceUnavailable] == 0 || counts[http.StatusCreated] == 0 {
		t.Errorf("answers %v: want some 503s during the outage and 201s around it", counts)
	}
	var kept int64
	if err := testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM messages WHERE id IN ?`, acked).Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if kept != int64(len(acked)) {
		t.Errorf("%d messages were acknowledged with 201 but only %d are in the database", len(acked), kept)
	}
}
