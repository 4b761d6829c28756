package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchMessages are ordinary messages: the detector passes them, so each
// is delivered (and pushed live) rather than held.
var benchMessages = []string{
	"Hi, how did the interview go on Tuesday?",
	"Thanks for the tips about the personal statement, I rewrote the first paragraph.",
	"Shall we look at the apprenticeship list together next week?",
	"I shadowed a physio today and loved it, the gym sessions were really busy.",
	"Good luck with your exams, remember to take breaks.",
}

// pairing is one load mentorship and its two signed-in people.
type pairing struct {
	id              string
	learner, mentor *learner
}

// messageProof is the messaging performance proof: it signs in
// o.streams load people, pairs them set-based in the bench database into
// active mentorships (half learners, half mentors), opens one event stream
// per person, then sends messages at o.msgRate a second through the API
// for o.duration and times each from when it was due to when the other
// person's stream names it. It reports the app's RSS per open stream.
func messageProof(ctx context.Context, o options, dbURL string) error {
	if o.streams < 2 || o.streams%2 != 0 {
		return fmt.Errorf("-streams must be an even number of at least 2")
	}
	o.users = o.streams
	if err := recreate(ctx, o.adminURL, o.dbName); err != nil {
		return err
	}
	app, err := start(ctx, o, dbURL)
	if err != nil {
		return err
	}
	defer app.stop()
	base := "http://" + o.addr

	fmt.Printf("signing in %d people through the dev OpenID provider...\n", o.streams)
	people, err := signIn(ctx, base, o.streams)
	if err != nil {
		return err
	}
	pairs, err := pairUp(ctx, dbURL, people)
	if err != nil {
		return err
	}
	fmt.Printf("paired them into %d active mentorships\n", len(pairs))

	pid := app.cmd.Process.Pid
	time.Sleep(2 * time.Second) // let sign-in garbage settle before the baseline
	before, err := rssKB(pid)
	if err != nil {
		return err
	}
	rec := newReceipts()
	streamCtx, closeStreams := context.WithCancel(ctx)
	defer closeStreams()
	var opened sync.WaitGroup
	var failed atomic.Int64
	for _, p := range pairs {
		for _, who := range []*learner{p.learner, p.mentor} {
			opened.Add(1)
			go stream(streamCtx, base, p.id, who, rec, &opened, &failed)
		}
	}
	opened.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d event streams failed to open; see %s", n, app.log.Name())
	}
	time.Sleep(2 * time.Second)
	during, err := rssKB(pid)
	if err != nil {
		return err
	}
	fmt.Printf("opened %d event streams: app RSS %d KB before, %d KB with them open\n", o.streams, before, during)

	loadBefore := loadAvg()
	sends := sendAtRate(ctx, base, pairs, o.msgRate, o.duration, rec)
	time.Sleep(time.Second) // the last messages' events
	after, _ := rssKB(pid)
	lat, missing := rec.latencies()
	r := result{name: fmt.Sprintf("send to the other side's stream, %d/s", o.msgRate), requests: len(lat) + missing,
		errors: missing, elapsed: o.duration, latencies: lat}
	fmt.Println()
	fmt.Printf("Messaging with %d open event streams over %d mentorships (%s at %d messages/s):\n", o.streams, len(pairs), o.duration, o.msgRate)
	printResult(sends)
	printResult(r)
	fmt.Printf("  %d messages sent, %d received on the other side's stream, %d not received within 1 s of the end\n",
		len(sends.latencies)+sends.errors, len(lat), missing)
	fmt.Printf("  app RSS: %d KB before the streams, %d KB with %d open (%.1f KB per stream), %d KB after sending\n",
		before, during, o.streams, float64(during-before)/float64(o.streams), after)
	fmt.Printf("  machine load average (1 min): %s before sending, %s after, on %d cores shared with other work\n", loadBefore, loadAvg(), runtime.NumCPU())
	fmt.Println("  scan cost per message: go test -run '^$' -bench Typical ./modules/messaging/detect")
	return nil
}

