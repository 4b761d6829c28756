package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

// freeAddr returns a loopback address nothing is listening on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// occupied returns a loopback address something else is listening on.
func occupied(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

func setServe(t *testing.T) {
	t.Helper()
	emptyEnv(t)
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/never-opened?sslmode=disable")
	t.Setenv("ONRAMP_BASE_URL", "https://onramp.example.org")
	t.Setenv("OIDC_ISSUER_URL", "https://login.example.org")
	t.Setenv("OIDC_CLIENT_ID", "onramp")
	t.Setenv("OIDC_CLIENT_SECRET", "secret")
	t.Setenv("STORAGE_URL", "file://"+t.TempDir())
}

func TestAnAddressInUseIsOneLineNamingTheSettingToChange(t *testing.T) {
	for _, setting := range []string{"ONRAMP_ADDR", "ONRAMP_METRICS_ADDR"} {
		setServe(t)
		busy := occupied(t)
		t.Setenv("ONRAMP_ADDR", freeAddr(t))
		t.Setenv(setting, busy)
		_, err := run(t, "serve")
		if err == nil {
			t.Fatalf("serve started with %s=%s already in use", setting, busy)
		}
		msg := err.Error()
		if !strings.Contains(msg, busy+" is already in use") || !strings.Contains(msg, "set "+setting+" to another address") ||
			strings.Contains(msg, "\n") {
			t.Errorf("%s in use: %q, want one line naming the address and %s", setting, msg, setting)
		}
	}
}

func TestDevSignsPeopleInAsSoonAsReadyzSaysReady(t *testing.T) {
	emptyEnv(t)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	t.Setenv("DATABASE_URL", testenv.NewDatabase(t))
	t.Setenv("ONRAMP_ADDR", addr)
	t.Setenv("ONRAMP_METRICS_ADDR", metricsAddr)
	t.Setenv("STORAGE_URL", "file://"+t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- Main{Out: &out, Err: &errOut}.Run(ctx, []string{"dev"}) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("onramp dev did not stop within 30s of being asked")
		}
		return nil
	}
	defer stop()

	base := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("onramp dev ended before it was ready: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not say ready within 2 minutes:\n%s", errOut.String())
		}
	}
	(&testenv.Server{URL: base}).SignIn(t, "learner@example.org") // fails the test unless signed in

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on ONRAMP_ADDR: %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatalf("/metrics on ONRAMP_METRICS_ADDR: %v", err)
	}
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "onramp_http_requests_total") {
		t.Errorf("/metrics on ONRAMP_METRICS_ADDR: %d %.200s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Errorf("onramp dev stopped with %v", err)
	}
	if !strings.Contains(out.String(), "Onramp is running at "+base) {
		t.Errorf("onramp dev did not print its address:\n%s", out.String())
	}
}
