# Onramp: `make run` starts everything locally, `make test` runs every test.
SHELL := bash
GO ?= go
BIN := $(CURDIR)/.bin
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
export ONRAMP_MINIO_BIN := $(BIN)/minio
# The deploy/ checks: Helm and kubeconform for the chart, Compose for
# compose.yaml (only where the docker compose plugin is missing; later
# Compose releases cannot be built with `go install`).
HELM_VERSION := v4.3.1
KUBECONFORM_VERSION := v0.8.0
COMPOSE_VERSION := v2.28.1
export ONRAMP_HELM_BIN := $(BIN)/helm
export ONRAMP_KUBECONFORM_BIN := $(BIN)/kubeconform
export ONRAMP_COMPOSE_BIN := $(BIN)/docker-compose
# The PostgreSQL each target expects; when none answers there (or it turns
# user postgres away), deploy/local-postgres.sh starts a private one in
# ./var/postgres and the target uses that instead.
DEV_DATABASE_URL := postgres://postgres@127.0.0.1:5432/onramp_dev?sslmode=disable
TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
LOCAL_PG := deploy/local-postgres.sh

.PHONY: run test build lint bench frontend tools minio helm kubeconform compose chromium npm stop-db deploy-test compose-smoke

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

## deploy-test: only the deploy/ checks: helm lint and template, the manifests against Kubernetes schemas, docker compose config
deploy-test: helm kubeconform compose
	$(GO) test -count=1 ./deploy/...

## compose-smoke: start deploy/compose.yaml on this machine's Docker engine, check it serves, take it down (skips without an engine)
compose-smoke: compose
	deploy/compose-smoke.sh

## stop-db: stop the private PostgreSQL that run and test start when none answers (data kept in ./var/postgres)
stop-db:
	$(LOCAL_PG) stop

## lint: formatting and vet
lint:
	@out=$$(gofmt -l cmd app modules migrations deploy); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the load test (cmd/onramp-load: app vs PostgreSQL alone, page weight), then Go benchmarks
bench: build
	url=$$($(LOCAL_PG) "$${ONRAMP_TEST_DATABASE_URL:-$(TEST_DATABASE_URL)}") && \
	$(GO) run ./cmd/onramp-load -onramp bin/onramp -admin-url "$$url" && \
	ONRAMP_TEST_DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchmem ./...

## tools: everything the tests need that a fresh machine lacks
tools: minio helm kubeconform compose chromium npm

minio: $(BIN)/minio
$(BIN)/minio:
	@echo "Installing MinIO $(MINIO_VERSION) into .bin (a few minutes, once)"
	GOBIN=$(BIN) $(GO) install github.com/minio/minio@$(MINIO_VERSION)

helm: $(BIN)/helm
$(BIN)/helm:
	@echo "Installing Helm $(HELM_VERSION) into .bin (a few minutes, once)"
	GOBIN=$(BIN) $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)

kubeconform: $(BIN)/kubeconform
$(BIN)/kubeconform:
	@echo "Installing kubeconform $(KUBECONFORM_VERSION) into .bin"
	GOBIN=$(BIN) $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)

# The docker compose plugin when the machine has it, else Compose built
# into .bin (it installs as "cmd", hence the rename).
compose:
	@docker compose version >/dev/null 2>&1 || $(MAKE) --no-print-directory $(BIN)/docker-compose
$(BIN)/docker-compose:
	@echo "Installing Docker Compose $(COMPOSE_VERSION) into .bin (no docker compose plugin here; a few minutes, once)"
	GOBIN=$(BIN)/compose-build $(GO) install github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mv $(BIN)/compose-build/cmd $@ && rmdir $(BIN)/compose-build

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
