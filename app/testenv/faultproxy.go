package testenv

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// FaultProxy forwards TCP connections to a server (PostgreSQL, MinIO) and
// can take it away the two ways a real outage does: Cut closes every
// connection and turns new ones away, like a stopped server; Freeze
// keeps connections open but passes nothing either way, like a hung one.
// Restore ends either. Tests use it instead of stopping a server other
// tests share.
type FaultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	wake   *sync.Cond
	mode   faultMode
	conns  map[net.Conn]struct{}
}

type faultMode int

const (
	passing faultMode = iota
	cut
	frozen
)

// NewFaultProxy forwards a loopback port to target (host:port) until the
// test ends.
func NewFaultProxy(t testing.TB, target string) *FaultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wake = sync.NewCond(&p.mu)
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
	return p
}

// DatabaseProxy puts a FaultProxy in front of the package's database and
// returns it with a database URL that goes through it.
func DatabaseProxy(t testing.TB) (*FaultProxy, string) {
	t.Helper()
	u, err := url.Parse(DatabaseURL(t))
	if err != nil || u.Port() == "" {
		t.Skipf("the test database URL names no host and port; cannot put a proxy in front of it")
	}
	p := NewFaultProxy(t, u.Host)
	u.Host = p.Addr()
	return p, u.String()
}

// Addr is the proxy's host:port.
func (p *FaultProxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection and closes new ones as soon as they come.
func (p *FaultProxy) Cut() { p.set(cut) }

// Freeze stops passing bytes: connections stay open, new ones are taken
// and held, and nothing arrives either way until Restore or Cut.
func (p *FaultProxy) Freeze() { p.set(frozen) }

// Restore passes connections through again.
func (p *FaultProxy) Restore() { p.set(passing) }

func (p *FaultProxy) set(m faultMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	if m == cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
	p.wake.Broadcast()
}

// gate waits while the proxy is frozen and reports whether bytes may pass.
func (p *FaultProxy) gate() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.mode == frozen {
		p.wake.Wait()
	}
	return p.mode == passing
}

func (p *FaultProxy) handle(client net.Conn) {
	if !p.gate() {
		client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.mode == cut {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go p.pipe(server, client)
	p.pipe(client, server)
}

// pipe copies src to dst, holding each chunk while the proxy is frozen.
func (p *FaultProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate() {
				break
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
