package testenv_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func client(t *testing.T, s *testenv.MinIOServer) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMinIOStoresObjectsAndSurvivesARestart(t *testing.T) {
	s := testenv.MinIO(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := client(t, s)
	if err := c.MakeBucket(ctx, "harness", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	body := []byte("hello from the harness")
	if _, err := c.PutObject(ctx, "harness", "greeting.txt", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}

	s.Stop()
	if _, err := c.StatObject(ctx, "harness", "greeting.txt", minio.StatObjectOptions{}); err == nil {
		t.Fatal("a stopped MinIO still answered")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, "harness", "greeting.txt", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("after restart read %q, %v; want %q", got, err, body)
	}
}

func TestPackageDatabaseIsMigrated(t *testing.T) {
	var n int
	if err := testenv.DB(t).Gorm.Raw("SELECT count(*) FROM goose_db_version WHERE is_applied").Scan(&n).Error; err != nil || n == 0 {
		t.Fatalf("package database not migrated: %d applied, %v", n, err)
	}
}
