{{/*
Named templates of the costsim chart. Only Go templates, sprig functions and include are used here (see
../../README.md for the subset of Helm the chart stays within).
*/}}

{{/* The chart's name: "costsim" unless nameOverride says otherwise. */}}
{{- define "costsim.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release's base name, prefix of every object: fullnameOverride, else the release name when it already contains
the chart's name (release "costsim" -> "costsim"), else "<release>-<chart>". 52 characters at most, so that the
longest suffix added below ("-postgresql-hl") still leaves the name under 63.
*/}}
{{- define "costsim.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The namespace every object goes to: namespaceOverride (values-sandbox.yaml sets it), else the release's. */}}
{{- define "costsim.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{/* chart label value: "costsim-0.4.0". */}}
{{- define "costsim.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Names of the components' objects. */}}
{{- define "costsim.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "costsim.fullname" .) -}}
{{- end -}}

{{- define "costsim.postgrest.fullname" -}}
{{- printf "%s-postgrest" (include "costsim.fullname" .) -}}
{{- end -}}

{{- define "costsim.metrics.fullname" -}}
{{- printf "%s-metrics" (include "costsim.fullname" .) -}}
{{- end -}}

{{/*
Selector labels of one component: include "costsim.selectorLabels" (dict "ctx" $ "component" "postgresql").
Stable across upgrades (a StatefulSet's or Deployment's selector cannot change).
*/}}
{{- define "costsim.selectorLabels" -}}
app.kubernetes.io/name: {{ include "costsim.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Every object's labels: include "costsim.labels" (dict "ctx" $ "component" "postgresql").
The selector labels plus version, part-of, managed-by and the chart.
*/}}
{{- define "costsim.labels" -}}
{{ include "costsim.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: costsim
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ include "costsim.chart" .ctx }}
{{- end -}}

{{/* The ServiceAccount the pods run as. */}}
{{- define "costsim.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "costsim.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the database passwords: auth.existingSecret, else the one this chart creates. */}}
{{- define "costsim.authSecretName" -}}
{{- default (printf "%s-auth" (include "costsim.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* The Secret holding PostgREST's JWT secret: postgrest.jwt.existingSecret, else the one this chart creates. */}}
{{- define "costsim.jwtSecretName" -}}
{{- default (printf "%s-jwt" (include "costsim.fullname" .)) .Values.postgrest.jwt.existingSecret -}}
{{- end -}}

{{/*
An image reference: include "costsim.image" (dict "image" .Values.image "defaultTag" .Chart.AppVersion).
*/}}
{{- define "costsim.image" -}}
{{- $repository := required "an image repository is required (image.repository, postgrest.image.repository, metrics.exporter.image.repository)" .image.repository -}}
{{- printf "%s:%s" $repository (toString (default .defaultTag .image.tag)) -}}
{{- end -}}

{{/* A postgresql.conf string literal: 'value' with every ' doubled. */}}
{{- define "costsim.pgString" -}}
{{- printf "'%s'" (replace "'" "''" (toString .)) -}}
{{- end -}}

{{/* The PostgreSQL port (the image's default; the chart does not change it). */}}
{{- define "costsim.postgresql.port" -}}
5432
{{- end -}}

{{/* Where the data directory lives: the volume is mounted one level up (a volume's root may hold lost+found). */}}
{{- define "costsim.pgdata" -}}
/var/lib/postgresql/data/pgdata
{{- end -}}

{{/*
costsim.conf: the postgresql.conf additions (ConfigMap <fullname>-postgresql). PostgreSQL starts with
-c config_file=/etc/costsim/postgresql.conf, which includes initdb's postgresql.conf from the data directory first
and this file after it, so these settings win; ALTER SYSTEM (postgresql.auto.conf) still wins over both.
The server settings are those of scripts/cluster.sh and the README's GUC table.
*/}}
{{- define "costsim.postgresqlConf" -}}
{{- $db := required "costsim.database is required" .Values.costsim.database -}}
{{- if not (regexMatch "^[a-z_][a-z0-9_]*$" $db) -}}
{{- required "costsim.database must be a lower-case SQL identifier (letters, digits, _)" "" -}}
{{- end -}}
# costsim.conf, written by the costsim Helm chart (values: costsim.*, canary.*, postgresql.*).
# Included after initdb's postgresql.conf: these settings win over initdb's; ALTER SYSTEM still wins over them.

# Connections from PostgREST and the exporter (pg_hba.conf: scram-sha-256 for every TCP client).
listen_addresses = '*'

# costsim needs its library preloaded (shared-memory metrics, the breaker's windows, its background workers), and
# pg_cron runs the daily canary request. Both are postmaster-level: a change restarts the pod.
shared_preload_libraries = {{ include "costsim.pgString" (join "," (concat (list "pg_cron" "costsim") .Values.postgresql.extraPreloadLibraries)) }}
cron.database_name = {{ include "costsim.pgString" $db }}
# pg_cron runs its jobs in background workers, not over a libpq connection (which would need a password).
cron.use_background_workers = on
# pg_cron's launcher and jobs, costsim's workers, logical replication and parallel queries share these.
max_worker_processes = {{ .Values.postgresql.maxWorkerProcesses }}

# The database costsim's background workers connect to: the one with CREATE EXTENSION costsim.
costsim.database = {{ include "costsim.pgString" $db }}
# Background workers: one leads (breaker timers, canaries, alert delivery), the others stand by (0..8).
costsim.worker_count = {{ .Values.costsim.workerCount }}
# Alertmanager's base URL; the worker posts the breaker's alerts to /api/v2/alerts ('' : they stay queued).
costsim.alertmanager_url = {{ include "costsim.pgString" .Values.costsim.alertmanagerUrl }}

# The V2 shadow, for every session (PostgREST's and direct SQL callers'); reloadable.
costsim.v2_sandbox = {{ ternary "on" "off" .Values.costsim.v2Sandbox }}
costsim.v2_sample_rate = {{ .Values.costsim.v2SampleRate }}
costsim.v2_model_version = {{ include "costsim.pgString" (required "costsim.v2ModelVersion is required (a model_version of costsim.v2_coefficients)" .Values.costsim.v2ModelVersion) }}
{{- if .Values.costsim.defaultTenant }}

# Tenant of callers that name none: direct SQL callers, and PostgREST tokens without a tenant_id claim.
costsim.tenant_id = {{ include "costsim.pgString" .Values.costsim.defaultTenant }}
{{- end }}
{{- with .Values.costsim.settings }}

# Other costsim settings (costsim.settings).
{{- range $name, $value := . }}
{{ $name }} = {{ include "costsim.pgString" $value }}
{{- end }}
{{- end }}
{{- with .Values.postgresql.config }}

# Other PostgreSQL settings (postgresql.config); last, so they win over everything above.
{{- range $name, $value := . }}
{{ $name }} = {{ include "costsim.pgString" $value }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The init SQL, run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d/*.sql, through psql with
ON_ERROR_STOP) when the data directory is empty, as the superuser, in the database costsim.database. Passwords
come from the environment (Secret keys), read with psql's \getenv, so none is written in a ConfigMap.
*/}}
{{- define "costsim.initSql" -}}
{{- $exporterRole := .Values.metrics.exporter.dbUser -}}
-- Written by the costsim Helm chart; run once, on the first start of an empty data directory, by the postgres
-- image's entrypoint as the superuser in the database {{ .Values.costsim.database }}. Later changes to the values below
-- do not re-run it: apply them by hand (helm/README.md, "After the first start").

-- The server preloads both libraries and cron.database_name is this database (costsim.conf).
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS costsim;

-- PostgREST logs in as authenticator, which the extension creates NOLOGIN (postgrest.conf, operator step 2).
\getenv authenticator_password COSTSIM_AUTHENTICATOR_PASSWORD
ALTER ROLE authenticator WITH LOGIN PASSWORD :'authenticator_password';
\unset authenticator_password
{{- if .Values.metrics.enabled }}
{{- if not (regexMatch "^[a-z_][a-z0-9_]*$" $exporterRole) }}
{{- required "metrics.exporter.dbUser must be a lower-case SQL identifier (letters, digits, _)" "" }}
{{- end }}

-- postgres_exporter's login (monitoring/README.md): costsim_auditor reads costsim.metrics and writes nothing;
-- pg_monitor is for the exporter's built-in PostgreSQL metrics.
\getenv exporter_password COSTSIM_EXPORTER_PASSWORD
CREATE ROLE {{ $exporterRole }} LOGIN PASSWORD :'exporter_password' IN ROLE costsim_auditor, pg_monitor;
\unset exporter_password
{{- end }}
{{- if .Values.canary.enabled }}

-- The daily canary: a pg_cron job (costsim-canary, schedule in GMT) that asks the leader worker to run it.
SELECT costsim.schedule_canary({{ include "costsim.pgString" (required "canary.schedule is required when canary.enabled (a cron expression, e.g. \"0 3 * * *\")" .Values.canary.schedule) }}) AS canary_job_id;
{{- end }}
{{- with .Values.postgresql.initdb.extraSql }}

-- postgresql.initdb.extraSql
{{ . }}
{{- end }}
{{- end -}}
