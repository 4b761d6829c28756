package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"onramp/app/devidp"
	"onramp/app/testenv"
	"onramp/modules/identity"
)

// onrampBinary builds the real onramp command once per test run.
var onrampBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "onramp-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "onramp")
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building onramp: %v\n%s", err, out)
	}
	return bin, nil
})

// replica is one `onramp serve` process.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan error
}

// startReplica runs `onramp serve` with env on a free loopback port and
// waits until its /readyz says ready.
func startReplica(t *testing.T, name, bin string, env []string) *replica {
	t.Helper()
	addr := freeAddr(t)
	r := &replica{name: name, url: "http://" + addr, log: &bytes.Buffer{}, done: make(chan error, 1)}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = append(append(os.Environ(), env...), "ONRAMP_ADDR="+addr)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-r.done
		if t.Failed() {
			t.Logf("%s's log:\n%s", r.name, r.log.String())
		}
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if readyz(r.url) == http.StatusOK {
			return r
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("%s exited before it was ready: %v\n%s", name, err, r.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not ready within 60s:\n%s", name, r.log.String())
		}
	}
}

// readyz is the status of base's /readyz, or 0 when nothing answers.
func readyz(base string) int {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// balancer is a small load balancer, as nginx or a cloud one would be: it
// checks each backend's /readyz every 20 ms and sends requests, round
// robin, only to those that answered 200. It never retries.
type balancer struct {
	mu       sync.Mutex
	backends []*backend
	next     int
	failures atomic.Int64
}

type backend struct {
	url   string
	proxy *httputil.ReverseProxy
	ready atomic.Bool
	stop  chan struct{}
}

func (b *balancer) add(t *testing.T, target string) {
	u, _ := url.Parse(target)
	be := &backend{url: target, proxy: httputil.NewSingleHostReverseProxy(u), stop: make(chan struct{})}
	be.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		b.failures.Add(1)
		t.Logf("balancer: %s %s to %s failed: %v", r.Method, r.URL.Path, target, err)
		w.WriteHeader(http.StatusBadGateway)
	}
	go func() {
		for {
			be.ready.Store(readyz(target) == http.StatusOK)
			select {
			case <-be.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	b.mu.Lock()
	b.backends = append(b.backends, be)
	b.mu.Unlock()
	t.Cleanup(func() { b.remove(target) })
}

func (b *balancer) remove(target string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, be := range b.backends {
		if be.url == target {
			close(be.stop)
			b.backends = append(b.backends[:i], b.backends[i+1:]...)
			return
		}
	}
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var pick *backend
	for range b.backends {
		be := b.backends[b.next%len(b.backends)]
		b.next++
		if be.ready.Load() {
			pick = be
			break
		}
	}
	b.mu.Unlock()
	if pick == nil {
		b.failures.Add(1)
		http.Error(w, "no backend ready", http.StatusServiceUnavailable)
		return
	}
	pick.proxy.ServeHTTP(w, r)
}

// stop sends SIGTERM to the replica and checks how it goes: /readyz
// turns 503 while it still serves, and it exits 0.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sawNotReady := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if readyz(r.url) == http.StatusServiceUnavailable {
			sawNotReady = true
			break
		}
	}
	if !sawNotReady {
		t.Errorf("%s's /readyz did not answer 503 after SIGTERM while it was still serving", r.name)
	}
	select {
	case err := <-r.done:
		r.done <- err
		if err != nil {
			t.Errorf("%s exited with %v after SIGTERM, want status 0\n%s", r.name, err, r.log.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not exit within 60s of SIGTERM", r.name)
	}
}

// TestTwoReplicasBehindABalancerAgreeAndRestartWithoutLosingARequest runs
// two `onramp serve` processes on one database behind a load balancer.
// A lesson an editor unpublishes through one is refused on the other at
// once (each caches content for an hour here, so only the notification
// can explain it), and a rolling restart of both under load fails no
// request: each replica says it is not ready first, keeps serving through
// its grace period, finishes what it has and exits 0.
func TestTwoReplicasBehindABalancerAgreeAndRestartWithoutLosingARequest(t *testing.T) {
	bin, err := onrampBinary()
	if err != nil {
		t.Fatal(err)
	}
	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + lbLn.Addr().String()
	lb := &balancer{}
	lbSrv := &http.Server{Handler: lb}
	go lbSrv.Serve(lbLn)
	t.Cleanup(func() { lbSrv.Close() })

	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	users := make([]devidp.User, len(identity.DemoPeople))
	for i, p := range identity.DemoPeople {
		users[i] = devidp.User{Subject: p.Subject, Email: p.Email, Name: p.Name, Roles: p.Roles}
	}
	idp, err := devidp.New(devidp.Config{Issuer: issuer, Users: users, RolesClaim: "roles", Clients: []devidp.Client{{
		ID: "onramp-replicas", Secret: "replica-secret", RedirectURIs: []string{public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{public + "/auth/signed-out"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp}
	go idpSrv.Serve(idpLn)
	t.Cleanup(func() { idpSrv.Close() })

	emptyEnv(t)
	env := []string{
		"DATABASE_URL=" + testenv.DatabaseURL(t), "ONRAMP_BASE_URL=" + public,
		"OIDC_ISSUER_URL=" + issuer, "OIDC_CLIENT_ID=onramp-replicas", "OIDC_CLIENT_SECRET=replica-secret",
		"STORAGE_URL=file://" + t.TempDir(), "ONRAMP_DB_MAX_CONNS=8", "ONRAMP_CONTENT_CACHE_TTL=1h",
		"ONRAMP_SHUTDOWN_GRACE=1s", "ONRAMP_TRUSTED_PROXIES=127.0.0.1", "ONRAMP_AUTH_RATE_LIMIT=1000", "ONRAMP_AUTH_RATE_BURST=1000",
	}
	a := startReplica(t, "A", bin, env)
	b := startReplica(t, "B", bin, env)
	lb.add(t, a.url)
	lb.add(t, b.url)
	lb.waitReady(t, a.url)
	lb.waitReady(t, b.url)

	site := &testenv.Server{URL: public}
	editor := site.SignIn(t, "editor@example.org").NoRedirects()
	learner := site.SignIn(t, "learner@example.org").NoRedirects()

	// An editor's course, published through the balancer.
	slug := fmt.Sprintf("replicas-%d", time.Now().UnixNano()%1e9)
	programme := createdID(t, editor, "/admin/content/programmes", url.Values{"title": {"Course " + slug}, "slug": {slug}}, "/admin/content/programmes/")
	module := createdID(t, editor, "/admin/content/programmes/"+programme+"/modules", url.Values{"title": {"Week one"}}, "/admin/content/modules/")
	lesson := createdID(t, editor, "/admin/content/modules/"+module+"/lessons", url.Values{"title": {"Being on time"}}, "/admin/content/lessons/")
	saveLesson := func(c *testenv.Client, published bool) {
		form := url.Values{"title": {"Being on time"}, "minutes": {"3"}, "body": {"Arrive a little early."}, "action": {"save"}}
		if published {
			// Learners are on the course by the second save: the editor
			// has seen how many and confirmed.
			form.Set("published", "true")
			form.Set("confirm_publish", "yes")
		}
		wantStatus(t, c.PostForm("/admin/content/lessons/"+lesson, form), http.StatusSeeOther)
	}
	saveLesson(editor, true)
	wantStatus(t, editor.PostForm("/admin/content/programmes/"+programme,
		url.Values{"title": {"Course " + slug}, "published": {"true"}, "open_enrolment": {"true"}}), http.StatusSeeOther)
	wantStatus(t, editor.PostForm("/admin/content/modules/"+module, url.Values{"title": {"Week one"}, "published": {"true"}}), http.StatusSeeOther)
	wantStatus(t, learner.PostForm("/learn/"+slug+"/start", nil), http.StatusSeeOther)

	// Both replicas cache the lesson; the editor unpublishes it on A.
	page := "/learn/" + slug + "/lessons/" + lesson
	onA, onB := *learner, *learner // cookies are per host, not port: one sign-in serves both
	onA.Base, onB.Base = a.url, b.url
	wantStatus(t, onA.Get(page), http.StatusOK)
	wantStatus(t, onB.Get(page), http.StatusOK)
	editorOnA := *editor
	editorOnA.Base = a.url
	saveLesson(&editorOnA, false)
	for _, c := range []*testenv.Client{&onA, &onB} {
		wantStatus(t, c.Do(c.Request(http.MethodPost, "/api/v1/lessons/"+lesson+"/complete", nil)), http.StatusNotFound)
	}
	// seen waits up to a second for c to answer the lesson page with
	// status: replicas hear of an edit, they do not wait out their cache.
	seen := func(c *testenv.Client, status int, what string) {
		t.Helper()
		for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
			resp := c.Get(page)
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s a second after the edit (%d)", c.Base, what, resp.StatusCode)
			}
		}
	}
	seen(&onB, http.StatusNotFound, "still shows the lesson A unpublished")
	// Both show it again before the load starts: a request in the moment
	// before a replica hears of the edit would otherwise be counted as
	// lost in the restart.
	saveLesson(editor, true)
	seen(&onA, http.StatusOK, "still hides the lesson published again")
	seen(&onB, http.StatusOK, "still hides the lesson published again")

	// Load through the balancer while both replicas restart in turn.
	ctx, stopLoad := context.WithCancel(context.Background())
	var sent, failed atomic.Int64
	var failures sync.Map
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && i < 100000; i++ {
				var req *http.Request
				switch i % 3 {
				case 0:
					req = learner.Request(http.MethodPost, "/api/v1/lessons/"+lesson+"/complete", nil)
				case 1:
					req = learner.Request(http.MethodGet, "/api/v1/programmes/"+slug, nil)
				default:
					req = learner.Request(http.MethodGet, page, nil)
				}
				resp, err := learner.Client.Do(req)
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					failures.Store(fmt.Sprintf("worker %d: %s %s: %v", w, req.Method, req.URL.Path, err), true)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode >= 300 {
					failed.Add(1)
					failures.Store(fmt.Sprintf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode), true)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	for _, old := range []*replica{a, b} {
		old.stop(t)
		lb.remove(old.url)
		fresh := startReplica(t, old.name+"'", bin, env)
		lb.add(t, fresh.url)
		lb.waitReady(t, fresh.url)
		time.Sleep(300 * time.Millisecond) // some load on the new pair
	}
	stopLoad()
	wg.Wait()
	if failed.Load() > 0 || lb.failures.Load() > 0 {
		var list []string
		failures.Range(func(k, _ any) bool { list = append(list, k.(string)); return true })
		t.Errorf("%d of %d requests failed during the rolling restart (balancer errors %d): %q", failed.Load(), sent.Load(), lb.failures.Load(), list)
	}
	if sent.Load() < 100 {
		t.Errorf("only %d requests were sent during the restart; the load did not run", sent.Load())
	}
	t.Logf("%d requests through a rolling restart of both replicas, %d failed", sent.Load(), failed.Load())
}

// waitReady waits until the balancer sends requests to target.
func (b *balancer) waitReady(t *testing.T, target string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b.mu.Lock()
		ready := false
		for _, be := range b.backends {
			ready = ready || (be.url == target && be.ready.Load())
		}
		b.mu.Unlock()
		if ready {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the balancer did not see %s ready within 10s", target)
		}
	}
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	body := testenv.Body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%.500s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

// createdID posts form to path, which should redirect to prefix<id>, and
// returns the id.
func createdID(t *testing.T, c *testenv.Client, path string, form url.Values, prefix string) string {
	t.Helper()
	resp := c.PostForm(path, form)
	wantStatus(t, resp, http.StatusSeeOther)
	rest, ok := strings.CutPrefix(resp.Header.Get("Location"), prefix)
	if !ok {
		t.Fatalf("POST %s redirected to %q, want %s...", path, resp.Header.Get("Location"), prefix)
	}
	id, _, _ := strings.Cut(rest, "?")
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(id) {
		t.Fatalf("POST %s: %q is not an id", path, id)
	}
	return id
}
