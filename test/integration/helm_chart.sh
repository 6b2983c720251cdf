#!/usr/bin/env bash
# The Helm chart (helm/costsim), rendered by test/helm/render (helm itself is not packaged for Debian 12; the renderer
# follows `helm template`: see the comment at the top of test/helm/render/main.go):
#   - the renderer itself, on a fixture chart with a golden output: include, tpl, toYaml, required, --set/-f merging,
#     .Files through a symbolic link that leaves the chart; --check rejects a workload without probes or limits;
#   - the chart's symbolic links (to postgrest.conf and monitoring/) resolve inside the repository;
#   - the chart renders with its default values (plus a test value for each `required` secret they leave empty,
#     found from the chart's own `required` messages), and every object passes --check (apiVersion, kind, valid
#     metadata.name, no duplicates; every container of a Deployment, StatefulSet or DaemonSet has liveness,
#     readiness and startup probes, cpu and memory limits, and requests);
#   - the objects a PostgreSQL + PostgREST + postgres_exporter deployment needs are there (StatefulSet, Service,
#     PodDisruptionBudget, ServiceAccount, ConfigMap, ServiceMonitor, PrometheusRule, NetworkPolicy, a Deployment
#     running PostgREST, whose PGRST_JWT_SECRET comes from a Secret the chart renders or an existing one it names);
#   - the chart ships the repository's files, not copies: a rendered ConfigMap holds monitoring/queries.yaml byte for
#     byte and the exporter's --extend.query-path is where that key is mounted; another holds postgrest.conf byte for
#     byte and PostgREST is started with the mounted file; the PrometheusRule's spec.groups equal the groups of
#     monitoring/rules/costsim.yml (compared as parsed YAML);
#   - each value the chart marks `required`, when missing, makes the render fail (exit 1) with the chart's message;
#   - helm/sandbox-namespace.yaml holds a Namespace and a default-deny (ingress and egress) NetworkPolicy in it; the
#     release of values-sandbox.yaml renders, passes --check, puts every object in that namespace, and its pods meet
#     the restricted Pod Security Standard the namespace enforces (they would be refused there otherwise).
# COSTSIM_CHART=DIR runs the chart checks on another chart directory (the fixture part is unchanged).
# Needs go (scripts/install-deps.sh installs golang-go and the libraries) and python3; not the database.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/costsim-helm-chart.XXXXXX") || exit 1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CHART=${COSTSIM_CHART:-$ROOT/helm/costsim}   # COSTSIM_CHART: another chart directory, while developing
R=$TMP/render
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

skip() {  # skip DESCRIPTION REASON
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}

# python3 over the rendered objects (render --json): py FILE.json <<'EOF' ... (objs = the list of objects)
py() {
  python3 -c '
import json, sys
objs = json.load(open(sys.argv[1]))
def of(kind): return [o for o in objs if o.get("kind") == kind]
def name(o): return (o.get("metadata") or {}).get("name", "")
def pod_spec(o): return ((o.get("spec") or {}).get("template") or {}).get("spec") or {}
def containers(o): return pod_spec(o).get("containers") or []
'"$(cat)" "$@"
}

#############################################################################################################
# The renderer
#############################################################################################################
build() {
  local cache
  cache=$(GO111MODULE=off go env GOCACHE 2>/dev/null)
  case "$cache" in ""|off) cache=$TMP/go-build ;; esac
  (cd "$ROOT" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE=$cache go build -o "$R" ./test/helm/render)
}
check "test/helm/render builds offline (GO111MODULE=off, GOPATH=/usr/share/gocode)" build
if [ ! -x "$R" ]; then finish; exit 1; fi

