# Onramp: `make run` starts everything locally, `make test` runs every test.
SHELL := bash
GO ?= go
BIN := $(CURDIR)/.bin
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
export ONRAMP_MINIO_BIN := $(BIN)/minio
# The PostgreSQL each target expects; when none answers there (or it turns
# user postgres away), deploy/local-postgres.sh starts a private one in
# ./var/postgres and the target uses that instead.
DEV_DATABASE_URL := postgres://postgres@127.0.0.1:5432/onramp_dev?sslmode=disable
TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
LOCAL_PG := deploy/local-postgres.sh

.PHONY: run test build lint bench frontend tools minio chromium npm stop-db

## run: start Onramp with the embedded identity provider and disk media store
run:
	url=$$($(LOCAL_PG) "$${DATABASE_URL:-$(DEV_DATABASE_URL)}") && \
	DATABASE_URL="$$url" $(GO) run ./cmd/onramp dev

## build: compile the onramp binary into ./bin
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/onramp ./cmd/onramp

## test: every test against real PostgreSQL, MinIO and headless Chromium
test: tools
	url=$$($(LOCAL_PG) "$${ONRAMP_TEST_DATABASE_URL:-$(TEST_DATABASE_URL)}") && \
	ONRAMP_TEST_DATABASE_URL="$$url" $(GO) test -count=1 -p 2 -timeout 30m ./...

## stop-db: stop the private PostgreSQL that run and test start when none answers (data kept in ./var/postgres)
stop-db:
	$(LOCAL_PG) stop

## lint: formatting and vet
lint:
	@out=$$(gofmt -l cmd app modules migrations); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the load test (cmd/onramp-load: app vs PostgreSQL alone, page weight), then Go benchmarks
bench: build
	url=$$($(LOCAL_PG) "$${ONRAMP_TEST_DATABASE_URL:-$(TEST_DATABASE_URL)}") && \
	$(GO) run ./cmd/onramp-load -onramp bin/onramp -admin-url "$$url" && \
	ONRAMP_TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchmem ./...

## tools: everything the tests need that a fresh machine lacks
tools: minio chromium npm

minio: $(BIN)/minio
$(BIN)/minio:
	@echo "Installing MinIO $(MINIO_VERSION) into .bin (a few minutes, once)"
	GOBIN=$(BIN) $(GO) install github.com/minio/minio@$(MINIO_VERSION)

chromium:
	@command -v chromium >/dev/null || deploy/apt-install.sh chromium fonts-liberation

npm: assets/node_modules/.installed
assets/node_modules/.installed: assets/package.json assets/package-lock.json
	@command -v npm >/dev/null || deploy/apt-install.sh npm
	npm ci --prefix assets --no-audit --no-fund
	touch $@

## frontend: refresh the vendored NHS.UK frontend from the pinned npm package
frontend: npm
	bash assets/vendor-frontend.sh
