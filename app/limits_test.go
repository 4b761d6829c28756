package app_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// trickle opens a connection to srv and posts a form to path whose body
// of n bytes it then sends one byte every 100 ms, as a slow-loris client
// would; the body takes n/10 seconds. It returns the connection.
func trickle(t *testing.T, srv *testenv.Server, path string, n int) net.Conn {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", path, u.Host, n)
	go func() {
		for range n {
			time.Sleep(100 * time.Millisecond)
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
		}
	}()
	return conn
}

// TestATrickledBodyIsCutOffAtItsDeadline: a form body that would take
// 20 s to arrive is answered and its connection closed once
// ONRAMP_BODY_TIMEOUT (here 1 s) has passed, instead of holding the
// connection for as long as the client likes.
func TestATrickledBodyIsCutOffAtItsDeadline(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.BodyTimeout = time.Second })
	conn := trickle(t, srv, "/auth/backchannel-logout", 200)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("no answer to a trickled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("a trickled body was answered %d, want a 4xx", resp.StatusCode)
	}
	if _, err := io.ReadAll(r); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("the server kept the trickling connection open after answering")
	}
}

// TestOneClientCannotHaveTooManyRequestsInFlight: with a cap of two, a
// client with two slow requests still sending gets 429 for a third,
// probes still answer, and once its requests end it is served again.
func TestOneClientCannotHaveTooManyRequestsInFlight(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.MaxConnsPerClient, cfg.BodyTimeout = 2, 30*time.Second
	})
	c := srv.NewClient(t)
	// The two slow requests must both be in flight before the third is
	// tried: a third sent while the second is still on its way takes the
	// second's place, and the second is the one refused.
	var slow []net.Conn
	for range 2 {
		slow = append(slow, trickle(t, srv, "/auth/backchannel-logout", 300))
		time.Sleep(300 * time.Millisecond)
	}
	var status int
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp := c.Get("/")
		status, body = resp.StatusCode, testenv.Body(t, resp)
		if status == http.StatusTooManyRequests {
			break
		}
	}
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many requests at once") {
		t.Fatalf("a third request with two in flight: %d, want 429 saying why: %s", status, body)
	}
	resp := c.Get("/readyz")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz with the client at its cap: %d, want 200 (probes are not counted)", resp.StatusCode)
	}
	for _, conn := range slow {
		conn.Close()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp := c.Get("/")
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after its slow requests ended the client still gets %d", resp.StatusCode)
		}
	}
}
