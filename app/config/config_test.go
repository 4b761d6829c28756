package config_test

import (
	"os"
	"strings"
	"testing"

	"onramp/app/config"
)

// allVariables is every environment variable Config reads.
var allVariables = []string{
	"DATABASE_URL", "ONRAMP_DB_MAX_CONNS", "ONRAMP_ADDR", "ONRAMP_BASE_URL",
	"OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ROLES_CLAIM",
	"STORAGE_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY", "SMTP_URL",
	"ONRAMP_SESSION_IDLE_TIMEOUT", "ONRAMP_SESSION_ABSOLUTE_TIMEOUT", "ONRAMP_SHUTDOWN_TIMEOUT",
	"ONRAMP_AUTH_RATE_LIMIT", "ONRAMP_AUTH_RATE_BURST", "ONRAMP_BODY_LIMIT",
	"ONRAMP_TRUSTED_PROXIES", "ONRAMP_METRICS_ADDR",
}

// unsetAll removes every Onramp variable for the test (restored after), so
// the machine's environment cannot change the outcome.
func unsetAll(t *testing.T) {
	t.Helper()
	for _, k := range allVariables {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// setProduction sets a complete, valid `onramp serve` configuration.
func setProduction(t *testing.T) {
	t.Helper()
	unsetAll(t)
	t.Setenv("DATABASE_URL", "postgres://onramp@db.internal:5432/onramp")
	t.Setenv("ONRAMP_BASE_URL", "https://onramp.example.org")
	t.Setenv("OIDC_ISSUER_URL", "https://login.example.org")
	t.Setenv("OIDC_CLIENT_ID", "onramp")
	t.Setenv("OIDC_CLIENT_SECRET", "s3cret")
	t.Setenv("STORAGE_URL", "file:///var/lib/onramp/media")
}

func requireMentions(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load returned no error, want one naming %v", words)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %s:\n%v", w, err)
		}
	}
}

func TestServeWithNothingSetNamesEveryMissingVariableInOneError(t *testing.T) {
	unsetAll(t)
	for _, k := range []string{"DATABASE_URL", "ONRAMP_BASE_URL", "OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "STORAGE_URL"} {
		t.Setenv(k, "")
	}
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "DATABASE_URL", "ONRAMP_BASE_URL", "OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "STORAGE_URL")
}

func TestServeAcceptsACompleteProductionConfiguration(t *testing.T) {
	setProduction(t)
	c, err := config.Load(config.ModeServe)
	if err != nil {
		t.Fatalf("a complete production configuration was refused: %v", err)
	}
	if c.DevIdP {
		t.Error("serve turned on the dev identity provider")
	}
	if c.Addr != "127.0.0.1:8080" || c.OIDCRolesClaim != "roles" || c.DBMaxConns != 20 {
		t.Errorf("defaults not applied: addr %q, roles claim %q, max conns %d", c.Addr, c.OIDCRolesClaim, c.DBMaxConns)
	}
	if !c.SecureCookies() {
		t.Error("an https base URL must give secure cookies")
	}
}

func TestServeRefusesTheDevIdentityProvider(t *testing.T) {
	setProduction(t)
	t.Setenv("OIDC_ISSUER_URL", "https://onramp.example.org/dev/idp")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "OIDC_ISSUER_URL", "dev identity provider")
}

func TestServeRefusesTheDevClientID(t *testing.T) {
	setProduction(t)
	t.Setenv("OIDC_CLIENT_ID", config.DevClientID)
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "dev identity provider")
}

func TestServeRefusesPlainHTTPBaseURLOutsideLocalhost(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_BASE_URL", "http://onramp.example.org")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_BASE_URL", "https")

	for _, local := range []string{"http://localhost:8080", "http://127.0.0.1:8080"} {
		t.Setenv("ONRAMP_BASE_URL", local)
		if _, err := config.Load(config.ModeServe); err != nil {
			t.Errorf("serve refused %s: %v", local, err)
		}
	}
}

func TestServeRefusesABaseURLThatIsNotAbsolute(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_BASE_URL", "onramp.example.org")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_BASE_URL must be an absolute http(s) URL")
}

func TestServeRefusesS3StorageWithoutKeys(t *testing.T) {
	setProduction(t)
	t.Setenv("STORAGE_URL", "s3://minio.internal:9000/onramp-media")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "S3_ACCESS_KEY", "S3_SECRET_KEY")

	t.Setenv("S3_ACCESS_KEY", "access")
	t.Setenv("S3_SECRET_KEY", "secret")
	if _, err := config.Load(config.ModeServe); err != nil {
		t.Fatalf("s3 storage with both keys was refused: %v", err)
	}
}

func TestServeRefusesAnIdleTimeoutLongerThanTheAbsoluteTimeout(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_SESSION_IDLE_TIMEOUT", "13h")
	t.Setenv("ONRAMP_SESSION_ABSOLUTE_TIMEOUT", "12h")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_SESSION_IDLE_TIMEOUT")
}

