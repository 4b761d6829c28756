// Package config reads Onramp's settings from the environment into one typed
// Config and checks them before anything starts.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Mode says which command is running, because dev and serve differ in what
// they may default and what they refuse.
type Mode string

// Modes Onramp runs in.
const (
	ModeServe Mode = "serve" // production: nothing is assumed
	ModeDev   Mode = "dev"   // local: embedded identity provider, disk media
	ModeTool  Mode = "tool"  // migrate and seed: only the database is needed
)

// DevDatabaseURL is the database `onramp dev` uses when DATABASE_URL is unset.
const DevDatabaseURL = "postgres://postgres@127.0.0.1:5432/onramp_dev?sslmode=disable"

// DevClientID and DevClientSecret register Onramp with the embedded
// identity provider. They only ever exist inside one dev process.
const (
	DevClientID     = "onramp-dev"
	DevClientSecret = "onramp-dev-secret"
	DevIssuerPath   = "/dev/idp"
)

// Config holds every setting. Field tags name the environment variables.
type Config struct {
	DatabaseURL string `env:"DATABASE_URL"`
	DBMaxConns  int    `env:"ONRAMP_DB_MAX_CONNS" envDefault:"20"`
	// DBAcquireTimeout bounds the wait for a database connection and
	// DBStatementTimeout each statement (PostgreSQL's statement_timeout;
	// the client gives up a second later), so a database that stops
	// answering fails requests with 503 within seconds.
	DBAcquireTimeout   time.Duration `env:"ONRAMP_DB_ACQUIRE_TIMEOUT" envDefault:"3s"`
	DBStatementTimeout time.Duration `env:"ONRAMP_DB_STATEMENT_TIMEOUT" envDefault:"5s"`
	// RequestTimeout is each request's budget for all its work; uploads
	// get UploadTimeout on top, live event streams none.
	RequestTimeout time.Duration `env:"ONRAMP_REQUEST_TIMEOUT" envDefault:"15s"`
	// BodyTimeout bounds how long a request body may take to arrive, and
	// UploadTimeout an upload's.
	BodyTimeout   time.Duration `env:"ONRAMP_BODY_TIMEOUT" envDefault:"30s"`
	UploadTimeout time.Duration `env:"ONRAMP_UPLOAD_TIMEOUT" envDefault:"5m"`
	// MaxConnsPerClient caps the connections one address may hold open,
	// and the requests one client may have in flight (behind trusted
	// proxies, by X-Forwarded-For); 0 is no cap.
	MaxConnsPerClient int `env:"ONRAMP_MAX_CONNS_PER_CLIENT" envDefault:"100"`

	Addr    string `env:"ONRAMP_ADDR" envDefault:"127.0.0.1:8080"`
	BaseURL string `env:"ONRAMP_BASE_URL"`
	// MetricsAddr is where /metrics is served, apart from the public
	// address; empty serves no metrics at all.
	MetricsAddr string `env:"ONRAMP_METRICS_ADDR"`
	// TrustedProxies are the CIDRs (or single addresses) of the proxies
	// whose X-Forwarded-For is believed. Empty believes nobody: the client
	// address is the connection's.
	TrustedProxies []string `env:"ONRAMP_TRUSTED_PROXIES" envSeparator:","`

	OIDCIssuerURL    string `env:"OIDC_ISSUER_URL"`
	OIDCClientID     string `env:"OIDC_CLIENT_ID"`
	OIDCClientSecret string `env:"OIDC_CLIENT_SECRET"`
	OIDCRolesClaim   string `env:"OIDC_ROLES_CLAIM" envDefault:"roles"`
	// OIDCExtraScopes are asked for on top of "openid email profile", for
	// providers that release the roles claim only with a scope (e.g. groups).
	OIDCExtraScopes []string `env:"OIDC_EXTRA_SCOPES" envSeparator:" "`
	// APIAudience is the audience an identity provider's access token
	// must carry to call the API; the client id when empty.
	APIAudience string `env:"ONRAMP_API_AUDIENCE"`

	StorageURL  string `env:"STORAGE_URL"`
	S3AccessKey string `env:"S3_ACCESS_KEY"`
	S3SecretKey string `env:"S3_SECRET_KEY"`
	SMTPURL     string `env:"SMTP_URL"`
	// MailFrom is the From of every email; empty means
	// "Onramp <no-reply@HOST>" with the base URL's host (see From).
	MailFrom string `env:"ONRAMP_MAIL_FROM"`

	SessionIdleTimeout     time.Duration `env:"ONRAMP_SESSION_IDLE_TIMEOUT" envDefault:"30m"`
	SessionAbsoluteTimeout time.Duration `env:"ONRAMP_SESSION_ABSOLUTE_TIMEOUT" envDefault:"12h"`
	// ShutdownGrace is how long `serve` keeps serving after SIGTERM with
	// /readyz answering 503, so load balancers stop sending first;
	// ShutdownTimeout how long requests in flight then get to finish
	// (never less than an upload's budget, see Drain).
	ShutdownGrace   time.Duration `env:"ONRAMP_SHUTDOWN_GRACE" envDefault:"5s"`
	ShutdownTimeout time.Duration `env:"ONRAMP_SHUTDOWN_TIMEOUT" envDefault:"20s"`
	// AuthRateLimit is requests per second per client address on /auth/*.
	AuthRateLimit float64 `env:"ONRAMP_AUTH_RATE_LIMIT" envDefault:"5"`
	AuthRateBurst int     `env:"ONRAMP_AUTH_RATE_BURST" envDefault:"20"`
	// MaxVideoMB and MaxFileMB cap uploads: video, and everything else.
	MaxVideoMB int64 `env:"ONRAMP_MAX_VIDEO_MB" envDefault:"200"`
	MaxFileMB  int64 `env:"ONRAMP_MAX_FILE_MB" envDefault:"20"`
	// At-risk thresholds on cohort dashboards.
	AtRiskInactiveDays   int `env:"ONRAMP_AT_RISK_INACTIVE_DAYS" envDefault:"7"`
	AtRiskFailedChecks   int `env:"ONRAMP_AT_RISK_FAILED_CHECKS" envDefault:"2"`
	AtRiskNotStartedDays int `env:"ONRAMP_AT_RISK_NOT_STARTED_DAYS" envDefault:"3"`

	// ContentCacheTTL is how long each replica keeps published content it
	// has read; edits show on other replicas within this.
	ContentCacheTTL time.Duration `env:"ONRAMP_CONTENT_CACHE_TTL" envDefault:"5s"`
	// BodyLimit caps request bodies outside upload routes.
	BodyLimit string `env:"ONRAMP_BODY_LIMIT" envDefault:"1M"`
	// ReportMinPeople withholds an equality report whole when fewer people
	// in it have answered the questions.
	ReportMinPeople int `env:"ONRAMP_REPORT_MIN_PEOPLE" envDefault:"20"`
	// MessageRetention is how long mentor-mentee messages are kept before
	// the retention job removes them; seven years (61320h) by default,
	// and zero means that default.
	MessageRetention time.Duration `env:"ONRAMP_MESSAGE_RETENTION" envDefault:"61320h"`

	// DevLoadUsers adds this many load-test learners
	// (load-learner-N@example.org) to the dev identity provider, so
	// cmd/onramp-load can sign in many people. Dev mode only.
	DevLoadUsers int `env:"ONRAMP_DEV_LOAD_USERS" envDefault:"0"`

	// DevIdP mounts the embedded identity provider. Only `onramp dev` and
	// tests set it; `onramp serve` refuses it.
	DevIdP bool `env:"-"`
	Mode   Mode `env:"-"`
}

