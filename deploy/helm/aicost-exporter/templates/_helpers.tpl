{{- define "aicost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aicost.fullname" -}}
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

{{- define "aicost.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "aicost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one workload: (dict "root" $ "component" "node"|"central") */}}
{{- define "aicost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aicost.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "aicost.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "aicost.nodeServiceAccount" -}}
{{- if .Values.daemonset.serviceAccount.create }}
{{- default (printf "%s-node" (include "aicost.fullname" .)) .Values.daemonset.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.daemonset.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "aicost.centralServiceAccount" -}}
{{- if .Values.deployment.serviceAccount.create }}
{{- default (printf "%s-central" (include "aicost.fullname" .)) .Values.deployment.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.deployment.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "aicost.webConfigSecret" -}}
{{- if .Values.webConfig.existingSecret }}
{{- .Values.webConfig.existingSecret }}
{{- else if .Values.webConfig.content }}
{{- printf "%s-web-config" (include "aicost.fullname" .) }}
{{- end }}
{{- end }}

{{/* The exporter configuration of the DaemonSet: its sources, over the shared config, over daemonset.config. */}}
{{- define "aicost.nodeConfig" -}}
{{- $c := dict "server" (dict "listen" (printf ":%d" (int .Values.port))) "state" (dict "path" "/var/lib/aicost/aicost.db") }}
{{- $sources := dict "nvml" (dict "enabled" (toString .Values.daemonset.nvml.enabled)) }}
{{- if .Values.discovery.enabled }}
{{- $_ := set $sources "vllm_discovery" (dict "namespaces" .Values.discovery.namespaces "label_selector" .Values.discovery.labelSelector "port_name" .Values.discovery.portName "deployment_label" .Values.discovery.deploymentLabel "node_name_env" "NODE_NAME" "interval" .Values.discovery.interval "gpu_count_from_pod" .Values.discovery.gpuCountFromPod) }}
{{- end }}
{{- $_ := set $c "sources" $sources }}
{{- $merged := mergeOverwrite $c (deepCopy .Values.config) (deepCopy .Values.daemonset.config) }}
{{- toYaml $merged }}
{{- end }}

{{- define "aicost.centralConfig" -}}
{{- $c := dict "server" (dict "listen" (printf ":%d" (int .Values.port))) "state" (dict "path" "/var/lib/aicost/aicost.db") "sources" (dict "nvml" (dict "enabled" "false")) }}
{{- $merged := mergeOverwrite $c (deepCopy .Values.config) (deepCopy .Values.deployment.config) }}
{{- toYaml $merged }}
{{- end }}

{{/* Probes: HTTP without a web config; with one (TLS or basic auth may guard every path) a TCP check. */}}
{{- define "aicost.probes" -}}
{{- if include "aicost.webConfigSecret" . }}
readinessProbe:
  tcpSocket: {port: http}
  periodSeconds: 10
livenessProbe:
  tcpSocket: {port: http}
  initialDelaySeconds: 30
  periodSeconds: 20
{{- else }}
readinessProbe:
  httpGet: {path: /-/ready, port: http}
  periodSeconds: 10
livenessProbe:
  httpGet: {path: /-/healthy, port: http}
  initialDelaySeconds: 30
  periodSeconds: 20
  timeoutSeconds: 5
{{- end }}
{{- end }}

{{- define "aicost.args" -}}
- --config.file=/etc/aicost/config.yml
- --log.level={{ .Values.logLevel }}
- --log.format={{ .Values.logFormat }}
{{- if include "aicost.webConfigSecret" . }}
- --web.config.file=/etc/aicost-web/web-config.yml
{{- end }}
{{- end }}
