{{/* Names and labels shared by every object of the chart. */}}

{{- define "alertbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: <release>-alertbot, or the release name when it already holds it. */}}
{{- define "alertbot.fullname" -}}
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

{{- define "alertbot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "alertbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alertbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "alertbot.labels" -}}
helm.sh/chart: {{ include "alertbot.chart" . }}
{{ include "alertbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "alertbot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "alertbot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "alertbot.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Refuses settings that cannot work: several replicas on SQLite, no Secret, too many sockets. */}}
{{- define "alertbot.validate" -}}
{{- $url := toString (dig "store" "url" "" .Values.config) }}
{{- if and (gt (int .Values.replicaCount) 1) (hasPrefix "sqlite" $url) }}
{{- fail "replicaCount > 1 needs a shared store: set config.store.url to PostgreSQL (postgresql://...), not SQLite" }}
{{- end }}
{{- if not .Values.secrets.existingSecret }}
{{- fail "secrets.existingSecret is required: the name of a Secret holding the Slack tokens and the store URL" }}
{{- end }}
{{- $mode := toString (dig "slack" "mode" "socket" .Values.config) }}
{{- $conns := int (dig "slack" "connections" 2 .Values.config) }}
{{- if and (eq $mode "socket") (gt (mul (int .Values.replicaCount) $conns) 10) }}
{{- fail "replicaCount x config.slack.connections is over 10, Slack's Socket Mode limit per app" }}
{{- end }}
{{- end }}
