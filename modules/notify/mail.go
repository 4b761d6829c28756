package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// NewMailer returns the mailer for smtpURL: smtp://[user:pass@]host[:port]
// (port 587 by default; STARTTLS whenever the server offers it) or
// smtps://... (TLS from the start, port 465 by default). With no URL, dev
// writes each email to the log instead, and any other mode drops it,
// logging only that it did. from is the From address ("Onramp
// <no-reply@example.org>"). Errors: a URL or address that does not parse.
func NewMailer(smtpURL, from string, dev bool) (Mailer, error) {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("ONRAMP_MAIL_FROM %q is not an email address: %w", from, err)
	}
	if smtpURL == "" {
		return logMailer{show: dev}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
	}
	m := &SMTPMailer{from: addr, host: u.Hostname(), port: u.Port(), implicitTLS: u.Scheme == "smtps"}
	if m.port == "" {
		m.port = map[bool]string{true: "465", false: "587"}[m.implicitTLS]
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	return m, nil
}

// logMailer stands in when there is no mail server.
type logMailer struct{ show bool }

func (l logMailer) Send(_ context.Context, e Email) error {
	if l.show {
		slog.Info("email (SMTP_URL is not set, so it is shown here instead of sent)", "to", e.To, "subject", e.Subject, "body", e.Body)
	} else {
		slog.Warn("email not sent: SMTP_URL is not set")
	}
	return nil
}

// SMTPMailer sends through one SMTP server.
type SMTPMailer struct {
	from        *mail.Address
	host, port  string
	user, pass  string
	implicitTLS bool
}

// Send delivers e in one SMTP conversation, bounded by ctx and by a
// minute at most.
func (m *SMTPMailer) Send(ctx context.Context, e Email) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(m.host, m.port))
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	tlsConfig := &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
	if m.implicitTLS {
		conn = tls.Client(conn, tlsConfig)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(heloName(m.from.Address)); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !m.implicitTLS {
		if err := c.StartTLS(tlsConfig); err != nil {
			return err
		}
	}
	if m.user != "" {
		// net/smtp refuses PLAIN over an unencrypted connection except
		// to localhost, so a password never crosses a network in clear.
		if err := c.Auth(smtp.PlainAuth("", m.user, m.pass, m.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(e.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(message(m.from, e, time.Now())); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// heloName is the domain we introduce ourselves as: the From domain.
func heloName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		return from[i+1:]
	}
	return "localhost"
}

// message is e as an RFC 5322 message: plain UTF-8 text, quoted-printable.
func message(from *mail.Address, e Email, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", (&mail.Address{Address: e.To}).String())
	fmt.Fprintf(&b, "Subject: %s\r\n", e.Subject)
	fmt.Fprintf(&b, "Date: %s\r\n", now.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), heloName(from.Address))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
