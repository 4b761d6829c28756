# Onramp: `make run` starts everything locally, `make test` runs every test.
SHELL := bash
GO ?= go
BIN := $(CURDIR)/.bin
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
export ONRAMP_MINIO_BIN := $(BIN)/minio

.PHONY: run test build lint bench frontend tools minio chromium npm

## run: start Onramp with the embedded identity provider and disk media store
run:
	$(GO) run ./cmd/onramp dev

## build: compile the onramp binary into ./bin
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/onramp ./cmd/onramp

## test: every test against real PostgreSQL, MinIO and headless Chromium
test: tools
	$(GO) test -count=1 -p 2 -timeout 30m ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l cmd app modules migrations); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the load test (cmd/onramp-load: app vs PostgreSQL alone, page weight), then Go benchmarks
bench: build
	$(GO) run ./cmd/onramp-load -onramp bin/onramp
	$(GO) test -run '^$$' -bench . -benchmem ./...

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
