package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MinIOServer is a real MinIO server on a loopback port, shared by the
// tests of one package.
type MinIOServer struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string

	bin, dir string
	mu       sync.Mutex
	cmd      *exec.Cmd
}

var minio struct {
	once sync.Once
	srv  *MinIOServer
	err  error
}

// MinIO returns the package's MinIO server, starting it on first use. The
// binary comes from ONRAMP_MINIO_BIN or ./.bin/minio (`make minio`).
func MinIO(t testing.TB) *MinIOServer {
	t.Helper()
	root := ModuleRoot(t)
	minio.once.Do(func() {
		bin := os.Getenv("ONRAMP_MINIO_BIN")
		if bin == "" {
			bin = filepath.Join(root, ".bin", "minio")
		}
		if _, err := os.Stat(bin); err != nil {
			minio.err = fmt.Errorf("MinIO is not installed at %s: run `make minio`", bin)
			return
		}
		dir, err := os.MkdirTemp("", "onramp-minio-")
		if err != nil {
			minio.err = err
			return
		}
		s := &MinIOServer{AccessKey: "onramp-test", SecretKey: "onramp-test-secret", bin: bin, dir: dir}
		if minio.err = s.Start(); minio.err == nil {
			minio.srv = s
		}
	})
	if minio.err != nil {
		t.Fatal(minio.err)
	}
	return minio.srv
}

// Start runs the server (again, after Stop) on its endpoint and waits
// until it answers its health check.
func (s *MinIOServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Endpoint == "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.Endpoint = fmt.Sprintf("127.0.0.1:%d", port)
	}
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.Endpoint, "--console-address", "127.0.0.1:0", s.dir)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.Endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.kill()
	return fmt.Errorf("MinIO did not become healthy on %s within 60s", s.Endpoint)
}

// Stop kills the server, keeping its data for a later Start; tests use it
// to prove the app copes with storage going away.
func (s *MinIOServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kill()
}

func (s *MinIOServer) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// StorageURL is the STORAGE_URL pointing Onramp at bucket on this server.
func (s *MinIOServer) StorageURL(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&secure=false&region=us-east-1", bucket, s.Endpoint)
}

func stopMinIO() {
	if minio.srv != nil {
		minio.srv.Stop()
		_ = os.RemoveAll(minio.srv.dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WithTimeout is a context for one test step.
func WithTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
