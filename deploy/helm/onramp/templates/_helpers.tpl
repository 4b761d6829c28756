{{/* Names and labels. */}}

{{- define "onramp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "onramp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "onramp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "onramp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "onramp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "onramp.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "onramp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "onramp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image, by digest when one is given. */}}
{{- define "onramp.image" -}}
{{- $repo := required "image.repository is required: the image built from deploy/Dockerfile, pushed to your registry" .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (required "image.tag (or image.digest) is required: the tag of the image you pushed" .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret the chart makes, or the one the operator named. */}}
{{- define "onramp.secretName" -}}
{{- default (include "onramp.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Shutdown timings, in seconds. */}}
{{- define "onramp.preStopSeconds" -}}
{{- int .Values.shutdown.graceSeconds }}
{{- end }}

{{- define "onramp.terminationGracePeriodSeconds" -}}
{{- $grace := int .Values.shutdown.graceSeconds }}
{{- $drain := int .Values.shutdown.drainSeconds }}
{{- $upload := add (int .Values.shutdown.uploadSeconds) (int .Values.shutdown.requestSeconds) }}
{{- $least := add $grace $grace (max $drain $upload) $drain }}
{{- $set := .Values.shutdown.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $set }}
{{- add $least 5 }}
{{- else if lt (int $set) $least }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds is %d, but stopping a pod takes up to %d s (preStop sleep %d + ONRAMP_SHUTDOWN_GRACE %d + a drain of %d, the longer of ONRAMP_SHUTDOWN_TIMEOUT and an upload's budget + job stop %d): raise it or leave it empty" (int $set) $least $grace $grace (max $drain $upload) $drain) }}
{{- else }}
{{- int $set }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL as an env entry, for the migration Job: from
postgresql.urlSecret, else the operator's Secret, else the hook Secret
the chart makes for the Job.
*/}}
{{- define "onramp.databaseUrlEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- if .Values.postgresql.urlSecret.name }}
      name: {{ .Values.postgresql.urlSecret.name }}
      key: {{ .Values.postgresql.urlSecret.key }}
      {{- else if .Values.existingSecret }}
      name: {{ .Values.existingSecret }}
      key: DATABASE_URL
      {{- else }}
      name: {{ include "onramp.fullname" . }}-migrate
      key: DATABASE_URL
      {{- end }}
{{- end }}

{{/*
Environment entries that take single variables from Secrets of their own;
they override the same names from envFrom.
*/}}
{{- define "onramp.secretRefEnv" -}}
{{- with .Values.postgresql.urlSecret.name }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.postgresql.urlSecret.key }}
{{- end }}
{{- with .Values.s3.credentialsSecret.name }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.credentialsSecret.accessKeyKey }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.credentialsSecret.secretKeyKey }}
{{- end }}
{{- end }}

{{/* The settings the chart sets itself, by variable name. */}}
{{- define "onramp.configEnv" -}}
{{- $base := required "baseUrl is required: the public https URL of Onramp" .Values.baseUrl }}
{{- if not (hasPrefix "https://" $base) }}
{{- fail (printf "baseUrl %q must start with https://: onramp serve refuses plain http outside localhost" $base) }}
{{- end }}
{{- $s3 := .Values.s3 }}
{{- $storage := printf "s3://%s?endpoint=%s&secure=%t" (required "s3.bucket is required: the bucket Onramp keeps media in" $s3.bucket) (urlquery (required "s3.endpoint is required: host[:port] of the S3 API, without https://" $s3.endpoint)) $s3.secure }}
{{- if $s3.region }}
{{- $storage = printf "%s&region=%s" $storage (urlquery $s3.region) }}
{{- end }}
{{- if $s3.publicUrl }}
{{- if not $s3.region }}
{{- fail "s3.publicUrl needs s3.region: URLs for browsers are signed offline, for a known region" }}
{{- end }}
{{- $storage = printf "%s&public_url=%s" $storage (urlquery $s3.publicUrl) }}
{{- end }}
{{- $env := dict
  "ONRAMP_ADDR" "0.0.0.0:8080"
  "ONRAMP_BASE_URL" (trimSuffix "/" $base)
  "OIDC_ISSUER_URL" (required "oidc.issuerUrl is required: your identity provider's issuer" .Values.oidc.issuerUrl)
  "OIDC_CLIENT_ID" (required "oidc.clientId is required: Onramp's client ID at the identity provider" .Values.oidc.clientId)
  "OIDC_ROLES_CLAIM" .Values.oidc.rolesClaim
  "STORAGE_URL" $storage
  "ONRAMP_DB_MAX_CONNS" (toString (int .Values.postgresql.maxConns))
  "ONRAMP_SHUTDOWN_GRACE" (printf "%ds" (int .Values.shutdown.graceSeconds))
  "ONRAMP_SHUTDOWN_TIMEOUT" (printf "%ds" (int .Values.shutdown.drainSeconds))
  "ONRAMP_UPLOAD_TIMEOUT" (printf "%ds" (int .Values.shutdown.uploadSeconds))
  "ONRAMP_REQUEST_TIMEOUT" (printf "%ds" (int .Values.shutdown.requestSeconds))
}}
{{- if .Values.oidc.extraScopes }}
{{- $_ := set $env "OIDC_EXTRA_SCOPES" .Values.oidc.extraScopes }}
{{- end }}
{{- if .Values.metrics.enabled }}
{{- if eq (int .Values.metrics.port) 8080 }}
{{- fail "metrics.port must differ from 8080, the web port: metrics are kept off the public address" }}
{{- end }}
{{- $_ := set $env "ONRAMP_METRICS_ADDR" (printf "0.0.0.0:%d" (int .Values.metrics.port)) }}
{{- end }}
{{- range $name, $value := .Values.config }}
{{- if hasKey $env $name }}
{{- fail (printf "config.%s is set by the chart itself: use the chart's own value for it (see values.yaml)" $name) }}
{{- end }}
{{- if has $name (list "DATABASE_URL" "OIDC_CLIENT_SECRET" "S3_ACCESS_KEY" "S3_SECRET_KEY" "SMTP_URL") }}
{{- fail (printf "config.%s is a secret: put it in existingSecret or secretEnv, not in the ConfigMap" $name) }}
{{- end }}
{{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
{{- $value = int64 $value }}
{{- end }}
{{- $_ := set $env $name (toString $value) }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/* Pod-level settings shared by the app and the migration Job. */}}
{{- define "onramp.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: false
# Service links would add ONRAMP_SERVICE_HOST and friends to the
# environment, next to Onramp's own ONRAMP_* settings.
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "onramp.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}
