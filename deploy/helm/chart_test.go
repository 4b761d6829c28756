// Package helm_test checks the Helm chart in deploy/helm/onramp: helm lint,
// the rendered manifests against the Kubernetes schemas (kubeconform), and
// what an operator relies on (settings the app reads, migrations before new
// pods, shutdown inside the termination grace, metrics off the public path).
// Helm and kubeconform come from ONRAMP_HELM_BIN and ONRAMP_KUBECONFORM_BIN
// or ./.bin (`make helm kubeconform`).
package helm_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"onramp/app/config"
	"onramp/app/storage"
	"onramp/app/testenv"
)

const chartDir = "onramp"

// valueSets are the values files every check renders the chart with.
var valueSets = []string{"testdata/minimal.yaml", "testdata/production.yaml"}

// settingsBeingAdded are variables the chart sets for an app change on its
// way (the readiness grace before the drain on SIGTERM). The app ignores
// variables it does not read, so the chart works before and after; delete
// an entry once config.Config reads it.
var settingsBeingAdded = map[string]bool{}

// tool returns the path of a binary from env or ./.bin, or stops the test
// with the make target that installs it.
func tool(t *testing.T, env, name string) string {
	t.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		bin = filepath.Join(testenv.ModuleRoot(t), ".bin", name)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is not installed at %s: run `make %s`", name, bin, name)
	}
	return bin
}

