#!/usr/bin/env bash
# Brings the Compose stack (compose.yaml) up on this machine's Docker
# engine under a project name of its own, with fresh secrets, and checks
# what a person would: Onramp becomes ready, serves its pages, keeps
# /metrics off the public address and sends sign-in to Keycloak. Then it
# takes the stack down again, volumes included, and keeps the logs.
#
#   deploy/compose-smoke.sh        (or `make compose-smoke`)
#
# Without a Docker engine it says so and exits 0 having started nothing:
# `docker compose config` (in `make test`) is then all that is checked.
# It needs ports 8080, 8081, 9000 and 9001 free on 127.0.0.1, and takes a
# few minutes: the image build, then Keycloak's first start.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "compose-smoke: SKIPPED: no Docker engine answers here (docker info failed), so the stack was not started." >&2
  exit 0
fi
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif [ -x ../.bin/docker-compose ]; then
  compose=(../.bin/docker-compose)
else
  echo "compose-smoke: no Compose: install Docker's compose plugin, or run \`make compose\`" >&2
  exit 1
fi
command -v curl >/dev/null || { echo "compose-smoke: needs curl" >&2; exit 1; }

project="onramp-smoke-$$"
log="${ONRAMP_SMOKE_LOG:-/tmp/$project.log}"
secret() { printf 'smoke-%s' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"; }
export POSTGRES_PASSWORD OIDC_CLIENT_SECRET S3_SECRET_KEY MINIO_ROOT_PASSWORD KEYCLOAK_ADMIN_PASSWORD
POSTGRES_PASSWORD=$(secret) OIDC_CLIENT_SECRET=$(secret) S3_SECRET_KEY=$(secret)
MINIO_ROOT_PASSWORD=$(secret) KEYCLOAK_ADMIN_PASSWORD=$(secret)

dc() { "${compose[@]}" -p "$project" -f compose.yaml "$@"; }
cleanup() {
  dc logs --no-color >"$log" 2>&1 || true
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  echo "compose-smoke: stack removed; its logs are in $log"
}
trap cleanup EXIT

fail() { echo "compose-smoke: FAILED: $*" >&2; dc ps -a >&2 || true; exit 1; }

echo "compose-smoke: building and starting project $project"
# up returns once every service has started; onramp starts only after
# migrate and minio-setup succeeded and Keycloak is healthy.
dc up -d --build || fail "docker compose up (see the logs)"

base=http://127.0.0.1:8080
deadline=$((SECONDS + 300))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; do
  ((SECONDS < deadline)) || fail "/readyz did not answer 200 within 5 minutes"
  sleep 3
done
echo "compose-smoke: /readyz 200"

status() { curl -s -o /dev/null -w '%{http_code}' "$base$1"; }
[ "$(status /healthz)" = 200 ] || fail "/healthz is not 200"
[ "$(status /metrics)" = 404 ] || fail "/metrics answers on the public address"
[ "$(status /)" = 200 ] || [ "$(status /)" = 303 ] || [ "$(status /)" = 302 ] || fail "/ answers $(status /)"

# Sign-in goes to the realm the stack imported, with PKCE.
location=$(curl -s -o /dev/null -w '%{redirect_url}' "$base/auth/login")
case "$location" in
  http://keycloak:8081/realms/onramp/protocol/openid-connect/auth\?*code_challenge_method=S256*) ;;
  *) fail "/auth/login redirects to '$location', not to Keycloak's onramp realm" ;;
esac
# Keycloak itself answers that URL with its sign-in page (through the
# published port; the browser would use the hosts entry for this name).
kc="http://127.0.0.1:8081${location#http://keycloak:8081}"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: keycloak:8081' "$kc")" = 200 ] ||
  fail "Keycloak does not show its sign-in page for Onramp's request"

echo "compose-smoke: PASSED: migrated, ready, pages served, /metrics private, sign-in reaches Keycloak"