// pairUp makes active mentorships between the first and second half of
// people, set-based, and grants the second half the mentor role.
func pairUp(ctx context.Context, dbURL string, people []*learner) ([]pairing, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	half := len(people) / 2
	learners, mentors := make([]string, half), make([]string, half)
	for i := range half {
		learners[i], mentors[i] = people[i].userID, people[half+i].userID
	}
	if _, err := conn.Exec(ctx, `INSERT INTO role_grants (user_id, role) SELECT unnest($1::uuid[]), 'mentor'
		ON CONFLICT DO NOTHING`, mentors); err != nil {
		return nil, fmt.Errorf("granting the mentor role: %w", err)
	}
	rows, err := conn.Query(ctx, `INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, proposed_at,
		approved_at, starts_on, ends_on)
		SELECT p.l, p.m, COALESCE(u.organisation_id, (SELECT id FROM organisations ORDER BY name LIMIT 1)), 'active', now(), now(),
		       current_date, (current_date + interval '6 months')::date
		FROM unnest($1::uuid[], $2::uuid[]) AS p(l, m) JOIN users u ON u.id = p.l
		RETURNING id, learner_id`, learners, mentors)
	if err != nil {
		return nil, fmt.Errorf("pairing load people: %w", err)
	}
	byLearner := map[string]string{}
	for rows.Next() {
		var id, l string
		if err := rows.Scan(&id, &l); err != nil {
			return nil, err
		}
		byLearner[l] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pairing load people: %w", err)
	}
	out := make([]pairing, half)
	for i := range half {
		out[i] = pairing{id: byLearner[learners[i]], learner: people[i], mentor: people[half+i]}
	}
	return out, nil
}

// streamClient holds one connection per open stream, as browsers do.
var streamClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}

// stream opens who's event stream on a mentorship and reports each event
// that names a message from the other person.
func stream(ctx context.Context, base, mentorshipID string, who *learner, rec *receipts, opened *sync.WaitGroup, failed *atomic.Int64) {
	req := who.request(http.MethodGet, base+"/api/v1/mentorships/"+mentorshipID+"/events").WithContext(ctx)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip") // as a browser asks; the stream itself is never packed
	resp, err := streamClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		if err == nil {
			resp.Body.Close()
		}
		failed.Add(1)
		opened.Done()
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	first := true
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if first { // the "retry:" preamble: the stream is open
				first = false
				opened.Done()
			}
			if data != nil {
				var ev struct {
					ID   string `json:"id"`
					Mine bool   `json:"mine"`
				}
				if json.Unmarshal(data, &ev) == nil && !ev.Mine {
					rec.received(ev.ID, time.Now())
				}
				data = nil
			}
			continue
		}
		if d, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			data = append([]byte(nil), d...)
		}
	}
	if first {
		opened.Done()
	}
}

// receipts matches each sent message (known once its POST answers) with
// its arrival on the other side's stream (which can come first).
type receipts struct {
	mu      sync.Mutex
	due     map[string]time.Time
	arrived map[string]time.Time
}

func newReceipts() *receipts {
	return &receipts{due: map[string]time.Time{}, arrived: map[string]time.Time{}}
}

func (r *receipts) sent(id string, due time.Time) {
	r.mu.Lock()
	r.due[id] = due
	r.mu.Unlock()
}

func (r *receipts) received(id string, at time.Time) {
	r.mu.Lock()
	if _, seen := r.arrived[id]; !seen {
		r.arrived[id] = at
	}
	r.mu.Unlock()
}

// latencies are the sorted send-to-receipt times, and how many sent
// messages never arrived.
func (r *receipts) latencies() ([]time.Duration, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Duration
	missing := 0
	for id, due := range r.due {
		at, ok := r.arrived[id]
		if !ok {
			missing++
			continue
		}
		out = append(out, at.Sub(due))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, missing
}

// sendAtRate posts rate messages a second for d, round the mentorships,
// learner and mentor in turn. Each is timed from when it was due, so a
// slow server cannot hide its queue.
func sendAtRate(ctx context.Context, base string, pairs []pairing, rate int, d time.Duration, rec *receipts) result {
	total := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	var col collector
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		p := pairs[i%len(pairs)]
		from := p.learner
		if (i/len(pairs))%2 == 1 {
			from = p.mentor
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]string{"body": benchMessages[i%len(benchMessages)]})
			req := from.request(http.MethodPost, base+"/api/v1/mentorships/"+p.id+"/messages")
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			took := time.Since(due)
			if err != nil {
				col.add(nil, 1)
				return
			}
			var sent struct{ ID, Status string }
			err = json.NewDecoder(resp.Body).Decode(&sent)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusCreated || sent.Status != "delivered" {
				col.add(nil, 1)
				return
			}
			rec.sent(sent.ID, due)
			col.add([]time.Duration{took}, 0)
		}()
	}
	wg.Wait()
	return col.result(fmt.Sprintf("POST message at %d/s", rate), time.Since(start))
}

// loadAvg is the machine's one-minute load average, for the report:
// figures on a shared machine mean little without it.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
