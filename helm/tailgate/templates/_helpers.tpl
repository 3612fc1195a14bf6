{{/*
Names, labels and the derived settings every template shares.
*/}}

{{/* The chart name, shortened to the 63 characters a label value allows. */}}
{{- define "tailgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's resources. */}}
{{- define "tailgate.fullname" -}}
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

{{/* chart label: name-version */}}
{{- define "tailgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "tailgate.labels" -}}
helm.sh/chart: {{ include "tailgate.chart" . }}
{{ include "tailgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tailgate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the release's pods; never change them (selectors are immutable). */}}
{{- define "tailgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tailgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the pod runs as. */}}
{{- define "tailgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tailgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: repository:tag, or repository@digest when a digest is given. */}}
{{- define "tailgate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The catalog ConfigMap's name: the chart's own, or the existing one. */}}
{{- define "tailgate.catalogConfigMap" -}}
{{- default (printf "%s-catalog" (include "tailgate.fullname" .)) .Values.catalog.existingConfigMap }}
{{- end }}

{{/* The Secret holding the client and session secrets. */}}
{{- define "tailgate.secretName" -}}
{{- default (printf "%s-oidc" (include "tailgate.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/* true when tailgate is served to the network with sign-in; false for port-forward only. */}}
{{- define "tailgate.networked" -}}
{{- if eq .Values.auth.mode "oidc" }}true{{ else }}false{{ end }}
{{- end }}

{{/* The public URL: the value, else derived from the first ingress host and ingress.path. */}}
{{- define "tailgate.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := first .Values.ingress.hosts }}
{{- $tls := false }}
{{- range .Values.ingress.tls }}
{{- if has $host (.hosts | default list) }}{{ $tls = true }}{{ end }}
{{- end }}
{{- printf "%s://%s%s" (ternary "https" "http" $tls) $host (.Values.ingress.path | trimSuffix "/") }}
{{- end }}
{{- end }}

{{/*
The path tailgate serves below ("/logs"; "" at the root): the public URL's path, else
ingress.path. The Ingress and HTTPRoute route it unchanged (no rewrite).
*/}}
{{- define "tailgate.basePath" -}}
{{- if .Values.publicUrl }}
{{- (urlParse .Values.publicUrl).path | trimSuffix "/" }}
{{- else }}
{{- .Values.ingress.path | trimSuffix "/" }}
{{- end }}
{{- end }}

{{/* Whether X-Forwarded-For is trusted: the value, else on behind an ingress or HTTPRoute. */}}
{{- define "tailgate.trustForwarded" -}}
{{- if kindIs "bool" .Values.config.trustForwarded }}
{{- .Values.config.trustForwarded }}
{{- else }}
{{- or .Values.ingress.enabled .Values.httpRoute.enabled }}
{{- end }}
{{- end }}

{{/* Seconds Kubernetes waits for the pod to stop: given, or preStop + shutdown grace + 10. */}}
{{- define "tailgate.terminationGracePeriodSeconds" -}}
{{- $needed := add .Values.preStopSleepSeconds (ceil .Values.config.shutdownGrace) }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $needed 10 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + config.shutdownGrace (%v), or tailgate is killed before its tails are closed" .Values.terminationGracePeriodSeconds $needed) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/*
Namespaces whose pod logs the catalog values name, plus podLogs.namespaces, sorted and
without repeats. Returned as a JSON list (templates can only return strings).
*/}}
{{- define "tailgate.podLogNamespaces" -}}
{{- $namespaces := list }}
{{- range .Values.podLogs.namespaces }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- if not .Values.catalog.existingConfigMap }}
{{- range .Values.catalog.logs }}
{{- if kindIs "map" . }}
{{- with .pod }}{{ if .namespace }}{{ $namespaces = append $namespaces .namespace }}{{ end }}{{ end }}
{{- with .pods }}{{ if .namespace }}{{ $namespaces = append $namespaces .namespace }}{{ end }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- range (include "tailgate.discoverPlan" . | fromJson).namespaced | keys }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- $namespaces | uniq | sortAlpha | toJson }}
{{- end }}

{{/*
Namespaces whose Kubernetes Events the catalog values' `events:` entries read, and the
namespaces discover rules name (their workloads' `events` companions), sorted and
without repeats, as a JSON list.
*/}}
{{- define "tailgate.eventNamespaces" -}}
{{- $namespaces := list }}
{{- if not .Values.catalog.existingConfigMap }}
{{- range .Values.catalog.logs }}
{{- if kindIs "map" . }}
{{- with .events }}{{ if .namespace }}{{ $namespaces = append $namespaces .namespace }}{{ end }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- range .Values.eventLogs.namespaces }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- range (include "tailgate.discoverPlan" . | fromJson).eventsNamespaced }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- $namespaces | uniq | sortAlpha | toJson }}
{{- end }}

{{/*
The watches catalog.discover needs, as tailgate works them out (catalog/discovered.py):
"clusterKinds", the kinds some rule with a glob or a namespaceSelector takes (watched in
every namespace); "namespaced", for each namespace a rule names, the other kinds it takes
there; "namespaces", whether some rule selects namespaces by label; "eventsNamespaced",
the namespaces rules with `events` companions (the default) name, and
"eventsEverywhere", whether such a rule has a glob or a namespaceSelector.
*/}}
{{- define "tailgate.discoverPlan" -}}
{{- $all := list "Deployment" "StatefulSet" "DaemonSet" "Job" "CronJob" }}
{{- $cluster := list }}
{{- $selectors := false }}
{{- range .Values.catalog.discover }}
{{- $kinds := .kinds | default $all }}
{{- $everywhere := hasKey . "namespaceSelector" }}
{{- if $everywhere }}{{ $selectors = true }}{{ end }}
{{- range .namespaces }}{{ if or (contains "*" .) (contains "?" .) }}{{ $everywhere = true }}{{ end }}{{ end }}
{{- if $everywhere }}{{ $cluster = concat $cluster $kinds }}{{ end }}
{{- end }}
{{- $namespaced := dict }}
{{- range .Values.catalog.discover }}
{{- $kinds := .kinds | default $all }}
{{- $glob := false }}
{{- range .namespaces }}{{ if or (contains "*" .) (contains "?" .) }}{{ $glob = true }}{{ end }}{{ end }}
{{- if and (not $glob) (not (hasKey . "namespaceSelector")) }}
{{- range $namespace := .namespaces }}
{{- $kept := get $namespaced $namespace | default list }}
{{- range $kinds }}{{ if not (has . $cluster) }}{{ $kept = append $kept . }}{{ end }}{{ end }}
{{- $_ := set $namespaced $namespace ($kept | uniq) }}
{{- end }}
{{- end }}
{{- end }}
{{- $eventsNamespaced := list }}
{{- $eventsEverywhere := false }}
{{- range .Values.catalog.discover }}
{{- $events := true }}
{{- if hasKey . "events" }}{{ $events = .events }}{{ end }}
{{- if $events }}
{{- $everywhere := hasKey . "namespaceSelector" }}
{{- range .namespaces }}{{ if or (contains "*" .) (contains "?" .) }}{{ $everywhere = true }}{{ end }}{{ end }}
{{- if $everywhere }}{{ $eventsEverywhere = true }}{{ else }}{{ $eventsNamespaced = concat $eventsNamespaced .namespaces }}{{ end }}
{{- end }}
{{- end }}
{{- dict "clusterKinds" ($cluster | uniq) "namespaced" $namespaced "namespaces" $selectors "eventsNamespaced" ($eventsNamespaced | uniq) "eventsEverywhere" $eventsEverywhere | toJson }}
{{- end }}

{{/* RBAC rules for listing and watching workload kinds ($ is the list of kinds). */}}
{{- define "tailgate.workloadRules" -}}
{{- $apps := list }}
{{- $batch := list }}
{{- range . }}
{{- if has . (list "Deployment" "StatefulSet" "DaemonSet") }}{{ $apps = append $apps (printf "%ss" (lower .)) }}{{ end }}
{{- if has . (list "Job" "CronJob") }}{{ $batch = append $batch (printf "%ss" (lower .)) }}{{ end }}
{{- end }}
{{- if $apps }}
# discover rules: the apps/v1 workloads they take, listed and watched to stay live.
- apiGroups: ["apps"]
  resources: {{ $apps | sortAlpha | toJson }}
  verbs: ["list", "watch"]
{{- end }}
{{- if $batch }}
# discover rules: the batch/v1 workloads they take (a CronJob's Jobs are its log's pods).
- apiGroups: ["batch"]
  resources: {{ $batch | sortAlpha | toJson }}
  verbs: ["list", "watch"]
{{- end }}
{{- end }}

{{/* The rules for reading pod logs, in a Role per namespace or one ClusterRole. */}}
{{- define "tailgate.podLogRules" -}}
# Finding a pod and following its status (restarts, a pod that does not exist yet) and
# the members of a `pods:` selector: get for one pod, list and watch for the selector
# and for waiting (the watch of one pod carries a metadata.name field selector).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# Reading and following the containers' logs.
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
{{- end }}

{{/* Every check of value combinations the schema cannot express, failing with a clear message. */}}
{{- define "tailgate.validate" -}}
{{- if eq .Values.auth.mode "oidc" }}
{{- if not .Values.auth.oidc.issuer }}
{{- fail "auth.oidc.issuer is required with auth.mode=oidc (or set auth.mode=none to reach tailgate only with kubectl port-forward)" }}
{{- end }}
{{- if not .Values.auth.oidc.clientId }}
{{- fail "auth.oidc.clientId is required with auth.mode=oidc" }}
{{- end }}
{{- if and (not .Values.auth.existingSecret) (not .Values.auth.clientSecret) }}
{{- fail "auth.clientSecret or auth.existingSecret is required with auth.mode=oidc" }}
{{- end }}
{{- if not (include "tailgate.publicUrl" .) }}
{{- fail "publicUrl is required with auth.mode=oidc (or enable the ingress with a host to derive it)" }}
{{- end }}
{{- if not (has "openid" .Values.auth.oidc.scopes) }}
{{- fail "auth.oidc.scopes must include openid" }}
{{- end }}
{{- else }}
{{- if or .Values.ingress.enabled .Values.httpRoute.enabled }}
{{- fail "auth.mode=none binds 127.0.0.1 and is reached only with kubectl port-forward: disable ingress and httpRoute, or use auth.mode=oidc" }}
{{- end }}
{{- if .Values.serviceMonitor.enabled }}
{{- fail "auth.mode=none binds /metrics to 127.0.0.1 too, where Prometheus cannot scrape it: disable serviceMonitor or use auth.mode=oidc" }}
{{- end }}
{{- if .Values.publicUrl }}
{{- fail "publicUrl has no use with auth.mode=none: the UI is reached at http://localhost through kubectl port-forward" }}
{{- end }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) }}
{{- fail "ingress.hosts needs at least one host name" }}
{{- end }}
{{- if and .Values.publicUrl .Values.ingress.path }}
{{- if ne (.Values.ingress.path | trimSuffix "/") (include "tailgate.basePath" .) }}
{{- fail (printf "ingress.path (%s) must be the path of publicUrl (%s): tailgate serves below its public URL's path and the ingress passes paths on unchanged; leave ingress.path empty to follow publicUrl" .Values.ingress.path .Values.publicUrl) }}
{{- end }}
{{- end }}
{{- $plan := include "tailgate.discoverPlan" . | fromJson }}
{{- if and $plan.clusterKinds (not .Values.podLogs.allNamespaces) }}
{{- fail "catalog.discover has a rule with a namespace glob or a namespaceSelector: the namespaces it takes are only known in the cluster, so their pod logs need podLogs.allNamespaces=true (or name the namespaces)" }}
{{- end }}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) }}
{{- fail "httpRoute.parentRefs needs at least one Gateway" }}
{{- end }}
{{- if eq (int .Values.config.port) (int .Values.config.metricsPort) }}
{{- fail "config.port and config.metricsPort must differ" }}
{{- end }}
{{- if gt (int .Values.config.defaultBacklog) (int .Values.config.maxBacklog) }}
{{- fail "config.defaultBacklog must not exceed config.maxBacklog" }}
{{- end }}
{{- if and .Values.catalog.existingConfigMap .Values.catalog.logs }}
{{- fail "catalog.logs and catalog.existingConfigMap both given: choose one" }}
{{- end }}
{{- if .Values.networkPolicy.enabled }}
{{- if not .Values.networkPolicy.apiServer.cidrs }}
{{- fail "networkPolicy.apiServer.cidrs is required with networkPolicy.enabled: tailgate reads its catalog from the API server" }}
{{- end }}
{{- if and (eq .Values.auth.mode "oidc") (not .Values.networkPolicy.oidcIssuer.cidrs) }}
{{- fail "networkPolicy.oidcIssuer.cidrs is required with networkPolicy.enabled and auth.mode=oidc" }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage) (kindIs "invalid" .Values.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "autoscaling needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" }}
{{- end }}
{{- $_ := include "tailgate.terminationGracePeriodSeconds" . }}
{{- end }}

{{/*
The file roots: the mount paths of the log volumes, colon-separated.
*/}}
{{- define "tailgate.fileRoots" -}}
{{- $paths := list -}}
{{- range .Values.fileLogs.volumes -}}
{{- $paths = append $paths .mountPath -}}
{{- end -}}
{{- join ":" $paths -}}
{{- end }}
