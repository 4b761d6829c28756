package storage

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3Config says which bucket an S3 store uses and how to reach it.
type S3Config struct {
	Bucket    string
	Endpoint  string // host:port the server talks to
	Secure    bool   // https to Endpoint
	Region    string // optional; looked up when empty
	AccessKey string
	SecretKey string
	// PublicURL, when set (scheme://host[:port]), is the address signed
	// URLs point browsers at instead of Endpoint. It needs Region.
	PublicURL string
}

// ParseS3URL reads s3://BUCKET?endpoint=HOST:PORT&secure=BOOL&region=R
// [&public_url=URL] into an S3Config without keys. secure defaults to
// true; unknown parameters are refused so typos do not go unnoticed.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		return S3Config{}, fmt.Errorf("storage: STORAGE_URL %q is not an s3:// URL", redact(raw))
	}
	if u.User != nil {
		return S3Config{}, errors.New("storage: put S3 keys in S3_ACCESS_KEY and S3_SECRET_KEY, not in STORAGE_URL")
	}
	q := u.Query()
	cfg := S3Config{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"), Secure: true, PublicURL: q.Get("public_url")}
	for name := range q {
		switch name {
		case "endpoint", "secure", "region", "public_url":
		default:
			return S3Config{}, fmt.Errorf("storage: STORAGE_URL has unknown parameter %q (want endpoint, secure, region, public_url)", name)
		}
	}
	if s := q.Get("secure"); s != "" {
		if cfg.Secure, err = strconv.ParseBool(s); err != nil {
			return S3Config{}, fmt.Errorf("storage: STORAGE_URL secure=%q must be true or false", s)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return S3Config{}, fmt.Errorf("storage: STORAGE_URL must name only a bucket, e.g. s3://onramp-media?endpoint=..., not a path %q", u.Path)
	}
	return cfg, nil
}

// S3 keeps objects in a private S3 bucket through minio-go.
type S3 struct {
	client    *minio.Client
	signer    *minio.Client // client for the browser-facing address
	bucket    string
	region    string
	mu        sync.Mutex
	hasBucket bool // the bucket is known to exist
}

var _ Store = (*S3)(nil)

// NewS3 returns a store for cfg. It does not contact the server. Requests
// fail fast when the server is down (short dial timeout, few retries) so
// callers can answer 503 promptly; pass ctx deadlines for the rest.
func NewS3(cfg S3Config) (*S3, error) {
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("storage: bucket %q: %w", cfg.Bucket, err)
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("storage: STORAGE_URL needs endpoint=HOST:PORT")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("storage: S3_ACCESS_KEY and S3_SECRET_KEY are required for s3:// storage")
	}
	client, err := newMinio(cfg.Endpoint, cfg.Secure, cfg)
	if err != nil {
		return nil, err
	}
	s := &S3{client: client, signer: client, bucket: cfg.Bucket, region: cfg.Region}
	if cfg.PublicURL != "" {
		pu, err := url.Parse(cfg.PublicURL)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || (pu.Path != "" && pu.Path != "/") {
			return nil, fmt.Errorf("storage: public_url %q must be http(s)://HOST[:PORT]", cfg.PublicURL)
		}
		if cfg.Region == "" {
			return nil, errors.New("storage: public_url needs region= too, since signing must not look it up")
		}
		if s.signer, err = newMinio(pu.Host, pu.Scheme == "https", cfg); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func newMinio(endpoint string, secure bool, cfg S3Config) (*minio.Client, error) {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     secure,
		Region:     cfg.Region,
		Transport:  transport,
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 endpoint %q: %w", endpoint, err)
	}
	return c, nil
}

// Bucket is the bucket the store uses.
func (s *S3) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket if it does not exist. The bucket is left
// private: Onramp never sets a bucket policy, and browsers only reach
// objects through signed URLs. Errors wrap ErrUnavailable when the server
// cannot be reached.
func (s *S3) EnsureBucket(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasBucket {
		return nil
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err == nil && !ok {
		err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
		if code := s3Code(err); code == "BucketAlreadyOwnedByYou" {
			err = nil // another replica won the race
		}
	}
	if err != nil {
		return s.fail("creating bucket", "", err)
	}
	s.hasBucket = true
	return nil
}

// partSize is the multipart part size for an upload of at most limit
// bytes: S3's 5 MiB minimum unless limit needs bigger parts to fit in
// S3's 10,000. With
// an unknown size minio-go buffers one part in memory, so small is good.
func partSize(limit int64) uint64 {
	const minPart, maxParts = 5 << 20, 10000
	p := (limit + maxParts - 1) / maxParts
	p = (p + minPart - 1) / minPart * minPart
	return uint64(max(p, minPart))
}

// Put uploads r to key, creating the bucket first if needed; see
// Store.Put. Bodies of up to 5 MiB (or of unknown size) go up in one
// request or in 5 MiB parts, so memory per upload stays small; an
// over-long body fails before the upload completes and a failed multipart
// upload is aborted.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string, max int64) (Object, error) {
	if err := checkPut(key, size, max); err != nil {
		return Object{}, err
	}
	if err := s.EnsureBucket(ctx); err != nil {
		return Object{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	body := newBodyReader(ctx, r, size, max)
	info, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    partSize(max),
	})
	if f := body.failure(); f != nil {
		err = f
	} else if err == nil && info.Size != body.n {
		// Cannot happen with a sound server; the object is certainly the
		// one just written, so it is safe to take back.
		_ = s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, minio.RemoveObjectOptions{})
		return Object{}, opError("put", key, fmt.Errorf("server stored %d bytes of %d", info.Size, body.n))
	}
	if err != nil {
		s.cleanUp(ctx, key, err)
		if body.failure() != nil {
			return Object{}, opError("put", key, err)
		}
		return Object{}, s.fail("put", key, err)
	}
	mod := info.LastModified
	if mod.IsZero() {
		mod = time.Now()
	}
	return Object{Key: key, ContentType: contentType, Size: info.Size, ModTime: mod.UTC()}, nil
}