// Load reads the environment for mode, fills the defaults that mode allows
// and validates the result. The error names every problem at once.
func Load(mode Mode) (Config, error) {
	var c Config
	if err := env.Parse(&c); err != nil {
		return c, fmt.Errorf("reading configuration: %w", err)
	}
	c.Mode = mode
	// Paths are appended to the base URL (BaseURL + "/auth/callback"), so a
	// trailing slash would register a redirect URI no provider matches.
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if mode == ModeDev {
		c.ApplyDevDefaults()
	}
	return c, c.Validate()
}

// ApplyDevDefaults fills safe local settings for `onramp dev`: the local
// database, the embedded identity provider and the disk media store.
func (c *Config) ApplyDevDefaults() {
	c.DevIdP = true
	if c.DatabaseURL == "" {
		c.DatabaseURL = DevDatabaseURL
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.OIDCIssuerURL == "" {
		c.OIDCIssuerURL = c.BaseURL + DevIssuerPath
	}
	if c.OIDCClientID == "" {
		c.OIDCClientID, c.OIDCClientSecret = DevClientID, DevClientSecret
	}
	if c.StorageURL == "" {
		c.StorageURL = "file://var/media"
	}
}

// Validate checks the settings for the configured mode and returns one error
// listing every missing or unsafe variable.
func (c *Config) Validate() error {
	var problems []string
	missing := func(name, value string) {
		if strings.TrimSpace(value) == "" {
			problems = append(problems, name+" is required")
		}
	}
	missing("DATABASE_URL", c.DatabaseURL)
	if c.Mode == ModeTool {
		return joinProblems(problems)
	}
	missing("ONRAMP_BASE_URL", c.BaseURL)
	missing("OIDC_ISSUER_URL", c.OIDCIssuerURL)
	missing("OIDC_CLIENT_ID", c.OIDCClientID)
	missing("OIDC_CLIENT_SECRET", c.OIDCClientSecret)
	missing("STORAGE_URL", c.StorageURL)
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, "ONRAMP_BASE_URL must be an absolute http(s) URL such as https://onramp.example.org")
		}
	}
	if c.OIDCIssuerURL != "" {
		if u, err := url.Parse(c.OIDCIssuerURL); err != nil || u.Host == "" {
			problems = append(problems, "OIDC_ISSUER_URL must be an absolute URL")
		}
	}
	if c.Mode == ModeServe {
		if c.DevIdP || strings.Contains(c.OIDCIssuerURL, DevIssuerPath) || c.OIDCClientID == DevClientID {
			problems = append(problems, "OIDC_ISSUER_URL points at the dev identity provider, which `onramp serve` refuses: use a real OpenID provider")
		}
		if c.BaseURL != "" && strings.HasPrefix(c.BaseURL, "http://") && !isLoopbackURL(c.BaseURL) {
			problems = append(problems, "ONRAMP_BASE_URL must use https outside localhost, so session cookies are sent securely")
		}
		if strings.HasPrefix(c.StorageURL, "s3://") {
			missing("S3_ACCESS_KEY", c.S3AccessKey)
			missing("S3_SECRET_KEY", c.S3SecretKey)
		}
	}
	if c.SessionIdleTimeout <= 0 || c.SessionAbsoluteTimeout < c.SessionIdleTimeout {
		problems = append(problems, "ONRAMP_SESSION_IDLE_TIMEOUT must be positive and no longer than ONRAMP_SESSION_ABSOLUTE_TIMEOUT")
	}
	if c.MaxVideoMB < 1 || c.MaxFileMB < 1 {
		problems = append(problems, "ONRAMP_MAX_VIDEO_MB and ONRAMP_MAX_FILE_MB must be at least 1")
	}
	if c.DBMaxConns < 2 {
		problems = append(problems, "ONRAMP_DB_MAX_CONNS must be at least 2")
	}
	if c.DBAcquireTimeout < 0 || c.DBStatementTimeout < 0 || c.RequestTimeout < 0 || c.BodyTimeout < 0 || c.UploadTimeout < 0 ||
		c.ShutdownGrace < 0 || c.ShutdownTimeout < 0 {
		problems = append(problems, "ONRAMP_DB_ACQUIRE_TIMEOUT, ONRAMP_DB_STATEMENT_TIMEOUT, ONRAMP_REQUEST_TIMEOUT, ONRAMP_BODY_TIMEOUT, "+
			"ONRAMP_UPLOAD_TIMEOUT, ONRAMP_SHUTDOWN_GRACE and ONRAMP_SHUTDOWN_TIMEOUT must not be negative")
	}
	if c.MaxConnsPerClient < 0 {
		problems = append(problems, "ONRAMP_MAX_CONNS_PER_CLIENT must not be negative (0 turns the cap off)")
	}
	if c.ReportMinPeople < 10 {
		// Below 10 a report is a handful of people: counts from 1 to 7 are
		// suppressed, so most of it would be, and what shows would be
		// about almost everyone in it.
		problems = append(problems, "ONRAMP_REPORT_MIN_PEOPLE must be at least 10, so an equality report never describes a handful of people")
	}
	if c.MessageRetention != 0 && c.MessageRetention < 30*24*time.Hour {
		problems = append(problems, "ONRAMP_MESSAGE_RETENTION must be at least 720h (30 days), so a safeguarding lead can still read what was said")
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr {
		problems = append(problems, "ONRAMP_METRICS_ADDR must differ from ONRAMP_ADDR: metrics are kept off the public address")
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			problems = append(problems, "ONRAMP_MAIL_FROM must be an email address such as \"Onramp <no-reply@example.org>\"")
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			problems = append(problems, "SMTP_URL must look like smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465")
		}
	}
	return joinProblems(problems)
}