func TestDevFillsLocalDefaults(t *testing.T) {
	unsetAll(t)
	t.Setenv("ONRAMP_ADDR", "127.0.0.1:8123")
	c, err := config.Load(config.ModeDev)
	if err != nil {
		t.Fatalf("dev with nothing set was refused: %v", err)
	}
	want := config.Config{
		DatabaseURL:      config.DevDatabaseURL,
		BaseURL:          "http://127.0.0.1:8123",
		OIDCIssuerURL:    "http://127.0.0.1:8123" + config.DevIssuerPath,
		OIDCClientID:     config.DevClientID,
		OIDCClientSecret: config.DevClientSecret,
	}
	if c.DatabaseURL != want.DatabaseURL || c.BaseURL != want.BaseURL || c.OIDCIssuerURL != want.OIDCIssuerURL ||
		c.OIDCClientID != want.OIDCClientID || c.OIDCClientSecret != want.OIDCClientSecret {
		t.Errorf("dev defaults:\n got database %q base %q issuer %q client %q/%q\nwant database %q base %q issuer %q client %q/%q",
			c.DatabaseURL, c.BaseURL, c.OIDCIssuerURL, c.OIDCClientID, c.OIDCClientSecret,
			want.DatabaseURL, want.BaseURL, want.OIDCIssuerURL, want.OIDCClientID, want.OIDCClientSecret)
	}
	if !c.DevIdP {
		t.Error("dev did not turn on the dev identity provider")
	}
	if c.StorageURL == "" {
		t.Error("dev left STORAGE_URL empty")
	}
	if c.Mode != config.ModeDev {
		t.Errorf("mode = %q", c.Mode)
	}
}

func TestDevKeepsWhatIsSet(t *testing.T) {
	unsetAll(t)
	t.Setenv("DATABASE_URL", "postgres://me@127.0.0.1/mine")
	t.Setenv("ONRAMP_BASE_URL", "http://localhost:9000/")
	c, err := config.Load(config.ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://me@127.0.0.1/mine" {
		t.Errorf("DatabaseURL = %q, want the one set", c.DatabaseURL)
	}
	if c.BaseURL != "http://localhost:9000" || c.OIDCIssuerURL != "http://localhost:9000/dev/idp" {
		t.Errorf("base %q issuer %q, want the set base without its trailing slash", c.BaseURL, c.OIDCIssuerURL)
	}
}

func TestToolNeedsOnlyTheDatabase(t *testing.T) {
	unsetAll(t)
	_, err := config.Load(config.ModeTool)
	requireMentions(t, err, "DATABASE_URL")
	if err != nil && strings.Contains(err.Error(), "OIDC_ISSUER_URL") {
		t.Errorf("tool mode asked for OIDC settings: %v", err)
	}

	t.Setenv("DATABASE_URL", "postgres://onramp@db.internal:5432/onramp")
	c, err := config.Load(config.ModeTool)
	if err != nil {
		t.Fatalf("tool mode with DATABASE_URL set was refused: %v", err)
	}
	if c.DevIdP {
		t.Error("tool mode turned on the dev identity provider")
	}
}

func TestServeDropsATrailingSlashFromTheBaseURL(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_BASE_URL", "https://onramp.example.org/")
	c, err := config.Load(config.ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	// The sign-in callback is BaseURL + "/auth/callback"; with the slash
	// kept it would be https://onramp.example.org//auth/callback.
	if c.BaseURL != "https://onramp.example.org" {
		t.Fatalf("BaseURL = %q, want it without the trailing slash", c.BaseURL)
	}
}

func TestAnEqualityReportMinimumBelowTenIsRefused(t *testing.T) {
	setProduction(t)
	c, err := config.Load(config.ModeServe)
	if err != nil || c.ReportMinPeople != 20 {
		t.Fatalf("default minimum: %d, %v; want 20", c.ReportMinPeople, err)
	}
	t.Setenv("ONRAMP_REPORT_MIN_PEOPLE", "9")
	_, err = config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_REPORT_MIN_PEOPLE", "at least 10")
}

func TestTrustedProxiesAreCIDRsOrAddressesAndABadEntryIsNamed(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	c, err := config.Load(config.ModeServe)
	if err != nil {
		t.Fatalf("valid trusted proxies refused: %v", err)
	}
	nets, err := c.TrustedProxyNets()
	if err != nil || len(nets) != 3 {
		t.Fatalf("trusted proxies parsed to %v, %v; want 3 ranges", nets, err)
	}
	if got := nets[1].String(); got != "192.0.2.7/32" {
		t.Errorf("a bare address should stand for itself alone, got %s", got)
	}

	t.Setenv("ONRAMP_TRUSTED_PROXIES", "10.0.0.0/8,10.1.2.3/33")
	_, err = config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_TRUSTED_PROXIES", `"10.1.2.3/33"`)
	t.Setenv("ONRAMP_TRUSTED_PROXIES", "proxy.internal")
	_, err = config.Load(config.ModeDev)
	requireMentions(t, err, "ONRAMP_TRUSTED_PROXIES", `"proxy.internal"`)
}

func TestNoProxyIsTrustedAndNoMetricsAreServedByDefault(t *testing.T) {
	setProduction(t)
	c, err := config.Load(config.ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	if nets, _ := c.TrustedProxyNets(); len(nets) != 0 {
		t.Errorf("trusted proxies by default: %v, want none", nets)
	}
	if c.MetricsAddr != "" {
		t.Errorf("metrics address by default: %q, want none", c.MetricsAddr)
	}
}

func TestMetricsMayNotShareThePublicAddress(t *testing.T) {
	setProduction(t)
	t.Setenv("ONRAMP_ADDR", "0.0.0.0:8080")
	t.Setenv("ONRAMP_METRICS_ADDR", "0.0.0.0:8080")
	_, err := config.Load(config.ModeServe)
	requireMentions(t, err, "ONRAMP_METRICS_ADDR", "ONRAMP_ADDR")
}
