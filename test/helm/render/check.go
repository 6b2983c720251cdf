package main

// --check, --get, --yaml-equal and --find-data: reading rendered streams (or plain YAML files) back.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

type document struct {
	source string // from "# Source: ..." or "FILE document N"
	value  interface{}
	err    error
	empty  bool
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

var (
	docSep     = regexp.MustCompile(`^---(?:\s.*)?$`)
	sourceLine = regexp.MustCompile(`^# Source: (.*)$`)
)

// splitDocuments splits a stream on "---" lines and parses each part.
func splitDocuments(stream []byte, label string) []document {
	var parts [][]string
	cur := []string{}
	for _, line := range strings.Split(string(stream), "\n") {
		if docSep.MatchString(line) {
			parts = append(parts, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, line)
	}
	parts = append(parts, cur)
	var docs []document
	for i, lines := range parts {
		d := document{source: fmt.Sprintf("%s document %d", label, i+1)}
		for _, l := range lines {
			if m := sourceLine.FindStringSubmatch(l); m != nil {
				d.source = m[1]
				break
			}
		}
		var node yaml.Node
		text := strings.Join(lines, "\n") + "\n" // the line break before the next "---" belongs to this document
		if err := yaml.Unmarshal([]byte(text), &node); err != nil {
			d.err = err
		} else if node.Kind == 0 || len(node.Content) == 0 || (len(node.Content) == 1 && node.Content[0].Tag == "!!null") {
			d.empty = true
		} else if err := node.Decode(&d.value); err != nil {
			d.err = err
		}
		if d.empty && strings.TrimSpace(text) == "" && len(parts) > 1 {
			continue // nothing at all between separators (or before the first one)
		}
		docs = append(docs, d)
	}
	return docs
}

func str(m interface{}, keys ...string) (string, bool) {
	v, ok := dig(m, keys...)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

func dig(v interface{}, keys ...string) (interface{}, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

var (
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	dns1035Label     = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
)

func nonEmptyMap(v interface{}, ok bool) bool {
	m, isMap := v.(map[string]interface{})
	return ok && isMap && len(m) > 0
}

func present(v interface{}, ok bool) bool {
	if !ok || v == nil {
		return false
	}
	if s, isStr := v.(string); isStr {
		return s != ""
	}
	if m, isMap := v.(map[string]interface{}); isMap {
		return len(m) > 0
	}
	return true
}

func runCheck(stream []byte) int {
	var violations []string
	objects := 0
	seen := map[string]string{}
	for i, d := range splitDocuments(stream, "stream") {
		where := d.source
		if d.err != nil {
			fmt.Printf("? FAIL (%s)\n", where)
			violations = append(violations, fmt.Sprintf("%s: not valid YAML: %v", where, d.err))
			continue
		}
		if d.empty {
			continue
		}
		objects++
		var bad []string
		m, isMap := d.value.(map[string]interface{})
		kind, _ := str(m, "kind")
		name, _ := str(m, "metadata", "name")
		id := fmt.Sprintf("%s/%s", kind, name)
		if !isMap {
			id = fmt.Sprintf("document-%d", i+1)
			bad = append(bad, "is not a mapping")
		} else {
			if apiVersion, _ := str(m, "apiVersion"); apiVersion == "" {
				bad = append(bad, "has no apiVersion")
			}
			if kind == "" {
				bad = append(bad, "has no kind")
			}
			if name == "" {
				bad = append(bad, "has no metadata.name")
			} else if len(name) > 253 || !dns1123Subdomain.MatchString(name) {
				bad = append(bad, fmt.Sprintf("metadata.name %q is not a DNS-1123 subdomain", name))
			} else if kind == "Service" && (len(name) > 63 || !dns1035Label.MatchString(name)) {
				bad = append(bad, fmt.Sprintf("Service name %q is not a DNS-1035 label (a-z0-9-, at most 63)", name))
			}
			apiVersion, _ := str(m, "apiVersion")
			group := apiVersion
			if j := strings.LastIndex(group, "/"); j >= 0 {
				group = group[:j]
			} else {
				group = ""
			}
			ns, _ := str(m, "metadata", "namespace")
			key := strings.Join([]string{group, kind, ns, name}, "|")
			if prev, dup := seen[key]; dup && name != "" {
				bad = append(bad, fmt.Sprintf("duplicates the %s/%s of %s", kind, name, prev))
			}
			seen[key] = where
		}
		var containerNames []string
		switch kind {
		case "Deployment", "StatefulSet", "DaemonSet":
			containers, ok := dig(m, "spec", "template", "spec", "containers")
			list, isList := containers.([]interface{})
			if !ok || !isList || len(list) == 0 {
				bad = append(bad, "has no spec.template.spec.containers")
			}
			for j, c := range list {
				cname, _ := str(c, "name")
				if cname == "" {
					cname = fmt.Sprintf("#%d", j)
				}
				if image, _ := str(c, "image"); image != "" {
					containerNames = append(containerNames, cname+"="+image)
				} else {
					containerNames = append(containerNames, cname)
				}
				for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
					if !nonEmptyMap(dig(c, probe)) {
						bad = append(bad, fmt.Sprintf("container %s has no %s", cname, probe))
					}
				}
				for _, r := range []string{"cpu", "memory"} {
					if !present(dig(c, "resources", "limits", r)) {
						bad = append(bad, fmt.Sprintf("container %s has no resources.limits.%s", cname, r))
					}
				}
				if !nonEmptyMap(dig(c, "resources", "requests")) {
					bad = append(bad, fmt.Sprintf("container %s has no resources.requests", cname))
				}
			}
		}
		status := "ok"
		if len(bad) > 0 {
			status = "FAIL"
		}
		line := fmt.Sprintf("%s %s (%s)", id, status, where)
		if containerNames != nil {
			line += " containers: " + strings.Join(containerNames, ", ")
		}
		fmt.Println(line)
		for _, b := range bad {
			violations = append(violations, fmt.Sprintf("%s (%s): %s", id, where, b))
		}
	}
	if objects == 0 {
		violations = append(violations, "the stream holds no object")
	}
	for _, v := range violations {
		fmt.Println("VIOLATION: " + v)
	}
	fmt.Printf("%d objects, %d violations\n", objects, len(violations))
	if len(violations) > 0 {
		return 1
	}
	return 0
}

// ---------------------------------------------------------------- SPEC = FILE[@Kind[/name]][#path]

type spec struct {
	file, kind, name, path string
}

func parseSpec(s string) spec {
	var sp spec
	if i := strings.Index(s, "#"); i >= 0 {
		sp.path, s = s[i+1:], s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		sel := s[i+1:]
		s = s[:i]
		if j := strings.Index(sel, "/"); j >= 0 {
			sp.kind, sp.name = sel[:j], sel[j+1:]
		} else {
			sp.kind = sel
		}
	}
	sp.file = s
	return sp
}

func splitPath(p string) ([]string, error) {
	var segs []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			segs = append(segs, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '.':
			flush()
		case '[':
			flush()
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("path %q: [ without ]", p)
			}
			segs = append(segs, p[i+1:i+j])
			i += j
		default:
			cur.WriteByte(p[i])
		}
	}
	flush()
	return segs, nil
}

func resolve(s string) (interface{}, error) {
	sp := parseSpec(s)
	data, err := readInput(sp.file)
	if err != nil {
		return nil, err
	}
	var matches []document
	for _, d := range splitDocuments(data, sp.file) {
		if d.err != nil {
			return nil, fmt.Errorf("%s: %v", d.source, d.err)
		}
		if d.empty {
			continue
		}
		if sp.kind != "" {
			if k, _ := str(d.value, "kind"); k != sp.kind {
				continue
			}
			if n, _ := str(d.value, "metadata", "name"); sp.name != "" && n != sp.name {
				continue
			}
		}
		matches = append(matches, d)
	}
	if len(matches) != 1 {
		return nil, fmt.Errorf("%s: %d documents match (need exactly one)", s, len(matches))
	}
	v := matches[0].value
	segs, err := splitPath(sp.path)
	if err != nil {
		return nil, err
	}
	for i, seg := range segs {
		switch t := v.(type) {
		case map[string]interface{}:
			x, ok := t[seg]
			if !ok {
				return nil, fmt.Errorf("%s: no key %q at %s", s, seg, strings.Join(segs[:i], "."))
			}
			v = x
		case []interface{}:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(t) {
				return nil, fmt.Errorf("%s: no index %q at %s", s, seg, strings.Join(segs[:i], "."))
			}
			v = t[n]
		default:
			return nil, fmt.Errorf("%s: %s is a scalar", s, strings.Join(segs[:i], "."))
		}
	}
	return v, nil
}

func runGet(s string) int {
	v, err := resolve(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	if str, ok := v.(string); ok {
		fmt.Print(str)
		return 0
	}
	out, err := yamlEncode(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	fmt.Print(out)
	return 0
}

// canonical makes numbers comparable (1 == 1.0) for the structural comparison.
func canonical(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, x := range t {
			out[k] = canonical(x)
		}
		return out
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for k, x := range t {
			out[fmt.Sprint(k)] = canonical(x)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = canonical(x)
		}
		return out
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	}
	return v
}

// firstDifference describes where a and b first differ ("" when equal).
func firstDifference(a, b interface{}, at string) string {
	if at == "" {
		at = "(top)"
	}
	switch ta := a.(type) {
	case map[string]interface{}:
		tb, ok := b.(map[string]interface{})
		if !ok {
			return fmt.Sprintf("%s: mapping vs %T", at, b)
		}
		keys := map[string]bool{}
		for k := range ta {
			keys[k] = true
		}
		for k := range tb {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			xa, oka := ta[k]
			xb, okb := tb[k]
			if !oka || !okb {
				return fmt.Sprintf("%s.%s: only in the %s", at, k, map[bool]string{true: "first", false: "second"}[oka])
			}
			if d := firstDifference(xa, xb, at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []interface{}:
		tb, ok := b.([]interface{})
		if !ok {
			return fmt.Sprintf("%s: sequence vs %T", at, b)
		}
		for i := 0; i < len(ta) && i < len(tb); i++ {
			if d := firstDifference(ta[i], tb[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		if len(ta) != len(tb) {
			return fmt.Sprintf("%s: %d items vs %d", at, len(ta), len(tb))
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %#v vs %#v", at, a, b)
	}
	return ""
}

func runYAMLEqual(sa, sb string) int {
	a, err := resolve(sa)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 2
	}
	b, err := resolve(sb)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 2
	}
	if d := firstDifference(canonical(a), canonical(b), ""); d != "" {
		fmt.Printf("different: %s\n", d)
		return 1
	}
	fmt.Println("equal")
	return 0
}

// runFindData lists every ConfigMap/Secret data entry of the stream whose decoded value equals FILE's bytes.
func runFindData(file, streamName string) int {
	want, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 2
	}
	stream, err := readInput(streamName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 2
	}
	found := 0
	for _, d := range splitDocuments(stream, streamName) {
		if d.err != nil || d.empty {
			continue
		}
		kind, _ := str(d.value, "kind")
		name, _ := str(d.value, "metadata", "name")
		fields := map[string]bool{} // field -> base64
		switch kind {
		case "ConfigMap":
			fields["data"], fields["binaryData"] = false, true
		case "Secret":
			fields["data"], fields["stringData"] = true, false
		default:
			continue
		}
		for field, b64 := range fields {
			m, _ := dig(d.value, field)
			entries, _ := m.(map[string]interface{})
			for key, v := range entries {
				s, ok := v.(string)
				if !ok {
					continue
				}
				got := []byte(s)
				if b64 {
					if got, err = base64.StdEncoding.DecodeString(s); err != nil {
						continue
					}
				}
				if bytes.Equal(got, want) {
					fmt.Printf("%s/%s %s[%s]\n", kind, name, field, key)
					found++
				}
			}
		}
	}
	if found == 0 {
		fmt.Fprintf(os.Stderr, "no ConfigMap or Secret data entry equals %s byte for byte\n", file)
		return 1
	}
	return 0
}

// runJSON prints every non-empty document of a stream (or YAML file) as one JSON array, for python3 to inspect.
func runJSON(name string) int {
	data, err := readInput(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	all := []interface{}{}
	for _, d := range splitDocuments(data, name) {
		if d.err != nil {
			fmt.Fprintf(os.Stderr, "Error: %s: %v\n", d.source, d.err)
			return 1
		}
		if !d.empty {
			all = append(all, canonicalJSON(d.value))
		}
	}
	out, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	fmt.Println(string(out))
	return 0
}

// canonicalJSON turns maps with non-string keys into string-keyed ones, so that encoding/json accepts them.
func canonicalJSON(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = canonicalJSON(x)
		}
		return t
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for k, x := range t {
			out[fmt.Sprint(k)] = canonicalJSON(x)
		}
		return out
	case []interface{}:
		for i, x := range t {
			t[i] = canonicalJSON(x)
		}
		return t
	case time.Time:
		return t.Format(time.RFC3339)
	}
	return v
}