// cleanUp makes sure a failed Put leaves no multipart upload behind:
// minio-go aborts its own, but an abort can itself fail, so sweep again
// unless the server is unreachable anyway. No object needs removing: a
// body that is too long, too short or failing is cut off before its
// request or upload completes, so S3 never commits it.
func (s *S3) cleanUp(ctx context.Context, key string, cause error) {
	if errors.Is(s.fail("put", key, cause), ErrUnavailable) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = s.client.RemoveIncompleteUpload(ctx, s.bucket, key)
}

// Open returns a reader over key that seeks with ranged GETs (a
// *minio.Object); see Store.Open.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, Object, error) {
	if err := CheckKey(key); err != nil {
		return nil, Object{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Object{}, s.fail("open", key, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Object{}, s.fail("open", key, err)
	}
	return obj, objectOf(info), nil
}

// Stat describes key without reading it. Errors: ErrNotFound,
// ErrInvalidKey, ErrUnavailable.
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	return objectOf(info), nil
}

func objectOf(info minio.ObjectInfo) Object {
	ct := info.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	return Object{Key: info.Key, ContentType: ct, Size: info.Size, ModTime: info.LastModified.UTC()}
}

// Delete removes key; see Store.Delete.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err = s.fail("delete", key, err); errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// SignedURL presigns a GET for key valid for ttl, which makes S3 answer
// with the object's stored content type and an inline Content-Disposition
// naming filename; see Store.SignedURL. Errors: ErrNotFound,
// ErrInvalidKey, ErrUnavailable, or a ttl outside 1s..MaxSignedURLTTL.
func (s *S3) SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	obj, err := s.Stat(ctx, key)
	if err != nil {
		return "", err
	}
	params := url.Values{}
	params.Set("response-content-type", obj.ContentType)
	params.Set("response-content-disposition", inline(filename))
	u, err := s.signer.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", s.fail("sign", key, err)
	}
	return u.String(), nil
}

// inline is an inline Content-Disposition naming filename, with any
// directory part and control characters dropped (non-ASCII names are
// encoded as RFC 2231 asks).
func inline(filename string) string {
	name := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		return "inline"
	}
	if v := mime.FormatMediaType("inline", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "inline"
}

// Ping checks the server answers and the bucket exists, creating it when
// missing so a fresh deployment becomes ready; see Store.Ping. Every
// failure wraps ErrUnavailable.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err == nil && !ok {
		s.mu.Lock()
		s.hasBucket = false
		s.mu.Unlock()
		err = s.EnsureBucket(ctx)
	}
	if err = s.fail("ping", "", err); err != nil && !errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// s3Code is the S3 error code in err, or "".
func s3Code(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

// fail turns a minio-go error into one of the package's: ErrNotFound for
// missing objects or buckets, ErrUnavailable for anything that says the
// server could not be reached or could not serve (network errors, expired
// deadlines, 5xx answers). Other errors keep their cause.
func (s *S3) fail(op, key string, err error) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf("%s %q", op, key)
	if key == "" {
		what = fmt.Sprintf("%s bucket %q", op, s.bucket)
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || resp.StatusCode == http.StatusNotFound:
			return fmt.Errorf("%w (%s)", ErrNotFound, what)
		case resp.StatusCode >= 500 || resp.Code == "SlowDown" || resp.Code == "RequestTimeout":
			return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
		}
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.HasSuffix(err.Error(), " is offline.") {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
	}
	return fmt.Errorf("storage: %s: %w", what, err)
}