# A fixture chart whose output is known, written from helm's documented behaviour.
F=$TMP/fixture/demo
mkdir -p "$F/templates" "$TMP/outside"
printf 'line one\nline two\n' >"$TMP/outside/data.txt"
ln -s ../../outside/data.txt "$F/linked.txt"
cat >"$F/Chart.yaml" <<'EOF'
apiVersion: v2
name: demo
version: 1.2.3
appVersion: "4.5"
EOF
cat >"$F/values.yaml" <<'EOF'
name: ""
port: 5432
big: 1000000
greeting: "hello {{ .Release.Name }}"
labels: {tier: db, team: core}
list: [a, b]
EOF
cat >"$F/templates/_helpers.tpl" <<'EOF'
{{- define "demo.fullname" -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
EOF
cat >"$F/templates/configmap.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "demo.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- toYaml .Values.labels | nindent 4 }}
data:
  name: {{ required "name is required" .Values.name | quote }}
  port: "{{ .Values.port }}"
  big: "{{ .Values.big }}"
  greeting: {{ tpl .Values.greeting . | quote }}
  list: {{ .Values.list | toJson | quote }}
  chart: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }} {{ .Release.Service }} {{ .Template.Name }}
  monitoring: "{{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }} {{ .Capabilities.APIVersions.Has "example.com/v9" }}"
  missing: "{{ .Values.nothing }}"
  linked.txt: |
    {{- .Files.Get "linked.txt" | nindent 4 }}
---
{{- if .Values.extra }}
apiVersion: v1
kind: Secret
metadata:
  name: extra
{{- end }}
EOF
cat >"$TMP/fixture/override.yaml" <<'EOF'
labels: {team: null, zone: b}
EOF
cat >"$TMP/fixture/expected.yaml" <<'EOF'
---
# Source: demo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: rel-demo
  namespace: ns1
  labels:
    tier: db
    zone: b
data:
  name: "x,y"
  port: "5432"
  big: "1e+06"
  greeting: "hello rel"
  list: "[\"c\",\"d\"]"
  chart: demo-1.2.3-4.5 Helm demo/templates/configmap.yaml
  monitoring: "true false"
  missing: ""
  linked.txt: |
    line one
    line two
EOF
fixture_renders() {
  "$R" "$F" --release rel --namespace ns1 -f "$TMP/fixture/override.yaml" --set 'name=x\,y' --set 'list={c,d}' \
    >"$TMP/fixture/got.yaml" || return 1
  diff -u "$TMP/fixture/expected.yaml" "$TMP/fixture/got.yaml"
}
check "renderer: the fixture chart renders as helm would (include, tpl, toYaml, -f/--set, a linked file)" \
  fixture_renders
fixture_required() {
  local out rc=0
  out=$("$R" "$F" 2>&1) || rc=$?
  echo "exit $rc: $out"
  [ "$rc" -eq 1 ] && [[ $out == *"execution error at (demo/templates/configmap.yaml:"*"): name is required"* ]]
}
check "renderer: a missing required value fails (exit 1) with the chart's message" fixture_required

cat >"$TMP/bad.yaml" <<'EOF'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  template:
    spec:
      initContainers: [{name: init}]
      containers:
        - name: app
          livenessProbe: {tcpSocket: {port: 1}}
          readinessProbe: {tcpSocket: {port: 1}}
          resources: {limits: {cpu: "1"}, requests: {cpu: "1"}}
---
kind: Service
metadata: {name: Bad_Name}
EOF
check_rejects() {
  local out rc=0
  out=$("$R" --check "$TMP/bad.yaml") || rc=$?
  echo "exit $rc"; echo "$out"
  [ "$rc" -ne 0 ] && [ "$(grep -c '^VIOLATION: ' <<<"$out")" -eq 4 ] &&
    grep -q 'container app has no startupProbe' <<<"$out" &&
    grep -q 'container app has no resources.limits.memory' <<<"$out" &&
    grep -q 'Service/Bad_Name .*has no apiVersion' <<<"$out" &&
    grep -q 'Service/Bad_Name .*not a DNS-1123 subdomain' <<<"$out" &&
    ! grep -q 'container init' <<<"$out"
}
check "renderer: --check rejects a container without a startupProbe or a memory limit, and a bad object" check_rejects

#############################################################################################################
# The chart
#############################################################################################################
if [ ! -f "$CHART/Chart.yaml" ]; then
  check "helm/costsim/Chart.yaml exists" test -f "$CHART/Chart.yaml"
  finish; exit 1
