package helm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The Kubernetes releases the rendered manifests are checked against: the
// oldest the chart's kubeVersion allows and a current one. Their OpenAPI
// documents ship in the k8s.io/kubernetes Go module (api/openapi-spec), so
// the schemas come from the Go module proxy like any dependency, and the
// check needs no other network.
var kubernetesReleases = []string{"v1.30.14", "v1.37.2"}

// The Prometheus Operator module carries the ServiceMonitor CRD, whose
// openAPIV3Schema is what an API server with the operator checks against.
const prometheusOperator = "github.com/prometheus-operator/prometheus-operator@v0.90.1"

const serviceMonitorCRD = "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"

// moduleDir downloads (or finds in the module cache) module@version and
// returns its directory. It runs outside this module so go.mod and go.sum
// stay untouched.
func moduleDir(t *testing.T, modVersion string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: %v %s %s", modVersion, err, info.Error, stderrOf(err))
	}
	return info.Dir
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// schemaDir writes, for one Kubernetes release, a JSON schema per kind in
// kinds (apiVersion -> kind names) into a new directory, named as
// kubeconform's schema-location template {{.ResourceKind}}{{.KindSuffix}}.json
// expects: deployment-apps-v1.json, service-v1.json and so on.
func schemaDir(t *testing.T, release string, kinds map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	spec, err := os.ReadFile(filepath.Join(moduleDir(t, "k8s.io/kubernetes@"+release), "api", "openapi-spec", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatalf("swagger.json of %s: %v", release, err)
	}
	byGVK := map[string]string{} // "apps/v1 Deployment" -> definition name
	for name, def := range doc.Definitions {
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			m := g.(map[string]any)
			byGVK[apiVersion(m["group"].(string), m["version"].(string))+" "+m["kind"].(string)] = name
		}
	}
	for av, names := range kinds {
		for _, kind := range names {
			var schema map[string]any
			if av == "monitoring.coreos.com/v1" && kind == "ServiceMonitor" {
				schema = crdSchema(t, filepath.Join(moduleDir(t, prometheusOperator), serviceMonitorCRD), "v1")
			} else {
				name, ok := byGVK[av+" "+kind]
				if !ok {
					// No schema file: kubeconform then reports the kind as
					// unknown to this release, which is the finding.
					continue
				}
				schema = standalone(doc.Definitions, name)
			}
			pinKind(schema, av, kind)
			writeJSON(t, filepath.Join(dir, schemaFile(av, kind)), schema)
		}
	}
	return dir
}

func apiVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// schemaFile is kubeconform's file name for a kind: the kind in lower
// case, the first part of the group, the version.
func schemaFile(av, kind string) string {
	suffix := "-" + av
	if group, version, ok := strings.Cut(av, "/"); ok {
		first, _, _ := strings.Cut(group, ".")
		suffix = "-" + first + "-" + version
	}
	return strings.ToLower(kind) + strings.ToLower(suffix) + ".json"
}

// standalone returns the schema of one definition with every definition it
// reaches copied under "definitions", so "#/definitions/..." references
// resolve inside the one file, made strict the way kubectl validates:
// unknown fields are errors.
func standalone(defs map[string]map[string]any, root string) map[string]any {
	reached := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, ref := range refsIn(defs[name]) {
			if !reached[ref] {
				reached[ref] = true
				queue = append(queue, ref)
			}
		}
	}
	schema := strictCopy(defs[root]).(map[string]any)
	definitions := map[string]any{}
	for name := range reached {
		definitions[name] = strictCopy(defs[name])
	}
	schema["definitions"] = definitions
	return schema
}

func refsIn(node any) []string {
	var refs []string
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			refs = append(refs, strings.TrimPrefix(ref, "#/definitions/"))
		}
		for _, v := range n {
			refs = append(refs, refsIn(v)...)
		}
	case []any:
		for _, v := range n {
			refs = append(refs, refsIn(v)...)
		}
	}
	return refs
}

// strictCopy copies a schema node, closing objects to unknown fields and
// spelling out the two formats JSON Schema does not know: int-or-string
// (IntOrString) and quantities such as 100m or 512Mi, which YAML may also
// give as plain numbers.
func strictCopy(node any) any {
	switch n := node.(type) {
	case map[string]any:
		if n["format"] == "int-or-string" {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		}
		if desc, _ := n["description"].(string); strings.HasPrefix(desc, "Quantity is a fixed-point representation") {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		}
		out := make(map[string]any, len(n)+1)
		for k, v := range n {
			out[k] = strictCopy(v)
		}
		_, open := n["additionalProperties"]
		preserve, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
		if _, props := n["properties"]; props && !open && !preserve {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = strictCopy(v)
		}
		return out
	default:
		return n
	}
}

// pinKind makes a schema accept only its own apiVersion and kind.
func pinKind(schema map[string]any, av, kind string) {
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		return
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{av}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
}

// crdSchema reads a CustomResourceDefinition file and returns the strict
// openAPIV3Schema of one of its versions.
func crdSchema(t *testing.T, path, version string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string
				Schema struct {
					OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == version && v.Schema.OpenAPIV3Schema != nil {
			// Round-trip through JSON: yaml.v3 and encoding/json agree on
			// maps of strings, and the copy is then plain JSON values.
			b, err := json.Marshal(v.Schema.OpenAPIV3Schema)
			if err != nil {
				t.Fatal(err)
			}
			var plain map[string]any
			if err := json.Unmarshal(b, &plain); err != nil {
				t.Fatal(err)
			}
			return strictCopy(plain).(map[string]any)
		}
	}
	t.Fatalf("%s has no version %s with a schema", path, version)
	return nil
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// kubeconformSummary is the summary kubeconform prints with -output json.
type kubeconformSummary struct {
	Resources []struct {
		Filename, Kind, Name, Version, Status, Msg string
	}
	Summary struct {
		Valid, Invalid, Errors, Skipped int
	}
}

// kubeconform checks manifests against the schemas in dir and returns
// what it found; err is set when any resource is not valid.
func kubeconform(t *testing.T, dir string, manifests []byte) (kubeconformSummary, error) {
	t.Helper()
	bin := tool(t, "ONRAMP_KUBECONFORM_BIN", "kubeconform")
	cmd := exec.Command(bin, "-strict", "-summary", "-output", "json",
		"-schema-location", filepath.Join(dir, "{{ .ResourceKind }}{{ .KindSuffix }}.json"), "-")
	cmd.Stdin = bytes.NewReader(manifests)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var sum kubeconformSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("kubeconform printed no summary (%v): %s %s", runErr, stdout.String(), stderr.String())
	}
	if runErr != nil {
		var lines []string
		for _, r := range sum.Resources {
			if r.Status != "statusValid" {
				lines = append(lines, fmt.Sprintf("%s %s %s: %s", r.Version, r.Kind, r.Name, r.Msg))
			}
		}
		return sum, fmt.Errorf("kubeconform: %v\n%s%s", runErr, strings.Join(lines, "\n"), stderr.String())
	}
	return sum, nil
}