// TrustedProxyNets parses TrustedProxies. A bare address stands for
// itself alone. The error names the first entry that is neither.
func (c *Config) TrustedProxyNets() ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, raw := range c.TrustedProxies {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		n, err := parseProxy(entry)
		if err != nil {
			return nil, fmt.Errorf("ONRAMP_TRUSTED_PROXIES entry %q is not a CIDR or an IP address; use a form such as 10.0.0.0/8 or 192.0.2.7", entry)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

func parseProxy(entry string) (*net.IPNet, error) {
	if !strings.Contains(entry, "/") {
		ip := net.ParseIP(entry)
		if ip == nil {
			return nil, errors.New("not an IP address")
		}
		bits := 128
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(entry)
	return n, err
}

// From is the From address of Onramp's email: MailFrom, or
// "Onramp <no-reply@HOST>" with the base URL's host name.
func (c *Config) From() string {
	if c.MailFrom != "" {
		return c.MailFrom
	}
	host := "localhost"
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "Onramp <no-reply@" + host + ">"
}

// Drain is how long requests in flight get to finish on shutdown:
// ShutdownTimeout, but never less than an upload's whole budget
// (UploadTimeout plus RequestTimeout), so a restart never cuts off an
// upload that is within its limits.
func (c *Config) Drain() time.Duration {
	return max(c.ShutdownTimeout, c.UploadTimeout+c.RequestTimeout)
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

func joinProblems(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New("configuration is incomplete:\n  - " + strings.Join(problems, "\n  - "))
}
