package main

// The rendering engine: chart loading (following symbolic links), values, helm's template functions and objects.
// See the comment at the top of main.go for what is supported.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type setArg struct {
	expr     string
	asString bool
}

type renderOptions struct {
	valueFiles  []string
	sets        []setArg
	namespace   string
	release     string
	apiVersions []string
}

// ---------------------------------------------------------------- Chart.yaml

type maintainer struct {
	Name  string `yaml:"name" json:"name,omitempty"`
	Email string `yaml:"email" json:"email,omitempty"`
	URL   string `yaml:"url" json:"url,omitempty"`
}

type chartMetadata struct {
	APIVersion   string            `yaml:"apiVersion" json:"apiVersion,omitempty"`
	Name         string            `yaml:"name" json:"name,omitempty"`
	Version      string            `yaml:"version" json:"version,omitempty"`
	AppVersion   string            `yaml:"appVersion" json:"appVersion,omitempty"`
	Description  string            `yaml:"description" json:"description,omitempty"`
	Type         string            `yaml:"type" json:"type,omitempty"`
	KubeVersion  string            `yaml:"kubeVersion" json:"kubeVersion,omitempty"`
	Home         string            `yaml:"home" json:"home,omitempty"`
	Icon         string            `yaml:"icon" json:"icon,omitempty"`
	Keywords     []string          `yaml:"keywords" json:"keywords,omitempty"`
	Sources      []string          `yaml:"sources" json:"sources,omitempty"`
	Annotations  map[string]string `yaml:"annotations" json:"annotations,omitempty"`
	Deprecated   bool              `yaml:"deprecated" json:"deprecated,omitempty"`
	Maintainers  []*maintainer     `yaml:"maintainers" json:"maintainers,omitempty"`
	Dependencies []interface{}     `yaml:"dependencies" json:"dependencies,omitempty"`
}

// ---------------------------------------------------------------- .Files

// Files is helm's .Files: chart-relative path (with "/") -> content.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }

func (f Files) Glob(pattern string) Files {
	re, err := globRegexp(pattern)
	out := Files{}
	if err != nil {
		return out
	}
	for name, data := range f {
		if re.MatchString(name) {
			out[name] = data
		}
	}
	return out
}

func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func (f Files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f Files) AsSecrets() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = base64.StdEncoding.EncodeToString(data)
	}
	return toYAML(m)
}

