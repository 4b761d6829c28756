package testenv

import (
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message a test SMTP server accepted.
type Mail struct {
	From    string
	To      []string
	Subject string
	Body    string // the decoded text after the headers
	Raw     string
}

// MailServer is a real SMTP server on a loopback port that keeps what it
// is sent in memory, for tests of email.
type MailServer struct {
	URL string // smtp://127.0.0.1:PORT, for SMTP_URL

	mu       sync.Mutex
	received []Mail
	arrived  chan struct{}
}

// SMTP starts a mail server for the test (no TLS, no authentication; an
// smtp://user:pass@ URL is accepted with any password) and stops it when
// the test ends.
func SMTP(t testing.TB) *MailServer {
	t.Helper()
	ms := &MailServer{arrived: make(chan struct{}, 1)}
	s := smtp.NewServer(&mailBackend{ms: ms})
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	ms.URL = "smtp://" + ln.Addr().String()
	return ms
}

// Messages returns every message received so far, oldest first.
func (ms *MailServer) Messages() []Mail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]Mail(nil), ms.received...)
}

// WaitFor waits up to 15 s until at least n messages have arrived and
// returns them all; it fails the test otherwise.
func (ms *MailServer) WaitFor(t testing.TB, n int) []Mail {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		if got := ms.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-ms.arrived:
		case <-deadline:
			t.Fatalf("waited 15s for %d emails, got %d", n, len(ms.Messages()))
		}
	}
}

type mailBackend struct{ ms *MailServer }

func (b *mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{ms: b.ms}, nil
}

type mailSession struct {
	ms   *MailServer
	from string
	to   []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, _ string) error {
		if user == "" {
			return errors.New("no user")
		}
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Mail{From: s.from, To: s.to, Raw: string(raw)}
	if msg, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		body, _ := io.ReadAll(decodeBody(msg))
		m.Body = string(body)
	}
	s.ms.mu.Lock()
	s.ms.received = append(s.ms.received, m)
	s.ms.mu.Unlock()
	select {
	case s.ms.arrived <- struct{}{}:
	default:
	}
	return nil
}

// decodeBody undoes quoted-printable, the one transfer encoding Onramp's
// mail uses.
func decodeBody(msg *mail.Message) io.Reader {
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		return quotedprintable.NewReader(msg.Body)
	}
	return msg.Body
}