// helm runs helm with its cache and config kept in a temporary directory.
func helm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(tool(t, "ONRAMP_HELM_BIN", "helm"), args...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data", "KUBECONFIG="+home+"/kubeconfig")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("helm %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// render runs helm template for release "onramp" in namespace "onramp".
func render(t *testing.T, valuesFile string, extra ...string) []byte {
	t.Helper()
	out, err := helm(t, append([]string{"template", "onramp", chartDir, "--namespace", "onramp", "-f", valuesFile}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type object = map[string]any

// manifests splits rendered YAML into objects.
func manifests(t *testing.T, rendered []byte) []object {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(rendered))
	var objs []object
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("rendered YAML: %v", err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
}

// dig walks maps by key and lists by index ("0").
func dig(v any, path ...string) any {
	for _, p := range path {
		switch n := v.(type) {
		case map[string]any:
			v = n[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path ...string) string { s, _ := dig(v, path...).(string); return s }

func num(v any, path ...string) int {
	switch n := dig(v, path...).(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return -1
}

func list(v any, path ...string) []any { l, _ := dig(v, path...).([]any); return l }

// only returns the one object of kind (and name, when given).
func only(t *testing.T, objs []object, kind, name string) object {
	t.Helper()
	var found []object
	for _, o := range objs {
		if o["kind"] == kind && (name == "" || str(o, "metadata", "name") == name) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s %q, rendered %d", kind, name, len(found))
	}
	return found[0]
}

func byKind(objs []object, kind string) []object {
	var out []object
	for _, o := range objs {
		if o["kind"] == kind {
			out = append(out, o)
		}
	}
	return out
}

// container returns the first container of a workload's pod template.
func container(o object) object {
	c, _ := dig(o, "spec", "template", "spec", "containers", "0").(map[string]any)
	return c
}

func TestChartLintsWithEveryValueSet(t *testing.T) {
	for _, values := range valueSets {
		t.Run(filepath.Base(values), func(t *testing.T) {
			out, err := helm(t, "lint", "--strict", chartDir, "-f", values)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, []byte("0 chart(s) failed")) {
				t.Fatalf("helm lint did not report a clean chart:\n%s", out)
			}
		})
	}
}

func TestRenderedManifestsMatchKubernetesSchemas(t *testing.T) {
	wantKinds := map[string][]string{
		"minimal.yaml": {"ConfigMap", "Deployment", "Job", "NetworkPolicy", "PodDisruptionBudget",
			"Secret", "Secret", "Service", "Service", "ServiceAccount"},
		"production.yaml": {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job",
			"NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "ServiceAccount", "ServiceMonitor"},
	}
	for _, release := range kubernetesReleases {
		t.Run(release, func(t *testing.T) {
			rendered := map[string][]byte{}
			kinds := map[string][]string{}
			for _, values := range valueSets {
				out := render(t, values, "--kube-version", strings.TrimPrefix(release, "v"))
				rendered[values] = out
				var got []string
				for _, o := range manifests(t, out) {
					av, kind := o["apiVersion"].(string), o["kind"].(string)
					got = append(got, kind)
					if !slices.Contains(kinds[av], kind) {
						kinds[av] = append(kinds[av], kind)
					}
				}
				slices.Sort(got)
				if want := wantKinds[filepath.Base(values)]; !slices.Equal(got, want) {
					t.Errorf("%s renders %v, want %v", values, got, want)
				}
			}
			dir := schemaDir(t, release, kinds)
			for _, values := range valueSets {
				sum, err := kubeconform(t, dir, rendered[values])
				if err != nil {
					t.Errorf("%s on Kubernetes %s: %v", values, release, err)
					continue
				}
				if n := len(manifests(t, rendered[values])); sum.Summary.Valid != n || sum.Summary.Skipped != 0 {
					t.Errorf("%s: kubeconform found %d valid and skipped %d of %d resources", values, sum.Summary.Valid, sum.Summary.Skipped, n)
				}
			}
		})
	}
}

// The schema check must be able to fail: a misspelt field, a missing
// required one and a wrong type are each refused.
func TestSchemaCheckRefusesBrokenManifests(t *testing.T) {
	release := kubernetesReleases[len(kubernetesReleases)-1]
	dir := schemaDir(t, release, map[string][]string{"apps/v1": {"Deployment"}, "monitoring.coreos.com/v1": {"ServiceMonitor"}})
	cases := map[string]func(d, sm object){
		"misspelt probe": func(d, sm object) {
			c := container(d)
			c["readinesProbe"] = c["readinessProbe"]
		},
		"container without a name": func(d, sm object) { delete(container(d), "name") },
		"replicas as text":         func(d, sm object) { d["spec"].(map[string]any)["replicas"] = "two" },
		"ServiceMonitor endpoint field unknown": func(d, sm object) {
			list(sm, "spec", "endpoints")[0].(map[string]any)["portName"] = "metrics"
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			// Fresh copies: the cases change them.
			objs := manifests(t, render(t, "testdata/production.yaml"))
			d, sm := only(t, objs, "Deployment", ""), only(t, objs, "ServiceMonitor", "")
			breakIt(d, sm)
			var buf bytes.Buffer
			for _, o := range []object{d, sm} {
				b, err := yaml.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				buf.WriteString("---\n")
				buf.Write(b)
			}
			sum, err := kubeconform(t, dir, buf.Bytes())
			if err == nil || sum.Summary.Invalid != 1 {
				t.Fatalf("kubeconform accepted it (%+v)", sum.Summary)
			}
		})
	}
}

// envNames are the variables app/config reads.
func envNames() map[string]bool {
	names := map[string]bool{}
	typ := reflect.TypeOf(config.Config{})
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ","); name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// settings are the variables a release gives the app container: from the
// ConfigMap, the chart's Secret and single secret references. Values of
// variables in a Secret the chart does not make are "from:NAME".
func settings(t *testing.T, objs []object) map[string]string {
	t.Helper()
	d := only(t, objs, "Deployment", "")
	c := container(d)
	env := map[string]string{}
	for _, from := range list(c, "envFrom") {
		if name := str(from, "configMapRef", "name"); name != "" {
			for k, v := range dig(only(t, objs, "ConfigMap", name), "data").(map[string]any) {
				env[k] = v.(string)
			}
		}
		if name := str(from, "secretRef", "name"); name != "" {
			found := false
			for _, s := range byKind(objs, "Secret") {
				if str(s, "metadata", "name") == name {
					found = true
					for k, v := range dig(s, "stringData").(map[string]any) {
						env[k] = v.(string)
					}
				}
			}
			if !found {
				// The operator's Secret: its keys are the secret variables.
				for _, k := range []string{"DATABASE_URL", "OIDC_CLIENT_SECRET", "S3_ACCESS_KEY", "S3_SECRET_KEY"} {
					env[k] = "from:" + name
				}
			}
		}
	}
	for _, e := range list(c, "env") {
		name := str(e, "name")
		if ref := str(e, "valueFrom", "secretKeyRef", "name"); ref != "" {
			env[name] = "from:" + ref + "/" + str(e, "valueFrom", "secretKeyRef", "key")
		} else {
			env[name] = str(e, "value")
		}
	}
	return env
}

func TestChartSetsOnlySettingsTheAppReads(t *testing.T) {
	known := envNames()
	for _, values := range valueSets {
		t.Run(filepath.Base(values), func(t *testing.T) {
			objs := manifests(t, render(t, values))
			names := map[string]bool{}
			for k := range settings(t, objs) {
				names[k] = true
			}
			for _, s := range byKind(objs, "Secret") {
				for k := range dig(s, "stringData").(map[string]any) {
					names[k] = true
				}
			}
			for _, e := range list(container(only(t, objs, "Job", "")), "env") {
				names[str(e, "name")] = true
			}
			for name := range names {
				if !known[name] && !settingsBeingAdded[name] {
					t.Errorf("the chart sets %s, which app/config does not read", name)
				}
			}
		})
	}
	for name := range settingsBeingAdded {
		if known[name] {
			t.Logf("config.Config now reads %s: remove it from settingsBeingAdded", name)
		}
	}
}

// With the chart's settings (and stand-ins for secrets kept elsewhere),
// `onramp serve` accepts its configuration and the storage URL.
func TestChartSettingsPassTheAppsOwnChecks(t *testing.T) {
	for _, values := range valueSets {
		t.Run(filepath.Base(values), func(t *testing.T) {
			for name := range envNames() {
				t.Setenv(name, "")
				os.Unsetenv(name)
			}
			env := settings(t, manifests(t, render(t, values)))
			for k, v := range env {
				if strings.HasPrefix(v, "from:") {
					v = "stand-in-for-" + k
					if k == "DATABASE_URL" {
						v = "postgres://onramp:secret@db:5432/onramp"
					}
				}
				t.Setenv(k, v)
			}
			cfg, err := config.Load(config.ModeServe)
			if err != nil {
				t.Fatalf("onramp serve would refuse this release: %v", err)
			}
			s3, err := storage.ParseS3URL(cfg.StorageURL)
			if err != nil {
				t.Fatal(err)
			}
			if s3.Bucket != "onramp-media" || s3.Endpoint == "" || !s3.Secure {
				t.Errorf("STORAGE_URL %s reads as %+v", cfg.StorageURL, s3)
			}
			if cfg.Addr != "0.0.0.0:8080" || cfg.MetricsAddr != "0.0.0.0:9090" {
				t.Errorf("listens on %q, metrics on %q", cfg.Addr, cfg.MetricsAddr)
			}
		})
	}
}

// seconds reads a Go duration such as "20s" as whole seconds.
func seconds(t *testing.T, s string) int {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("duration %q: %v", s, err)
	}
	return int(d / time.Second)
}

func TestPodsStopWithinTheirTerminationGrace(t *testing.T) {
	for _, values := range valueSets {
		t.Run(filepath.Base(values), func(t *testing.T) {
			objs := manifests(t, render(t, values))
			d := only(t, objs, "Deployment", "")
			c := container(d)
			env := settings(t, objs)
			sleep := num(c, "lifecycle", "preStop", "sleep", "seconds")
			grace, drain := seconds(t, env["ONRAMP_SHUTDOWN_GRACE"]), seconds(t, env["ONRAMP_SHUTDOWN_TIMEOUT"])
			upload := seconds(t, env["ONRAMP_UPLOAD_TIMEOUT"]) + seconds(t, env["ONRAMP_REQUEST_TIMEOUT"])
			if sleep < 5 || sleep != grace {
				t.Errorf("preStop sleeps %d s, want the grace period %d s (at least 5)", sleep, grace)
			}
			if total := num(d, "spec", "template", "spec", "terminationGracePeriodSeconds"); total < sleep+grace+max(drain, upload)+drain {
				t.Errorf("terminationGracePeriodSeconds %d < preStop %d + grace %d + drain max(%d, upload %d) + job stop %d", total, sleep, grace, drain, upload, drain)
			}
			if p := str(c, "readinessProbe", "httpGet", "path"); p != "/readyz" {
				t.Errorf("readiness probe on %q", p)
			}
			for _, probe := range []string{"livenessProbe", "startupProbe"} {
				if p := str(c, probe, "httpGet", "path"); p != "/healthz" {
					t.Errorf("%s on %q", probe, p)
				}
			}
			// Probes reach the port the app listens on.
			port := list(c, "ports")[0]
			if str(port, "name") != "http" || num(port, "containerPort") != 8080 || !strings.HasSuffix(env["ONRAMP_ADDR"], ":8080") {
				t.Errorf("http port %v, ONRAMP_ADDR %q", port, env["ONRAMP_ADDR"])
			}
			if str(d, "spec", "strategy", "rollingUpdate", "maxUnavailable") != "" || num(d, "spec", "strategy", "rollingUpdate", "maxUnavailable") != 0 {
				t.Errorf("a rollout may stop an old pod before a new one is ready")
			}
		})
	}
}

func TestMigrationsRunBeforeNewPods(t *testing.T) {
	for _, values := range valueSets {
		t.Run(filepath.Base(values), func(t *testing.T) {
			objs := manifests(t, render(t, values))
			job := only(t, objs, "Job", "")
			hooks := strings.Split(str(job, "metadata", "annotations", "helm.sh/hook"), ",")
			if !slices.Contains(hooks, "pre-install") || !slices.Contains(hooks, "pre-upgrade") {
				t.Errorf("the Job runs at %v, want pre-install and pre-upgrade", hooks)
			}
			c := container(job)
			if args := fmt.Sprint(list(c, "args")); args != "[migrate up]" || str(c, "image") != str(container(only(t, objs, "Deployment", "")), "image") {
				t.Errorf("the Job runs %s in %s", args, str(c, "image"))
			}
			if str(job, "spec", "template", "spec", "serviceAccountName") != "" {
				t.Errorf("the Job names a ServiceAccount, which does not exist before install")
			}
			// DATABASE_URL comes from a Secret that exists before the Job:
			// a hook of its own with a lower weight, or one the operator made.
			ref := dig(list(c, "env")[0], "valueFrom", "secretKeyRef")
			secret := str(ref, "name")
			for _, s := range byKind(objs, "Secret") {
				if str(s, "metadata", "name") != secret {
					continue
				}
				w, _ := strconv.Atoi(str(s, "metadata", "annotations", "helm.sh/hook-weight"))
				jw, _ := strconv.Atoi(str(job, "metadata", "annotations", "helm.sh/hook-weight"))
				if str(s, "metadata", "annotations", "helm.sh/hook") != str(job, "metadata", "annotations", "helm.sh/hook") || w >= jw {
					t.Errorf("Secret %s is not a hook made before the Job", secret)
				}
				if _, ok := dig(s, "stringData", str(ref, "key")).(string); !ok {
					t.Errorf("Secret %s has no key %s", secret, str(ref, "key"))
				}
			}
		})
	}
}

func TestPodsRunAsNonRootOnAReadOnlyRoot(t *testing.T) {
	for _, values := range valueSets {
		objs := manifests(t, render(t, values))
		for _, kind := range []string{"Deployment", "Job"} {
			t.Run(filepath.Base(values)+"/"+kind, func(t *testing.T) {
				w := only(t, objs, kind, "")
				pod := dig(w, "spec", "template", "spec")
				c := container(w)
				if dig(pod, "securityContext", "runAsNonRoot") != true || num(pod, "securityContext", "runAsUser") < 1 {
					t.Errorf("pod security context %v", dig(pod, "securityContext"))
				}
				if dig(c, "securityContext", "readOnlyRootFilesystem") != true || dig(c, "securityContext", "allowPrivilegeEscalation") != false ||
					fmt.Sprint(dig(c, "securityContext", "capabilities", "drop")) != "[ALL]" {
					t.Errorf("container security context %v", dig(c, "securityContext"))
				}
				if dig(pod, "automountServiceAccountToken") != false {
					t.Errorf("the pod gets a Kubernetes API token it never uses")
				}
				// Uploads spool to /tmp: a writable emptyDir there.
				var tmpVolume string
				for _, m := range list(c, "volumeMounts") {
					if str(m, "mountPath") == "/tmp" {
						tmpVolume = str(m, "name")
					}
				}
				ok := false
				for _, v := range list(pod, "volumes") {
					if str(v, "name") == tmpVolume && dig(v, "emptyDir") != nil {
						ok = true
					}
				}
				if !ok {
					t.Errorf("no emptyDir mounted at /tmp")
				}
			})
		}
	}
}

func TestMetricsStayOffThePublicPath(t *testing.T) {
	objs := manifests(t, render(t, "testdata/production.yaml"))
	env := settings(t, objs)
	c := container(only(t, objs, "Deployment", ""))
	var metricsPort int
	for _, p := range list(c, "ports") {
		if str(p, "name") == "metrics" {
			metricsPort = num(p, "containerPort")
		}
	}
	if metricsPort == 0 || env["ONRAMP_METRICS_ADDR"] != fmt.Sprintf("0.0.0.0:%d", metricsPort) {
		t.Fatalf("ONRAMP_METRICS_ADDR %q, container metrics port %d", env["ONRAMP_METRICS_ADDR"], metricsPort)
	}
	web := only(t, objs, "Service", "onramp")
	for _, p := range list(web, "spec", "ports") {
		if str(p, "targetPort") != "http" {
			t.Errorf("the public Service also exposes %v", p)
		}
	}
	ing := only(t, objs, "Ingress", "")
	backend := dig(ing, "spec", "rules", "0", "http", "paths", "0", "backend", "service")
	if str(backend, "name") != "onramp" || str(backend, "port", "name") != "http" {
		t.Errorf("the Ingress sends traffic to %v", backend)
	}
	metrics := only(t, objs, "Service", "onramp-metrics")
	if str(metrics, "spec", "ports", "0", "name") != "metrics" || str(metrics, "spec", "ports", "0", "targetPort") != "metrics" {
		t.Errorf("metrics Service ports %v", dig(metrics, "spec", "ports"))
	}
	sm := only(t, objs, "ServiceMonitor", "")
	for k, v := range dig(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if str(metrics, "metadata", "labels", k) != v {
			t.Errorf("the ServiceMonitor selects %s=%v, which the metrics Service lacks", k, v)
		}
	}
	if str(sm, "spec", "endpoints", "0", "port") != "metrics" || str(sm, "spec", "endpoints", "0", "path") != "/metrics" {
		t.Errorf("the ServiceMonitor scrapes %v", dig(sm, "spec", "endpoints", "0"))
	}
	np := only(t, objs, "NetworkPolicy", "")
	for _, rule := range list(np, "spec", "ingress") {
		if str(rule, "ports", "0", "port") == "metrics" && len(list(rule, "from")) == 0 {
			t.Errorf("anyone may scrape the metrics port")
		}
	}
}

func TestChartRefusesUnsafeValues(t *testing.T) {
	cases := []struct {
		name string
		set  []string
		want string
	}{
		{"plain http", []string{"baseUrl=http://onramp.example.org"}, "must start with https://"},
		{"grace too short", []string{"shutdown.terminationGracePeriodSeconds=30"}, "stopping a pod takes up to 355 s"},
		{"metrics on the web port", []string{"metrics.port=8080"}, "metrics.port must differ from 8080"},
		{"secret in the ConfigMap", []string{"config.SMTP_URL=smtp://u:p@mail:587"}, "is a secret"},
		{"setting the chart owns", []string{"config.ONRAMP_ADDR=0.0.0.0:80"}, "is set by the chart itself"},
		{"no image", []string{"image.repository="}, "image.repository is required"},
		{"no database", []string{"secretEnv.DATABASE_URL="}, "secretEnv.DATABASE_URL is required"},
		{"public URL without region", []string{"s3.region=", "s3.publicUrl=https://media.example.org"}, "needs s3.region"},
		{"misspelt value", []string{"ingres.enabled=true"}, "ingres"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"template", "onramp", chartDir, "-f", "testdata/minimal.yaml"}
			for _, s := range tc.set {
				args = append(args, "--set", s)
			}
			_, err := helm(t, args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want a refusal mentioning %q, got %v", tc.want, err)
			}
		})
	}
}
