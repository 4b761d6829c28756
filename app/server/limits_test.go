package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestOneAddressCannotHoldMoreThanItsShareOfConnections: past the cap,
// a connection from the same address is closed as soon as it arrives,
// and a place comes free when one of the others closes. A trusted
// proxy's connections are not capped.
func TestOneAddressCannotHoldMoreThanItsShareOfConnections(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []*net.IPNet
		capped  bool
	}{
		{"a client", nil, true},
		{"a trusted proxy", []*net.IPNet{{IP: net.IPv4(127, 0, 0, 1), Mask: net.CIDRMask(32, 32)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })}
			go srv.Serve(LimitConns(ln, 3, tc.trusted))
			defer srv.Close()

			var conns []net.Conn
			for range 4 {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			time.Sleep(100 * time.Millisecond) // let the server accept all four
			answers := func(c net.Conn) bool {
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					return false
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			}
			for i, c := range conns[:3] {
				if !answers(c) {
					t.Fatalf("connection %d of 3 was not served", i+1)
				}
			}
			if got := answers(conns[3]); got == tc.capped {
				t.Fatalf("the fourth connection served: %v, want %v", got, !tc.capped)
			}
			if !tc.capped {
				return
			}
			conns[0].Close()
			time.Sleep(100 * time.Millisecond)
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !answers(c) {
				t.Error("a connection after one of the three closed was not served")
			}
		})
	}
}
