{{/*
Resource names come from the release name only. The chart name is the pipeline, which changes when an edge
moves to another pipeline; a Deployment's selector is immutable, so neither names nor selectors use it.
*/}}
{{- define "edge.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "edge.selectorLabels" -}}
app.kubernetes.io/name: wallaroo-edge
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{- define "edge.labels" -}}
{{ include "edge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{- end -}}

{{/* CONFIG_CPUS as Wallaroo computes it: max(1, ceil(engine cpus)). */}}
{{- define "edge.configCpus" -}}
{{- max 1 (int (ceil .Values.engine.cpus)) -}}
{{- end -}}