// globRegexp turns a gobwas/glob pattern (separator "/") into a regular expression: ** crosses "/", * and ? do not.
func globRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	inAlt := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch c {
		case '*':
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(pattern[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated [ in %q", pattern)
			}
			class := pattern[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j
		case '{':
			inAlt++
			b.WriteString("(?:")
		case '}':
			if inAlt == 0 {
				b.WriteString(regexp.QuoteMeta("}"))
			} else {
				inAlt--
				b.WriteString(")")
			}
		case ',':
			if inAlt > 0 {
				b.WriteString("|")
			} else {
				b.WriteString(",")
			}
		case '\\':
			if i+1 < len(pattern) {
				i++
				b.WriteString(regexp.QuoteMeta(string(pattern[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ---------------------------------------------------------------- .Capabilities

type apiVersionSet []string

// Has is true for "group/version" and for "group/version/Kind" when that group/version is known.
func (a apiVersionSet) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

type kubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k kubeVersion) String() string     { return k.Version }
func (k kubeVersion) GitVersion() string { return k.Version }

type helmVersion struct {
	Version      string
	GitCommit    string
	GitTreeState string
	GoVersion    string
}

type capabilities struct {
	APIVersions apiVersionSet
	KubeVersion kubeVersion
	HelmVersion helmVersion
}

var builtinAPIVersions = map[string][]string{
	"v1": {"ConfigMap", "Secret", "Service", "ServiceAccount", "Namespace", "Pod", "PersistentVolumeClaim",
		"Endpoints", "LimitRange", "ResourceQuota"},
	"apps/v1":                         {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"},
	"batch/v1":                        {"Job", "CronJob"},
	"policy/v1":                       {"PodDisruptionBudget"},
	"networking.k8s.io/v1":            {"NetworkPolicy", "Ingress", "IngressClass"},
	"rbac.authorization.k8s.io/v1":    {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"},
	"autoscaling/v1":                  {"HorizontalPodAutoscaler"},
	"autoscaling/v2":                  {"HorizontalPodAutoscaler"},
	"storage.k8s.io/v1":               {"StorageClass"},
	"scheduling.k8s.io/v1":            {"PriorityClass"},
	"coordination.k8s.io/v1":          {"Lease"},
	"apiextensions.k8s.io/v1":         {"CustomResourceDefinition"},
	"admissionregistration.k8s.io/v1": {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"},
	"monitoring.coreos.com/v1":        {"ServiceMonitor", "PodMonitor", "PrometheusRule", "Prometheus", "Probe"},
}

func newCapabilities(extra []string) capabilities {
	var set apiVersionSet
	for gv, kinds := range builtinAPIVersions {
		set = append(set, gv)
		for _, k := range kinds {
			set = append(set, gv+"/"+k)
		}
	}
	set = append(set, extra...)
	sort.Strings(set)
	return capabilities{
		APIVersions: set,
		KubeVersion: kubeVersion{Version: "v1.28.0", Major: "1", Minor: "28"},
		HelmVersion: helmVersion{Version: "v3.12.0", GoVersion: "go1.19"},
	}
}

// ---------------------------------------------------------------- YAML/JSON helpers (helm's toYaml & co.)

// jsonRoundTrip mirrors sigs.k8s.io/yaml: marshal to JSON, read back with numbers kept exact.
func jsonRoundTrip(v interface{}) (interface{}, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out interface{}
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return fixJSONNumbers(out), nil
}

func fixJSONNumbers(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = fixJSONNumbers(x)
		}
		return t
	case []interface{}:
		for i, x := range t {
			t[i] = fixJSONNumbers(x)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

func yamlEncode(v interface{}) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// toYAML is helm's toYaml: "" on error, trailing newline trimmed.
func toYAML(v interface{}) string {
	norm, err := jsonRoundTrip(v)
	if err != nil {
		norm = v // e.g. maps with non-string keys: let yaml.v3 have a go
	}
	s, err := yamlEncode(norm)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(s, "\n")
}

// normalizeYAML turns what yaml.v3 decoded into what helm's sigs.k8s.io/yaml gives: string-keyed maps, every
// number float64, timestamps as strings.
func normalizeYAML(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = normalizeYAML(x)
		}
		return t
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalizeYAML(x)
		}
		return m
	case []interface{}:
		for i, x := range t {
			t[i] = normalizeYAML(x)
		}
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	case time.Time:
		return t.Format(time.RFC3339)
	}
	return v
}

func fromYAML(s string) map[string]interface{} {
	var v interface{}
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	if v == nil {
		return map[string]interface{}{}
	}
	m, ok := normalizeYAML(v).(map[string]interface{})
	if !ok {
		return map[string]interface{}{"Error": "yaml: cannot unmarshal a non-mapping into map[string]interface {}"}
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var v interface{}
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return []interface{}{err.Error()}
	}
	if v == nil {
		return []interface{}{}
	}
	a, ok := normalizeYAML(v).([]interface{})
	if !ok {
		return []interface{}{"yaml: cannot unmarshal a non-sequence into []interface {}"}
	}
	return a
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

// ---------------------------------------------------------------- values

func readValuesFile(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var v interface{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := normalizeYAML(v).(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: values must be a mapping", file)
	}
	return m, nil
}

// mergeInto merges src over dst (user-supplied layers: -f files in order); nulls are kept so that coalesce can
// delete the keys they name from the chart's defaults.
func mergeInto(dst, src map[string]interface{}) {
	for k, v := range src {
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// coalesce is helm's: user values win over the chart's, maps merge deeply, a user null deletes the key.
func coalesce(user, chart map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range chart {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		um, uok := v.(map[string]interface{})
		cm, cok := out[k].(map[string]interface{})
		if uok && cok {
			out[k] = coalesce(um, cm)
		} else if uok {
			out[k] = coalesce(um, map[string]interface{}{}) // drops nulls inside
		} else {
			out[k] = v
		}
	}
	return out
}

// ---------------------------------------------------------------- loading the chart

type chart struct {
	dir       string
	meta      chartMetadata
	values    map[string]interface{}
	templates map[string]string // "templates/<rel>" -> text
	files     Files
}

type ignoreRule struct {
	pattern string
	negate  bool
	dirOnly bool
}

func readHelmignore(dir string) []ignoreRule {
	data, err := os.ReadFile(filepath.Join(dir, ".helmignore"))
	rules := []ignoreRule{{pattern: "templates/.?*"}}
	if err != nil {
		return rules
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		r.pattern = strings.TrimPrefix(line, "/")
		rules = append(rules, r)
	}
	return rules
}

func ignored(rules []ignoreRule, rel string, isDir bool) bool {
	res := false
	for _, r := range rules {
		if r.dirOnly && !isDir {
			continue
		}
		subject := path.Base(rel)
		if strings.Contains(r.pattern, "/") {
			subject = rel
		}
		if ok, _ := path.Match(r.pattern, subject); ok {
			res = !r.negate
		}
	}
	return res
}

// walk lists every regular file under dir, following symbolic links (to files and directories); rel paths use "/".
func walk(dir string, rules []ignoreRule, fn func(rel, abs string) error) error {
	seen := map[string]bool{}
	var visit func(abs, rel string) error
	visit = func(abs, rel string) error {
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return fmt.Errorf("%s: %v", abs, err)
		}
		if seen[real] {
			return nil // a link cycle
		}
		seen[real] = true
		defer delete(seen, real)
		entries, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		for _, e := range entries {
			childAbs := filepath.Join(abs, e.Name())
			childRel := e.Name()
			if rel != "" {
				childRel = rel + "/" + e.Name()
			}
			st, err := os.Stat(childAbs) // follows links
			if err != nil {
				return fmt.Errorf("%s: %v (a dangling symbolic link?)", childAbs, err)
			}
			if ignored(rules, childRel, st.IsDir()) {
				continue
			}
			if st.IsDir() {
				if err := visit(childAbs, childRel); err != nil {
					return err
				}
			} else if st.Mode().IsRegular() {
				if err := fn(childRel, childAbs); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return visit(dir, "")
}

func loadChart(dir string) (*chart, error) {
	c := &chart{dir: dir, templates: map[string]string{}, files: Files{}}
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("not a chart: %v", err)
	}
	if err := yaml.Unmarshal(data, &c.meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if c.meta.Name == "" {
		return nil, errors.New("Chart.yaml: name is required")
	}
	if c.meta.Version == "" {
		return nil, errors.New("Chart.yaml: version is required")
	}
	if len(c.meta.Dependencies) > 0 {
		fmt.Fprintln(os.Stderr, "warning: Chart.yaml has dependencies; subcharts are not rendered")
	}
	c.values = map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if c.values, err = readValuesFile(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}
	err = walk(dir, readHelmignore(dir), func(rel, abs string) error {
		switch {
		case rel == "Chart.yaml", rel == "values.yaml", rel == "values.schema.json", rel == "Chart.lock",
			rel == "requirements.yaml", rel == "requirements.lock", rel == ".helmignore":
			return nil
		case strings.HasPrefix(rel, "charts/"):
			fmt.Fprintf(os.Stderr, "warning: %s: subcharts are not rendered\n", rel)
			return nil
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			c.templates[rel] = string(data)
		} else {
			c.files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ---------------------------------------------------------------- rendering

const recursionMax = 1000

var manifestSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// isManifest follows helm: every file of templates/ whose name does not start with "_" is a manifest, except
// NOTES.txt (rendered, so that its errors fail the render as in helm, but not printed).
func isManifest(rel string) bool {
	return !strings.HasPrefix(path.Base(rel), "_") && !strings.HasSuffix(rel, "NOTES.txt")
}

func isNotes(rel string) bool {
	return strings.HasSuffix(rel, "NOTES.txt") && !strings.HasPrefix(path.Base(rel), "_")
}

var (
	execLocation = regexp.MustCompile(`^template: ([^:]+:\d+(?::\d+)?): executing `)
	execMessage  = regexp.MustCompile(`error calling (?:required|fail): `)
)

// helmError words a template error as helm does for `required` and `fail`.
func helmError(err error) error {
	msg := err.Error()
	var ee template.ExecError
	if !errors.As(err, &ee) {
		return err
	}
	loc := execLocation.FindStringSubmatch(msg)
	idx := execMessage.FindAllStringIndex(msg, -1)
	if loc == nil || idx == nil {
		return err
	}
	return fmt.Errorf("execution error at (%s): %s", loc[1], msg[idx[len(idx)-1][1]:])
}

func renderChart(dir string, opts renderOptions) (string, error) {
	c, err := loadChart(dir)
	if err != nil {
		return "", err
	}
	user := map[string]interface{}{}
	for _, f := range opts.valueFiles {
		m, err := readValuesFile(f)
		if err != nil {
			return "", err
		}
		mergeInto(user, m)
	}
	for _, s := range opts.sets {
		if err := parseSet(s.expr, user, s.asString); err != nil {
			return "", fmt.Errorf("failed parsing --set data: %v", err)
		}
	}
	values := coalesce(user, c.values)

	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": opts.release, "Namespace": opts.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart":        &c.meta,
		"Capabilities": newCapabilities(opts.apiVersions),
		"Files":        c.files,
		"Subcharts":    map[string]interface{}{},
	}

	root := template.New("gotpl").Option("missingkey=zero")
	included := map[string]int{}
	root.Funcs(funcMap(root, included))

	names := make([]string, 0, len(c.templates))
	for rel := range c.templates {
		names = append(names, rel)
	}
	sort.Strings(names)
	full := func(rel string) string { return c.meta.Name + "/" + rel }
	for _, rel := range names {
		if _, err := root.New(full(rel)).Parse(c.templates[rel]); err != nil {
			return "", fmt.Errorf("parse error: %v", err)
		}
	}

	var out strings.Builder
	for _, rel := range names {
		if !isManifest(rel) && !isNotes(rel) {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": full(rel), "BasePath": c.meta.Name + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, full(rel), vals); err != nil {
			return "", helmError(err)
		}
		if isNotes(rel) {
			continue
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		for _, doc := range manifestSep.Split(text, -1) {
			doc = strings.TrimSpace(doc)
			if doc == "" {
				continue
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", full(rel), doc)
		}
	}
	return out.String(), nil
}

func funcMap(t *template.Template, included map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"toYamlPretty":  toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"required": func(warn string, val interface{}) (interface{}, error) {
			if val == nil {
				return val, errors.New(warn)
			}
			if s, ok := val.(string); ok && s == "" {
				return val, errors.New(warn)
			}
			return val, nil
		},
		"lookup": func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		"include": func(name string, data interface{}) (string, error) {
			if included[name] > recursionMax {
				return "", fmt.Errorf("unable to execute template: rendering template has a nested reference name: %s", name)
			}
			included[name]++
			defer func() { included[name]-- }()
			var buf strings.Builder
			err := t.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		},
		"tpl": func(text string, vals interface{}) (string, error) {
			clone, err := t.Clone()
			if err != nil {
				return "", err
			}
			clone.Option("missingkey=zero")
			clone.Funcs(funcMap(clone, included))
			name := "tpl"
			if m, ok := vals.(map[string]interface{}); ok {
				if tm, ok := m["Template"].(map[string]interface{}); ok {
					if n, ok := tm["Name"].(string); ok {
						name = n + " (tpl)"
					}
				}
			}
			if _, err := clone.New(name).Parse(text); err != nil {
				return "", fmt.Errorf("cannot parse template %q: %v", text, err)
			}
			var buf strings.Builder
			if err := clone.ExecuteTemplate(&buf, name, vals); err != nil {
				return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}
