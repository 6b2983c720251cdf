package main

// --set / --set-string, after helm's strvals: "a.b=v,c[0].d=w,list={x,y}", with \ escaping , . = [ { } and \.

import (
	"fmt"
	"strconv"
	"strings"
)

// splitUnescaped splits s on sep where sep is not escaped and (when braces) not inside {...}.
func splitUnescaped(s string, sep byte, braces bool) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case braces && c == '{':
			depth++
		case braces && c == '}':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func typedValue(s string, asString bool) interface{} {
	if asString {
		return s
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	}
	if len(s) > 0 && s[0] != '0' {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	return s
}

type pathElem struct {
	key   string
	index int // >= 0: a list index applied after key (key may be "" for a[0][1])
}

func parseKey(k string) ([]pathElem, error) {
	var elems []pathElem
	for _, seg := range splitUnescaped(k, '.', false) {
		name := seg
		var idx []int
		// trailing [n] groups (unescaped)
		for strings.HasSuffix(name, "]") && !strings.HasSuffix(name, "\\]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return nil, fmt.Errorf("key %q has a ] without [", k)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("key %q: bad list index %q", k, name[open+1:len(name)-1])
			}
			idx = append([]int{n}, idx...)
			name = name[:open]
		}
		name = unescape(name)
		if name == "" && len(elems) == 0 {
			return nil, fmt.Errorf("key %q has an empty part", k)
		}
		if name != "" {
			elems = append(elems, pathElem{key: name, index: -1})
		} else if len(idx) == 0 {
			return nil, fmt.Errorf("key %q has an empty part", k)
		}
		for _, n := range idx {
			elems = append(elems, pathElem{index: n})
		}
	}
	return elems, nil
}

// setPath stores v at path under container (a map or a list), creating maps and lists on the way; it returns the
// (possibly grown) container.
func setPath(container interface{}, path []pathElem, v interface{}) (interface{}, error) {
	e := path[0]
	if e.index < 0 {
		m, ok := container.(map[string]interface{})
		if !ok || m == nil {
			m = map[string]interface{}{}
		}
		if len(path) == 1 {
			m[e.key] = v
			return m, nil
		}
		child, err := setPath(m[e.key], path[1:], v)
		if err != nil {
			return nil, err
		}
		m[e.key] = child
		return m, nil
	}
	l, _ := container.([]interface{})
	if e.index > 65536 {
		return nil, fmt.Errorf("list index %d too large", e.index)
	}
	for len(l) <= e.index {
		l = append(l, nil)
	}
	if len(path) == 1 {
		l[e.index] = v
		return l, nil
	}
	child, err := setPath(l[e.index], path[1:], v)
	if err != nil {
		return nil, err
	}
	l[e.index] = child
	return l, nil
}

func parseSet(expr string, into map[string]interface{}, asString bool) error {
	for _, assignment := range splitUnescaped(expr, ',', true) {
		if assignment == "" {
			continue
		}
		kv := splitUnescaped(assignment, '=', true)
		if len(kv) < 2 {
			return fmt.Errorf("key %q has no value", assignment)
		}
		key, raw := kv[0], strings.Join(kv[1:], "=")
		path, err := parseKey(key)
		if err != nil {
			return err
		}
		var v interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") && !asString {
			list := []interface{}{}
			inner := raw[1 : len(raw)-1]
			if inner != "" {
				for _, item := range splitUnescaped(inner, ',', true) {
					list = append(list, typedValue(unescape(item), false))
				}
			}
			v = list
		} else {
			v = typedValue(unescape(raw), asString)
		}
		// path[0] is always a key: set it on the top-level map itself.
		if _, err := setPath(into, path, v); err != nil {
			return err
		}
	}
	return nil
}