fi

links_resolve() {  # every symbolic link in the chart resolves to a file in the repository
  local l target bad=0
  while IFS= read -r l; do
    target=$(readlink -f "$l") || { echo "$l: does not resolve"; bad=1; continue; }
    [ -e "$target" ] || { echo "$l -> $(readlink "$l"): dangling"; bad=1; continue; }
    case "$target" in "$ROOT"/*) echo "${l#"$ROOT"/} -> ${target#"$ROOT"/}" ;;
      *) echo "$l -> $target: outside the repository"; bad=1 ;; esac
  done < <(find "$CHART" -type l)
  return $bad
}
check "the chart's symbolic links resolve to files of the repository" links_resolve

# Every `required "MESSAGE" .Values.x.y` of the templates, as MESSAGE<tab>x.y.
python3 - "$CHART/templates" >"$TMP/required.tsv" <<'EOF'
import os, re, sys
pat = re.compile(r'required\s+"((?:[^"\\]|\\.)*)"\s+\$?\.Values\.([A-Za-z0-9_.]+)')
found = set()
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        for msg, path in pat.findall(open(os.path.join(d, f)).read()):
            found.add((re.sub(r'\\(.)', r'\1', msg), path))
for msg, path in sorted(found):
    print(msg + "\t" + path)
EOF

# "Default values": the chart's values.yaml, plus a test value for each required value it leaves empty (secrets: a
# chart ships no password), found by rendering until no `required` fails.
RENDER=(--release costsim --namespace costsim)
BASE=()
TEST_SECRET=costsim-helm-test-secret-0123456789abcdef
supplied=()
for _ in 1 2 3 4 5 6 7 8 9 10; do
  out=$("$R" "$CHART" "${RENDER[@]}" "${BASE[@]}" 2>&1 >/dev/null) && break
  path=
  while IFS=$'\t' read -r msg p; do [[ $out == *"$msg"* ]] && { path=$p; break; }; done <"$TMP/required.tsv"
  [ -n "$path" ] || break
  BASE+=(--set-string "$path=$TEST_SECRET"); supplied+=("$path")
done
echo "# default values, plus test values for what they leave required: ${supplied[*]:-(none)}"
render_to() { "$R" "$CHART" "${RENDER[@]}" "${BASE[@]}" "${@:2}" >"$1"; }  # render_to OUT [render options]

check "helm/costsim renders with its default values" render_to "$TMP/default.yaml"
"$R" --json "$TMP/default.yaml" >"$TMP/default.json" 2>/dev/null || echo '[]' >"$TMP/default.json"
check "default render: every object passes --check (probes, limits and requests on every container)" \
  "$R" --check "$TMP/default.yaml"
echo "# default values: $(py "$TMP/default.json" <<<'print(len(objs))') objects rendered:" \
  "$(py "$TMP/default.json" <<<'import collections; print(", ".join("%s %d" % kv for kv in sorted(collections.Counter(o.get("kind", "?") for o in objs).items())))')"

kinds_present() {
  py "$TMP/default.json" <<'EOF'
have = {o.get("kind") for o in objs}
want = ["StatefulSet", "Service", "PodDisruptionBudget", "ServiceAccount", "Deployment", "ConfigMap",
        "ServiceMonitor", "PrometheusRule", "NetworkPolicy"]
missing = [k for k in want if k not in have]
print("kinds:", sorted(have))
if missing: sys.exit("missing kinds: " + ", ".join(missing))
EOF
}
check "default render has StatefulSet, Service, PodDisruptionBudget, ServiceAccount, Deployment, ConfigMap, ServiceMonitor, PrometheusRule, NetworkPolicy" \
  kinds_present

postgrest_deployment() {
  py "$TMP/default.json" <<'EOF'
found = [(name(d), c.get("name"), c.get("image")) for d in of("Deployment") for c in containers(d)
         if "postgrest" in (c.get("image") or "").lower()]
print(found)
if not found: sys.exit("no Deployment runs a postgrest image")
EOF
}
check "a Deployment runs PostgREST (a postgrest image)" postgrest_deployment

jwt_secret() {  # PGRST_JWT_SECRET comes from a Secret key: rendered by the chart, or an existing one it names
  py "$TMP/default.json" <<'EOF'
refs = []
for d in of("Deployment"):
    for c in containers(d):
        for e in c.get("env") or []:
            if e.get("name") == "PGRST_JWT_SECRET":
                ref = ((e.get("valueFrom") or {}).get("secretKeyRef") or {})
                if not ref.get("name") or not ref.get("key"):
                    sys.exit("PGRST_JWT_SECRET of %s/%s is not read from a Secret: %r" % (name(d), c.get("name"), e))
                refs.append((ref["name"], ref["key"]))
if not refs: sys.exit("no container sets PGRST_JWT_SECRET")
for secret, key in refs:
    rendered = [s for s in of("Secret") if name(s) == secret]
    if rendered:
        keys = set((rendered[0].get("data") or {})) | set((rendered[0].get("stringData") or {}))
        if key not in keys: sys.exit("Secret %s has no key %s (has %s)" % (secret, key, sorted(keys)))
        print("PGRST_JWT_SECRET from the chart's Secret %s, key %s" % (secret, key))
    else:
        print("PGRST_JWT_SECRET from an existing Secret %s (not rendered), key %s" % (secret, key))
EOF
}
check "PostgREST's PGRST_JWT_SECRET comes from a Secret (rendered with its key, or an existing one named)" jwt_secret

# ---- the repository's files, not copies
holds_file() {  # holds_file FILE: some ConfigMap's data entry is FILE byte for byte (--find-data lists them)
  "$R" --find-data "$1" "$TMP/default.yaml" | tee "$TMP/found" && grep -q '^ConfigMap/' "$TMP/found"
}
reads_mounted() {  # reads_mounted FILE WHO: a container names, in its command, args or env, where the ConfigMap key holding FILE is mounted
  "$R" --find-data "$1" "$TMP/default.yaml" | grep '^ConfigMap/' >"$TMP/found" || return 1
  py "$TMP/default.json" "$TMP/found" "$2" <<'EOF'
import posixpath
wanted = set()
for line in open(sys.argv[2]):
    obj, field = line.split()
    wanted.add((obj.split("/", 1)[1], field[field.index("[") + 1:-1]))
ok = []
for w in of("Deployment") + of("StatefulSet") + of("DaemonSet"):
    vols = {v.get("name"): v for v in pod_spec(w).get("volumes") or []}
    for c in containers(w):
        mentioned = set()
        for a in (c.get("command") or []) + (c.get("args") or []):
            mentioned |= {str(a), str(a).split("=", 1)[-1]}
        mentioned |= {str(e.get("value")) for e in c.get("env") or [] if "value" in e}
        for m in c.get("volumeMounts") or []:
            cm = (vols.get(m.get("name")) or {}).get("configMap") or {}
            items = {i["key"]: i["path"] for i in cm.get("items") or []}
            for cmname, key in wanted:
                if cm.get("name") != cmname: continue
                rel = items.get(key, key if not items else None)
                if rel is None: continue
                if m.get("subPath"):
                    path = m["mountPath"] if m["subPath"] == rel else None
                else:
                    path = posixpath.join(m["mountPath"], rel)
                if path in mentioned:
                    ok.append(path)
                    print("%s/%s container %s reads %s (ConfigMap %s, key %s)" % (w["kind"], name(w), c.get("name"), path, cmname, key))
if not ok: sys.exit("no container of a workload reads the %s from where its ConfigMap is mounted" % sys.argv[3])
EOF
}
check "a rendered ConfigMap holds monitoring/queries.yaml byte for byte" holds_file "$ROOT/monitoring/queries.yaml"
check "postgres_exporter reads those queries where the ConfigMap is mounted (--extend.query-path)" \
  reads_mounted "$ROOT/monitoring/queries.yaml" "exporter queries"
check "a rendered ConfigMap holds postgrest.conf byte for byte" holds_file "$ROOT/postgrest.conf"
check "PostgREST reads that postgrest.conf where the ConfigMap is mounted" \
  reads_mounted "$ROOT/postgrest.conf" "PostgREST configuration"

rule_groups() {
  local rule
  rule=$(py "$TMP/default.json" <<<'print("\n".join(name(o) for o in of("PrometheusRule")))')
  [ "$(wc -l <<<"$rule")" -eq 1 ] && [ -n "$rule" ] || { echo "PrometheusRules: ${rule:-none}"; return 1; }
  "$R" --yaml-equal "$TMP/default.yaml@PrometheusRule/$rule#spec.groups" "$ROOT/monitoring/rules/costsim.yml#groups"
}
check "the PrometheusRule's spec.groups equal the groups of monitoring/rules/costsim.yml" rule_groups

# ---- required values
# Each required value, set to null over the default render's values: the render fails (exit 1) with its MESSAGE,
# or renders (a condition guards it and is off by default). At least one must fail.
required_values() {
  local triggered=0 failed=0 msg path out rc
  while IFS=$'\t' read -r msg path; do
    rc=0
    out=$("$R" "$CHART" "${RENDER[@]}" "${BASE[@]}" --set "$path=null" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -eq 1 ] && [[ $out == *"$msg"* ]]; then
      triggered=$((triggered + 1)); echo "--set $path=null: $out"
    elif [ "$rc" -eq 0 ]; then
      echo "--set $path=null: renders (its guard is off under the default values)"
    else
      failed=$((failed + 1)); echo "--set $path=null: exit $rc, expected the message \"$msg\"; got: $out"
    fi
  done <"$TMP/required.tsv"
  echo "$(wc -l <"$TMP/required.tsv") required values, $triggered failed the render with their message"
  [ "$triggered" -gt 0 ] && [ "$failed" -eq 0 ]
}
if [ -s "$TMP/required.tsv" ]; then
  check "each value the chart marks required, when missing, fails the render (exit 1) with the chart's message" \
    required_values
else
  skip "a missing required value fails the render" "the chart marks no .Values.* required"
fi

# ---- the sandbox namespace (helm/sandbox-namespace.yaml, a plain manifest applied before the sandbox release)
NS_MANIFEST=
HELM_DIR=$(dirname "$CHART")
for f in "$HELM_DIR/sandbox-namespace.yaml" "$HELM_DIR"/*namespace*.y*ml "$CHART"/*namespace*.y*ml; do
  [ -f "$f" ] && { NS_MANIFEST=$f; break; }
done
SANDBOX_NS=
sandbox_namespace() {
  "$R" --json "$NS_MANIFEST" >"$TMP/ns.json" || return 1
  py "$TMP/ns.json" <<'EOF'
spaces = [name(o) for o in of("Namespace")]
if len(spaces) != 1: sys.exit("want one Namespace, got %r" % spaces)
deny = []
for p in of("NetworkPolicy"):
    s = p.get("spec") or {}
    ns = (p.get("metadata") or {}).get("namespace")
    types = set(s.get("policyTypes") or [])
    if s.get("podSelector") == {} and {"Ingress", "Egress"} <= types and not s.get("ingress") and not s.get("egress"):
        if ns != spaces[0]: sys.exit("default-deny NetworkPolicy %s is in namespace %r, not %r" % (name(p), ns, spaces[0]))
        deny.append(name(p))
print("Namespace %s; default-deny ingress+egress NetworkPolicy: %s" % (spaces[0], deny))
if not deny: sys.exit("no NetworkPolicy selects every pod with policyTypes Ingress and Egress and no rules")
EOF
}
if [ -n "$NS_MANIFEST" ]; then
  check "${NS_MANIFEST#"$ROOT"/} parses: a Namespace and a default-deny ingress+egress NetworkPolicy in it" \
    sandbox_namespace
  SANDBOX_NS=$(py "$TMP/ns.json" <<<'print(name(of("Namespace")[0]) if of("Namespace") else "")' 2>/dev/null)
else
  check "the sandbox namespace manifest exists (helm/sandbox-namespace.yaml)" false
fi

# ---- the sandbox values: a release installed into that namespace
if [ -f "$CHART/values-sandbox.yaml" ]; then
  SANDBOX=(--release costsim-sandbox --namespace "${SANDBOX_NS:-costsim-sandbox}" -f "$CHART/values-sandbox.yaml")
  check "helm/costsim renders with values-sandbox.yaml" render_to "$TMP/sandbox.yaml" "${SANDBOX[@]}"
  check "sandbox render: every object passes --check" "$R" --check "$TMP/sandbox.yaml"
  "$R" --json "$TMP/sandbox.yaml" >"$TMP/sandbox.json" 2>/dev/null || echo '[]' >"$TMP/sandbox.json"
  echo "# values-sandbox.yaml: $(py "$TMP/sandbox.json" <<<'print(len(objs))') objects rendered"

  in_namespace() {  # every object of the sandbox release goes to the sandbox namespace
    py "$TMP/sandbox.json" "$SANDBOX_NS" <<'EOF'
elsewhere = ["%s/%s in %r" % (o.get("kind"), name(o), (o.get("metadata") or {}).get("namespace"))
             for o in objs if (o.get("metadata") or {}).get("namespace") not in (None, sys.argv[2])]
print("%d objects, none elsewhere than %s" % (len(objs), sys.argv[2]) if not elsewhere else "\n".join(elsewhere))
if elsewhere: sys.exit(1)
EOF
  }
  # The restricted Pod Security Standard (what the namespace's pod-security.kubernetes.io/enforce label demands),
  # checked on every pod template of the sandbox release: pods that break it would be refused there.
  restricted_pods() {
    py "$TMP/sandbox.json" <<'EOF'
ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected",
                   "secret"}
bad = []
for w in of("Deployment") + of("StatefulSet") + of("DaemonSet") + of("Job"):
    ps = pod_spec(w)
    who = "%s/%s" % (w["kind"], name(w))
    psc = ps.get("securityContext") or {}
    for k in ("hostNetwork", "hostPID", "hostIPC"):
        if ps.get(k): bad.append("%s: %s" % (who, k))
    for v in ps.get("volumes") or []:
        kinds = set(v) - {"name"}
        if not kinds <= ALLOWED_VOLUMES: bad.append("%s: volume %s is %s" % (who, v.get("name"), sorted(kinds)))
    for c in (ps.get("initContainers") or []) + (ps.get("containers") or []):
        at = "%s container %s" % (who, c.get("name"))
        sc = c.get("securityContext") or {}
        if sc.get("privileged"): bad.append(at + ": privileged")
        if sc.get("allowPrivilegeEscalation") is not False: bad.append(at + ": allowPrivilegeEscalation is not false")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []): bad.append(at + ": capabilities.drop lacks ALL")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}: bad.append(at + ": adds capabilities %s" % caps["add"])
        if not sc.get("runAsNonRoot", psc.get("runAsNonRoot")): bad.append(at + ": runAsNonRoot is not true")
        if sc.get("runAsUser", psc.get("runAsUser")) == 0: bad.append(at + ": runAsUser 0")
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"): bad.append(at + ": seccompProfile is %r" % seccomp)
        if any(p.get("hostPort") for p in c.get("ports") or []): bad.append(at + ": hostPort")
    print("%s: checked" % who)
if bad: sys.exit("\n".join(bad))
EOF
  }
  if [ -n "$SANDBOX_NS" ]; then
    check "sandbox render: every object goes to the sandbox namespace $SANDBOX_NS" in_namespace
  else
    skip "sandbox render: every object goes to the sandbox namespace" "no sandbox Namespace manifest"
  fi
  if [ -n "$NS_MANIFEST" ] && grep -q 'pod-security.kubernetes.io/enforce: *restricted' "$NS_MANIFEST"; then
    check "sandbox render: every pod meets the restricted Pod Security Standard the namespace enforces" restricted_pods
  else
    skip "sandbox render: pods meet the namespace's Pod Security Standard" "the namespace enforces none"
  fi
else
  skip "helm/costsim renders with values-sandbox.yaml" "the chart has no values-sandbox.yaml"
fi

finish
