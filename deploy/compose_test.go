// Package deploy_test checks the Compose stack in compose.yaml with the
// Compose CLI's own `config` (the `docker compose` plugin when the machine
// has one, else ONRAMP_COMPOSE_BIN or ./.bin/docker-compose from `make
// compose`). Starting the stack needs a Docker engine: compose-smoke.sh.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp/app/config"
	"onramp/app/testenv"
)

// compose returns the command that runs Compose.
func compose(t *testing.T) []string {
	t.Helper()
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}
	}
	bin := os.Getenv("ONRAMP_COMPOSE_BIN")
	if bin == "" {
		bin = filepath.Join(testenv.ModuleRoot(t), ".bin", "docker-compose")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("neither the docker compose plugin nor %s is installed: run `make compose`", bin)
	}
	return []string{bin}
}

// composeConfig runs `compose -f file config` with args and returns its
// standard output, or the error with what Compose said.
func composeConfig(t *testing.T, file string, args ...string) ([]byte, error) {
	t.Helper()
	c := compose(t)
	cmd := exec.Command(c[0], append(append(c[1:], "-f", file, "config"), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &composeError{err: err, stderr: stderr.String()}
	}
	return stdout.Bytes(), nil
}

type composeError struct {
	err    error
	stderr string
}

func (e *composeError) Error() string { return e.err.Error() + ": " + e.stderr }

type service struct {
	Command     []string
	Environment map[string]*string
	DependsOn   map[string]struct{ Condition string } `json:"depends_on"`
	ReadOnly    bool                                  `json:"read_only"`
	Tmpfs       []string
	CapDrop     []string `json:"cap_drop"`
	StopGrace   string   `json:"stop_grace_period"`
}

func loadStack(t *testing.T) map[string]service {
	t.Helper()
	out, err := composeConfig(t, "compose.yaml", "--format", "json")
	if err != nil {
		t.Fatalf("compose config refuses compose.yaml: %v", err)
	}
	var stack struct{ Services map[string]service }
	if err := json.Unmarshal(out, &stack); err != nil {
		t.Fatalf("compose config --format json: %v", err)
	}
	return stack.Services
}

// envDefault is the envDefault of the Config field read from name.
func envDefault(name string) (string, bool) {
	typ := reflect.TypeOf(config.Config{})
	for i := range typ.NumField() {
		if tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ","); tag == name {
			return typ.Field(i).Tag.Get("envDefault"), true
		}
	}
	return "", false
}

func TestComposeStackStartsInOrderAndHardened(t *testing.T) {
	services := loadStack(t)
	for _, name := range []string{"postgres", "minio", "minio-setup", "keycloak", "migrate", "onramp"} {
		if _, ok := services[name]; !ok {
			t.Errorf("no %s service", name)
		}
	}
	migrate, app := services["migrate"], services["onramp"]
	if !slices.Equal(migrate.Command, []string{"migrate", "up"}) || !slices.Equal(app.Command, []string{"serve"}) {
		t.Errorf("migrate runs %v, onramp runs %v", migrate.Command, app.Command)
	}
	if app.DependsOn["migrate"].Condition != "service_completed_successfully" {
		t.Errorf("onramp starts without waiting for migrate to succeed: %+v", app.DependsOn)
	}
	for name, s := range map[string]service{"migrate": migrate, "onramp": app} {
		if !s.ReadOnly || !slices.ContainsFunc(s.Tmpfs, func(m string) bool { return strings.HasPrefix(m, "/tmp") }) || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: read_only %v, tmpfs %v, cap_drop %v", name, s.ReadOnly, s.Tmpfs, s.CapDrop)
		}
	}
	// Compose waits stop_grace_period before SIGKILL: the app's own
	// shutdown (readiness grace, a drain at least as long as an upload's
	// budget, then the job workers' stop) must fit.
	grace, err := time.ParseDuration(app.StopGrace)
	if err != nil {
		t.Fatalf("onramp stop_grace_period %q: %v", app.StopGrace, err)
	}
	setting := func(name string) time.Duration {
		v, ok := envDefault(name)
		if e := app.Environment[name]; e != nil {
			v, ok = *e, true
		}
		if !ok {
			t.Fatalf("%s is not a setting the app reads", name)
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s %q: %v", name, v, err)
		}
		return d
	}
	drain := setting("ONRAMP_SHUTDOWN_TIMEOUT")
	need := setting("ONRAMP_SHUTDOWN_GRACE") + max(drain, setting("ONRAMP_UPLOAD_TIMEOUT")+setting("ONRAMP_REQUEST_TIMEOUT")) + drain
	if grace <= need {
		t.Errorf("stop_grace_period %v does not leave room for a %v shutdown", grace, need)
	}
}

// The app service's environment names only settings the app reads, and
// `onramp serve` accepts them.
func TestComposeAppSettingsPassTheAppsOwnChecks(t *testing.T) {
	app := loadStack(t)["onramp"]
	typ := reflect.TypeOf(config.Config{})
	known := map[string]bool{}
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ","); name != "" && name != "-" {
			known[name] = true
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	for name, v := range app.Environment {
		if !known[name] {
			t.Errorf("compose.yaml sets %s, which app/config does not read", name)
		}
		if v != nil {
			t.Setenv(name, *v)
		}
	}
	if _, err := config.Load(config.ModeServe); err != nil {
		t.Errorf("onramp serve would refuse the stack's settings: %v", err)
	}
}

// The check can fail: Compose refuses a file its schema does not allow.
func TestComposeConfigRefusesAnInvalidFile(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(raw, []byte("condition: service_completed_successfully"), []byte("condition: service_finished"), 1)
	if bytes.Equal(broken, raw) {
		t.Fatal("compose.yaml no longer has the condition this test breaks")
	}
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = composeConfig(t, file, "--quiet")
	if err == nil || !strings.Contains(err.Error(), "depends_on.migrate.condition") {
		t.Fatalf("compose config accepted a broken depends_on condition: %v", err)
	}
}
